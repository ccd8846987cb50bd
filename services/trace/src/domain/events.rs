//! The records of a batch's chain: which kinds exist and what each must contain, when a record
//! may be dated, and when a harvest is too early after a pesticide.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use farmgate_kernel::labelled_enum;
use farmgate_kernel::text::{clean_optional_text, clean_text};
use farmgate_kernel::{FieldError, ValidationErrors};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use utoipa::ToSchema;
use uuid::Uuid;

labelled_enum!(
    /// What happened to a batch: the `kind` of a record's body (CHAIN.md §2).
    EventKind {
        /// The batch and its certificate (always event 0).
        Created => "created", "建档", "Record created";
        Planting => "planting", "种植", "Planting";
        /// Fertiliser or pesticide applied.
        Input => "input", "投入品使用", "Input applied";
        Harvest => "harvest", "采收", "Harvest";
        /// A residue test.
        Inspection => "inspection", "检测", "Inspection";
        Packing => "packing", "包装", "Packing";
        Shipping => "shipping", "发货", "Shipping";
        Receiving => "receiving", "收货", "Receiving";
        Note => "note", "备注", "Note";
        /// 召回: written by the system when a batch is recalled (`reason`).
        Recall => "recall", "召回", "Recall";
        /// 第三方检测: a test by a verified testing body, written by its staff, never by the
        /// seller (`lab_check.rs`).
        LabCheck => "lab_check", "第三方检测", "Third-party test";
    }
);

/// A record a seller adds to a batch's chain.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewEventRequest {
    pub kind: EventKind,
    pub occurred_at: DateTime<Utc>,
    #[serde(default)]
    pub data: Value,
    /// Ids of attachments uploaded to this batch.
    #[serde(default)]
    pub attachments: Vec<Uuid>,
}

/// Slack for clocks on phones: an event may be stamped up to this far in the future.
pub const FUTURE_SLACK_MINUTES: i64 = 5;

fn err(
    field: &str,
    code: &'static str,
    zh: impl Into<String>,
    en: impl Into<String>,
) -> FieldError {
    FieldError::new(field, code, zh, en)
}

/// An event may not be in the future, before the batch began, or before the previous event.
pub fn check_time(
    occurred_at: DateTime<Utc>,
    now: DateTime<Utc>,
    started_on: NaiveDate,
    previous: Option<DateTime<Utc>>,
) -> Result<(), FieldError> {
    if occurred_at > now + Duration::minutes(FUTURE_SLACK_MINUTES) {
        return Err(err(
            "occurred_at",
            "in_future",
            "时间不能晚于现在",
            "the time cannot be in the future",
        ));
    }
    let start = started_on
        .and_hms_opt(0, 0, 0)
        .map(|d| d.and_utc() - Duration::hours(8));
    if start.is_some_and(|s| occurred_at < s) {
        return Err(err(
            "occurred_at",
            "before_start",
            format!("时间不能早于本批次开始日期 {started_on}"),
            format!("the time cannot be before the batch began on {started_on}"),
        ));
    }
    if let Some(p) = previous
        && occurred_at < p
    {
        return Err(err(
            "occurred_at",
            "out_of_order",
            "记录须按时间顺序添加：不能早于上一条记录",
            "records are added in time order: this one is before the previous record",
        ));
    }
    Ok(())
}

/// A pesticide application as the safe-interval rule needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PesticideUse {
    pub applied_at: DateTime<Utc>,
    pub safe_interval_days: i64,
}

/// The policy (documented in CHAIN.md): a harvest inside a pesticide's safe pre-harvest interval
/// (安全间隔期) is refused, naming the earliest allowed harvest time. We refuse rather than
/// record-and-warn because a lot harvested too early must not be sold at all; recording it
/// under the platform's label would only put an unsafe lot one step from a parcel.
pub fn check_safe_interval(
    harvest_at: DateTime<Utc>,
    uses: &[PesticideUse],
) -> Result<(), FieldError> {
    let earliest = uses
        .iter()
        .map(|u| u.applied_at + Duration::days(u.safe_interval_days))
        .max();
    match earliest {
        Some(e) if harvest_at < e => {
            let shown = farmgate_kernel::clock::format_shanghai(e);
            Err(err(
                "occurred_at",
                "inside_safe_interval",
                format!("仍在农药安全间隔期内，最早可于 {shown} 之后采收"),
                format!(
                    "still inside a pesticide's safe interval; the earliest harvest is after {shown} (Beijing time)"
                ),
            ))
        }
        _ => Ok(()),
    }
}

/// The validated data of an event, as it enters the chain. Keys are fixed per kind; text is
/// trimmed and bounded; numbers are integers.
pub fn parse_event_data(kind: EventKind, data: &Value) -> Result<Value, ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let obj = data.as_object().cloned().unwrap_or_default();
    let allowed: &[&str] = match kind {
        EventKind::Created => &[],
        EventKind::Planting => &["variety", "note"],
        EventKind::Input => &["category", "product", "dose", "safe_interval_days", "note"],
        EventKind::Harvest => &["quantity", "unit", "note"],
        EventKind::Inspection => &["lab", "method", "items", "result", "note"],
        EventKind::Packing => &["packages", "spec"],
        EventKind::Shipping => &["carrier", "tracking_no", "note"],
        EventKind::Receiving => &["receiver", "note"],
        EventKind::Note => &["text"],
        EventKind::Recall => &["reason"],
        EventKind::LabCheck => &[],
    };
    if kind == EventKind::Created {
        errs.push(err(
            "kind",
            "not_allowed",
            "建档记录由系统生成",
            "the created record is written by the system",
        ));
        return Err(errs);
    }
    if kind == EventKind::LabCheck {
        errs.push(err(
            "kind",
            "not_allowed",
            "第三方检测只能由经平台认证的检测机构记录",
            "a third-party test is recorded only by a verified testing body",
        ));
        return Err(errs);
    }
    for k in obj.keys() {
        if !allowed.contains(&k.as_str()) {
            errs.push(err(
                &format!("data.{k}"),
                "unknown_field",
                "不支持的字段",
                "this field is not part of the record",
            ));
        }
    }
    let mut out = Map::new();
    let text = |key: &str,
                min: usize,
                max: usize,
                errs: &mut ValidationErrors,
                out: &mut Map<String, Value>| {
        let raw = obj.get(key).and_then(Value::as_str).unwrap_or("");
        if let Some(v) = errs.check(&format!("data.{key}"), clean_text(raw, min, max, true)) {
            out.insert(key.to_owned(), json!(v));
        }
    };
    let optional_note = |errs: &mut ValidationErrors, out: &mut Map<String, Value>| {
        let raw = obj.get("note").and_then(Value::as_str);
        if let Some(Some(v)) = errs.check("data.note", clean_optional_text(raw, 500, true)) {
            out.insert("note".to_owned(), json!(v));
        }
    };
    let int = |key: &str,
               min: i64,
               max: i64,
               errs: &mut ValidationErrors,
               out: &mut Map<String, Value>| {
        match obj.get(key).and_then(Value::as_i64) {
            Some(n) if (min..=max).contains(&n) => {
                out.insert(key.to_owned(), json!(n));
            }
            _ => errs.push(err(
                &format!("data.{key}"),
                "out_of_range",
                format!("请填写 {min} 到 {max} 之间的整数"),
                format!("a whole number from {min} to {max}"),
            )),
        }
    };
    match kind {
        EventKind::Created | EventKind::LabCheck => {}
        EventKind::Planting => {
            text("variety", 1, 60, &mut errs, &mut out);
            optional_note(&mut errs, &mut out);
        }
        EventKind::Input => {
            let category = obj.get("category").and_then(Value::as_str).unwrap_or("");
            if !matches!(category, "fertiliser" | "pesticide") {
                errs.push(err(
                    "data.category",
                    "invalid",
                    "请选择肥料或农药",
                    "choose fertiliser or pesticide",
                ));
            } else {
                out.insert("category".to_owned(), json!(category));
            }
            text("product", 1, 60, &mut errs, &mut out);
            text("dose", 1, 60, &mut errs, &mut out);
            if category == "pesticide" || obj.contains_key("safe_interval_days") {
                int("safe_interval_days", 0, 365, &mut errs, &mut out);
            }
            optional_note(&mut errs, &mut out);
        }
        EventKind::Harvest => {
            int("quantity", 1, 100_000_000, &mut errs, &mut out);
            let unit = obj.get("unit").and_then(Value::as_str).unwrap_or("");
            if farmgate_catalog::domain::Unit::parse(unit).is_some() {
                out.insert("unit".to_owned(), json!(unit));
            } else {
                errs.push(err("data.unit", "invalid", "请选择单位", "choose a unit"));
            }
            optional_note(&mut errs, &mut out);
        }
        EventKind::Inspection => {
            text("lab", 2, 80, &mut errs, &mut out);
            text("method", 2, 120, &mut errs, &mut out);
            text("items", 1, 300, &mut errs, &mut out);
            match obj.get("result").and_then(Value::as_str) {
                Some(r @ ("pass" | "fail")) => {
                    out.insert("result".to_owned(), json!(r));
                }
                _ => errs.push(err(
                    "data.result",
                    "invalid",
                    "请选择检测结果：合格或不合格",
                    "choose pass or fail",
                )),
            }
            optional_note(&mut errs, &mut out);
        }
        EventKind::Packing => {
            int("packages", 1, 10_000_000, &mut errs, &mut out);
            text("spec", 1, 60, &mut errs, &mut out);
        }
        EventKind::Shipping => {
            text("carrier", 1, 40, &mut errs, &mut out);
            text("tracking_no", 4, 40, &mut errs, &mut out);
            optional_note(&mut errs, &mut out);
        }
        EventKind::Receiving => {
            text("receiver", 1, 60, &mut errs, &mut out);
            optional_note(&mut errs, &mut out);
        }
        EventKind::Note => text("text", 1, 1000, &mut errs, &mut out),
        EventKind::Recall => text("reason", 2, 200, &mut errs, &mut out),
    }
    errs.finish()?;
    Ok(Value::Object(out))
}

/// The pesticide applications among earlier events (kind, time, data).
pub fn pesticide_uses<'a>(
    events: impl Iterator<Item = (EventKind, DateTime<Utc>, &'a Value)>,
) -> Vec<PesticideUse> {
    events
        .filter(|(k, _, d)| *k == EventKind::Input && d["category"] == "pesticide")
        .map(|(_, at, d)| PesticideUse {
            applied_at: at,
            safe_interval_days: d["safe_interval_days"].as_i64().unwrap_or(0),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, d, h, 0, 0)
            .single()
            .unwrap_or_default()
    }

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap_or_default()
    }

    #[test]
    fn events_cannot_be_in_the_future_before_the_start_or_out_of_order() {
        let now = at(20, 12);
        assert!(check_time(at(20, 11), now, day(1), Some(at(19, 0))).is_ok());
        assert_eq!(
            check_time(at(21, 0), now, day(1), None).map_err(|e| e.code),
            Err("in_future")
        );
        assert!(
            check_time(now + Duration::minutes(3), now, day(1), None).is_ok(),
            "a phone clock a little fast is fine"
        );
        assert_eq!(
            check_time(at(1, 0) - Duration::days(3), now, day(1), None).map_err(|e| e.code),
            Err("before_start")
        );
        assert_eq!(
            check_time(at(18, 0), now, day(1), Some(at(19, 0))).map_err(|e| e.code),
            Err("out_of_order")
        );
    }

    #[test]
    fn the_start_day_is_a_shanghai_calendar_day() {
        // 08:00 Beijing time on the 10th is 00:00 UTC: still the 10th.
        assert!(check_time(at(10, 0), at(20, 0), day(10), None).is_ok());
        // 23:00 UTC on the 9th is 07:00 Beijing time on the 10th: also fine.
        assert!(check_time(at(9, 23), at(20, 0), day(10), None).is_ok());
        assert!(check_time(at(9, 15), at(20, 0), day(10), None).is_err());
    }

    #[test]
    fn a_harvest_inside_a_pesticide_safe_interval_is_refused_with_the_earliest_date() {
        let uses = [PesticideUse {
            applied_at: at(1, 0),
            safe_interval_days: 14,
        }];
        let e = check_safe_interval(at(10, 0), &uses);
        assert_eq!(e.as_ref().map_err(|e| e.code), Err("inside_safe_interval"));
        assert!(
            e.err()
                .is_some_and(|e| e.message.zh.contains("2026-11-15 08:00"))
        );
        assert!(
            check_safe_interval(at(15, 0), &uses).is_ok(),
            "exactly at the end of the interval"
        );
        let two = [
            uses[0],
            PesticideUse {
                applied_at: at(8, 0),
                safe_interval_days: 10,
            },
        ];
        assert!(
            check_safe_interval(at(16, 0), &two).is_err(),
            "the latest end counts"
        );
        assert!(check_safe_interval(at(2, 0), &[]).is_ok());
    }

    #[test]
    fn every_kind_keeps_its_wire_name_and_labels() {
        let names: Vec<&str> = EventKind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(
            names,
            [
                "created",
                "planting",
                "input",
                "harvest",
                "inspection",
                "packing",
                "shipping",
                "receiving",
                "note",
                "recall",
                "lab_check"
            ]
        );
        assert_eq!(EventKind::Input.label_zh(), "投入品使用");
        assert_eq!(EventKind::Created.label_en(), "Record created");
        assert_eq!(
            serde_json::to_value(EventKind::Inspection).ok(),
            Some(json!("inspection"))
        );
    }

    #[test]
    fn event_data_is_checked_per_kind() {
        let ok = parse_event_data(
            EventKind::Input,
            &json!({"category": "pesticide", "product": "阿维菌素", "dose": "1500倍液", "safe_interval_days": 14}),
        );
        assert!(ok.is_ok());
        let missing = parse_event_data(
            EventKind::Input,
            &json!({"category": "pesticide", "product": "阿维菌素", "dose": "1500倍液"}),
        );
        assert!(missing.err().is_some_and(|e| {
            e.errors()
                .iter()
                .any(|f| f.field == "data.safe_interval_days")
        }));
        let bad = parse_event_data(
            EventKind::Inspection,
            &json!({"lab": "县检测站", "method": "GB 23200", "items": "农残", "result": "maybe", "extra": 1}),
        );
        let fields: Vec<String> = bad
            .err()
            .map(|e| e.errors().iter().map(|f| f.field.clone()).collect())
            .unwrap_or_default();
        assert!(
            fields.contains(&"data.result".to_owned()) && fields.contains(&"data.extra".to_owned()),
            "{fields:?}"
        );
        assert!(
            parse_event_data(EventKind::Harvest, &json!({"quantity": 2.5, "unit": "jin"})).is_err(),
            "integers only"
        );
        assert!(
            parse_event_data(EventKind::Created, &json!({})).is_err(),
            "the created record is the system's"
        );
        assert!(
            parse_event_data(EventKind::LabCheck, &json!({"result": "pass"})).is_err(),
            "a third-party test is a testing body's, never the seller's"
        );
        assert_eq!(
            parse_event_data(EventKind::Note, &json!({"text": "  雨后补记  "})).ok(),
            Some(json!({"text": "雨后补记"}))
        );
    }

    #[test]
    fn pesticide_uses_are_found_among_inputs() {
        let d1 = json!({"category": "pesticide", "safe_interval_days": 7});
        let d2 = json!({"category": "fertiliser"});
        let uses = pesticide_uses(
            [
                (EventKind::Input, at(1, 0), &d1),
                (EventKind::Input, at(2, 0), &d2),
            ]
            .into_iter(),
        );
        assert_eq!(
            uses,
            vec![PesticideUse {
                applied_at: at(1, 0),
                safe_interval_days: 7
            }]
        );
    }
}
