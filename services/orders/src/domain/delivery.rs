//! Delivery windows and signed delivery notes (送货时段, 签收单, issue #22): the rules without
//! the database. A seller publishes weekly windows per area; each week's date of a window is a
//! dated window with a number of places; a business buyer's sub-order books one before it
//! ships. After shipping the driver photographs the goods and the receiver signs: a member of
//! the buyer logged in, or on the driver's phone with the buyer's 6-digit delivery code (five
//! wrong codes lock it). The signed note is the receipt.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};
use farmgate_kernel::clock::shanghai;
use farmgate_kernel::{FieldError, ValidationErrors, wire_enum};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How far ahead dated windows are offered and booked (days, today included).
pub const HORIZON_DAYS: i64 = 14;
/// Places per dated window.
pub const MAX_CAPACITY: i32 = 500;
/// Cut-off before a window starts, at most a week.
pub const MAX_CUTOFF_HOURS: i32 = 168;
/// Windows one seller keeps at most.
pub const MAX_WINDOWS: u64 = 200;
/// Wrong delivery codes before the code locks.
pub const MAX_CODE_FAILURES: i32 = 5;
/// Lines a signed note may list.
pub const MAX_NOTE_LINES: usize = 50;

wire_enum!(
    /// A delivery note's state: the driver opened it (the photo), then it is signed, once.
    NoteStatus {
        Open => "open",
        Signed => "signed",
    }
);

wire_enum!(
    /// How the receiver signed.
    SignedVia {
        /// A member of the buyer organisation (or the order's buyer), logged in.
        Member => "member",
        /// On the driver's phone, with the buyer's delivery code.
        Code => "code",
    }
);

/// A weekly window as a seller publishes it (and changes it: the whole of it again).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WindowInput {
    /// The area: a 6-digit GB/T 2260 code; a city (`360700`) or province (`360000`) code
    /// covers its districts.
    pub region_code: String,
    /// ISO weekday: 1 Monday … 7 Sunday.
    pub weekday: i64,
    /// Start and end, `HH:MM` Asia/Shanghai; the end after the start, the same day.
    pub start: String,
    pub end: String,
    /// Places per dated window, 1–500.
    pub capacity: i64,
    /// Booking closes this many hours before the start (0–168).
    pub cutoff_hours: i64,
}

/// A window once checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Window {
    pub region_code: String,
    pub weekday: i32,
    pub start_minute: i32,
    pub end_minute: i32,
    pub capacity: i32,
    pub cutoff_hours: i32,
}

fn field(name: &str, code: &'static str, zh: &str, en: &str) -> FieldError {
    FieldError::new(name, code, zh, en)
}

/// `HH:MM` as minutes after midnight.
pub fn parse_minute(s: &str) -> Option<i32> {
    let t = NaiveTime::parse_from_str(s.trim(), "%H:%M").ok()?;
    i32::try_from(t.signed_duration_since(NaiveTime::MIN).num_minutes()).ok()
}

/// Minutes after midnight as `HH:MM`.
pub fn format_minute(m: i32) -> String {
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// A region code as windows use it: six digits, not all zero.
pub fn valid_region(code: &str) -> bool {
    code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) && !code.starts_with("00")
}

/// Whether a window for `area` serves an address in `region`: the same district, or `area`
/// is its city (`xxxx00`) or province (`xx0000`).
pub fn covers(area: &str, region: &str) -> bool {
    if !valid_region(area) || !valid_region(region) {
        return false;
    }
    if area.ends_with("0000") {
        area[..2] == region[..2]
    } else if area.ends_with("00") {
        area[..4] == region[..4]
    } else {
        area == region
    }
}

impl Window {
    /// Checks every field at once.
    pub fn parse(i: &WindowInput) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let region = i.region_code.trim().to_owned();
        if !valid_region(&region) {
            errs.push(field(
                "region_code",
                "invalid",
                "地区应为 6 位行政区划代码",
                "the area is a 6-digit administrative division code",
            ));
        }
        if !(1..=7).contains(&i.weekday) {
            errs.push(field(
                "weekday",
                "out_of_range",
                "星期应为 1（周一）到 7（周日）",
                "the weekday is 1 (Monday) to 7 (Sunday)",
            ));
        }
        let start = parse_minute(&i.start);
        let end = parse_minute(&i.end);
        if start.is_none() {
            errs.push(field(
                "start",
                "invalid",
                "时间格式应为 HH:MM",
                "a time is HH:MM",
            ));
        }
        if end.is_none() {
            errs.push(field(
                "end",
                "invalid",
                "时间格式应为 HH:MM",
                "a time is HH:MM",
            ));
        }
        if let (Some(s), Some(e)) = (start, end)
            && e <= s
        {
            errs.push(field(
                "end",
                "before_start",
                "结束时间应晚于开始时间",
                "the end is after the start",
            ));
        }
        if !(1..=i64::from(MAX_CAPACITY)).contains(&i.capacity) {
            errs.push(FieldError::new(
                "capacity",
                "out_of_range",
                format!("每个时段可约 1–{MAX_CAPACITY} 单"),
                format!("a window takes 1–{MAX_CAPACITY} deliveries"),
            ));
        }
        if !(0..=i64::from(MAX_CUTOFF_HOURS)).contains(&i.cutoff_hours) {
            errs.push(FieldError::new(
                "cutoff_hours",
                "out_of_range",
                format!("截止时间为开始前 0–{MAX_CUTOFF_HOURS} 小时"),
                format!("booking closes 0–{MAX_CUTOFF_HOURS} hours before the start"),
            ));
        }
        errs.finish()?;
        let n = |v: i64| i32::try_from(v).unwrap_or(0);
        Ok(Self {
            region_code: region,
            weekday: n(i.weekday),
            start_minute: start.unwrap_or(0),
            end_minute: end.unwrap_or(0),
            capacity: n(i.capacity),
            cutoff_hours: n(i.cutoff_hours),
        })
    }
}

/// A window's times on one Shanghai date, in UTC: start, end and the booking cut-off.
pub fn dated(
    day: NaiveDate,
    start_minute: i32,
    end_minute: i32,
    cutoff_hours: i32,
) -> (DateTime<Utc>, DateTime<Utc>, DateTime<Utc>) {
    let local = |m: i32| day.and_time(NaiveTime::MIN) + Duration::minutes(i64::from(m));
    let utc = |m: i32| (local(m) - Duration::hours(8)).and_utc();
    let start = utc(start_minute);
    (
        start,
        utc(end_minute),
        start - Duration::hours(i64::from(cutoff_hours)),
    )
}

/// The Shanghai dates of the next [`HORIZON_DAYS`] days falling on `weekday`.
pub fn dates_of(weekday: i32, now: DateTime<Utc>) -> Vec<NaiveDate> {
    let today = now.with_timezone(&shanghai()).date_naive();
    (0..HORIZON_DAYS)
        .map(|d| today + Duration::days(d))
        .filter(|d| i64::from(d.weekday().number_from_monday()) == i64::from(weekday))
        .collect()
}

/// Why a date cannot be booked in a window (the `date` field's error), if it cannot.
pub fn check_date(
    day: NaiveDate,
    weekday: i32,
    start_minute: i32,
    cutoff_hours: i32,
    now: DateTime<Utc>,
) -> Result<(), FieldError> {
    if !dates_of(weekday, now).contains(&day) {
        return Err(FieldError::new(
            "date",
            "out_of_range",
            format!("请选择今后 {HORIZON_DAYS} 天内该时段所在的日期"),
            format!("choose a date of this window within the next {HORIZON_DAYS} days"),
        ));
    }
    let (_, _, cutoff) = dated(day, start_minute, start_minute, cutoff_hours);
    if now >= cutoff {
        return Err(field(
            "date",
            "closed",
            "该时段已截止预约",
            "booking for this window has closed",
        ));
    }
    Ok(())
}

/// Whether `given` is the delivery code (compared without stopping at the first difference).
pub fn code_matches(code: &str, given: &str) -> bool {
    let given = given.trim();
    code.len() == given.len()
        && code
            .bytes()
            .zip(given.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0
}

/// A new 6-digit delivery code.
pub fn new_code() -> String {
    use rand::Rng;
    format!("{:06}", rand::rng().random_range(0..1_000_000u32))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> WindowInput {
        WindowInput {
            region_code: "360700".into(),
            weekday: 2,
            start: "08:00".into(),
            end: "10:30".into(),
            capacity: 3,
            cutoff_hours: 12,
        }
    }

    #[test]
    fn a_window_is_parsed_into_minutes() {
        let Ok(w) = Window::parse(&input()) else {
            panic!("a valid window")
        };
        assert_eq!((w.start_minute, w.end_minute), (480, 630));
        assert_eq!(format_minute(w.end_minute), "10:30");
    }

    #[test]
    fn every_bad_field_is_named_at_once() {
        let bad = WindowInput {
            region_code: "36070".into(),
            weekday: 8,
            start: "10:00".into(),
            end: "09:00".into(),
            capacity: 0,
            cutoff_hours: 169,
        };
        let Err(errs) = Window::parse(&bad) else {
            panic!("an invalid window")
        };
        let codes = errs.codes_by_field();
        for f in ["region_code", "weekday", "end", "capacity", "cutoff_hours"] {
            assert!(codes.contains_key(f), "{f}: {codes:?}");
        }
    }

    #[test]
    fn a_city_covers_its_districts_and_a_district_only_itself() {
        assert!(covers("360700", "360702"));
        assert!(covers("360000", "360702"));
        assert!(covers("360702", "360702"));
        assert!(!covers("360702", "360703"));
        assert!(!covers("360700", "360802"));
        assert!(!covers("36070x", "360702"));
    }

    #[test]
    fn dates_are_the_weekdays_of_the_next_two_weeks_and_close_at_the_cutoff() {
        // Monday 2026-12-07 12:00 Shanghai.
        let now = DateTime::parse_from_rfc3339("2026-12-07T04:00:00Z")
            .map_or(DateTime::<Utc>::MIN_UTC, |t| t.with_timezone(&Utc));
        let days = dates_of(2, now);
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or(NaiveDate::MIN);
        assert_eq!(days, [d("2026-12-08"), d("2026-12-15")]);
        // Tuesday 08:00, 12 hours before: Monday 20:00 Shanghai, still open at noon.
        assert!(check_date(d("2026-12-08"), 2, 480, 12, now).is_ok());
        // 24 hours before: Monday 08:00, closed.
        assert_eq!(
            check_date(d("2026-12-08"), 2, 480, 24, now).map_err(|e| e.code),
            Err("closed")
        );
        assert_eq!(
            check_date(d("2026-12-09"), 2, 480, 0, now).map_err(|e| e.code),
            Err("out_of_range")
        );
        let (start, end, _) = dated(d("2026-12-08"), 480, 630, 0);
        assert_eq!(start.to_rfc3339(), "2026-12-08T00:00:00+00:00");
        assert_eq!(end.to_rfc3339(), "2026-12-08T02:30:00+00:00");
    }

    #[test]
    fn codes_are_six_digits_and_compared_whole() {
        let c = new_code();
        assert!(c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit()));
        assert!(code_matches("012345", " 012345 "));
        assert!(!code_matches("012345", "01234"));
        assert!(!code_matches("012345", "012346"));
    }
}
