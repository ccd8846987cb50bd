//! Credit terms (账期, issue #22): the rules of a business buyer's credit line and its
//! monthly statements. No database, no HTTP.
//!
//! A line has a limit (fen) and terms (days). What the buyer owes (`outstanding`) rises with
//! each order paid on credit and falls with each refund of such an order and each payment
//! against a statement; an order on credit passes only when `outstanding + total <= limit`
//! (checked by the database in one conditional update, never read-then-write). Statements
//! bill a Shanghai calendar month and fall due `terms` days after its last day:
//!
//! ```text
//!   open ──paid in full──▶ paid
//!     └──due date passed──▶ overdue ──paid in full──▶ paid
//! ```
//! An overdue statement stops new orders on credit until it is paid.

use chrono::{Datelike, Duration, NaiveDate};
use farmgate_kernel::FieldError;

farmgate_kernel::wire_enum!(
    /// Whether a credit line takes new orders.
    CreditStatus {
        Active => "active",
        /// Granted, but new orders on credit are refused; what is owed stays owed.
        Suspended => "suspended",
    }
);

farmgate_kernel::wire_enum!(
    /// What a ledger entry of a credit line records.
    EntryKind {
        /// An order paid on credit: owed more.
        Charge => "charge",
        /// A refund of an order paid on credit: owed less (no money goes back).
        Refund => "refund",
        /// A payment against a statement: owed less.
        Payment => "payment",
        /// Credit left over on a statement (refunds and credit brought above its charges),
        /// carried to the next statement: a line that brings this one to zero.
        CreditCarried => "credit_carried",
        /// Credit brought from an earlier statement: taken off the next one billed.
        CreditBrought => "credit_brought",
    }
);

/// What a month bills, from its charges, its refunds and any credit brought from an earlier
/// statement (all fen, each ≥ 0): the statement's total, never below zero, and the credit it
/// carries to the next statement when refunds and credit brought exceed its charges (a
/// refund after its statement was paid is a credit note, not a negative statement).
pub fn bill(charges: i64, refunds: i64, brought: i64) -> Billed {
    let net = charges - refunds - brought;
    Billed {
        total: net.max(0),
        carried: (-net).max(0),
    }
}

/// See [`bill`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Billed {
    pub total: i64,
    pub carried: i64,
}

farmgate_kernel::wire_enum!(
    /// Where a statement stands today.
    StatementStatus {
        Open => "open",
        Paid => "paid",
        Overdue => "overdue",
    }
);

/// The largest limit a line may have: ¥10,000,000.
pub const MAX_LIMIT_FEN: i64 = 1_000_000_000;
/// The longest terms: 180 days.
pub const MAX_TERMS_DAYS: i32 = 180;

/// A limit in fen, from 0 (nothing on credit) to [`MAX_LIMIT_FEN`].
pub fn check_limit(fen: i64) -> Result<i64, FieldError> {
    if (0..=MAX_LIMIT_FEN).contains(&fen) {
        Ok(fen)
    } else {
        Err(FieldError::new(
            "limit_fen",
            "out_of_range",
            "授信额度应在 ¥0 到 ¥10,000,000 之间",
            "a credit limit is from ¥0 to ¥10,000,000",
        ))
    }
}

/// Terms in days, from 1 to [`MAX_TERMS_DAYS`].
pub fn check_terms(days: i32) -> Result<i32, FieldError> {
    if (1..=MAX_TERMS_DAYS).contains(&days) {
        Ok(days)
    } else {
        Err(FieldError::new(
            "terms_days",
            "out_of_range",
            "账期应在 1 到 180 天之间",
            "terms are from 1 to 180 days",
        ))
    }
}

/// A Shanghai calendar month.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Month {
    first: NaiveDate,
}

impl Month {
    /// The month a date falls in.
    pub fn of(d: NaiveDate) -> Self {
        Self {
            first: d.with_day(1).unwrap_or(d),
        }
    }

    /// The month before.
    pub fn previous(self) -> Self {
        Self::of(self.first - Duration::days(1))
    }

    pub fn first_day(self) -> NaiveDate {
        self.first
    }

    /// The first day of the next month.
    pub fn next_first_day(self) -> NaiveDate {
        let (y, m) = if self.first.month() == 12 {
            (self.first.year() + 1, 1)
        } else {
            (self.first.year(), self.first.month() + 1)
        };
        NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(self.first + Duration::days(31))
    }

    pub fn last_day(self) -> NaiveDate {
        self.next_first_day() - Duration::days(1)
    }

    /// `2026-12`.
    pub fn key(self) -> String {
        self.first.format("%Y-%m").to_string()
    }

    /// The day its statement falls due: `terms` days after its last day.
    pub fn due_date(self, terms_days: i32) -> NaiveDate {
        self.last_day() + Duration::days(i64::from(terms_days))
    }
}

/// Where a statement of `total` with `paid` stands on `today` (Shanghai): overdue once its
/// due date has passed unpaid.
pub fn statement_status(
    total: i64,
    paid: i64,
    due: NaiveDate,
    today: NaiveDate,
) -> StatementStatus {
    if paid >= total {
        StatementStatus::Paid
    } else if today > due {
        StatementStatus::Overdue
    } else {
        StatementStatus::Open
    }
}

/// What may still be ordered on credit: the limit less what is owed (never negative).
pub fn available(limit: i64, outstanding: i64) -> i64 {
    (limit - outstanding).max(0)
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_month_bills_what_is_left_and_carries_a_credit_never_a_negative_total() {
        let b = |total, carried| Billed { total, carried };
        assert_eq!(bill(10_000, 0, 0), b(10_000, 0));
        assert_eq!(bill(10_000, 3_000, 0), b(7_000, 0));
        assert_eq!(bill(10_000, 3_000, 7_000), b(0, 0));
        assert_eq!(bill(0, 3_000, 0), b(0, 3_000));
        assert_eq!(bill(2_000, 3_000, 500), b(0, 1_500));
        assert_eq!(bill(5_000, 0, 1_500), b(3_500, 0));
    }

    #[test]
    fn a_month_runs_from_its_first_to_its_last_day_and_falls_due_terms_days_later() {
        let m = Month::of(d(2026, 12, 7));
        assert_eq!(
            (m.first_day(), m.last_day()),
            (d(2026, 12, 1), d(2026, 12, 31))
        );
        assert_eq!(m.key(), "2026-12");
        assert_eq!(m.next_first_day(), d(2027, 1, 1));
        assert_eq!(m.due_date(30), d(2027, 1, 30));
        let feb = Month::of(d(2028, 2, 29));
        assert_eq!(feb.last_day(), d(2028, 2, 29));
        assert_eq!(Month::of(d(2027, 1, 1)).previous(), m);
    }

    #[test]
    fn a_statement_is_overdue_only_after_its_due_date_and_paid_once_paid_in_full() {
        let due = d(2027, 1, 30);
        assert_eq!(statement_status(100, 0, due, due), StatementStatus::Open);
        assert_eq!(
            statement_status(100, 99, due, d(2027, 1, 31)),
            StatementStatus::Overdue
        );
        assert_eq!(
            statement_status(100, 100, due, d(2027, 3, 1)),
            StatementStatus::Paid
        );
        assert_eq!(
            statement_status(0, 0, due, d(2027, 3, 1)),
            StatementStatus::Paid
        );
    }

    #[test]
    fn limits_and_terms_outside_their_ranges_are_refused() {
        assert!(check_limit(-1).is_err());
        assert!(check_limit(MAX_LIMIT_FEN + 1).is_err());
        assert_eq!(check_limit(0).unwrap(), 0);
        assert!(check_terms(0).is_err());
        assert!(check_terms(181).is_err());
        assert_eq!(check_terms(30).unwrap(), 30);
        assert_eq!(available(100, 130), 0);
    }
}
