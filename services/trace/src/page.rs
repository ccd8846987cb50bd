//! The public scan page `/t/{code}`: rendered on the server as one small HTML document with its
//! CSS inline (no script, no extra request before first paint), so it opens at once in a phone's
//! WeChat browser on a slow network, and is cached (rendered bytes in the cache, ETag and
//! Cache-Control for browsers and CDNs). Every user-supplied string is escaped.

use crate::chain::{self, display_code};
use crate::domain::{COMMITMENTS_EN, COMMITMENTS_ZH, CertificateBasis, EventKind};
use crate::service::Record;
use crate::store::unit;
use farmgate_identity::OrgStatus;
use farmgate_infra::search::text::escape_into;
use farmgate_kernel::clock::format_shanghai;
use serde_json::Value;

/// Which language the page speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh",
            Lang::En => "en",
        }
    }
}

pub fn cache_key(code: &str, lang: &str) -> String {
    format!("tracepage:v1:{code}:{lang}")
}

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_into(&mut out, s);
    out
}

fn t(lang: Lang, zh: &str, en: &str) -> String {
    match lang {
        Lang::Zh => zh.to_owned(),
        Lang::En => en.to_owned(),
    }
}

const CSS: &str = "*{box-sizing:border-box}body{margin:0;font:16px/1.55 -apple-system,'PingFang SC','Microsoft YaHei',sans-serif;color:#1f2a1f;background:#f4f1e8}\
header{background:#2f6b3a;color:#fff;padding:10px 16px;display:flex;justify-content:space-between;align-items:center}header a{color:#fff}\
main{max-width:720px;margin:0 auto;padding:12px}section{background:#fff;border-radius:10px;padding:14px 16px;margin:12px 0;box-shadow:0 1px 2px rgba(0,0,0,.06)}\
h1{font-size:1.3rem;margin:.2em 0}h2{font-size:1.05rem;margin:0 0 .5em;color:#2f6b3a}img.product{width:100%;max-height:320px;object-fit:cover;border-radius:8px}\
.verdict{padding:14px 16px;border-radius:10px;font-weight:600;margin:12px 0}.verdict.ok{background:#e3f3e4;color:#1e5a2a;border:2px solid #3e8b4c}\
.verdict.broken{background:#fde8e6;color:#8a1f14;border:2px solid #c0392b}.badge{display:inline-block;padding:1px 8px;border-radius:99px;font-size:.85rem;background:#e3f3e4;color:#1e5a2a}\
.badge.fail{background:#fde8e6;color:#8a1f14}.recall{background:#8a1f14;color:#fff}dl{margin:0;display:grid;grid-template-columns:max-content 1fr;gap:4px 12px}dt{color:#5b6b5b}dd{margin:0;word-break:break-all}\
.cert{border:2px solid #c0392b;border-radius:10px}.cert h2{color:#c0392b;text-align:center;font-size:1.2rem;letter-spacing:.2em}ul.checks{padding-left:1.2em;margin:.4em 0}\
ol.timeline{list-style:none;margin:0;padding:0;border-left:3px solid #8fbf96}ol.timeline li{position:relative;padding:0 0 14px 16px}ol.timeline li:before{content:'';position:absolute;left:-8px;top:6px;width:12px;height:12px;border-radius:50%;background:#3e8b4c}\
.muted{color:#6b776b;font-size:.85rem}.hash{font-family:ui-monospace,Menlo,monospace;font-size:.78rem;color:#6b776b;word-break:break-all}a.buy{display:block;text-align:center;background:#e07b22;color:#fff;padding:12px;border-radius:10px;text-decoration:none;font-weight:600}\
.code{font-family:ui-monospace,Menlo,monospace;font-size:1.05rem;letter-spacing:.05em}footer{text-align:center;padding:16px;color:#6b776b;font-size:.85rem}";

fn shell(lang: Lang, title: &str, body: &str, path: &str) -> String {
    let other = match lang {
        Lang::Zh => format!("<a href=\"{}?lang=en\" lang=\"en\">English</a>", esc(path)),
        Lang::En => format!("<a href=\"{}?lang=zh\" lang=\"zh-CN\">中文</a>", esc(path)),
    };
    let html_lang = if lang == Lang::Zh { "zh-CN" } else { "en" };
    format!(
        "<!doctype html><html lang=\"{html_lang}\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
<title>{title}</title><link rel=\"icon\" href=\"data:,\"><style>{CSS}</style></head><body>\
<header><strong>{brand}</strong>{other}</header><main id=\"main\">{body}</main>\
<footer>{foot}</footer></body></html>",
        title = esc(title),
        brand = t(lang, "农源直供 · 溯源查询", "Farmgate · Trace"),
        foot = t(lang, "原产地、安全可追溯", "Origin known, safe, traceable"),
    )
}

fn kind_label(lang: Lang, kind: &str) -> String {
    EventKind::parse(kind).map_or_else(|| esc(kind), |k| t(lang, k.label_zh(), k.label_en()))
}

fn text(v: &Value, key: &str) -> String {
    v[key].as_str().map(esc).unwrap_or_default()
}

fn unit_label(lang: Lang, unit: &str) -> String {
    let u = farmgate_catalog::domain::Unit::parse(unit);
    match (lang, u) {
        (Lang::Zh, Some(u)) => u.label_zh().to_owned(),
        _ => esc(unit),
    }
}

/// What one event says, in a line or two.
fn event_details(lang: Lang, kind: &str, d: &Value) -> String {
    match kind {
        "planting" => format!("{}{}", t(lang, "品种：", "Variety: "), text(d, "variety")),
        "input" => {
            let what = if d["category"] == "pesticide" {
                t(lang, "农药", "Pesticide")
            } else {
                t(lang, "肥料", "Fertiliser")
            };
            let mut s = format!("{what} · {} · {}", text(d, "product"), text(d, "dose"));
            if let Some(n) = d["safe_interval_days"].as_i64() {
                s.push_str(&format!(
                    " · {}{n}{}",
                    t(lang, "安全间隔期 ", "safe interval "),
                    t(lang, " 天", " days")
                ));
            }
            s
        }
        "harvest" => format!(
            "{}{} {}",
            t(lang, "采收 ", "Harvested "),
            d["quantity"].as_i64().unwrap_or(0),
            unit_label(lang, d["unit"].as_str().unwrap_or(""))
        ),
        "inspection" => {
            let pass = d["result"] == "pass";
            let badge = if pass {
                format!("<span class=\"badge\">{}</span>", t(lang, "合格", "Pass"))
            } else {
                format!(
                    "<span class=\"badge fail\">{}</span>",
                    t(lang, "不合格", "Fail")
                )
            };
            format!(
                "{badge} {} · {} · {}",
                text(d, "lab"),
                text(d, "method"),
                text(d, "items")
            )
        }
        "packing" => format!(
            "{} × {}",
            d["packages"].as_i64().unwrap_or(0),
            text(d, "spec")
        ),
        "shipping" => format!("{} {}", text(d, "carrier"), text(d, "tracking_no")),
        "receiving" => format!(
            "{}{}",
            t(lang, "收货人：", "Received by "),
            text(d, "receiver")
        ),
        "note" => text(d, "text"),
        "recall" => text(d, "reason"),
        _ => String::new(),
    }
}

fn attachments(lang: Lang, body: &Value) -> String {
    let Some(list) = body["attachments"].as_array() else {
        return String::new();
    };
    let mut out = String::new();
    for a in list {
        let key = a["key"].as_str().unwrap_or("");
        let size_kb = (a["size"].as_i64().unwrap_or(0) + 1023) / 1024;
        out.push_str(&format!(
            "<div><a href=\"/media/{}\" rel=\"noopener\">{}</a> <span class=\"muted\">{} KB</span><div class=\"hash\">SHA-256 {}</div></div>",
            esc(key),
            if text(a, "name").is_empty() { t(lang, "附件", "Attachment") } else { text(a, "name") },
            size_kb,
            text(a, "sha256"),
        ));
    }
    out
}

/// The unit (box) part of a unit page.
pub struct UnitInfo<'a> {
    pub unit: &'a unit::Model,
}

/// Renders the page of a record (and of one of its boxes).
pub fn render(record: &Record, lang: Lang, scans: i64, unit: Option<UnitInfo<'_>>) -> String {
    let facts = record.facts();
    let b = &record.batch;
    let code_display = display_code(&b.code);
    let title = facts["product_name"].as_str().unwrap_or("");
    let mut body = String::new();

    // Verdict first: it is the question the shopper is asking.
    match &record.verification {
        Ok(head) => body.push_str(&format!(
            "<div class=\"verdict ok\" data-testid=\"verdict\" data-ok=\"true\">✓ {} <div class=\"muted\">{} · {} {}</div></div>",
            t(lang, "溯源记录完整，校验通过", "The record is intact and verifies"),
            t(lang, &format!("共 {} 条记录", record.events.len()), &format!("{} records", record.events.len())),
            t(lang, "最新哈希", "head"),
            esc(&head[..16.min(head.len())]),
        )),
        Err(broken) => {
            let (zh, en) = broken.describe();
            body.push_str(&format!(
                "<div class=\"verdict broken\" data-testid=\"verdict\" data-ok=\"false\">⚠ {}<div>{}</div></div>",
                t(lang, "警告：溯源记录校验未通过，内容可能被篡改", "Warning: this record does not verify and may have been altered"),
                esc(if lang == Lang::Zh { &zh } else { &en }),
            ));
        }
    }
    if b.status == "recalled" {
        let reason = record
            .events
            .iter()
            .rfind(|e| e.kind == "recall")
            .and_then(|e| e.body["data"]["reason"].as_str())
            .unwrap_or_default();
        body.push_str(&format!(
            "<div class=\"verdict broken recall\" data-testid=\"recalled\"><strong>{}</strong><div>{}</div><div>{}</div></div>",
            t(lang, "⚠ 本批次已召回，请停止食用", "⚠ This batch is recalled: do not eat it"),
            esc(reason),
            t(
                lang,
                "买家请在“我的订单”中查看召回通知并申请退款；如有不适请及时就医。",
                "Buyers: see the recall notice in My orders and claim the refund; see a doctor if unwell."
            ),
        ));
    }
    if b.status == "blocked" {
        body.push_str(&format!(
            "<div class=\"verdict broken\" data-testid=\"blocked\">{}</div>",
            t(
                lang,
                "本批次检测不合格，已停止销售",
                "This batch failed its inspection and is not sold"
            )
        ));
    }

    // Product.
    body.push_str("<section>");
    if let Some(img) = record.listing.as_ref().and_then(|l| l.images.first()) {
        body.push_str(&format!(
            "<img class=\"product\" src=\"/media/{}\" alt=\"\">",
            esc(&img.display_key)
        ));
    }
    body.push_str(&format!(
        "<h1 data-testid=\"product-title\">{}</h1>",
        esc(title)
    ));
    if let Some(s) = &record.seller {
        let badge = if s.status == OrgStatus::Verified {
            format!(
                " <span class=\"badge\">{}</span>",
                t(lang, "平台认证", "Verified")
            )
        } else {
            String::new()
        };
        body.push_str(&format!(
            "<p>{}{}{}</p>",
            t(lang, "生产者：", "Producer: "),
            esc(&s.name),
            badge
        ));
    }
    let origin = &facts["origin"];
    let place: String = ["province", "city", "county", "township", "village"]
        .iter()
        .filter_map(|k| origin[*k].as_str())
        .collect::<Vec<_>>()
        .join("");
    body.push_str(&format!(
        "<dl><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{} {}</dd><dt>{}</dt><dd class=\"code\">{}</dd></dl>",
        t(lang, "产地", "Origin"),
        esc(&place),
        t(lang, "地块", "Plot"),
        text(&facts["plot"], "name"),
        t(lang, "采收日期", "Harvested"),
        text(&facts, "harvest_date"),
        t(lang, "批次数量", "Lot size"),
        facts["quantity"].as_i64().unwrap_or(0),
        unit_label(lang, facts["quantity_unit"].as_str().unwrap_or("")),
        t(lang, "溯源码", "Trace code"),
        esc(&code_display),
    ));
    if let Some(l) = &record.listing
        && l.availability() == farmgate_catalog::domain::Availability::OnSale
    {
        body.push_str(&format!(
            "<p><a class=\"buy\" href=\"/listing.html?id={}\">{}</a></p>",
            l.listing.id,
            t(lang, "购买同款", "Buy this product")
        ));
    }
    body.push_str("</section>");

    let path = match &unit {
        Some(u) => format!("/t/{}/{}", b.code, u.unit.serial),
        None => format!("/t/{}", b.code),
    };
    // The box, for unit codes: the anti-counterfeit hint.
    if let Some(u) = unit {
        let first = u
            .unit
            .first_scanned_at
            .map(format_shanghai)
            .unwrap_or_default();
        body.push_str(&format!(
            "<section data-testid=\"unit\"><h2>{}</h2><p>{} <strong>{}</strong></p><p>{} <strong>{}</strong> {}</p><p class=\"muted\">{}</p></section>",
            t(lang, &format!("单品码 第 {} 箱", u.unit.n), &format!("Box #{}", u.unit.n)),
            t(lang, "首次查询时间：", "First scanned:"),
            esc(&first),
            t(lang, "本箱已被查询", "This box was scanned"),
            u.unit.scans,
            t(lang, "次", "times"),
            t(lang, "如果您是第一次打开这个箱子，首次查询时间应当就是刚才；否则请谨慎并联系平台。", "If you just opened this box, the first scan should be just now; if not, be careful and contact the platform."),
        ));
    }

    // The certificate, headed as the rules require.
    let cert = &facts["certificate"];
    let basis = serde_json::from_value::<CertificateBasis>(cert["basis"].clone())
        .map(|b| t(lang, b.label_zh(), b.label_en()))
        .unwrap_or_default();
    let commitments = match lang {
        Lang::Zh => COMMITMENTS_ZH,
        Lang::En => COMMITMENTS_EN,
    };
    body.push_str(&format!(
        "<section class=\"cert\" data-testid=\"certificate\"><h2>承诺达标合格证</h2><dl><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{} {}</dd><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd><dt>{}</dt><dd>{}</dd></dl>\
<p>{}</p><ul class=\"checks\">{}</ul></section>",
        t(lang, "产品名称", "Product"),
        esc(title),
        t(lang, "数量", "Quantity"),
        facts["quantity"].as_i64().unwrap_or(0),
        unit_label(lang, facts["quantity_unit"].as_str().unwrap_or("")),
        t(lang, "产地", "Origin"),
        esc(&place),
        t(lang, "开具日期", "Issued"),
        cert["issued_at"].as_str().and_then(|s| s.parse().ok()).map(format_shanghai).map(|s| esc(&s)).unwrap_or_default(),
        t(lang, "生产者", "Issuer"),
        text(cert, "issuer"),
        t(lang, "联系方式", "Contact"),
        // Masked: the printed certificate on the box carries the whole number, as the rules
        // require; the web page, which anyone can crawl, does not.
        esc(&farmgate_kernel::Phone::mask(cert["contact_phone"].as_str().unwrap_or("")).unwrap_or_default()),
        t(lang, &format!("承诺依据：{basis}。本人承诺：", ), &format!("Basis: {basis}. The producer promises that:")),
        commitments.iter().map(|c| format!("<li>✓ {}</li>", esc(c))).collect::<String>(),
    ));

    // Timeline.
    body.push_str(&format!(
        "<section><h2>{}</h2><ol class=\"timeline\" data-testid=\"timeline\">",
        t(lang, "全程记录", "The whole record")
    ));
    for e in &record.events {
        let when = format_shanghai(e.occurred_at);
        body.push_str(&format!(
            "<li data-kind=\"{}\"><strong>{}</strong> <span class=\"muted\">{}</span><div>{}</div>{}<div class=\"hash\">#{} {}</div></li>",
            esc(&e.kind),
            kind_label(lang, &e.kind),
            esc(&when),
            if e.seq == 0 { t(lang, "建立批次档案并开具承诺达标合格证", "Batch recorded and certificate issued") } else { event_details(lang, &e.kind, &e.body["data"]) },
            attachments(lang, &e.body),
            e.seq,
            esc(e.hash.get(..16).unwrap_or(&e.hash)),
        ));
    }
    body.push_str("</ol></section>");

    body.push_str(&format!(
        "<section><p>{} <strong data-testid=\"scans\">{}</strong> {}</p><p class=\"muted\">{} <a href=\"/api/v1/trace/{code}/verify\">/api/v1/trace/{code}/verify</a> · <a href=\"/api/v1/trace/{code}/epcis\">EPCIS 2.0</a></p></section>",
        t(lang, "本批次已被查询", "This batch was looked up"),
        scans,
        t(lang, "次", "times"),
        t(lang, "任何人都可以独立校验：", "Anyone can check it independently:"),
        code = esc(&b.code),
    ));
    shell(
        lang,
        &format!("{title} · {}", t(lang, "溯源", "Trace")),
        &body,
        &path,
    )
}

/// The page for a code that does not exist (or was mistyped): a way forward, not a dead end.
pub fn not_found(lang: Lang, input: &str, bad_check: bool) -> String {
    let body = format!(
        "<section><h1>{}</h1><p>{}</p><form method=\"get\" action=\"/t\"><label for=\"c\">{}</label><br><input id=\"c\" name=\"code\" value=\"{}\" maxlength=\"24\" style=\"font-size:1.1rem;padding:8px;width:100%\" autocomplete=\"off\"><p><button type=\"submit\" style=\"font-size:1rem;padding:8px 16px\">{}</button></p></form></section>",
        t(lang, "未找到这个溯源码", "No record for this trace code"),
        if bad_check {
            t(
                lang,
                "校验位不符：可能有字符输错了。溯源码共 16 位，印在标签二维码下方。",
                "The check character does not match: a character may be mistyped. Trace codes have 16 characters, printed under the QR code.",
            )
        } else {
            t(
                lang,
                "请核对标签上二维码下方的 16 位溯源码。",
                "Please check the 16-character code printed under the QR code.",
            )
        },
        t(lang, "输入溯源码", "Enter the trace code"),
        esc(&input.chars().take(24).collect::<String>()),
        t(lang, "查询", "Look up"),
    );
    shell(
        lang,
        &t(lang, "未找到溯源码", "Trace code not found"),
        &body,
        "/t",
    )
}

/// The ETag of rendered bytes.
pub fn etag(html: &str) -> String {
    format!("\"{}\"", &chain::sha256_hex(html.as_bytes())[..20])
}
