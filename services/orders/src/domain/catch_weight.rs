//! Catch weight (多退少补, issue #22): a line sold by nominal net weight is weighed at packing,
//! once, and the difference settled by these rules. Pure arithmetic over integers (grams, fen,
//! per mille), unit-tested below; the use case is `service/catch_weight.rs`.
//!
//! ```text
//!   actual < nominal                      → light:  refund at once (the seller bears it)
//!   actual = nominal                      → exact
//!   nominal < actual ≤ nominal × (1 + t)  → within: nothing changes hands
//!   actual > nominal × (1 + t)            → over:   the part above the tolerance may be
//!                                           charged, only with the buyer's consent
//! ```
//!
//! Refund = line × (nominal − actual) / nominal, rounded up to the fen (the buyer's favour),
//! never more than the line. Extra = line × (actual − nominal × (1 + t)) / nominal, rounded down
//! (again the buyer's favour): the tolerance is the seller's own "about", so the buyer never
//! pays for weight the seller could have sent for free, and one gram past it costs one gram's
//! worth, not the whole tolerance at once (no cliff at the boundary).

use farmgate_kernel::FieldError;

farmgate_kernel::wire_enum!(
    /// How a weighed line compares with its nominal weight.
    CatchOutcome {
        /// Lighter than nominal: the difference was refunded.
        Light => "light",
        Exact => "exact",
        /// Heavier, within the tolerance: nothing changes hands.
        Within => "within",
        /// Heavier than the tolerance: the part above it may be charged with consent.
        Over => "over",
    }
);

/// A line is weighed between 1 g and twice its nominal weight (anything heavier is a typo, not
/// a pack of the same SKU).
pub fn parse_actual_grams(nominal_total: i64, actual: i64) -> Result<i64, FieldError> {
    if actual < 1 || actual > nominal_total.saturating_mul(2) {
        return Err(FieldError::new(
            "actual_grams",
            "out_of_range",
            format!(
                "实际重量须在 1 克到 {} 克之间",
                nominal_total.saturating_mul(2)
            ),
            format!(
                "the actual weight must be 1 g to {} g",
                nominal_total.saturating_mul(2)
            ),
        ));
    }
    Ok(actual)
}

/// What a weighing settles: its outcome, the refund due at once and the extra that may be
/// asked for, both in fen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Assessment {
    pub outcome: CatchOutcome,
    pub refund_fen: i64,
    pub extra_fen: i64,
}

/// Settles a line of `line_fen` sold as `nominal` grams in all, weighed at `actual` grams,
/// with a tolerance of `tolerance_permille`.
pub fn assess(line_fen: i64, nominal: i64, tolerance_permille: i32, actual: i64) -> Assessment {
    let none = |outcome| Assessment {
        outcome,
        refund_fen: 0,
        extra_fen: 0,
    };
    if nominal <= 0 || line_fen <= 0 {
        return none(CatchOutcome::Exact);
    }
    let (line, n, a, t) = (
        i128::from(line_fen),
        i128::from(nominal),
        i128::from(actual),
        i128::from(tolerance_permille.max(0)),
    );
    if a < n {
        // Rounded up: ⌈line × (n − a) / n⌉.
        let refund = (line * (n - a) + n - 1) / n;
        return Assessment {
            outcome: CatchOutcome::Light,
            refund_fen: i64::try_from(refund.min(line)).unwrap_or(line_fen),
            extra_fen: 0,
        };
    }
    if a == n {
        return none(CatchOutcome::Exact);
    }
    // In thousandths of a gram, so the tolerance's limit is exact: 1000·a against n·(1000 + t).
    let above = 1000 * a - n * (1000 + t);
    if above <= 0 {
        return none(CatchOutcome::Within);
    }
    // Rounded down: ⌊line × above / (1000 n)⌋; a part above worth less than a fen is free.
    let extra = (line * above / (1000 * n)).min(line);
    if extra == 0 {
        return none(CatchOutcome::Within);
    }
    Assessment {
        outcome: CatchOutcome::Over,
        refund_fen: 0,
        extra_fen: i64::try_from(extra).unwrap_or(0),
    }
}

/// How the trace record's shipping event names a weighed line: both weights, in grams.
pub fn trace_weights(nominal: i64, actual: i64) -> String {
    format!("标称净重 {nominal} 克，实称 {actual} 克")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_light_box_is_refunded_its_share_rounded_up_to_the_fen() {
        // ¥168.00 for 1,500 g, weighed 1,450 g: 168.00 × 50 / 1500 = 5.60 exactly.
        assert_eq!(
            assess(16800, 1500, 50, 1450),
            Assessment {
                outcome: CatchOutcome::Light,
                refund_fen: 560,
                extra_fen: 0
            }
        );
        // ¥59.90 for 5,000 g, weighed 4,999 g: 1.198 fen → 2 fen, the buyer's favour.
        assert_eq!(assess(5990, 5000, 50, 4999).refund_fen, 2);
        // A third short: 100 fen × 1/3 = 33.3 → 34.
        assert_eq!(assess(100, 3, 0, 2).refund_fen, 34);
    }

    #[test]
    fn a_refund_never_exceeds_the_line() {
        assert_eq!(assess(5990, 5000, 50, 1).refund_fen, 5989);
        for actual in 1..=3000 {
            let a = assess(777, 3000, 30, actual);
            assert!(a.refund_fen <= 777 && a.refund_fen >= 0, "{actual}: {a:?}");
        }
    }

    #[test]
    fn exact_and_within_tolerance_change_nothing() {
        assert_eq!(assess(16800, 1500, 50, 1500).outcome, CatchOutcome::Exact);
        // 5 % of 1,500 g is 75 g: 1,575 g is still within.
        let w = assess(16800, 1500, 50, 1575);
        assert_eq!(
            (w.outcome, w.refund_fen, w.extra_fen),
            (CatchOutcome::Within, 0, 0)
        );
    }

    #[test]
    fn above_the_tolerance_only_the_part_above_it_is_charged_rounded_down() {
        // 1,600 g against a limit of 1,575 g: 25 g × 168.00 / 1500 = 2.80.
        assert_eq!(
            assess(16800, 1500, 50, 1600),
            Assessment {
                outcome: CatchOutcome::Over,
                refund_fen: 0,
                extra_fen: 280
            }
        );
        // One gram past a limit worth less than a fen per gram: 5990 / 5000 = 1.198 → 1.
        assert_eq!(assess(5990, 5000, 50, 5251).extra_fen, 1);
        // A fraction of a gram past the limit, worth less than a fen: nothing to ask.
        assert_eq!(assess(10, 1000, 15, 1016).outcome, CatchOutcome::Within);
    }

    #[test]
    fn the_tolerance_limit_is_exact_with_odd_nominal_weights() {
        // 3 % of 333 g is 9.99 g: 342 g is within, 343 g is over.
        assert_eq!(assess(100_000, 333, 30, 342).outcome, CatchOutcome::Within);
        assert_eq!(assess(100_000, 333, 30, 343).outcome, CatchOutcome::Over);
    }

    #[test]
    fn zero_negative_and_absurd_weights_are_refused() {
        assert!(parse_actual_grams(3000, 0).is_err());
        assert!(parse_actual_grams(3000, -5).is_err());
        assert!(parse_actual_grams(3000, 6001).is_err());
        assert!(parse_actual_grams(3000, i64::MAX).is_err());
        assert_eq!(parse_actual_grams(3000, 6000), Ok(6000));
        assert_eq!(parse_actual_grams(3000, 1), Ok(1));
    }
}
