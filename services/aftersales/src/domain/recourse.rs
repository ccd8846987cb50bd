//! The carrier recourse as a receivable: opened for the carrier's part of a claim's refund,
//! collected in one or more parts (each with the day the money arrived and the carrier's
//! reference), or what is still outstanding written off with a reason.
//!
//! ```text
//!            collect (part)          collect (the rest)
//!   open ────────────────► open ───────────────────────► collected
//!     │                     │
//!     └── write off ────────┴── write off (what is outstanding) ──► written_off
//! ```
//! `outstanding = amount − collected − written off`, never below zero; collected and
//! written-off recourses take no further step.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use farmgate_kernel::{FieldError, Money};

use super::RecourseStatus;

/// What the carrier still owes.
pub fn outstanding(amount: i64, collected: i64, written_off: i64) -> i64 {
    (amount - collected - written_off).max(0)
}

/// A collection of `amount` fen on `on` from a recourse with `outstanding` left, opened on
/// `opened` (Shanghai dates), today being `today`: 1 fen to what is outstanding, a day from
/// the opening to today.
pub fn check_collection(
    amount: i64,
    outstanding: i64,
    on: NaiveDate,
    opened: NaiveDate,
    today: NaiveDate,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if amount < 1 || amount > outstanding {
        errs.push(FieldError::new(
            "amount",
            "out_of_range",
            format!(
                "收回金额应在 ¥0.01 到 ¥{} 之间",
                Money::from_fen(outstanding)
            ),
            format!(
                "a collection is from ¥0.01 to ¥{} (what is outstanding)",
                Money::from_fen(outstanding)
            ),
        ));
    }
    if on > today || on < opened {
        errs.push(FieldError::new(
            "collected_on",
            "out_of_range",
            "收款日期应在追偿开立之日到今天之间",
            "the day is between the recourse's opening and today",
        ));
    }
    errs
}

/// The status after a collection leaves `outstanding` fen.
pub fn after_collection(outstanding: i64) -> RecourseStatus {
    if outstanding == 0 {
        RecourseStatus::Collected
    } else {
        RecourseStatus::Open
    }
}

/// The longest period the recourse totals and list take, in days.
pub const MAX_PERIOD_DAYS: i64 = 366;

/// Recourses opened from one Asia/Shanghai day to another (inclusive): the totals and the list
/// by period. Built only by [`RecoursePeriod::parse`], so a reversed or too long one cannot be
/// asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RecoursePeriod {
    from: NaiveDate,
    to: NaiveDate,
}

/// Why a period was refused: `(field, code, zh, en)`.
pub type PeriodProblem = (&'static str, &'static str, String, String);

impl RecoursePeriod {
    /// No dates: every recourse. Both: that period. One without the other, the end before the
    /// start, or more than [`MAX_PERIOD_DAYS`]: refused.
    pub fn parse(
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<Option<Self>, PeriodProblem> {
        match (from, to) {
            (None, None) => Ok(None),
            (Some(_), None) => Err((
                "to",
                "required",
                "请同时填写截止日期".to_owned(),
                "give the end date too".to_owned(),
            )),
            (None, Some(_)) => Err((
                "from",
                "required",
                "请同时填写起始日期".to_owned(),
                "give the start date too".to_owned(),
            )),
            (Some(from), Some(to)) if to < from => Err((
                "to",
                "before_from",
                "截止日期不能早于起始日期".to_owned(),
                "the end date is before the start date".to_owned(),
            )),
            (Some(from), Some(to)) if (to - from).num_days() >= MAX_PERIOD_DAYS => Err((
                "to",
                "too_long",
                format!("一次最多查询 {MAX_PERIOD_DAYS} 天"),
                format!("at most {MAX_PERIOD_DAYS} days at a time"),
            )),
            (Some(from), Some(to)) => Ok(Some(Self { from, to })),
        }
    }

    pub fn from(&self) -> NaiveDate {
        self.from
    }

    pub fn to(&self) -> NaiveDate {
        self.to
    }

    /// The instants it spans: from the start of `from` to the start of the day after `to`,
    /// Beijing time.
    pub fn bounds(&self) -> (DateTime<Utc>, DateTime<Utc>) {
        let start = |d: NaiveDate| {
            let utc = d.and_time(NaiveTime::MIN) - chrono::Duration::hours(8);
            DateTime::<Utc>::from_naive_utc_and_offset(utc, Utc)
        };
        (start(self.from), start(self.to) + chrono::Duration::days(1))
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests")]
mod tests {

    #[test]
    fn a_recourse_period_is_both_days_in_order_and_at_most_a_year() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        assert_eq!(RecoursePeriod::parse(None, None), Ok(None));
        assert_eq!(
            RecoursePeriod::parse(d("2026-12-01"), None).unwrap_err().1,
            "required"
        );
        assert_eq!(
            RecoursePeriod::parse(None, d("2026-12-01")).unwrap_err().0,
            "from"
        );
        assert_eq!(
            RecoursePeriod::parse(d("2026-12-02"), d("2026-12-01"))
                .unwrap_err()
                .1,
            "before_from"
        );
        assert_eq!(
            RecoursePeriod::parse(d("2025-11-30"), d("2026-12-01"))
                .unwrap_err()
                .1,
            "too_long"
        );
        let year = RecoursePeriod::parse(d("2025-12-02"), d("2026-12-02"))
            .unwrap()
            .unwrap();
        assert_eq!(
            (year.from(), year.to()),
            (d("2025-12-02").unwrap(), d("2026-12-02").unwrap())
        );
        let one = RecoursePeriod::parse(d("2026-12-06"), d("2026-12-06"))
            .unwrap()
            .unwrap();
        let (a, b) = one.bounds();
        assert_eq!(
            a.to_rfc3339(),
            "2026-12-05T16:00:00+00:00",
            "midnight in Beijing"
        );
        assert_eq!(b.to_rfc3339(), "2026-12-06T16:00:00+00:00");
    }
    use super::*;

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 12, day).unwrap()
    }

    #[test]
    fn a_collection_is_at_most_what_is_outstanding_on_a_day_since_the_opening() {
        assert!(check_collection(500, 500, d(3), d(1), d(5)).is_empty());
        assert!(check_collection(1, 500, d(1), d(1), d(5)).is_empty());
        let codes = |e: Vec<FieldError>| e.iter().map(|e| e.field.clone()).collect::<Vec<_>>();
        assert_eq!(
            codes(check_collection(501, 500, d(3), d(1), d(5))),
            ["amount"]
        );
        assert_eq!(
            codes(check_collection(0, 500, d(3), d(1), d(5))),
            ["amount"]
        );
        assert_eq!(
            codes(check_collection(-1, 500, d(3), d(1), d(5))),
            ["amount"]
        );
        assert_eq!(
            codes(check_collection(1, 500, d(6), d(1), d(5))),
            ["collected_on"]
        );
        assert_eq!(
            codes(check_collection(0, 0, d(1), d(2), d(5))),
            ["amount", "collected_on"]
        );
    }

    #[test]
    fn the_last_fen_collected_closes_the_recourse() {
        assert_eq!(outstanding(1000, 400, 0), 600);
        assert_eq!(outstanding(1000, 400, 600), 0);
        assert_eq!(after_collection(600), RecourseStatus::Open);
        assert_eq!(after_collection(0), RecourseStatus::Collected);
    }
}
