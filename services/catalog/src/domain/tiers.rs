//! Wholesale tiers: cheaper unit prices for verified business buyers who buy more.

use farmgate_kernel::{FieldError, Money};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A wholesale tier: buying at least `min_quantity` units costs `price` each.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Tier {
    pub min_quantity: i64,
    pub price: i64,
}

/// Tiers must make sense to a buyer: each starts above the last at 2 or more units, and each is
/// cheaper than the last and than retail.
pub fn parse_tiers(retail: Money, tiers: &[Tier]) -> Result<Vec<Tier>, FieldError> {
    let err = |code, zh: &str, en: &str| FieldError::new("tiers", code, zh, en);
    if tiers.len() > 5 {
        return Err(err(
            "too_many",
            "批发价最多设 5 档",
            "at most 5 wholesale tiers",
        ));
    }
    let mut sorted = tiers.to_vec();
    sorted.sort_by_key(|t| t.min_quantity);
    let mut last_qty = 1;
    let mut last_price = retail.fen();
    for t in &sorted {
        if t.min_quantity < 2 || t.min_quantity > 1_000_000 {
            return Err(err(
                "out_of_range",
                "起批数量应在 2 到 100 万之间",
                "a tier starts at 2 to 1,000,000 units",
            ));
        }
        if t.min_quantity == last_qty {
            return Err(err(
                "overlapping",
                "批发价档位的起批数量不能重复",
                "two tiers start at the same quantity",
            ));
        }
        if t.price < 1 {
            return Err(err(
                "out_of_range",
                "批发价须大于 0",
                "a wholesale price must be above zero",
            ));
        }
        if t.price >= last_price {
            return Err(err(
                "not_cheaper",
                "批发价须低于零售价，且数量越多价格越低",
                "each tier must be cheaper than retail and than the tier before it",
            ));
        }
        last_qty = t.min_quantity;
        last_price = t.price;
    }
    Ok(sorted)
}

/// The unit price a buyer pays for `quantity`: the best tier they qualify for when they may
/// use wholesale tiers, the retail price otherwise.
pub fn unit_price(retail: Money, tiers: &[Tier], quantity: i64, wholesale_buyer: bool) -> Money {
    if !wholesale_buyer {
        return retail;
    }
    tiers
        .iter()
        .filter(|t| quantity >= t.min_quantity)
        .map(|t| Money::from_fen(t.price))
        .min()
        .map_or(retail, |p| p.min(retail))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiers(list: &[(i64, i64)]) -> Vec<Tier> {
        list.iter()
            .map(|&(min_quantity, price)| Tier {
                min_quantity,
                price,
            })
            .collect()
    }

    #[test]
    fn wholesale_tiers_get_cheaper_with_quantity_and_stay_below_retail() {
        let retail = Money::from_fen(4000);
        assert_eq!(
            parse_tiers(retail, &tiers(&[(50, 3200), (10, 3600)])),
            Ok(tiers(&[(10, 3600), (50, 3200)]))
        );
        assert_eq!(
            parse_tiers(retail, &tiers(&[(10, 4000)])).map_err(|e| e.code),
            Err("not_cheaper")
        );
        assert_eq!(
            parse_tiers(retail, &tiers(&[(10, 4500)])).map_err(|e| e.code),
            Err("not_cheaper")
        );
        assert_eq!(
            parse_tiers(retail, &tiers(&[(10, 3600), (50, 3700)])).map_err(|e| e.code),
            Err("not_cheaper")
        );
        assert_eq!(
            parse_tiers(retail, &tiers(&[(10, 3600), (10, 3500)])).map_err(|e| e.code),
            Err("overlapping")
        );
        assert_eq!(
            parse_tiers(retail, &tiers(&[(1, 3600)])).map_err(|e| e.code),
            Err("out_of_range")
        );
        assert!(parse_tiers(retail, &[]).is_ok());
    }

    #[test]
    fn only_verified_business_buyers_get_the_tier_price() {
        let retail = Money::from_fen(4000);
        let t = tiers(&[(10, 3600), (50, 3200)]);
        assert_eq!(unit_price(retail, &t, 60, false), retail);
        assert_eq!(unit_price(retail, &t, 9, true), retail);
        assert_eq!(unit_price(retail, &t, 10, true), Money::from_fen(3600));
        assert_eq!(unit_price(retail, &t, 60, true), Money::from_fen(3200));
    }
}
