//! Payouts: the state machine of one payout, batch numbers, the period a batch pays, and the
//! amount as the bank reads it (yuan with two decimals, exact from fen).
//!
//! ```text
//!   created ──▶ pending ──paid (bank reference)──▶ paid      (the same reference again: no-op)
//!                  │
//!                  └──failed (reason)──▶ failed   (its sub-orders are payable again)
//! ```

use chrono::{DateTime, Duration, NaiveDate, Utc};
use farmgate_kernel::text::clean_text;
use farmgate_kernel::{FieldError, labelled_enum};

labelled_enum!(
    /// Where a payout stands.
    PayoutStatus {
        Pending => "pending", "待付款", "pending";
        Paid => "paid", "已付款", "paid";
        Failed => "failed", "付款失败", "failed";
    }
);

impl PayoutStatus {
    /// Whether the payout holds its sub-orders (they are in no other payout).
    pub fn is_active(self) -> bool {
        matches!(self, Self::Pending | Self::Paid)
    }
}

/// What finance says happened at the bank.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Paid { reference: String },
    Failed { reason: String },
}

/// What a move does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Settle {
    /// Write the new status.
    Apply(PayoutStatus),
    /// Said already, the same way: answer with the payout as it is.
    AlreadyDone,
}

/// Why a move is refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IllegalSettle {
    /// Paid with another reference: the first one stands.
    #[error("paid already with another reference")]
    PaidWithAnotherReference,
    /// Paid: it cannot fail any more.
    #[error("paid already")]
    AlreadyPaid,
    /// Failed: its sub-orders went back to payable; a new batch pays them.
    #[error("failed already")]
    AlreadyFailed,
}

/// The one function that says which moves a payout may make.
pub fn settle(
    status: PayoutStatus,
    reference: Option<&str>,
    failure: Option<&str>,
    outcome: &Outcome,
) -> Result<Settle, IllegalSettle> {
    match (status, outcome) {
        (PayoutStatus::Pending, Outcome::Paid { .. }) => Ok(Settle::Apply(PayoutStatus::Paid)),
        (PayoutStatus::Pending, Outcome::Failed { .. }) => Ok(Settle::Apply(PayoutStatus::Failed)),
        (PayoutStatus::Paid, Outcome::Paid { reference: r }) if reference == Some(r.as_str()) => {
            Ok(Settle::AlreadyDone)
        }
        (PayoutStatus::Paid, Outcome::Paid { .. }) => Err(IllegalSettle::PaidWithAnotherReference),
        (PayoutStatus::Paid, Outcome::Failed { .. }) => Err(IllegalSettle::AlreadyPaid),
        (PayoutStatus::Failed, Outcome::Failed { reason }) if failure == Some(reason.as_str()) => {
            Ok(Settle::AlreadyDone)
        }
        (PayoutStatus::Failed, _) => Err(IllegalSettle::AlreadyFailed),
    }
}

/// A bank reference (流水号 / 交易参考号) as typed: 1–64 visible characters, no spaces inside.
pub fn parse_reference(s: &str) -> Result<String, FieldError> {
    let r = clean_text(s, 1, 64, false).map_err(|e| e.at("reference"))?;
    if r.chars().any(char::is_whitespace) {
        return Err(FieldError::new(
            "reference",
            "invalid_reference",
            "银行流水号不能包含空格",
            "a bank reference has no spaces",
        ));
    }
    Ok(r)
}

/// Why a payout failed (or an account was rejected): 2–200 characters.
pub fn parse_reason(s: &str) -> Result<String, FieldError> {
    clean_text(s, 2, 200, false).map_err(|e| e.at("reason"))
}

/// The instant a batch for `period_end` (a Shanghai date) pays up to: the end of that day,
/// and never later than `now` (a window that closes later today is not closed yet).
/// A period that ends after today is refused.
pub fn cutoff(period_end: NaiveDate, now: DateTime<Utc>) -> Result<DateTime<Utc>, FieldError> {
    let shanghai = farmgate_kernel::clock::shanghai();
    let today = now.with_timezone(&shanghai).date_naive();
    if period_end > today {
        return Err(FieldError::new(
            "period_end",
            "in_future",
            "结算截止日期不能晚于今天",
            "the period cannot end after today",
        ));
    }
    let end = period_end
        .succ_opt()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .and_then(|t| t.and_local_timezone(shanghai).single())
        .map(|t| t.with_timezone(&Utc) - Duration::microseconds(1))
        .ok_or_else(|| {
            FieldError::new(
                "period_end",
                "out_of_range",
                "日期超出范围",
                "the date is out of range",
            )
        })?;
    Ok(end.min(now))
}

/// A batch's number: `PB` + the Shanghai date it was made + a three-digit sequence of the day.
pub fn batch_number(at: DateTime<Utc>, seq_of_day: u32) -> String {
    let day = at.with_timezone(&farmgate_kernel::clock::shanghai());
    format!("PB{}-{:03}", day.format("%Y%m%d"), seq_of_day)
}

/// 用途 on the bank transfer: what the money is for, with the batch number.
pub fn purpose(batch_number: &str) -> String {
    format!("农源直供货款结算 {batch_number}")
}

/// The 用途 of one payout: [`purpose`], and when its adjustments take refunds back, how much
/// in all (`扣回退款12.34`), so the seller reading the bank statement sees why the amount is
/// less than its sub-orders; when they give more back than they take (a reversal after a
/// failed payout), that (`退还多扣12.34`). At most 40 characters, within what banks' batch
/// templates accept; beyond that (an absurd amount) the plain purpose.
pub fn payout_purpose(batch_number: &str, adjusted_fen: i64) -> String {
    let plain = purpose(batch_number);
    let with = match adjusted_fen {
        0 => return plain,
        f if f < 0 => format!("{plain} 扣回退款{}", yuan(f.saturating_neg())),
        f => format!("{plain} 退还多扣{}", yuan(f)),
    };
    if with.chars().count() <= PURPOSE_MAX_CHARS {
        with
    } else {
        plain
    }
}

/// The longest 用途 we write.
pub const PURPOSE_MAX_CHARS: usize = 40;

/// Fen as the bank reads it: yuan with two decimals (`12345` → `123.45`), in integers only.
pub fn yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let abs = fen.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn paid(r: &str) -> Outcome {
        Outcome::Paid {
            reference: r.into(),
        }
    }

    fn failed(r: &str) -> Outcome {
        Outcome::Failed { reason: r.into() }
    }

    #[test]
    fn a_pending_payout_is_paid_or_fails() {
        use PayoutStatus::*;
        assert_eq!(
            settle(Pending, None, None, &paid("R1")),
            Ok(Settle::Apply(Paid))
        );
        assert_eq!(
            settle(Pending, None, None, &failed("户名不符")),
            Ok(Settle::Apply(Failed))
        );
    }

    #[test]
    fn the_same_reference_again_changes_nothing_and_another_is_refused() {
        use PayoutStatus::*;
        assert_eq!(
            settle(Paid, Some("R1"), None, &paid("R1")),
            Ok(Settle::AlreadyDone)
        );
        assert_eq!(
            settle(Paid, Some("R1"), None, &paid("R2")),
            Err(IllegalSettle::PaidWithAnotherReference)
        );
        assert_eq!(
            settle(Paid, Some("R1"), None, &failed("退票")),
            Err(IllegalSettle::AlreadyPaid)
        );
    }

    #[test]
    fn a_failed_payout_stays_failed() {
        use PayoutStatus::*;
        assert_eq!(
            settle(Failed, None, Some("退票"), &failed("退票")),
            Ok(Settle::AlreadyDone)
        );
        assert_eq!(
            settle(Failed, None, Some("退票"), &paid("R1")),
            Err(IllegalSettle::AlreadyFailed)
        );
        assert_eq!(
            settle(Failed, None, Some("退票"), &failed("别的")),
            Err(IllegalSettle::AlreadyFailed)
        );
        assert!(!Failed.is_active());
        assert!(Pending.is_active() && Paid.is_active());
    }

    #[test]
    fn yuan_is_exact_from_fen() {
        assert_eq!(yuan(0), "0.00");
        assert_eq!(yuan(5), "0.05");
        assert_eq!(yuan(123_456), "1234.56");
        assert_eq!(yuan(9_007_199_254_740_993), "90071992547409.93");
        assert_eq!(yuan(-1), "-0.01");
    }

    #[test]
    fn a_period_pays_to_the_end_of_its_shanghai_day_but_never_past_now() {
        let now = utc("2026-12-06T10:00:00Z"); // 18:00 in Shanghai
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(
            cutoff(d("2026-12-05"), now).unwrap(),
            utc("2026-12-05T15:59:59.999999Z")
        );
        assert_eq!(cutoff(d("2026-12-06"), now).unwrap(), now);
        assert_eq!(cutoff(d("2026-12-07"), now).unwrap_err().code, "in_future");
    }

    #[test]
    fn batch_numbers_and_purposes_read_as_the_bank_shows_them() {
        let at = utc("2026-12-06T17:00:00Z"); // already the 7th in Shanghai
        assert_eq!(batch_number(at, 2), "PB20261207-002");
        assert_eq!(purpose("PB20261207-002"), "农源直供货款结算 PB20261207-002");
        assert_eq!(
            payout_purpose("PB20261207-002", 0),
            "农源直供货款结算 PB20261207-002"
        );
        assert_eq!(
            payout_purpose("PB20261207-002", -1234),
            "农源直供货款结算 PB20261207-002 扣回退款12.34"
        );
        assert_eq!(
            payout_purpose("PB20261207-002", 1234),
            "农源直供货款结算 PB20261207-002 退还多扣12.34"
        );
        assert_eq!(
            payout_purpose("PB20261207-002", i64::MIN),
            "农源直供货款结算 PB20261207-002",
            "too long for the bank: the plain purpose"
        );
    }

    #[test]
    fn references_and_reasons_are_bounded() {
        assert_eq!(parse_reference(" ABC123 ").unwrap(), "ABC123");
        assert!(parse_reference("").is_err());
        assert!(parse_reference("A B").is_err());
        assert!(parse_reference(&"R".repeat(65)).is_err());
        assert!(parse_reason("x").is_err());
        assert_eq!(parse_reason("账户冻结").unwrap(), "账户冻结");
    }
}
