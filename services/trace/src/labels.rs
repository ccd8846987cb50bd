//! QR codes and the printable label sheet. Error correction level Q (about 25% of the code can
//! be lost): a label on a wet, scuffed box still scans.

use crate::chain::display_code;
use crate::domain::{COMMITMENTS_ZH, CertificateBasis};
use crate::error::{Result, TraceError};
use crate::service::Record;
use crate::store::unit;
use farmgate_catalog::domain::Unit;
use maud::{PreEscaped, html};
use qrcode::{EcLevel, QrCode};
use serde_json::Value;

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

/// An A4 sheet (or several) of labels: each headed 承诺达标合格证 with the QR, product, producer,
/// origin, harvest date and the certificate's promises. With `units`, one label per box code.
/// A `maud` template: every value is escaped except the QR codes, SVG we generate ourselves.
pub fn sheet(
    record: &Record,
    base_url: &str,
    per_page: u32,
    units: Option<&[unit::Model]>,
) -> Result<String> {
    let facts = record.facts();
    let text = |v: &Value, key: &str| v[key].as_str().unwrap_or("").to_owned();
    let cert = &facts["certificate"];
    let origin = &facts["origin"];
    let place: String = ["province", "city", "county", "township", "village"]
        .iter()
        .filter_map(|k| origin[*k].as_str())
        .collect();
    let (cols, rows) = match per_page {
        0..=8 => (2, 4),
        9..=12 => (3, 4),
        _ => (3, 7),
    };
    let per_page = cols * rows;
    let basis = serde_json::from_value::<CertificateBasis>(cert["basis"].clone())
        .map(CertificateBasis::label_zh)
        .unwrap_or("");
    let unit = facts["quantity_unit"]
        .as_str()
        .and_then(Unit::parse)
        .map_or("", Unit::label_zh);
    let issued = text(cert, "issued_at");
    let issued = issued.get(..10).unwrap_or(&issued);
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
    let qrs = targets
        .iter()
        .map(|(url, _)| qr_svg(url, 120))
        .collect::<Result<Vec<_>>>()?;
    let width = 100.0 / f64::from(cols);
    let height = 297.0 / f64::from(rows) - 2.0;
    let css = format!(
        "@page{{size:A4;margin:6mm}}*{{box-sizing:border-box}}body{{margin:0;font:9pt/1.35 'PingFang SC','Microsoft YaHei',sans-serif}}\
.sheet{{display:flex;flex-wrap:wrap}}.label{{width:{width:.3}%;height:{height:.1}mm;border:0.3mm dashed #999;padding:2mm;overflow:hidden;page-break-inside:avoid}}\
.head{{text-align:center;font-weight:700;font-size:12pt;color:#c0392b;border-bottom:0.4mm solid #c0392b;margin-bottom:1mm}}\
.row{{display:flex;gap:2mm}}.qr svg{{width:24mm;height:24mm}}.promise{{font-size:7pt;color:#333;margin-top:1mm}}.code{{font-family:monospace;font-size:8pt;text-align:center}}\
.noprint{{padding:8px;background:#f4f1e8}}@media print{{.noprint{{display:none}}}}"
    );
    Ok(html! {
        (PreEscaped("<!doctype html>"))
        html lang="zh-CN" {
            head {
                meta charset="utf-8";
                title { "标签 " (display_code(code)) }
                style { (PreEscaped(css)) }
            }
            body {
                div class="noprint" {
                    "共 " (targets.len()) " 张标签。"
                    button onclick="print()" { "打印" }
                }
                div class="sheet" {
                    @for ((_, caption), svg) in targets.iter().zip(&qrs) {
                        div class="label" {
                            div class="head" { "承诺达标合格证" }
                            div class="row" {
                                div class="qr" { (PreEscaped(svg)) }
                                div class="facts" {
                                    b { (text(&facts, "product_name")) }
                                    br; "数量：" (facts["quantity"].as_i64().unwrap_or(0)) " " (unit)
                                    br; "产地：" (place)
                                    br; "生产者：" (text(cert, "issuer"))
                                    br; "电话：" (text(cert, "contact_phone"))
                                    br; "采收：" (text(&facts, "harvest_date"))
                                    br; "开具：" (issued)
                                }
                            }
                            div class="promise" {
                                "承诺：" (COMMITMENTS_ZH[0]) "；" (COMMITMENTS_ZH[1]) "；" (COMMITMENTS_ZH[2])
                                "。依据：" (basis)
                            }
                            div class="code" { (caption) }
                        }
                    }
                }
            }
        }
    }
    .into_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::BatchStatus;
    use crate::page::tests::{assert_snapshot, at, record};
    use uuid::Uuid;

    #[test]
    fn a_sheet_has_one_certificate_label_per_place_and_escapes_the_record() {
        let html = sheet(
            &record(BatchStatus::Open),
            "https://nongyuan.example.cn",
            12,
            None,
        )
        .unwrap_or_default();
        assert_eq!(
            html.matches("<div class=\"head\">承诺达标合格证</div>")
                .count(),
            12
        );
        assert!(html.contains("<title>标签 ABCD-EFGH-JKMN-PQRS</title>"));
        assert!(html.contains("<b>赣南脐橙 &lt;10斤&gt;</b>"));
        assert!(html.contains(".label{width:33.333%;height:72.2mm;"));
        assert!(html.contains("<svg"));
        let a4 = sheet(&record(BatchStatus::Open), "http://h", 30, None).unwrap_or_default();
        assert!(a4.contains("共 21 张标签"));
    }

    #[test]
    fn a_unit_sheet_matches_its_snapshot() {
        let u = unit::Model {
            id: Uuid::from_u128(9),
            batch_id: Uuid::from_u128(1),
            n: 2,
            serial: "K3M9Q2W7XZ".into(),
            scans: 0,
            first_scanned_at: None,
            created_at: at(1, 0),
        };
        let html =
            sheet(&record(BatchStatus::Open), "http://h", 12, Some(&[u])).unwrap_or_default();
        assert!(html.contains("<div class=\"code\">ABCD-EFGH-JKMN-PQRS · 第2箱 K3M9Q2W7XZ</div>"));
        assert_snapshot("labels.units", &html);
    }
}
