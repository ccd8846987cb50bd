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

use chrono::NaiveDate;
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

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests")]
mod tests {
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
