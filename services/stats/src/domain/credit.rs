//! Shop credit (信用, issue #20): the published rule that turns a seller's record over the last
//! 12 months into a level. Figures are recomputed from the records every time (never entered by
//! hand); this module only judges them, so every boundary is a unit test below and the public
//! page `/credit.html` explains the same numbers.
//!
//! The rule:
//! - **New (新店)** while the seller has fewer than [`MIN_RECEIVED`] parcels received in the
//!   last 12 months: too few orders for a level to mean anything.
//! - Otherwise the score starts at 100 and loses points:
//!   - rating (with at least [`MIN_RATINGS`] reviews): average below 4.5 stars −10, below
//!     4.0 −25;
//!   - claim rate (claims ÷ parcels received): above 2 % −10, above 5 % −25;
//!   - on-time shipping (shipped by the ship-by deadline ÷ shipped with one; at least
//!     [`MIN_SHIPPED`] of them): below 95 % −10, below 85 % −25;
//!   - average first response to buyers' messages (at least [`MIN_CONVERSATIONS`] answered):
//!     above 30 minutes −5, above 2 hours −15;
//!   - each recall of its batches −20, at most −40.
//! - Level: A (优秀) from 90, B (良好) from 75, C (一般) from 60, D (待改进) below.
//!
//! Shares are basis points (1 % = 100), averages of stars in hundredths (4.5 = 450), so every
//! comparison is exact integer arithmetic.

use serde::Serialize;
use utoipa::ToSchema;

/// Parcels received before a level is given.
pub const MIN_RECEIVED: i64 = 10;
/// Reviews before the rating counts.
pub const MIN_RATINGS: i64 = 5;
/// Shipped parts with a deadline before on-time shipping counts.
pub const MIN_SHIPPED: i64 = 5;
/// Answered conversations before the response time counts.
pub const MIN_CONVERSATIONS: i64 = 3;

/// A seller's record over the last 12 months (and its age).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct CreditFigures {
    /// Sub-orders paid.
    pub orders: i64,
    /// Of those, received.
    pub received: i64,
    /// Reviews (not hidden by moderation), their stars added up, and those of 4–5 stars.
    pub ratings: i64,
    pub rating_sum: i64,
    pub positive: i64,
    /// Damage claims filed.
    pub claims: i64,
    /// Parts shipped while carrying a ship-by deadline, and of those shipped after it.
    pub shipped_with_deadline: i64,
    pub shipped_late: i64,
    /// Buyers' conversations, those answered, and the answered ones' first response seconds.
    pub conversations: i64,
    pub answered: i64,
    pub response_seconds: i64,
    /// Whole months since the seller was verified.
    pub months: i64,
    /// Recalls of its batches.
    pub recalls: i64,
}

/// `n / d` rounded half up; `None` without a denominator.
fn ratio(n: i64, d: i64, scale: i64) -> Option<i64> {
    if d <= 0 {
        return None;
    }
    let v = (i128::from(n) * i128::from(scale) * 2 + i128::from(d)) / (2 * i128::from(d));
    i64::try_from(v).ok()
}

impl CreditFigures {
    /// Average stars × 100.
    pub fn rating_x100(&self) -> Option<i64> {
        ratio(self.rating_sum, self.ratings, 100)
    }

    /// Share of 4–5 star reviews, basis points.
    pub fn positive_bp(&self) -> Option<i64> {
        ratio(self.positive, self.ratings, 10_000)
    }

    /// Claims per parcel received, basis points.
    pub fn claim_rate_bp(&self) -> Option<i64> {
        ratio(self.claims, self.received, 10_000)
    }

    /// Share shipped by the deadline, basis points.
    pub fn on_time_bp(&self) -> Option<i64> {
        ratio(
            self.shipped_with_deadline - self.shipped_late,
            self.shipped_with_deadline,
            10_000,
        )
    }

    /// Average first response, seconds.
    pub fn response_avg_secs(&self) -> Option<i64> {
        ratio(self.response_seconds, self.answered, 1)
    }
}

farmgate_kernel::wire_enum!(
    /// The credit level.
    #[derive(PartialOrd, Ord)]
    CreditLevel {
        /// Too few orders to judge.
        New => "new",
        A => "a",
        B => "b",
        C => "c",
        D => "d",
    }
);

farmgate_kernel::wire_enum!(
    /// Why points were taken (each has a tip on how to improve, on the pages).
    CreditReason {
        RatingBelow45 => "rating_below_4_5",
        RatingBelow40 => "rating_below_4_0",
        ClaimsAbove2 => "claims_above_2",
        ClaimsAbove5 => "claims_above_5",
        OnTimeBelow95 => "on_time_below_95",
        OnTimeBelow85 => "on_time_below_85",
        ResponseOver30Min => "response_over_30_min",
        ResponseOver2H => "response_over_2_h",
        Recalls => "recalls",
    }
);

/// Points taken, and why.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Deduction {
    pub reason: CreditReason,
    pub points: i64,
}

/// The judgement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct Assessment {
    pub level: CreditLevel,
    /// 0–100; `None` for a new shop.
    pub score: Option<i64>,
    pub deductions: Vec<Deduction>,
}

/// Judges a record by the published rule.
pub fn assess(f: &CreditFigures) -> Assessment {
    if f.received < MIN_RECEIVED {
        return Assessment {
            level: CreditLevel::New,
            score: None,
            deductions: Vec::new(),
        };
    }
    let mut d = Vec::new();
    let mut take = |reason, points| d.push(Deduction { reason, points });
    if f.ratings >= MIN_RATINGS
        && let Some(r) = f.rating_x100()
    {
        if r < 400 {
            take(CreditReason::RatingBelow40, 25);
        } else if r < 450 {
            take(CreditReason::RatingBelow45, 10);
        }
    }
    if let Some(c) = f.claim_rate_bp() {
        if c > 500 {
            take(CreditReason::ClaimsAbove5, 25);
        } else if c > 200 {
            take(CreditReason::ClaimsAbove2, 10);
        }
    }
    if f.shipped_with_deadline >= MIN_SHIPPED
        && let Some(o) = f.on_time_bp()
    {
        if o < 8_500 {
            take(CreditReason::OnTimeBelow85, 25);
        } else if o < 9_500 {
            take(CreditReason::OnTimeBelow95, 10);
        }
    }
    if f.answered >= MIN_CONVERSATIONS
        && let Some(s) = f.response_avg_secs()
    {
        if s > 2 * 3600 {
            take(CreditReason::ResponseOver2H, 15);
        } else if s > 30 * 60 {
            take(CreditReason::ResponseOver30Min, 5);
        }
    }
    if f.recalls > 0 {
        take(CreditReason::Recalls, f.recalls.saturating_mul(20).min(40));
    }
    let score = (100 - d.iter().map(|x| x.points).sum::<i64>()).max(0);
    let level = match score {
        90.. => CreditLevel::A,
        75..=89 => CreditLevel::B,
        60..=74 => CreditLevel::C,
        _ => CreditLevel::D,
    };
    Assessment {
        level,
        score: Some(score),
        deductions: d,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A clean record: 10 received, 5 reviews of 5 stars, no claims, all on time, quick.
    fn clean() -> CreditFigures {
        CreditFigures {
            orders: 10,
            received: 10,
            ratings: 5,
            rating_sum: 25,
            positive: 5,
            claims: 0,
            shipped_with_deadline: 10,
            shipped_late: 0,
            conversations: 3,
            answered: 3,
            response_seconds: 3 * 60,
            months: 3,
            recalls: 0,
        }
    }

    fn reasons(f: &CreditFigures) -> Vec<CreditReason> {
        assess(f).deductions.iter().map(|d| d.reason).collect()
    }

    #[test]
    fn nine_parcels_is_new_ten_get_a_level() {
        let f = CreditFigures {
            received: 9,
            ..clean()
        };
        assert_eq!(assess(&f).level, CreditLevel::New);
        assert_eq!(assess(&f).score, None);
        let a = assess(&clean());
        assert_eq!((a.level, a.score), (CreditLevel::A, Some(100)));
    }

    #[test]
    fn rating_boundaries_at_4_5_and_4_0_and_only_from_five_reviews() {
        // 4.5 exactly: nothing taken; 4.4: −10; 4.0 exactly: −10; 3.8: −25.
        let f = |sum| CreditFigures {
            ratings: 10,
            rating_sum: sum,
            ..clean()
        };
        assert!(reasons(&f(45)).is_empty());
        assert_eq!(reasons(&f(44)), [CreditReason::RatingBelow45]);
        assert_eq!(reasons(&f(40)), [CreditReason::RatingBelow45]);
        assert_eq!(reasons(&f(39)), [CreditReason::RatingBelow40]);
        // Four one-star reviews do not count yet.
        let few = CreditFigures {
            ratings: 4,
            rating_sum: 4,
            positive: 0,
            ..clean()
        };
        assert!(reasons(&few).is_empty());
        // 4.449 rounds to 4.45 (445 < 450): still −10.
        assert_eq!(clean().rating_x100(), Some(500));
        let r = CreditFigures {
            ratings: 1000,
            rating_sum: 4449,
            ..clean()
        };
        assert_eq!(r.rating_x100(), Some(445));
    }

    #[test]
    fn claim_rate_boundaries_at_2_and_5_percent() {
        let f = |claims, received| CreditFigures {
            claims,
            received,
            ..clean()
        };
        assert!(reasons(&f(2, 100)).is_empty(), "2 % exactly");
        assert_eq!(reasons(&f(3, 100)), [CreditReason::ClaimsAbove2]);
        assert_eq!(
            reasons(&f(5, 100)),
            [CreditReason::ClaimsAbove2],
            "5 % exactly"
        );
        assert_eq!(reasons(&f(6, 100)), [CreditReason::ClaimsAbove5]);
        assert_eq!(f(1, 3).claim_rate_bp(), Some(3333));
    }

    #[test]
    fn on_time_boundaries_at_95_and_85_percent_and_only_from_five_shipped() {
        let f = |late, shipped| CreditFigures {
            shipped_late: late,
            shipped_with_deadline: shipped,
            ..clean()
        };
        assert!(reasons(&f(5, 100)).is_empty(), "95 % exactly");
        assert_eq!(reasons(&f(6, 100)), [CreditReason::OnTimeBelow95]);
        assert_eq!(
            reasons(&f(15, 100)),
            [CreditReason::OnTimeBelow95],
            "85 % exactly"
        );
        assert_eq!(reasons(&f(16, 100)), [CreditReason::OnTimeBelow85]);
        assert!(
            reasons(&f(4, 4)).is_empty(),
            "four late of four is too few to judge"
        );
    }

    #[test]
    fn response_boundaries_at_30_minutes_and_2_hours() {
        let f = |secs: i64| CreditFigures {
            answered: 3,
            response_seconds: secs * 3,
            ..clean()
        };
        assert!(reasons(&f(1800)).is_empty(), "30 min exactly");
        assert_eq!(reasons(&f(1801)), [CreditReason::ResponseOver30Min]);
        assert_eq!(
            reasons(&f(7200)),
            [CreditReason::ResponseOver30Min],
            "2 h exactly"
        );
        assert_eq!(reasons(&f(7201)), [CreditReason::ResponseOver2H]);
        let two = CreditFigures {
            answered: 2,
            response_seconds: 99_999,
            ..clean()
        };
        assert!(reasons(&two).is_empty(), "two conversations are too few");
    }

    #[test]
    fn recalls_take_twenty_each_at_most_forty_and_levels_fall_at_90_75_60() {
        let f = |n| CreditFigures {
            recalls: n,
            ..clean()
        };
        assert_eq!(assess(&f(1)).score, Some(80));
        assert_eq!(assess(&f(1)).level, CreditLevel::B);
        assert_eq!(assess(&f(3)).score, Some(60));
        assert_eq!(assess(&f(3)).level, CreditLevel::C);
        // 90 is A, 89 would be B: 100 − 10 (rating) = 90.
        let r = CreditFigures {
            ratings: 10,
            rating_sum: 44,
            ..clean()
        };
        assert_eq!(
            (assess(&r).score, assess(&r).level),
            (Some(90), CreditLevel::A)
        );
        // 100 − 10 − 5 − 10 = 75: B; −25 more: D.
        let b = CreditFigures {
            ratings: 10,
            rating_sum: 44,
            answered: 3,
            response_seconds: 3 * 1801,
            claims: 3,
            received: 100,
            ..clean()
        };
        assert_eq!(
            (assess(&b).score, assess(&b).level),
            (Some(75), CreditLevel::B)
        );
        let c = CreditFigures {
            shipped_late: 6,
            shipped_with_deadline: 100,
            ..b
        };
        assert_eq!(
            (assess(&c).score, assess(&c).level),
            (Some(65), CreditLevel::C)
        );
        let d = CreditFigures { recalls: 1, ..c };
        assert_eq!(
            (assess(&d).score, assess(&d).level),
            (Some(45), CreditLevel::D)
        );
    }
}
