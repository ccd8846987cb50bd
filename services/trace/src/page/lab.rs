//! The scan page's third-party tests (第三方检测): each `lab_check` record with the lab that
//! made it, what was sampled where, the items against their limits and the report. Every
//! value is escaped by the template like the rest of the page.

use super::{Lang, text};
use crate::domain::{EventKind, LabCheckKind};
use crate::service::Record;
use maud::{Markup, html};
use serde_json::Value;

/// A sampling instant of the record (`…Z`) in Beijing time.
fn shown_time(v: &Value) -> String {
    v.as_str()
        .and_then(|s| s.parse().ok())
        .map(farmgate_kernel::clock::format_shanghai)
        .unwrap_or_default()
}

fn result_badge(lang: Lang, d: &Value) -> Markup {
    html! {
        @if d["result"] == "pass" {
            span class="badge" { (lang.t("合格", "Pass")) }
        } @else {
            span class="badge fail" { (lang.t("不合格", "Fail")) }
        }
    }
}

/// One line for the timeline.
pub(super) fn timeline_details(lang: Lang, d: &Value) -> Markup {
    html! {
        (result_badge(lang, d)) " "
        strong data-testid="lab-name" { (text(&d["lab"], "name")) }
        " · " (text(d, "standard"))
    }
}

/// The section listing every third-party test of the record (nothing when there is none).
pub(super) fn section(lang: Lang, record: &Record) -> Markup {
    let checks: Vec<_> = record
        .events
        .iter()
        .filter(|e| e.kind == EventKind::LabCheck)
        .collect();
    html! {
        @if !checks.is_empty() {
            section data-testid="lab-checks" {
                h2 { (lang.t("第三方检测", "Third-party tests")) }
                p class="muted" {
                    (lang.t(
                        "由经平台认证的检测机构记录，生产者不能修改。",
                        "Recorded by testing bodies the platform verified; the producer cannot change them.",
                    ))
                }
                @for e in checks {
                    @let d = &e.body["data"];
                    @let kind = LabCheckKind::parse(text(d, "check_kind"));
                    div data-testid="lab-check" data-result=(text(d, "result")) {
                        p {
                            (result_badge(lang, d)) " "
                            strong { (text(&d["lab"], "name")) }
                            @if let Some(k) = kind { " · " (lang.t(k.label_zh(), k.label_en())) }
                        }
                        dl {
                            dt { (lang.t("资质编号", "Accreditation")) } dd { (text(&d["lab"], "accreditation_no")) }
                            dt { (lang.t("报告编号", "Report")) } dd { (text(d, "report_no")) }
                            dt { (lang.t("采样", "Sampled")) }
                            dd { (shown_time(&d["sampled_at"])) " · " (text(d, "sampling_place")) }
                            dt { (lang.t("判定依据", "Standard")) } dd { (text(d, "standard")) }
                            dt { (lang.t("检测方法", "Method")) } dd { (text(d, "method")) }
                            @if let Some(c) = d["corrects"].as_i64() {
                                dt { (lang.t("更正", "Corrects")) } dd { "#" (c) }
                            }
                        }
                        ul class="checks" {
                            @for it in d["items"].as_array().map(Vec::as_slice).unwrap_or_default() {
                                li data-passed=(it["passed"] == true) {
                                    @if it["passed"] == true { "✓ " } @else { "✗ " }
                                    (text(it, "name")) "：" (text(it, "result"))
                                    @if !text(it, "limit").is_empty() {
                                        " (" (lang.t("限量 ", "limit ")) (text(it, "limit")) ")"
                                    }
                                    " " (text(it, "unit"))
                                }
                            }
                        }
                        @if !text(d, "note").is_empty() { p { (text(d, "note")) } }
                        (super::attachments(lang, &e.body))
                    }
                }
            }
        }
    }
}
