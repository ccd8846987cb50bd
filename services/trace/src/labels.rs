//! QR codes and the printable label sheet. Error correction level Q (about 25% of the code can
//! be lost): a label on a wet, scuffed box still scans.

use crate::chain::display_code;
use crate::domain::{COMMITMENTS_ZH, CertificateBasis};
use crate::error::{Result, TraceError};
use crate::service::Record;
use crate::store::unit;
use farmgate_infra::search::text::escape_into;
use qrcode::{EcLevel, QrCode};

fn code_for(url: &str) -> Result<QrCode> {
    QrCode::with_error_correction_level(url.as_bytes(), EcLevel::Q)
        .map_err(|e| TraceError::Internal(format!("QR: {e}")))
}

/// The QR as an SVG document.
pub fn qr_svg(url: &str, size: u32) -> Result<String> {
    Ok(code_for(url)?
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(size, size)
        .quiet_zone(true)
        .dark_color(qrcode::render::svg::Color("#000000"))
        .light_color(qrcode::render::svg::Color("#ffffff"))
        .build())
}

/// The QR as a PNG image. CPU work: call from `spawn_blocking`.
pub fn qr_png(url: &str, size: u32) -> Result<Vec<u8>> {
    let img = code_for(url)?
        .render::<image::Luma<u8>>()
        .min_dimensions(size, size)
        .quiet_zone(true)
        .build();
    let mut out = Vec::new();
    image::DynamicImage::ImageLuma8(img)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .map_err(|e| TraceError::Internal(format!("PNG: {e}")))?;
    Ok(out)
}

fn esc(s: &str) -> String {
    let mut out = String::new();
    escape_into(&mut out, s);
    out
}

/// An A4 sheet (or several) of labels: each headed 承诺达标合格证 with the QR, product, producer,
/// origin, harvest date and the certificate's promises. With `units`, one label per box code.
pub fn sheet(
    record: &Record,
    base_url: &str,
    per_page: u32,
    units: Option<&[unit::Model]>,
) -> Result<String> {
    let facts = record.facts();
    let cert = &facts["certificate"];
    let origin = &facts["origin"];
    let place: String = ["province", "city", "county", "township", "village"]
        .iter()
        .filter_map(|k| origin[*k].as_str())
        .collect::<Vec<_>>()
        .join("");
    let (cols, rows) = match per_page {
        0..=8 => (2, 4),
        9..=12 => (3, 4),
        _ => (3, 7),
    };
    let per_page = cols * rows;
    let basis = serde_json::from_value::<CertificateBasis>(cert["basis"].clone())
        .map(CertificateBasis::label_zh)
        .unwrap_or("");
    let code = &record.batch.code;
    let targets: Vec<(String, String)> = match units {
        Some(list) => list
            .iter()
            .map(|u| {
                (
                    format!("{base_url}/t/{code}/{}", u.serial),
                    format!("{} · 第{}箱 {}", display_code(code), u.n, u.serial),
                )
            })
            .collect(),
        None => (0..per_page)
            .map(|_| (format!("{base_url}/t/{code}"), display_code(code)))
            .collect(),
    };
    let mut labels = String::new();
    for (url, caption) in &targets {
        let svg = qr_svg(url, 120)?;
        labels.push_str(&format!(
            "<div class=\"label\"><div class=\"head\">承诺达标合格证</div><div class=\"row\"><div class=\"qr\">{svg}</div><div class=\"facts\">\
<b>{}</b><br>数量：{} {}<br>产地：{}<br>生产者：{}<br>电话：{}<br>采收：{}<br>开具：{}</div></div>\
<div class=\"promise\">承诺：{}；{}；{}。依据：{}</div><div class=\"code\">{}</div></div>",
            esc(facts["product_name"].as_str().unwrap_or("")),
            facts["quantity"].as_i64().unwrap_or(0),
            esc(facts["quantity_unit"].as_str().and_then(farmgate_catalog::domain::Unit::parse).map_or("", |u| u.label_zh())),
            esc(&place),
            esc(cert["issuer"].as_str().unwrap_or("")),
            esc(cert["contact_phone"].as_str().unwrap_or("")),
            esc(facts["harvest_date"].as_str().unwrap_or("")),
            esc(cert["issued_at"].as_str().map(|s| s.get(..10).unwrap_or(s)).unwrap_or("")),
            COMMITMENTS_ZH[0],
            COMMITMENTS_ZH[1],
            COMMITMENTS_ZH[2],
            esc(basis),
            esc(caption),
        ));
    }
    let width = 100.0 / f64::from(cols);
    let height = 297.0 / f64::from(rows) - 2.0;
    Ok(format!(
        "<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>标签 {}</title><style>\
@page{{size:A4;margin:6mm}}*{{box-sizing:border-box}}body{{margin:0;font:9pt/1.35 'PingFang SC','Microsoft YaHei',sans-serif}}\
.sheet{{display:flex;flex-wrap:wrap}}.label{{width:{width:.3}%;height:{height:.1}mm;border:0.3mm dashed #999;padding:2mm;overflow:hidden;page-break-inside:avoid}}\
.head{{text-align:center;font-weight:700;font-size:12pt;color:#c0392b;border-bottom:0.4mm solid #c0392b;margin-bottom:1mm}}\
.row{{display:flex;gap:2mm}}.qr svg{{width:24mm;height:24mm}}.promise{{font-size:7pt;color:#333;margin-top:1mm}}.code{{font-family:monospace;font-size:8pt;text-align:center}}\
.noprint{{padding:8px;background:#f4f1e8}}@media print{{.noprint{{display:none}}}}\
</style></head><body><div class=\"noprint\">共 {} 张标签。<button onclick=\"print()\">打印</button></div><div class=\"sheet\">{labels}</div></body></html>",
        esc(&display_code(code)),
        targets.len(),
    ))
}
