//! The scan page as a phone sees it: what it says, and that seller text stays text.

use super::*;
use crate::domain::BatchStatus;
use crate::store::{batch, event};
use chrono::{DateTime, TimeZone, Utc};
use farmgate_identity::{OrgKind, OrgSummary};
use farmgate_kernel::id::OrgId;
use serde_json::json;
use uuid::Uuid;

pub(crate) fn at(d: u32, h: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, d, h, 0, 0)
        .single()
        .unwrap_or_default()
}

fn event(seq: i32, kind: EventKind, data: Value) -> event::Model {
    event::Model {
        id: Uuid::from_u128(100 + u128::from(seq.unsigned_abs())),
        batch_id: Uuid::from_u128(1),
        seq,
        kind,
        occurred_at: at(1 + seq.unsigned_abs(), 2),
        recorded_at: at(1 + seq.unsigned_abs(), 3),
        actor_id: Uuid::from_u128(2),
        body: json!({"data": data, "attachments": []}),
        prev_hash: "0".repeat(64),
        hash: format!("{:064x}", 0xabc_u128 + u128::from(seq.unsigned_abs())),
    }
}

/// A verified cooperative's batch: created, a harvest whose note tries to be markup, a passed
/// inspection.
pub(crate) fn record(status: BatchStatus) -> Record {
    let facts = json!({
        "product_name": "赣南脐橙 <10斤>", "quantity": 2000, "quantity_unit": "jin",
        "harvest_date": "2026-11-18",
        "origin": {"province": "江西省", "city": "赣州市", "county": "青石县", "township": "梅岭镇", "village": "茶坑村"},
        "plot": {"name": "3号果园"},
        "certificate": {"issuer": "梅岭脐橙专业合作社", "contact_phone": "13800000001",
            "issued_at": "2026-11-18T02:03:04Z", "basis": "self_test"},
    });
    Record {
        batch: batch::Model {
            id: Uuid::from_u128(1),
            code: "ABCDEFGHJKMNPQRS".to_owned(),
            listing_id: Uuid::from_u128(3),
            seller_org_id: Uuid::from_u128(4),
            lot: "ML-1".to_owned(),
            started_on: at(1, 0).date_naive(),
            status,
            head_hash: "f".repeat(64),
            event_count: 3,
            last_event_at: at(3, 2),
            scans: 7,
            units_issued: 0,
            created_by: Uuid::from_u128(2),
            created_at: at(1, 0),
            chain_version: 1,
        },
        hashed: Vec::new(),
        version: Some(crate::chain::ChainVersion::V1),
        opening_problems: Vec::new(),
        events: vec![
            event(0, EventKind::Created, facts),
            event(
                1,
                EventKind::Harvest,
                json!({"quantity": 2000, "unit": "jin", "note": "x", "tracking": "<script>alert(1)</script>"}),
            ),
            event(
                2,
                EventKind::Inspection,
                json!({"lab": "县站 <b>", "method": "GB 23200", "items": "农残", "result": "pass"}),
            ),
        ],
        verification: Ok("0123456789abcdef0123".to_owned()),
        log_check: None,
        verdict: crate::domain::Verdict {
            checks: vec![
                crate::domain::chain_check(&Ok(String::new()), 3),
                crate::domain::head_check("h", 1, &[(0, "h")]),
                crate::domain::attachments_check(&[]),
            ],
        },
        listing: None,
        seller: Some(OrgSummary {
            id: OrgId(Uuid::from_u128(4)),
            kind: OrgKind::Cooperative,
            name: "梅岭脐橙专业合作社".to_owned(),
            status: OrgStatus::Verified,
            region: farmgate_kernel::Region {
                province: "江西省".into(),
                city: "赣州市".into(),
                county: "青石县".into(),
                township: None,
                village: None,
            },
        }),
    }
}

#[test]
fn the_page_leads_with_the_verdict_and_shows_the_certificate_and_the_timeline() {
    let html = render(&record(BatchStatus::Open), Lang::Zh, 42, None);
    assert!(html.starts_with("<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">"));
    assert!(html.contains(
        "<div class=\"verdict ok\" data-testid=\"verdict\" data-ok=\"true\">✓ 溯源记录完整，校验通过 <div class=\"muted\">共 3 条记录</div><ul class=\"checks\" data-testid=\"checks\"><li data-check=\"chain\" data-ok=\"true\">✓ 3 条记录逐条重算哈希"
    ));
    // The head hash and every record's hash wait behind 技术详情, after what a shopper reads.
    let Some(fold) = html
        .find("<details class=\"tech\" data-testid=\"tech-details\"><summary>技术详情</summary>")
    else {
        panic!("the technical details fold is missing");
    };
    assert!(html[fold..].contains("0123456789abcdef"));
    assert!(!html[..fold].contains("0123456789abcdef"));
    assert!(!html[..fold].contains("/api/v1/trace/"));
    for lead in [
        "data-testid=\"product-title\"",
        "data-testid=\"certificate\"",
        "data-testid=\"inspections\"",
        "data-testid=\"timeline\"",
    ] {
        assert!(html.find(lead).is_some_and(|at| at < fold), "{lead} leads");
    }
    assert!(
        html.contains(
            "<section class=\"cert\" data-testid=\"certificate\"><h2>承诺达标合格证</h2>"
        )
    );
    assert!(html.contains("<dd class=\"code\">ABCD-EFGH-JKMN-PQRS</dd>"));
    assert!(html.contains("<li data-kind=\"harvest\"><strong>采收</strong>"));
    assert!(html.contains("采收 2000 斤"));
    assert!(html.contains("<span class=\"badge\">合格</span> 县站 &lt;b&gt; · GB 23200 · 农残"));
    assert!(
        html.contains("<p>生产者：梅岭脐橙专业合作社 <span class=\"badge\">平台认证</span></p>")
    );
    assert!(html.contains("<strong data-testid=\"scans\">42</strong>"));
    assert!(html.contains("<a href=\"/t/ABCDEFGHJKMNPQRS?lang=en\" lang=\"en\">English</a>"));
    assert!(
        !html.contains("data-testid=\"recalled\"") && !html.contains("data-testid=\"blocked\"")
    );
}

#[test]
fn a_page_for_the_cache_leaves_the_count_to_each_answer_and_carries_a_share_card() {
    let html = render_page(
        &record(BatchStatus::Open),
        Lang::En,
        None,
        None,
        "https://nongyuan.example.cn",
    );
    assert!(html.contains(&format!(
        "<strong data-testid=\"scans\" data-beacon=\"/t/ABCDEFGHJKMNPQRS/seen\">{SCANS_MARK}</strong>"
    )));
    // Without scripts a pixel counts the view; with them, the share-card module's beacon.
    assert!(html.contains(
        "<noscript><img src=\"/t/ABCDEFGHJKMNPQRS/seen.gif\" alt=\"\" width=\"1\" height=\"1\"></noscript>"
    ));
    assert!(html.contains("<script type=\"module\" src=\"/assets/js/share-card.js\">"));
    assert!(
        html.contains("<meta property=\"og:title\" content=\"赣南脐橙 &lt;10斤&gt; · Trace\">")
    );
    assert!(html.contains(
        "<meta property=\"og:url\" content=\"https://nongyuan.example.cn/t/ABCDEFGHJKMNPQRS\">"
    ));
    assert!(html.contains("<meta property=\"og:description\" content=\"Origin: "));
    assert!(html.contains("Producer: 梅岭脐橙专业合作社"));
    // Without the site's address the card still has a title and a description.
    let zh = render(&record(BatchStatus::Open), Lang::Zh, 1, None);
    assert!(zh.contains("<meta property=\"og:description\" content=\"产地："));
    assert!(!zh.contains("og:url"));
}

#[test]
fn seller_text_is_escaped_and_the_phone_is_masked() {
    let html = render(&record(BatchStatus::Open), Lang::Zh, 0, None);
    assert!(html.contains("<title>赣南脐橙 &lt;10斤&gt; · 溯源</title>"));
    assert!(html.contains("<h1 data-testid=\"product-title\">赣南脐橙 &lt;10斤&gt;</h1>"));
    assert!(!html.contains("<b>") && !html.contains("<10斤>"));
    assert!(html.contains("<dd>138****0001</dd>"));
    assert!(!html.contains("13800000001"));
}

#[test]
fn a_broken_record_a_recall_and_a_block_are_said_first() {
    let mut r = record(BatchStatus::Recalled);
    r.events.push(event(
        3,
        EventKind::Recall,
        json!({"reason": "检测 <不合格>"}),
    ));
    r.verification = Err(crate::chain::Break::Content { seq: 1 });
    r.verdict
        .set(crate::domain::chain_check(&r.verification, r.events.len()));
    let html = render(&r, Lang::Zh, 0, None);
    assert!(html.contains(
        "<div class=\"verdict broken\" data-testid=\"verdict\" data-ok=\"false\">⚠ 警告：溯源记录校验未通过，内容可能被篡改<div>第 1 条记录的内容被改动过</div>"
    ));
    assert!(
        html.contains(
            "<li data-check=\"chain\" data-ok=\"false\">✗ 第 1 条记录的内容被改动过</li>"
        ),
        "every check is listed"
    );
    assert!(html.contains("<li data-check=\"head\" data-ok=\"true\">✓ "));
    assert!(html.contains("<div class=\"verdict broken recall\" data-testid=\"recalled\"><strong>⚠ 本批次已召回，请停止食用</strong><div>检测 &lt;不合格&gt;</div>"));
    let blocked = render(&record(BatchStatus::Blocked), Lang::En, 0, None);
    assert!(blocked.contains(
        "<div class=\"verdict broken\" data-testid=\"blocked\">This batch failed its inspection and is not sold</div>"
    ));
}

#[test]
fn the_english_page_and_a_box_page() {
    let u = unit::Model {
        id: Uuid::from_u128(9),
        batch_id: Uuid::from_u128(1),
        n: 2,
        serial: "K3M9Q2W7XZ".into(),
        scans: 5,
        first_scanned_at: Some(at(20, 1)),
        created_at: at(1, 0),
    };
    let html = render(
        &record(BatchStatus::Open),
        Lang::En,
        1,
        Some(UnitInfo { unit: &u }),
    );
    assert!(html.contains("The record is intact and verifies"));
    assert!(html.contains("<section data-testid=\"unit\"><h2>Box #2</h2><p>First scanned: <strong>2026-11-20 09:00</strong></p><p>This box was scanned <strong>5</strong> times</p>"));
    assert!(
        html.contains("<a href=\"/t/ABCDEFGHJKMNPQRS/K3M9Q2W7XZ?lang=zh\" lang=\"zh-CN\">中文</a>")
    );
    assert!(html.contains("Harvested 2000 jin"));
}

#[test]
fn a_missing_code_gets_a_form_to_try_again_with_the_input_escaped() {
    let html = not_found(Lang::Zh, "<script>alert(1)</script>", true);
    assert!(html.contains("<h1>未找到这个溯源码</h1><p>校验位不符"));
    assert!(html.contains("value=\"&lt;script&gt;alert(1)&lt;/script\""));
    assert!(!html.contains("<script>"));
    let gtin = not_found_page(Lang::Zh, Miss::BadGtin, "6901234567893", false);
    assert!(gtin.contains("<h1>商品条码（GTIN）校验位不正确</h1>"));
}

/// Compares rendered HTML with its committed snapshot in `src/page/snapshots/`, so any change
/// to the markup is a visible diff. `UPDATE_SNAPSHOTS=1` rewrites them.
pub(crate) fn assert_snapshot(name: &str, html: &str) {
    let path = format!(
        "{}/src/page/snapshots/{name}.html",
        env!("CARGO_MANIFEST_DIR")
    );
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, html).unwrap_or_else(|e| panic!("writing {path}: {e}"));
        return;
    }
    let saved = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        saved == html,
        "{name} differs from {path} (UPDATE_SNAPSHOTS=1 to accept):\n{html}"
    );
}

#[test]
fn the_pages_match_their_snapshots() {
    let mut recalled = record(BatchStatus::Recalled);
    recalled.events.push(event(
        3,
        EventKind::Recall,
        json!({"reason": "检测 <不合格>"}),
    ));
    assert_snapshot("recalled.zh", &render(&recalled, Lang::Zh, 42, None));
    let u = unit::Model {
        id: Uuid::from_u128(9),
        batch_id: Uuid::from_u128(1),
        n: 2,
        serial: "K3M9Q2W7XZ".into(),
        scans: 5,
        first_scanned_at: None,
        created_at: at(1, 0),
    };
    assert_snapshot(
        "unit.en",
        &render(
            &record(BatchStatus::Blocked),
            Lang::En,
            0,
            Some(UnitInfo { unit: &u }),
        ),
    );
    assert_snapshot("not_found.zh", &not_found(Lang::Zh, "ABCD-EFGH", true));
}
