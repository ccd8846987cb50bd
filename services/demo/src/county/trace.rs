//! Demo batches: a few of the demo sellers' products with a whole record — planting, inputs
//! with their safe intervals, harvest, a residue test with its report (a small PDF written at
//! seed time), packing — and unit codes on one of them, so the scan page has something true to
//! show.

use super::people::Seller;
use chrono::Duration;
use farmgate_kernel::id::ListingId;
use farmgate_trace::Trace;
use farmgate_trace::domain::{CertificateBasis, EventKind};
use farmgate_trace::service::{
    CertificateInput, Commitments, NewBatchRequest, NewEventRequest, PlotInput,
};
use serde_json::{Value, json};

struct DemoBatch {
    seller: &'static str,
    /// A distinctive part of the listing's title.
    listing: &'static str,
    lot: &'static str,
    village: &'static str,
    plot: &'static str,
    coords: (f64, f64),
    quantity: i64,
    unit: &'static str,
    /// Days before today the lot began and was harvested.
    started: i64,
    harvested: i64,
    variety: &'static str,
    pesticide: Option<(&'static str, &'static str, i64)>,
    lab: &'static str,
    items: &'static str,
    units: i64,
}

/// The lot whose trace page the start-up banner offers.
pub const SHOWCASE_LOT: &str = "ML-2026-11-A";

const BATCHES: &[DemoBatch] = &[
    DemoBatch {
        seller: "13800000001",
        listing: "梅岭果园直发",
        lot: "ML-2026-11-A",
        village: "茶坑村",
        plot: "3号果园（向阳坡）",
        coords: (25.71234, 115.12345),
        quantity: 6000,
        unit: "jin",
        started: 240,
        harvested: 6,
        variety: "纽荷尔脐橙",
        pesticide: Some(("阿维菌素", "1500 倍液喷雾", 14)),
        lab: "青石县农产品质量安全检测站",
        items: "有机磷、拟除虫菊酯类等 56 项农药残留",
        units: 12,
    },
    DemoBatch {
        seller: "13800000005",
        listing: "稻花香大米 当季新米",
        lot: "LQ-2026-10-01",
        village: "龙泉村",
        plot: "山泉水稻田 7 号",
        coords: (25.80211, 115.20511),
        quantity: 20000,
        unit: "kg",
        started: 190,
        harvested: 40,
        variety: "稻花香 2 号",
        pesticide: None,
        lab: "赣州市农产品质量检测中心",
        items: "镉、铅、无机砷及 32 项农药残留",
        units: 0,
    },
    DemoBatch {
        seller: "13800000004",
        listing: "散养土鸡蛋 白云山林下",
        lot: "BY-2026-W47",
        village: "高山村",
        plot: "林下散养场 2 区",
        coords: (25.65002, 115.30876),
        quantity: 3000,
        unit: "piece",
        started: 30,
        harvested: 2,
        variety: "本地土鸡（散养）",
        pesticide: None,
        lab: "青石县农产品质量安全检测站",
        items: "氟苯尼考、恩诺沙星等兽药残留 12 项",
        units: 0,
    },
    DemoBatch {
        seller: "13800000003",
        listing: "高山云雾绿茶",
        lot: "TY-2026-MQ",
        village: "桃花村",
        plot: "海拔 800 米茶园 1 号",
        coords: (25.59876, 115.01234),
        quantity: 400,
        unit: "kg",
        started: 260,
        harvested: 230,
        variety: "福鼎大白",
        pesticide: Some(("苦参碱（生物农药）", "1000 倍液", 7)),
        lab: "江西省农产品质量安全检测中心",
        items: "联苯菊酯、吡虫啉等 45 项农药残留",
        units: 0,
    },
];

/// A one-page PDF with the report's facts (ASCII: the built-in PDF fonts have no Chinese).
fn report_pdf(lot: &str, lab_en: &str, date: &str) -> Vec<u8> {
    let text = format!(
        "BT /F1 14 Tf 50 780 Td (Residue test report - Farmgate demo) Tj 0 -24 Td /F1 11 Tf (Lot: {lot}) Tj 0 -18 Td (Laboratory: {lab_en}) Tj 0 -18 Td (Date: {date}) Tj 0 -18 Td (Method: GB 23200 series) Tj 0 -18 Td (Result: PASS - all residues below national limits) Tj ET"
    );
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_owned(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_owned(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>".to_owned(),
        format!("<< /Length {} >>\nstream\n{text}\nendstream", text.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_owned(),
    ];
    let mut out = b"%PDF-1.4\n".to_vec();
    let mut offsets = Vec::new();
    for (i, o) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{o}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

/// Seeds the demo batches that are missing; returns the trace codes it created.
pub(super) async fn seed(trace: &Trace, sellers: &[Seller]) -> anyhow::Result<Vec<String>> {
    let catalog = trace.catalog();
    let now = trace.infra().clock.now();
    let today = farmgate_trace::service::shanghai_day(now);
    let mut codes = Vec::new();
    for d in BATCHES {
        let Some((_, account, org, kind)) = sellers.iter().find(|(p, ..)| *p == d.seller) else {
            continue;
        };
        let a = super::seller_actor(*account, *org, *kind);
        let listings = catalog.seller_listings(&a, *org, None).await?;
        let Some(listing) = listings
            .iter()
            .find(|b| b.listing.title.contains(d.listing))
        else {
            continue;
        };
        let existing = trace.batches_of(&a, *org).await?;
        if existing.iter().any(|l| l.batch.lot == d.lot) {
            continue;
        }
        let record = trace
            .create_batch(
                &a,
                ListingId(listing.listing.id),
                NewBatchRequest {
                    lot: Some(d.lot.to_owned()),
                    started_on: today - Duration::days(d.started),
                    harvest_date: today - Duration::days(d.harvested),
                    quantity: d.quantity,
                    quantity_unit: d.unit.to_owned(),
                    plot: PlotInput {
                        village: d.village.to_owned(),
                        name: d.plot.to_owned(),
                        lat: Some(d.coords.0),
                        lng: Some(d.coords.1),
                    },
                    certificate: CertificateInput {
                        product_name: None,
                        issuer: None,
                        contact_phone: d.seller.to_owned(),
                        basis: CertificateBasis::CommissionedTest,
                        commitments: Commitments {
                            no_banned_substances: true,
                            withdrawal_respected: true,
                            residues_within_limits: true,
                        },
                    },
                },
            )
            .await?;
        let id = record.id();
        let at = |days: i64, hour: i64| {
            now - Duration::days(days) + Duration::hours(hour) - Duration::hours(12)
        };
        let ev = |kind: EventKind, occurred_at, data: Value| NewEventRequest {
            kind,
            occurred_at,
            data,
            attachments: Vec::new(),
        };
        trace
            .append(
                &a,
                id,
                ev(
                    EventKind::Planting,
                    at(d.started - 1, 0),
                    json!({"variety": d.variety}),
                ),
            )
            .await?;
        trace
            .append(&a, id, ev(EventKind::Input, at(d.started - 10, 0), json!({"category": "fertiliser", "product": "腐熟农家肥", "dose": "每亩 1500 公斤"})))
            .await?;
        if let Some((product, dose, interval)) = d.pesticide {
            let applied = (d.harvested + interval + 10).min(d.started - 20);
            trace
                .append(&a, id, ev(EventKind::Input, at(applied, 0), json!({"category": "pesticide", "product": product, "dose": dose, "safe_interval_days": interval})))
                .await?;
        }
        trace
            .append(
                &a,
                id,
                ev(
                    EventKind::Harvest,
                    at(d.harvested, 0),
                    json!({"quantity": d.quantity, "unit": d.unit}),
                ),
            )
            .await?;
        let report = report_pdf(
            d.lot,
            "Qingshi County agri-product quality testing station",
            &(today - Duration::days(d.harvested)).to_string(),
        );
        let file = trace
            .add_attachment(&a, id, "农残检测报告.pdf", report.into())
            .await?;
        let mut inspection = ev(
            EventKind::Inspection,
            at(d.harvested, 6),
            json!({"lab": d.lab, "method": "GB 23200 系列 / 快速检测", "items": d.items, "result": "pass"}),
        );
        inspection.attachments = vec![file.id];
        trace.append(&a, id, inspection).await?;
        trace
            .append(
                &a,
                id,
                ev(
                    EventKind::Packing,
                    at(d.harvested, 10),
                    json!({"packages": (d.quantity / 10).max(1), "spec": "标准箱"}),
                ),
            )
            .await?;
        if d.units > 0 {
            trace.issue_units(&a, id, d.units).await?;
        }
        codes.push(record.batch.code.clone());
    }
    Ok(codes)
}
