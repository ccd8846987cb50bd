//! Money rules: the shipping fee of a seller's parcel, the platform's commission, and what the
//! seller is owed after refunds.

use farmgate_kernel::Money;

/// The shipping fee of one seller's parcel: free from ¥99 of goods (consumers) or ¥500
/// (business buyers, who buy by the case); otherwise ¥8 for the first 3 kg and ¥2 for each
/// further kg or part of one. Cold-chain pricing belongs with the carrier contracts when they
/// come; this is the fee the buyer agreed to at checkout, fixed on the order.
pub fn shipping_fee(goods: Money, weight_grams: i64, wholesale: bool) -> Money {
    if goods >= free_shipping_from(wholesale) {
        return Money::from_fen(0);
    }
    let extra_grams = (weight_grams - 3_000).max(0);
    let extra_kg = (extra_grams + 999) / 1_000;
    Money::from_fen(SHIPPING_FROM_FEN + 200 * extra_kg)
}

/// The fee of the lightest parcel (up to 3 kg): what "运费 ¥8 起" says.
pub const SHIPPING_FROM_FEN: i64 = 800;

/// From how much of one seller's goods a parcel ships free (满 ¥99 包邮; ¥500 for a business
/// buyer). Cards and the listing show it as the API gives it, never a copy.
pub fn free_shipping_from(wholesale: bool) -> Money {
    Money::from_fen(if wholesale { 50_000 } else { 9_900 })
}

/// The platform's commission on a line: `basis points × line / 10 000`, rounded half up.
pub fn commission(line: Money, commission_bp: i32) -> Money {
    line.mul_ratio(i64::from(commission_bp), 10_000)
        .unwrap_or(Money::from_fen(0))
}

/// What the platform keeps of a sub-order after refunds: the commission shrinks in proportion
/// to what is left of the sub-order (`commission × (total − refunded) / total`, half up), so a
/// partial refund reduces it instead of blocking the payout.
pub fn commission_after_refunds(commission: Money, total: Money, refunded: Money) -> Money {
    if total.fen() <= 0 {
        return Money::from_fen(0);
    }
    let left = std::cmp::max(total.fen() - refunded.fen(), 0);
    commission
        .mul_ratio(left, total.fen())
        .unwrap_or(Money::from_fen(0))
}

/// What the seller is owed for a sub-order: what the buyer paid, less refunds, less the
/// platform's commission on what is left.
pub fn payable(total: Money, refunded: Money, commission: Money) -> Money {
    let left = std::cmp::max(total.fen() - refunded.fen(), 0);
    Money::from_fen(left - commission_after_refunds(commission, total, refunded).fen())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipping_is_free_from_a_threshold_and_grows_by_the_kilogram() {
        let fen = Money::from_fen;
        assert_eq!(shipping_fee(fen(9_900), 20_000, false), fen(0));
        assert_eq!(shipping_fee(fen(9_899), 2_500, false), fen(800));
        assert_eq!(shipping_fee(fen(5_000), 3_000, false), fen(800));
        assert_eq!(shipping_fee(fen(5_000), 3_001, false), fen(1_000));
        assert_eq!(shipping_fee(fen(5_000), 5_000, false), fen(1_200));
        assert_eq!(shipping_fee(fen(5_000), 5_500, false), fen(1_400));
        // Business buyers get free shipping only from ¥500.
        assert_eq!(shipping_fee(fen(9_900), 2_500, true), fen(800));
        assert_eq!(shipping_fee(fen(50_000), 90_000, true), fen(0));
    }

    #[test]
    fn commission_is_basis_points_rounded_half_up() {
        let fen = Money::from_fen;
        assert_eq!(commission(fen(5_990), 500), fen(300)); // 299.5 → 300
        assert_eq!(commission(fen(5_980), 500), fen(299));
        assert_eq!(commission(fen(0), 500), fen(0));
        assert_eq!(commission(fen(10_000), 0), fen(0));
    }

    #[test]
    fn a_partial_refund_shrinks_the_commission_in_proportion() {
        let fen = Money::from_fen;
        // ¥100 sub-order, ¥5 commission, nothing refunded: ¥95 to the seller.
        assert_eq!(
            commission_after_refunds(fen(500), fen(10000), fen(0)),
            fen(500)
        );
        assert_eq!(payable(fen(10000), fen(0), fen(500)), fen(9500));
        // ¥30 refunded: 70 % left, commission ¥3.50, payable ¥66.50.
        assert_eq!(
            commission_after_refunds(fen(500), fen(10000), fen(3000)),
            fen(350)
        );
        assert_eq!(payable(fen(10000), fen(3000), fen(500)), fen(6650));
        // Everything refunded: nothing either way.
        assert_eq!(payable(fen(10000), fen(10000), fen(500)), fen(0));
        assert_eq!(
            commission_after_refunds(fen(500), fen(10000), fen(10000)),
            fen(0)
        );
        // Half-up rounding on odd shares: 299 × 1/3 = 99.67 → 100.
        assert_eq!(commission_after_refunds(fen(299), fen(3), fen(2)), fen(100));
        // A zero total cannot divide.
        assert_eq!(payable(fen(0), fen(0), fen(0)), fen(0));
    }
}
