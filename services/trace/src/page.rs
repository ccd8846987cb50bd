//! The public scan page `/t/{code}`: rendered on the server as one small HTML document with its
//! CSS inline (no extra request before first paint), so it opens at once in a phone's WeChat
//! browser on a slow network, and is cached (rendered bytes in the cache, ETag and
//! Cache-Control for browsers and CDNs). Its one script, a deferred module of a few lines
//! (`/assets/js/share-card.js`), sends the page's beacon (`POST /t/{code}/seen`, which counts
//! the view, so a CDN's copy is counted too) and turns its og: tags into WeChat's share data
//! inside WeChat's browser; it fetches nothing more.
//!
//! The markup is a `maud` template: every value spliced in is escaped unless it is wrapped in
//! `PreEscaped` (only the constant stylesheet is), so seller text cannot become markup.

use crate::chain::{self, display_code};
use crate::domain::{COMMITMENTS_EN, COMMITMENTS_ZH, CertificateBasis, EventKind};
use crate::service::Record;
use crate::store::unit;
use farmgate_catalog::domain::{Availability, Unit};
use farmgate_identity::OrgStatus;
use farmgate_kernel::clock::format_shanghai;
use maud::{Markup, PreEscaped, html};
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

    /// The Chinese or the English text.
    fn t<'a>(self, zh: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Zh => zh,
            Lang::En => en,
        }
    }
}

pub fn cache_key(code: &str, lang: &str) -> String {
    format!("tracepage:v1:{code}:{lang}")
}

const CSS: &str = "*{box-sizing:border-box}body{margin:0;font:16px/1.55 -apple-system,'PingFang SC','Microsoft YaHei',sans-serif;color:#1f2a1f;background:#f4f1e8}\
header{background:#2f6b3a;color:#fff;padding:10px 16px;display:flex;justify-content:space-between;align-items:center}header a{color:#fff}\
main{max-width:720px;margin:0 auto;padding:12px}section{background:#fff;border-radius:10px;padding:14px 16px;margin:12px 0;box-shadow:0 1px 2px rgba(0,0,0,.06)}\
h1{font-size:1.3rem;margin:.2em 0}h2{font-size:1.05rem;margin:0 0 .5em;color:#2f6b3a}img.product{width:100%;max-height:320px;object-fit:cover;border-radius:8px}\
.verdict{padding:14px 16px;border-radius:10px;font-weight:600;margin:12px 0}.verdict.ok{background:#e3f3e4;color:#1e5a2a;border:2px solid #3e8b4c}\
.verdict.broken{background:#fde8e6;color:#8a1f14;border:2px solid #c0392b}.badge{display:inline-block;padding:1px 8px;border-radius:99px;font-size:.85rem;background:#e3f3e4;color:#1e5a2a}\
.badge.fail{background:#fde8e6;color:#8a1f14}.recall{background:#8a1f14;color:#fff}dl{margin:0;display:grid;grid-template-columns:max-content 1fr;gap:4px 12px}dt{color:#5b6b5b}dd{margin:0;word-break:break-all}\
.cert{border:2px solid #c0392b;border-radius:10px}.cert h2{color:#c0392b;text-align:center;font-size:1.2rem;letter-spacing:.2em}ul.checks{padding-left:1.2em;margin:.4em 0}.verdict ul.checks{font-weight:400;font-size:.88rem;list-style:none;padding-left:0}\
ol.timeline{list-style:none;margin:0;padding:0;border-left:3px solid #8fbf96}ol.timeline li{position:relative;padding:0 0 14px 16px}ol.timeline li:before{content:'';position:absolute;left:-8px;top:6px;width:12px;height:12px;border-radius:50%;background:#3e8b4c}\
.muted{color:#545d52;font-size:.85rem}.hash{font-family:ui-monospace,Menlo,monospace;font-size:.78rem;color:#545d52;word-break:break-all}a.buy{display:block;text-align:center;background:#a9520c;color:#fff;padding:12px;border-radius:10px;text-decoration:none;font-weight:600}\
.code{font-family:ui-monospace,Menlo,monospace;font-size:1.05rem;letter-spacing:.05em}details.tech{background:#fff;border-radius:10px;padding:10px 16px;margin:12px 0}details.tech summary{min-height:44px;display:flex;align-items:center;cursor:pointer;color:#2f6b3a;font-weight:600}ol.hashes{padding-left:1.2em}footer{text-align:center;padding:16px;color:#545d52;font-size:.85rem}";

/// The module that hands a page's og: tags to WeChat's JS-SDK inside WeChat (issue #19), and
/// on the scan page sends its beacon (issue #23).
pub const SHARE_SCRIPT: &str = "/assets/js/share-card.js";

/// What a share card (WeChat, and anything reading Open Graph) shows of a page.
struct Share {
    description: String,
    /// The product photo's address, absolute when the page knows its own origin.
    image: Option<String>,
    /// The page's own absolute address, when known.
    url: Option<String>,
}

/// The document around a page's `main`: header with the language switch, footer.
fn shell(lang: Lang, title: &str, body: Markup, path: &str) -> String {
    shell_shared(lang, title, body, path, None)
}

fn shell_shared(
    lang: Lang,
    title: &str,
    body: Markup,
    path: &str,
    share: Option<&Share>,
) -> String {
    html! {
        (PreEscaped("<!doctype html>"))
        html lang=(lang.t("zh-CN", "en")) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width,initial-scale=1";
                title { (title) }
                @if let Some(s) = share {
                    meta name="description" content=(s.description);
                    meta property="og:type" content="product";
                    meta property="og:title" content=(title);
                    meta property="og:description" content=(s.description);
                    @if let Some(img) = &s.image {
                        meta property="og:image" content=(img);
                        // WeChat's own share card reads these (itemprop) when no JS-SDK data is set.
                        meta itemprop="image" content=(img);
                    }
                    @if let Some(url) = &s.url {
                        meta property="og:url" content=(url);
                    }
                    meta itemprop="name" content=(title);
                    meta itemprop="description" content=(s.description);
                    script type="module" src=(SHARE_SCRIPT) {}
                }
                link rel="icon" href="data:,";
                style { (PreEscaped(CSS)) }
            }
            body {
                header {
                    strong { (lang.t("农源直供 · 溯源查询", "Farmgate · Trace")) }
                    @match lang {
                        Lang::Zh => a href={ (path) "?lang=en" } lang="en" { "English" },
                        Lang::En => a href={ (path) "?lang=zh" } lang="zh-CN" { "中文" },
                    }
                }
                main id="main" { (body) }
                footer { (lang.t("原产地、安全可追溯", "Origin known, safe, traceable")) }
            }
        }
    }
    .into_string()
}

/// "次" after a count, or "time"/"times" in English.
fn times(lang: Lang, n: i64) -> &'static str {
    match (lang, n) {
        (Lang::Zh, _) => "次",
        (Lang::En, 1) => "time",
        (Lang::En, _) => "times",
    }
}

/// A text field of a record's data (empty when absent).
fn text<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or_default()
}

/// A quantity's unit: the Chinese label of a known unit on the Chinese page, else as stored.
fn unit_label(lang: Lang, unit: &str) -> &str {
    match (lang, Unit::parse(unit)) {
        (Lang::Zh, Some(u)) => u.label_zh(),
        _ => unit,
    }
}

/// What one event says, in a line or two.
fn event_details(lang: Lang, kind: EventKind, d: &Value) -> Markup {
    html! {
        @match kind {
            EventKind::Planting => { (lang.t("品种：", "Variety: ")) (text(d, "variety")) }
            EventKind::Input => {
                @if d["category"] == "pesticide" { (lang.t("农药", "Pesticide")) }
                @else { (lang.t("肥料", "Fertiliser")) }
                " · " (text(d, "product")) " · " (text(d, "dose"))
                @if let Some(n) = d["safe_interval_days"].as_i64() {
                    " · " (lang.t("安全间隔期 ", "safe interval ")) (n) (lang.t(" 天", " days"))
                }
            }
            EventKind::Harvest => {
                (lang.t("采收 ", "Harvested ")) (d["quantity"].as_i64().unwrap_or(0)) " "
                (unit_label(lang, text(d, "unit")))
            }
            EventKind::Inspection => {
                @if d["result"] == "pass" {
                    span class="badge" { (lang.t("合格", "Pass")) }
                } @else {
                    span class="badge fail" { (lang.t("不合格", "Fail")) }
                }
                " " (text(d, "lab")) " · " (text(d, "method")) " · " (text(d, "items"))
            }
            EventKind::Packing => { (d["packages"].as_i64().unwrap_or(0)) " × " (text(d, "spec")) }
            EventKind::Shipping => {
                (text(d, "carrier")) " " (text(d, "tracking_no"))
                // What the parcel held, with both weights of a line sold by catch weight.
                @if !text(d, "note").is_empty() { " · " (text(d, "note")) }
            }
            EventKind::Receiving => { (lang.t("收货人：", "Received by ")) (text(d, "receiver")) }
            EventKind::Note => { (text(d, "text")) }
            EventKind::Recall => { (text(d, "reason")) }
            EventKind::LabCheck => { (lab::timeline_details(lang, d)) }
            EventKind::Created => {}
        }
    }
}

/// The files a record cites, each with its size (their hashes are in the technical details).
fn attachments(lang: Lang, body: &Value) -> Markup {
    let list = body["attachments"]
        .as_array()
        .map(Vec::as_slice)
        .unwrap_or_default();
    html! {
        @for a in list {
            @let name = text(a, "name");
            div {
                a href={ "/media/" (text(a, "key")) } rel="noopener" {
                    @if name.is_empty() { (lang.t("附件", "Attachment")) } @else { (name) }
                }
                " "
                span class="muted" { ((a["size"].as_i64().unwrap_or(0) + 1023) / 1024) " KB" }
            }
        }
    }
}

/// The verdict and, under it, every check made in plain words.
fn verdict(lang: Lang, record: &Record) -> Markup {
    let v = &record.verdict;
    html! {
        @if v.ok() {
            div class="verdict ok" data-testid="verdict" data-ok="true" {
                "✓ " (lang.t("溯源记录完整，校验通过", "The record is intact and verifies")) " "
                div class="muted" {
                    @match lang {
                        Lang::Zh => { "共 " (record.events.len()) " 条记录" }
                        Lang::En => { (record.events.len()) " records" }
                    }
                }
                (checks(lang, v))
            }
        } @else {
            div class="verdict broken" data-testid="verdict" data-ok="false" {
                "⚠ "
                (lang.t(
                    "警告：溯源记录校验未通过，内容可能被篡改",
                    "Warning: this record does not verify and may have been altered",
                ))
                @if let Some(c) = v.first_failure() {
                    div { (lang.t(&c.zh, &c.en)) }
                }
                (checks(lang, v))
            }
        }
    }
}

fn checks(lang: Lang, v: &crate::domain::Verdict) -> Markup {
    html! {
        ul class="checks" data-testid="checks" {
            @for c in &v.checks {
                li data-check=(c.name.as_str()) data-ok=(c.ok) {
                    @if c.ok { "✓ " } @else { "✗ " }
                    (lang.t(&c.zh, &c.en))
                }
            }
        }
    }
}

/// The unit (box) part of a unit page.
pub struct UnitInfo<'a> {
    pub unit: &'a unit::Model,
}

/// Where the look-up count goes in a page rendered for the cache: each answer puts the live
/// count there, so the cached bytes are the same for every look-up and both languages show the
/// same figure.
pub const SCANS_MARK: &str = "<!--fg:scans-->";

/// Renders the page of a record (and of one of its boxes) with a known look-up count, no share
/// card addresses.
pub fn render(record: &Record, lang: Lang, scans: i64, unit: Option<UnitInfo<'_>>) -> String {
    render_page(record, lang, Some(scans), unit, "")
}

/// Renders the page: `scans` None leaves [`SCANS_MARK`] for the count; `base` is the site's
/// own address (`https://…`, or empty) for the share card's absolute links.
pub fn render_page(
    record: &Record,
    lang: Lang,
    scans: Option<i64>,
    unit: Option<UnitInfo<'_>>,
    base: &str,
) -> String {
    let facts = record.facts();
    let b = &record.batch;
    let title = text(&facts, "product_name");
    let origin = &facts["origin"];
    let place: String = ["province", "city", "county", "township", "village"]
        .iter()
        .filter_map(|k| origin[*k].as_str())
        .collect();
    let quantity = facts["quantity"].as_i64().unwrap_or(0);
    let quantity_unit = unit_label(lang, text(&facts, "quantity_unit"));
    let cert = &facts["certificate"];
    let basis = serde_json::from_value::<CertificateBasis>(cert["basis"].clone())
        .map(|b| lang.t(b.label_zh(), b.label_en()))
        .unwrap_or_default();
    let commitments = match lang {
        Lang::Zh => COMMITMENTS_ZH,
        Lang::En => COMMITMENTS_EN,
    };
    let on_sale = record
        .listing
        .as_ref()
        .filter(|l| l.availability == Availability::OnSale);
    let path = match &unit {
        Some(u) => format!("/t/{}/{}", b.code, u.unit.serial),
        None => format!("/t/{}", b.code),
    };
    let inspections: Vec<_> = record
        .events
        .iter()
        .filter(|e| e.kind == EventKind::Inspection)
        .collect();
    let body = html! {
        // Verdict first: it is the question the shopper is asking. It says what was checked.
        (verdict(lang, record))
        @if b.status == crate::domain::BatchStatus::Recalled {
            @let reason = record
                .events
                .iter()
                .rfind(|e| e.kind == EventKind::Recall)
                .map(|e| text(&e.body["data"], "reason"))
                .unwrap_or_default();
            div class="verdict broken recall" data-testid="recalled" {
                strong { (lang.t("⚠ 本批次已召回，请停止食用", "⚠ This batch is recalled: do not eat it")) }
                div { (reason) }
                div {
                    (lang.t(
                        "买家请在“我的订单”中查看召回通知并申请退款；如有不适请及时就医。",
                        "Buyers: see the recall notice in My orders and claim the refund; see a doctor if unwell.",
                    ))
                }
            }
        }
        @if b.status == crate::domain::BatchStatus::Blocked {
            div class="verdict broken" data-testid="blocked" {
                (lang.t("本批次检测不合格，已停止销售", "This batch failed its inspection and is not sold"))
            }
        }

        // Product.
        section {
            @if let Some(key) = record.listing.as_ref().and_then(|l| l.first_image_key.as_ref()) {
                img class="product" src={ "/media/" (key) } alt="";
            }
            h1 data-testid="product-title" { (title) }
            @if let Some(s) = &record.seller {
                p {
                    (lang.t("生产者：", "Producer: ")) (s.name)
                    @if s.status == OrgStatus::Verified {
                        " " span class="badge" { (lang.t("平台认证", "Verified")) }
                    }
                }
            }
            dl {
                dt { (lang.t("产地", "Origin")) } dd { (place) }
                dt { (lang.t("地块", "Plot")) } dd { (text(&facts["plot"], "name")) }
                dt { (lang.t("采收日期", "Harvested")) } dd { (text(&facts, "harvest_date")) }
                dt { (lang.t("批次数量", "Lot size")) } dd { (quantity) " " (quantity_unit) }
                dt { (lang.t("溯源码", "Trace code")) } dd class="code" { (display_code(&b.code)) }
            }
            @if let Some(l) = on_sale {
                p { a class="buy" href={ "/listing.html?id=" (l.id.to_string()) } { (lang.t("购买同款", "Buy this product")) } }
            }
        }

        // The box, for unit codes: the anti-counterfeit hint.
        @if let Some(u) = &unit {
            section data-testid="unit" {
                h2 {
                    @match lang {
                        Lang::Zh => { "单品码 第 " (u.unit.n) " 箱" }
                        Lang::En => { "Box #" (u.unit.n) }
                    }
                }
                p {
                    (lang.t("首次查询时间：", "First scanned:")) " "
                    strong { (u.unit.first_scanned_at.map(format_shanghai).unwrap_or_default()) }
                }
                p {
                    (lang.t("本箱已被查询", "This box was scanned")) " "
                    strong { (u.unit.scans) } " " (times(lang, u.unit.scans))
                }
                p class="muted" {
                    (lang.t(
                        "如果您是第一次打开这个箱子，首次查询时间应当就是刚才；否则请谨慎并联系平台。",
                        "If you just opened this box, the first scan should be just now; if not, be careful and contact the platform.",
                    ))
                }
            }
        }

        // The certificate, headed as the rules require.
        section class="cert" data-testid="certificate" {
            h2 { "承诺达标合格证" }
            dl {
                dt { (lang.t("产品名称", "Product")) } dd { (title) }
                dt { (lang.t("数量", "Quantity")) } dd { (quantity) " " (quantity_unit) }
                dt { (lang.t("产地", "Origin")) } dd { (place) }
                dt { (lang.t("开具日期", "Issued")) }
                dd {
                    (cert["issued_at"].as_str().and_then(|s| s.parse().ok()).map(format_shanghai).unwrap_or_default())
                }
                dt { (lang.t("生产者", "Issuer")) } dd { (text(cert, "issuer")) }
                dt { (lang.t("联系方式", "Contact")) }
                // Masked: the printed certificate on the box carries the whole number, as the
                // rules require; the web page, which anyone can crawl, does not.
                dd { (farmgate_kernel::Phone::mask(text(cert, "contact_phone")).unwrap_or_default()) }
            }
            p {
                @match lang {
                    Lang::Zh => { "承诺依据：" (basis) "。本人承诺：" }
                    Lang::En => { "Basis: " (basis) ". The producer promises that:" }
                }
            }
            ul class="checks" {
                @for c in commitments { li { "✓ " (c) } }
            }
        }

        // The test results, apart from the timeline: the second thing a shopper looks for.
        @if !inspections.is_empty() {
            section data-testid="inspections" {
                h2 { (lang.t("检测结果", "Test results")) }
                ul class="checks" {
                    @for e in &inspections {
                        li data-result=(text(&e.body["data"], "result")) {
                            (event_details(lang, e.kind, &e.body["data"]))
                            " " span class="muted" { (format_shanghai(e.occurred_at)) }
                        }
                    }
                }
            }
        }
        (lab::section(lang, record))

        // Timeline.
        section {
            h2 { (lang.t("全程记录", "The whole record")) }
            ol class="timeline" data-testid="timeline" {
                @for e in &record.events {
                    li data-kind=(e.kind.as_str()) {
                        strong { (lang.t(e.kind.label_zh(), e.kind.label_en())) }
                        " "
                        span class="muted" { (format_shanghai(e.occurred_at)) }
                        div {
                            @if e.seq == 0 {
                                (lang.t("建立批次档案并开具承诺达标合格证", "Batch recorded and certificate issued"))
                            } @else {
                                (event_details(lang, e.kind, &e.body["data"]))
                            }
                        }
                        (attachments(lang, &e.body))
                    }
                }
            }
            p {
                (lang.t("本批次已被查询", "Look-ups of this batch:")) " "
                @match scans {
                    Some(n) => strong data-testid="scans" { (n) },
                    // The cached page: its beacon counts this view and brings the total.
                    None => strong data-testid="scans" data-beacon={ "/t/" (record.batch.code) "/seen" } {
                        (PreEscaped(SCANS_MARK))
                    },
                }
                (lang.t(" 次", ""))
                // The beacon's script is the share-card module already in the head; without
                // scripts, this pixel counts.
                @if scans.is_none() {
                    noscript { img src={ "/t/" (record.batch.code) "/seen.gif" } alt="" width="1" height="1"; }
                }
            }
        }

        // For whoever wants to check it themselves: hashes, the public log, the APIs.
        details class="tech" data-testid="tech-details" {
            summary { (lang.t("技术详情", "Technical details")) }
            @if let Ok(head) = &record.verification {
                p { (lang.t("最新哈希 ", "Head hash ")) span class="hash" { (head) } }
            }
            @if let Some(check) = &record.log_check {
                (log_line(lang, check))
            }
            ol class="hashes" {
                @for e in &record.events {
                    li {
                        div class="hash" { "#" (e.seq) " " (e.hash) }
                        @for a in e.body["attachments"].as_array().map(Vec::as_slice).unwrap_or_default() {
                            div class="hash" { (text(a, "name")) " SHA-256 " (text(a, "sha256")) }
                        }
                    }
                }
            }
            p class="muted" {
                (lang.t(
                    "页面上的核对不重新下载附件（由平台定期核对）；校验接口会当场重新计算每个附件的 SHA-256。任何人都可以独立校验：",
                    "This page does not re-download the files (the platform audits them regularly); the verify API re-hashes every file on the spot. Anyone can check it independently:",
                )) " "
                a href={ "/api/v1/trace/" (b.code) "/verify" } { "/api/v1/trace/" (b.code) "/verify" }
                " · "
                a href={ "/api/v1/trace/" (b.code) "/epcis" } { "EPCIS 2.0" }
            }
        }
    };
    let page_title = format!("{title} · {}", lang.t("溯源", "Trace"));
    let producer = record
        .seller
        .as_ref()
        .map(|s| s.name.as_str())
        .unwrap_or_default();
    let state = if !record.verdict.ok() {
        lang.t("记录校验未通过", "record does not verify")
    } else if b.status == crate::domain::BatchStatus::Recalled {
        lang.t("已召回", "recalled")
    } else {
        lang.t("溯源记录完整", "traceable record, verified")
    };
    let description = match lang {
        Lang::Zh => format!("产地：{place} · 生产者：{producer} · {state}"),
        Lang::En => format!("Origin: {place} · Producer: {producer} · {state}"),
    };
    let share = Share {
        description,
        image: record
            .listing
            .as_ref()
            .and_then(|l| l.first_image_key.as_ref())
            .map(|k| format!("{base}/media/{k}")),
        url: (!base.is_empty()).then(|| format!("{base}{path}")),
    };
    shell_shared(lang, &page_title, body, &path, Some(&share))
}

/// What a not-found page says first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Miss {
    /// No batch has this code, or it is not a code at all.
    Code,
    /// A GS1 Digital Link whose GTIN has a wrong check digit (always Chinese).
    BadGtin,
}

/// The page for a code that does not exist (or was mistyped): a way forward, not a dead end.
pub fn not_found(lang: Lang, input: &str, bad_check: bool) -> String {
    not_found_page(lang, Miss::Code, input, bad_check)
}

/// The not-found page with the headline of `miss`.
pub fn not_found_page(lang: Lang, miss: Miss, input: &str, bad_check: bool) -> String {
    let headline = match miss {
        Miss::Code => lang.t("未找到这个溯源码", "No record for this trace code"),
        Miss::BadGtin => lang.t(
            "商品条码（GTIN）校验位不正确",
            "The GTIN's check digit is wrong",
        ),
    };
    let typed: String = input.chars().take(24).collect();
    let body = html! {
        section {
            h1 { (headline) }
            p {
                @if bad_check {
                    (lang.t(
                        "校验位不符：可能有字符输错了。溯源码共 16 位，印在标签二维码下方。",
                        "The check character does not match: a character may be mistyped. Trace codes have 16 characters, printed under the QR code.",
                    ))
                } @else {
                    (lang.t(
                        "请核对标签上二维码下方的 16 位溯源码。",
                        "Please check the 16-character code printed under the QR code.",
                    ))
                }
            }
            form method="get" action="/t" {
                label for="c" { (lang.t("输入溯源码", "Enter the trace code")) }
                br;
                input id="c" name="code" value=(typed) maxlength="24" style="font-size:1.1rem;padding:8px;width:100%" autocomplete="off";
                p { button type="submit" style="font-size:1rem;padding:8px 16px" { (lang.t("查询", "Look up")) } }
            }
        }
    };
    shell(
        lang,
        lang.t("未找到溯源码", "Trace code not found"),
        body,
        "/t",
    )
}

/// What the log check found, and the checkpoint it used: when it was signed (Beijing time)
/// and by whom — saying so when no witness cosigned.
fn log_line(lang: Lang, check: &crate::service::NamedCheck) -> maud::Markup {
    let witnesses = check
        .checkpoint_signers
        .iter()
        .skip(1)
        .cloned()
        .collect::<Vec<_>>();
    html! {
        div class="muted" data-testid="log-check" data-status=(check.status) {
            (lang.t("公开日志：", "Public log: ")) (lang.t(&check.message_zh, &check.message_en))
            @if let Some(at) = check.checkpoint_signed_at {
                " · "
                (lang.t("检查点签署于 ", "checkpoint signed "))
                (at.with_timezone(&farmgate_kernel::clock::shanghai()).format("%Y-%m-%d %H:%M"))
                @if witnesses.is_empty() {
                    (lang.t("，仅由平台签署（未配置见证方）", ", by the platform only (no witnesses configured)"))
                } @else {
                    (lang.t("，见证方：", ", witnessed by "))
                    (witnesses.join(lang.t("、", ", ")))
                }
            }
        }
    }
}

/// The page of a code the public log holds but the database no longer has: tampering.
pub fn vanished(lang: Lang, code: &str, check: &crate::service::NamedCheck) -> String {
    let body = html! {
        div class="verdict broken" data-testid="verdict" data-ok="false" {
            "⚠ "
            (lang.t(
                "警告：这个溯源码在公开日志中有记录，但平台数据库中已找不到：记录被删除",
                "Warning: this trace code is in the public log but gone from the platform's database: the record was deleted",
            ))
            div { (chain::display_code(code)) }
        }
        (log_line(lang, check))
    };
    shell(
        lang,
        lang.t("溯源记录被删除", "Trace record deleted"),
        body,
        "/t",
    )
}

/// The ETag of rendered bytes.
pub fn etag(html: &str) -> String {
    format!("\"{}\"", &chain::sha256_hex(html.as_bytes())[..20])
}

mod lab;

#[cfg(test)]
pub(crate) mod tests;
