//! Money is CNY held as integer fen (分). There are no floats anywhere near it.

use serde::{Deserialize, Serialize};
use std::fmt;

/// An amount of CNY in fen. May be negative (refunds, adjustments) — callers that need a price
/// use [`Money::price`], which refuses negatives.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Money(i64);

impl Money {
    pub const ZERO: Money = Money(0);

    pub const fn from_fen(fen: i64) -> Self {
        Self(fen)
    }

    pub const fn fen(self) -> i64 {
        self.0
    }

    /// A price a buyer can be charged: at least zero and at most ¥10,000,000.
    pub fn price(fen: i64) -> Result<Self, crate::FieldError> {
        const MAX: i64 = 1_000_000_000;
        if !(0..=MAX).contains(&fen) {
            return Err(crate::FieldError::new(
                "price",
                "out_of_range",
                "价格必须在 0 到 1000 万元之间（单位：分）",
                "price must be between 0 and 10,000,000 yuan (in fen)",
            ));
        }
        Ok(Self(fen))
    }

    pub fn checked_add(self, other: Money) -> Option<Money> {
        self.0.checked_add(other.0).map(Money)
    }

    pub fn checked_sub(self, other: Money) -> Option<Money> {
        self.0.checked_sub(other.0).map(Money)
    }

    pub fn checked_mul(self, n: i64) -> Option<Money> {
        self.0.checked_mul(n).map(Money)
    }

    /// `self × numerator / denominator`, rounded half away from zero, in integer arithmetic.
    /// Used for proportional shares (commission on a partial refund, damage percentages).
    pub fn mul_ratio(self, numerator: i64, denominator: i64) -> Option<Money> {
        if denominator == 0 {
            return None;
        }
        let p = i128::from(self.0) * i128::from(numerator);
        let d = i128::from(denominator);
        let q = p / d;
        let r = p % d;
        let rounded = if 2 * r.abs() >= d.abs() {
            q + if (p < 0) == (d < 0) { 1 } else { -1 }
        } else {
            q
        };
        i64::try_from(rounded).ok().map(Money)
    }
}

impl fmt::Display for Money {
    /// `¥12.30`, `-¥0.05`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}¥{}.{:02}", abs / 100, abs % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_displays_in_yuan_with_two_decimals() {
        assert_eq!(Money::from_fen(1230).to_string(), "¥12.30");
        assert_eq!(Money::from_fen(-5).to_string(), "-¥0.05");
        assert_eq!(Money::ZERO.to_string(), "¥0.00");
    }

    #[test]
    fn a_negative_or_absurd_price_is_refused() {
        assert!(Money::price(-1).is_err());
        assert!(Money::price(1_000_000_001).is_err());
        assert_eq!(Money::price(990).map(Money::fen), Ok(990));
    }

    #[test]
    fn proportional_shares_round_half_away_from_zero() {
        assert_eq!(
            Money::from_fen(100).mul_ratio(1, 3),
            Some(Money::from_fen(33))
        );
        assert_eq!(
            Money::from_fen(100).mul_ratio(2, 3),
            Some(Money::from_fen(67))
        );
        assert_eq!(Money::from_fen(5).mul_ratio(1, 2), Some(Money::from_fen(3)));
        assert_eq!(
            Money::from_fen(-5).mul_ratio(1, 2),
            Some(Money::from_fen(-3))
        );
        assert_eq!(Money::from_fen(5).mul_ratio(1, 0), None);
    }

    #[test]
    fn overflow_is_reported_not_wrapped() {
        assert_eq!(
            Money::from_fen(i64::MAX).checked_add(Money::from_fen(1)),
            None
        );
        assert_eq!(Money::from_fen(i64::MAX).checked_mul(2), None);
    }
}
