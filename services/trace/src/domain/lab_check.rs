//! A third-party test (第三方检测): what a verified testing body's staff record on any batch —
//! a spot check (抽检) or a commissioned test — and the rules its data keeps before it is hashed
//! into the batch's chain as a `lab_check` record (CHAIN.md §1).
//!
//! Every value is a string, an integer or a boolean: a measured residue such as `0.12` is kept
//! as the text the report prints (the chain has no floating-point numbers, CHAIN.md §2).

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use farmgate_kernel::text::{clean_optional_text, clean_text};
use farmgate_kernel::{FieldError, ValidationErrors, labelled_enum};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use utoipa::ToSchema;
use uuid::Uuid;

use super::events::FUTURE_SLACK_MINUTES;

labelled_enum!(
    /// Why the lab tested the batch.
    LabCheckKind {
        /// 抽检: the station's own sampling (market or farm), the regulator's spot check.
        SpotCheck => "spot_check", "抽检", "spot check";
        /// 委托检测: a test someone commissioned (the seller, a buyer, the platform).
        Commissioned => "commissioned", "委托检测", "commissioned test";
    }
);

/// Items a report may list (a 56-item residue screen fits; a script's thousand does not).
pub const MAX_ITEMS: usize = 80;
/// Report files a record may cite.
pub const MAX_REPORTS: usize = 5;

/// One tested item of a report, as the lab types it.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LabItemInput {
    /// What was tested, e.g. 毒死蜱 (chlorpyrifos): 1–60 characters.
    pub name: String,
    /// The measured value as the report prints it (`0.12`, `未检出`/`ND`): 1–30 characters.
    pub result: String,
    /// The limit it is judged against (`≤0.5`, `0.05`): up to 30 characters.
    #[serde(default)]
    pub limit: Option<String>,
    /// The unit of the result and limit (`mg/kg`): up to 16 characters.
    #[serde(default)]
    pub unit: Option<String>,
    /// Whether the item is within its limit.
    pub passed: bool,
}

/// A third-party test as a lab's staff records it.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LabCheckRequest {
    /// The batch's trace code, as printed on the sampled box's label (any spelling people type).
    pub code: String,
    pub check_kind: LabCheckKind,
    /// When the sample was taken (not in the future, not before the batch began).
    pub sampled_at: DateTime<Utc>,
    /// Where it was taken: a market stall, the farm, a warehouse (2–100 characters).
    pub sampling_place: String,
    /// The report's number (2–60 characters).
    pub report_no: String,
    /// The standard the result is judged by, e.g. `GB 2763-2021` (2–120 characters).
    pub standard: String,
    /// The test method, e.g. `GB 23200.113-2018` (2–200 characters).
    pub method: String,
    /// 1–80 items, each within its limit or not.
    pub items: Vec<LabItemInput>,
    /// The overall conclusion: `pass` (合格) only when every item passed, `fail` (不合格)
    /// when at least one did not.
    pub result: String,
    /// Anything else the report says (up to 500 characters).
    #[serde(default)]
    pub note: Option<String>,
    /// Ids of report PDFs this lab uploaded for the batch (at most 5).
    #[serde(default)]
    pub attachments: Vec<Uuid>,
    /// The `seq` of an earlier record of this lab on the same batch that this one corrects:
    /// a recorded test is never changed, a correction is a new record naming the old one.
    #[serde(default)]
    pub corrects: Option<i32>,
}

/// The lab that records, as the record names it (public facts only).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LabRef {
    pub org_id: Uuid,
    pub name: String,
    pub accreditation_no: String,
}

/// A lab check's data, validated: what is hashed into the chain (`data` of a `lab_check`
/// record), and the facts the index row keeps.
#[derive(Clone, Debug, PartialEq)]
pub struct LabCheckData {
    pub data: Value,
    pub passed: bool,
    pub kind: LabCheckKind,
    pub sampled_at: DateTime<Utc>,
    pub report_no: String,
    pub corrects: Option<i32>,
}

fn err(field: &str, code: &'static str, zh: &str, en: &str) -> FieldError {
    FieldError::new(field, code, zh, en)
}

/// Checks a lab's record and builds its data. `now` and `started_on` (the batch's start, a
/// Beijing calendar day) bound the sampling time; `seconds` writes an instant as the chain does.
pub fn parse_lab_check(
    req: &LabCheckRequest,
    lab: &LabRef,
    now: DateTime<Utc>,
    started_on: NaiveDate,
    seconds: impl Fn(DateTime<Utc>) -> String,
) -> Result<LabCheckData, ValidationErrors> {
    let mut errs = ValidationErrors::new();
    // Whole seconds, as the chain writes instants.
    let sampled_at = Utc
        .timestamp_opt(req.sampled_at.timestamp(), 0)
        .single()
        .unwrap_or(req.sampled_at);
    if sampled_at > now + Duration::minutes(FUTURE_SLACK_MINUTES) {
        errs.push(err(
            "sampled_at",
            "in_future",
            "采样时间不能晚于现在",
            "the sampling time cannot be in the future",
        ));
    }
    let start = started_on
        .and_hms_opt(0, 0, 0)
        .map(|d| d.and_utc() - Duration::hours(8));
    if start.is_some_and(|s| sampled_at < s) {
        errs.push(err(
            "sampled_at",
            "before_start",
            "采样时间不能早于本批次开始日期",
            "the sample cannot be older than the batch",
        ));
    }
    let place = errs.check(
        "sampling_place",
        clean_text(&req.sampling_place, 2, 100, false),
    );
    let report_no = errs.check("report_no", clean_text(&req.report_no, 2, 60, false));
    let standard = errs.check("standard", clean_text(&req.standard, 2, 120, false));
    let method = errs.check("method", clean_text(&req.method, 2, 200, false));
    let note = errs.check("note", clean_optional_text(req.note.as_deref(), 500, true));
    if req.items.is_empty() || req.items.len() > MAX_ITEMS {
        errs.push(FieldError::new(
            "items",
            "out_of_range",
            format!("请填写 1–{MAX_ITEMS} 个检测项目"),
            format!("list 1–{MAX_ITEMS} tested items"),
        ));
    }
    let mut items = Vec::new();
    for (i, it) in req.items.iter().take(MAX_ITEMS).enumerate() {
        let at = |k: &str| format!("items[{i}].{k}");
        let name = errs.check(&at("name"), clean_text(&it.name, 1, 60, false));
        let result = errs.check(&at("result"), clean_text(&it.result, 1, 30, false));
        let limit = errs.check(
            &at("limit"),
            clean_optional_text(it.limit.as_deref(), 30, false),
        );
        let unit = errs.check(
            &at("unit"),
            clean_optional_text(it.unit.as_deref(), 16, false),
        );
        if let (Some(name), Some(result), Some(limit), Some(unit)) = (name, result, limit, unit) {
            let mut item = Map::new();
            item.insert("name".into(), json!(name));
            item.insert("result".into(), json!(result));
            if let Some(l) = limit {
                item.insert("limit".into(), json!(l));
            }
            if let Some(u) = unit {
                item.insert("unit".into(), json!(u));
            }
            item.insert("passed".into(), json!(it.passed));
            items.push(Value::Object(item));
        }
    }
    let passed = match req.result.as_str() {
        "pass" => Some(true),
        "fail" => Some(false),
        _ => {
            errs.push(err(
                "result",
                "invalid",
                "请选择检测结论：合格（pass）或不合格（fail）",
                "choose the conclusion: pass or fail",
            ));
            None
        }
    };
    let any_failed = req.items.iter().any(|i| !i.passed);
    match passed {
        Some(true) if any_failed => errs.push(err(
            "result",
            "contradicts_items",
            "有项目超标时结论不能为合格",
            "the conclusion cannot be pass while an item failed",
        )),
        Some(false) if !req.items.is_empty() && !any_failed => errs.push(err(
            "result",
            "contradicts_items",
            "结论为不合格时，请标明不合格的项目",
            "a failed test names the item that failed",
        )),
        _ => {}
    }
    if req.attachments.len() > MAX_REPORTS {
        errs.push(FieldError::new(
            "attachments",
            "too_many",
            format!("最多附 {MAX_REPORTS} 份报告"),
            format!("at most {MAX_REPORTS} report files"),
        ));
    }
    if req.corrects.is_some_and(|s| s < 1) {
        errs.push(err(
            "corrects",
            "not_found",
            "要更正的记录不存在",
            "there is no such record to correct",
        ));
    }
    errs.finish()?;
    let mut data = Map::new();
    data.insert(
        "lab".into(),
        json!({"org_id": lab.org_id, "name": lab.name, "accreditation_no": lab.accreditation_no}),
    );
    data.insert("check_kind".into(), json!(req.check_kind.as_str()));
    data.insert("sampled_at".into(), json!(seconds(sampled_at)));
    data.insert("sampling_place".into(), json!(place));
    data.insert("report_no".into(), json!(report_no));
    data.insert("standard".into(), json!(standard));
    data.insert("method".into(), json!(method));
    data.insert("items".into(), Value::Array(items));
    let passed = passed.unwrap_or(false);
    data.insert("result".into(), json!(if passed { "pass" } else { "fail" }));
    if let Some(Some(n)) = note {
        data.insert("note".into(), json!(n));
    }
    if let Some(c) = req.corrects {
        data.insert("corrects".into(), json!(c));
    }
    Ok(LabCheckData {
        data: Value::Object(data),
        passed,
        kind: req.check_kind,
        sampled_at,
        report_no: report_no.unwrap_or_default(),
        corrects: req.corrects,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, d, h, 0, 0)
            .single()
            .unwrap_or_default()
    }

    fn lab() -> LabRef {
        LabRef {
            org_id: Uuid::nil(),
            name: "青石县农产品质量检测站".into(),
            accreditation_no: "241512050123".into(),
        }
    }

    fn item(name: &str, passed: bool) -> LabItemInput {
        LabItemInput {
            name: name.into(),
            result: if passed { "未检出" } else { "0.12" }.into(),
            limit: Some("0.05".into()),
            unit: Some("mg/kg".into()),
            passed,
        }
    }

    fn req(result: &str, items: Vec<LabItemInput>) -> LabCheckRequest {
        LabCheckRequest {
            code: "9ZFBGPK3BKXTRQWU".into(),
            check_kind: LabCheckKind::SpotCheck,
            sampled_at: at(19, 2),
            sampling_place: "县城农贸市场 12 号摊位".into(),
            report_no: "QS-2026-1119-07".into(),
            standard: "GB 2763-2021".into(),
            method: "GB 23200.113-2018".into(),
            items,
            result: result.into(),
            note: None,
            attachments: vec![],
            corrects: None,
        }
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap_or_default()
    }

    fn secs(t: DateTime<Utc>) -> String {
        t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
    }

    fn codes(r: Result<LabCheckData, ValidationErrors>) -> Vec<(String, &'static str)> {
        r.err()
            .map(|e| {
                e.errors()
                    .iter()
                    .map(|f| (f.field.clone(), f.code))
                    .collect()
            })
            .unwrap_or_default()
    }

    #[test]
    fn a_failed_spot_check_names_the_lab_and_keeps_every_value_as_text() {
        let r = req("fail", vec![item("毒死蜱", false), item("多菌灵", true)]);
        let Ok(d) = parse_lab_check(&r, &lab(), at(20, 0), day(1), secs) else {
            panic!("valid")
        };
        assert!(!d.passed);
        assert_eq!(d.data["lab"]["name"], "青石县农产品质量检测站");
        assert_eq!(d.data["lab"]["accreditation_no"], "241512050123");
        assert_eq!(d.data["check_kind"], "spot_check");
        assert_eq!(d.data["sampled_at"], "2026-11-19T02:00:00Z");
        assert_eq!(
            d.data["items"][0]["result"], "0.12",
            "a measurement stays text"
        );
        assert_eq!(d.data["items"][0]["passed"], false);
        assert_eq!(d.data["result"], "fail");
        assert!(
            crate::chain::canonical_json(&d.data).is_some(),
            "the data encodes canonically"
        );
    }

    #[test]
    fn the_conclusion_must_agree_with_the_items() {
        let pass_with_failure = req("pass", vec![item("毒死蜱", false)]);
        assert_eq!(
            codes(parse_lab_check(
                &pass_with_failure,
                &lab(),
                at(20, 0),
                day(1),
                secs
            )),
            [("result".to_owned(), "contradicts_items")]
        );
        let fail_without_failure = req("fail", vec![item("毒死蜱", true)]);
        assert_eq!(
            codes(parse_lab_check(
                &fail_without_failure,
                &lab(),
                at(20, 0),
                day(1),
                secs
            )),
            [("result".to_owned(), "contradicts_items")]
        );
        assert!(
            parse_lab_check(
                &req("pass", vec![item("a", true)]),
                &lab(),
                at(20, 0),
                day(1),
                secs
            )
            .is_ok()
        );
        assert_eq!(
            codes(parse_lab_check(
                &req("maybe", vec![item("a", true)]),
                &lab(),
                at(20, 0),
                day(1),
                secs
            )),
            [("result".to_owned(), "invalid")]
        );
    }

    #[test]
    fn sampling_cannot_be_in_the_future_or_before_the_batch_began() {
        let r = req("pass", vec![item("a", true)]);
        assert_eq!(
            codes(parse_lab_check(&r, &lab(), at(18, 0), day(1), secs)),
            [("sampled_at".to_owned(), "in_future")]
        );
        assert_eq!(
            codes(parse_lab_check(&r, &lab(), at(20, 0), day(20), secs)),
            [("sampled_at".to_owned(), "before_start")]
        );
    }

    #[test]
    fn items_are_bounded_and_each_checked() {
        let none = req("pass", vec![]);
        assert!(
            codes(parse_lab_check(&none, &lab(), at(20, 0), day(1), secs))
                .contains(&("items".to_owned(), "out_of_range"))
        );
        let many = req("pass", (0..=MAX_ITEMS).map(|_| item("a", true)).collect());
        assert!(
            codes(parse_lab_check(&many, &lab(), at(20, 0), day(1), secs))
                .contains(&("items".to_owned(), "out_of_range"))
        );
        let mut bad = item("", true);
        bad.result = "x".repeat(31);
        let r = req("pass", vec![bad]);
        let c = codes(parse_lab_check(&r, &lab(), at(20, 0), day(1), secs));
        assert!(c.iter().any(|(f, _)| f == "items[0].name"), "{c:?}");
        assert!(c.iter().any(|(f, _)| f == "items[0].result"), "{c:?}");
    }

    #[test]
    fn kinds_keep_their_wire_names() {
        assert_eq!(LabCheckKind::SpotCheck.as_str(), "spot_check");
        assert_eq!(LabCheckKind::SpotCheck.label_zh(), "抽检");
        assert_eq!(LabCheckKind::Commissioned.as_str(), "commissioned");
    }
}
