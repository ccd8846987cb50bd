//! Units of sale and the facts of a SKU a seller types: price, stock, weights, GTIN.

use super::tiers::{Tier, parse_tiers};
use farmgate_kernel::text::clean_text;
use farmgate_kernel::{FieldError, Money, ValidationErrors};

farmgate_kernel::labelled_enum!(
    /// How a SKU is sold.
    Unit {
        /// 斤 = 500 g
        Jin => "jin", "斤", "jin";
        /// 公斤
        Kg => "kg", "公斤", "kg";
        /// 箱
        Box => "box", "箱", "box";
        /// 袋
        Bag => "bag", "袋", "bag";
        /// 个
        Piece => "piece", "个", "piece";
    }
);

impl Unit {
    /// Grams in one unit when the unit is a weight.
    pub fn grams(self) -> Option<i64> {
        match self {
            Unit::Jin => Some(500),
            Unit::Kg => Some(1000),
            _ => None,
        }
    }
}

farmgate_kernel::wire_enum!(
    /// What a SKU change-log entry records (`sku_changes.field`).
    SkuChangeField {
        /// The SKU was added (old value empty, new value its name and price).
        Created => "created",
        Price => "price",
        Stock => "stock",
        Tiers => "tiers",
        /// Switched on or off by the seller.
        Active => "active",
    }
);

/// A retail price: at least 1 fen (free goods are not sold), at most ¥1,000,000.
pub fn parse_price(field: &str, fen: i64) -> Result<Money, FieldError> {
    if !(1..=100_000_000).contains(&fen) {
        return Err(FieldError::new(
            field,
            "out_of_range",
            "价格须在 0.01 元到 100 万元之间（单位：分）",
            "the price must be between 0.01 and 1,000,000 yuan (in fen)",
        ));
    }
    Ok(Money::from_fen(fen))
}

pub fn parse_stock(field: &str, n: i64) -> Result<i64, FieldError> {
    if !(0..=10_000_000).contains(&n) {
        return Err(FieldError::new(
            field,
            "out_of_range",
            "库存须在 0 到 1000 万之间",
            "stock must be between 0 and 10,000,000",
        ));
    }
    Ok(n)
}

pub fn parse_weight(field: &str, grams: i64) -> Result<i32, FieldError> {
    if !(1..=1_000_000).contains(&grams) {
        return Err(FieldError::new(
            field,
            "out_of_range",
            "重量须在 1 克到 1000 公斤之间",
            "the weight must be between 1 g and 1,000 kg",
        ));
    }
    i32::try_from(grams)
        .map_err(|_| FieldError::new(field, "out_of_range", "重量超出范围", "weight out of range"))
}

/// The widest catch-weight tolerance a SKU may state: 20 % (200 ‰).
pub const MAX_CATCH_TOLERANCE_PERMILLE: i64 = 200;

/// A catch-weight tolerance (多退少补): 1–200 per mille of the nominal net weight. Weighed
/// within it above nominal, nothing changes hands; above it, the seller may charge the part above
/// the tolerance only with the buyer's consent; below nominal the difference is refunded.
pub fn parse_catch_tolerance(field: &str, permille: i64) -> Result<i32, FieldError> {
    if !(1..=MAX_CATCH_TOLERANCE_PERMILLE).contains(&permille) {
        return Err(FieldError::new(
            field,
            "out_of_range",
            "称重误差须在 1‰ 到 200‰ 之间",
            "the catch-weight tolerance must be 1‰ to 200‰",
        ));
    }
    i32::try_from(permille).map_err(|_| {
        FieldError::new(
            field,
            "out_of_range",
            "误差超出范围",
            "tolerance out of range",
        )
    })
}

/// A SKU sold by catch weight names its nominal net weight (what the refund is reckoned on).
pub fn check_catch_weight(
    field: &str,
    net_weight_grams: Option<i32>,
    tolerance: Option<i32>,
) -> Result<(), FieldError> {
    if tolerance.is_some() && net_weight_grams.is_none() {
        return Err(FieldError::new(
            field,
            "net_weight_required",
            "按实重销售（多退少补）须填写标称净重",
            "a SKU sold by actual weight needs its nominal net weight",
        ));
    }
    Ok(())
}

/// A GS1 GTIN-8/12/13/14 with a correct check digit, stored as 14 digits.
pub fn parse_gtin(input: &str) -> Result<String, FieldError> {
    let digits: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    let bad = |zh: &str, en: &str| FieldError::new("gtin", "invalid_gtin", zh, en);
    if !matches!(digits.len(), 8 | 12 | 13 | 14) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad(
            "商品条码（GTIN）应为 8、12、13 或 14 位数字",
            "a GTIN has 8, 12, 13 or 14 digits",
        ));
    }
    let padded = format!("{digits:0>14}");
    if !gtin_check_ok(&padded) {
        return Err(bad("商品条码校验位不正确", "the GTIN check digit is wrong"));
    }
    Ok(padded)
}

/// GS1 mod-10: from the right, excluding the check digit, weights 3,1,3,1...
pub fn gtin_check_ok(digits: &str) -> bool {
    let values: Vec<u32> = digits.bytes().map(|b| u32::from(b - b'0')).collect();
    let Some((&check, body)) = values.split_last() else {
        return false;
    };
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| if i % 2 == 0 { d * 3 } else { *d })
        .sum();
    (10 - sum % 10) % 10 == check
}

/// A SKU as submitted, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkuInput {
    pub name: String,
    pub unit: Unit,
    pub price: Money,
    pub stock: i64,
    pub weight_grams: i32,
    pub net_weight_grams: Option<i32>,
    /// Sold by catch weight (多退少补) with this tolerance in per mille; `None`: a fixed weight.
    pub catch_tolerance_permille: Option<i32>,
    pub gtin: Option<String>,
    pub tiers: Vec<Tier>,
}

/// The raw fields of a SKU.
#[derive(Clone, Debug, Default)]
pub struct SkuFields<'a> {
    pub name: &'a str,
    pub unit: Option<Unit>,
    pub price: i64,
    pub stock: i64,
    pub weight_grams: i64,
    pub net_weight_grams: Option<i64>,
    pub catch_tolerance_permille: Option<i64>,
    pub gtin: Option<&'a str>,
    pub tiers: &'a [Tier],
}

impl SkuInput {
    /// Parses every field, reporting errors under `prefix` (e.g. `skus[0].price`).
    pub fn parse(prefix: &str, f: &SkuFields<'_>, errs: &mut ValidationErrors) -> Option<Self> {
        let at = |name: &str| {
            if prefix.is_empty() {
                name.to_owned()
            } else {
                format!("{prefix}.{name}")
            }
        };
        let name = errs.check(&at("name"), clean_text(f.name, 1, 30, false));
        let unit = match f.unit {
            Some(u) => Some(u),
            None => {
                errs.push(FieldError::new(
                    at("unit"),
                    "required",
                    "请选择单位",
                    "choose a unit",
                ));
                None
            }
        };
        let price = errs.check(&at("price"), parse_price("price", f.price));
        let stock = errs.check(&at("stock"), parse_stock("stock", f.stock));
        let weight = errs.check(
            &at("weight_grams"),
            parse_weight("weight_grams", f.weight_grams),
        );
        let net = match f.net_weight_grams {
            Some(g) => errs
                .check(&at("net_weight_grams"), parse_weight("net_weight_grams", g))
                .map(Some),
            None => Some(None),
        };
        let catch = match f.catch_tolerance_permille {
            Some(t) => errs
                .check(
                    &at("catch_tolerance_permille"),
                    parse_catch_tolerance("catch_tolerance_permille", t),
                )
                .map(Some),
            None => Some(None),
        };
        if let (Some(n), Some(c)) = (net, catch) {
            errs.check(
                &at("net_weight_grams"),
                check_catch_weight("net_weight_grams", n, c),
            );
        }
        let gtin = match f.gtin.map(str::trim).filter(|g| !g.is_empty()) {
            Some(g) => errs.check(&at("gtin"), parse_gtin(g)).map(Some),
            None => Some(None),
        };
        let tiers = price.and_then(|p| errs.check(&at("tiers"), parse_tiers(p, f.tiers)));
        Some(SkuInput {
            name: name?,
            unit: unit?,
            price: price?,
            stock: stock?,
            weight_grams: weight?,
            net_weight_grams: net?,
            catch_tolerance_permille: catch?,
            gtin: gtin?,
            tiers: tiers?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zero_negative_and_absurd_prices_are_refused() {
        assert!(parse_price("price", 0).is_err());
        assert!(parse_price("price", -100).is_err());
        assert!(parse_price("price", 100_000_001).is_err());
        assert_eq!(parse_price("price", 3990).map(Money::fen), Ok(3990));
    }

    #[test]
    fn a_catch_weight_tolerance_is_one_to_two_hundred_per_mille_over_a_nominal_weight() {
        assert!(parse_catch_tolerance("t", 0).is_err());
        assert!(parse_catch_tolerance("t", -5).is_err());
        assert!(parse_catch_tolerance("t", 201).is_err());
        assert_eq!(parse_catch_tolerance("t", 50), Ok(50));
        assert!(check_catch_weight("n", None, Some(50)).is_err());
        assert!(check_catch_weight("n", Some(2500), Some(50)).is_ok());
        assert!(check_catch_weight("n", None, None).is_ok());
    }

    #[test]
    fn stock_below_zero_is_refused() {
        assert!(parse_stock("stock", -1).is_err());
        assert_eq!(parse_stock("stock", 0), Ok(0));
    }

    #[test]
    fn gtins_are_checked_and_padded_to_fourteen_digits() {
        assert_eq!(parse_gtin("6901234567892"), Ok("06901234567892".to_owned()));
        assert_eq!(parse_gtin("9501101530003").map(|g| g.len()), Ok(14));
        assert_eq!(
            parse_gtin("6901234567893").map_err(|e| e.code),
            Err("invalid_gtin")
        );
        assert!(parse_gtin("12345").is_err());
        assert!(parse_gtin("69012345678a2").is_err());
    }

    #[test]
    fn a_sku_reports_every_bad_field_under_its_prefix() {
        let mut errs = ValidationErrors::new();
        let bad = SkuFields {
            name: "",
            unit: None,
            price: 0,
            stock: -1,
            weight_grams: 0,
            ..SkuFields::default()
        };
        assert!(SkuInput::parse("skus[0]", &bad, &mut errs).is_none());
        let fields: Vec<&str> = errs.errors().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "skus[0].name",
                "skus[0].unit",
                "skus[0].price",
                "skus[0].stock",
                "skus[0].weight_grams"
            ]
        );
    }

    #[test]
    fn units_know_their_weight() {
        assert_eq!(Unit::Jin.grams(), Some(500));
        assert_eq!(Unit::Box.grams(), None);
        assert_eq!(Unit::parse("kg"), Some(Unit::Kg));
        assert_eq!(Unit::parse("ton"), None);
    }

    #[test]
    fn unit_names_on_the_wire_and_in_the_database_are_unchanged() {
        let names: Vec<&str> = Unit::ALL.iter().map(|u| u.as_str()).collect();
        assert_eq!(names, ["jin", "kg", "box", "bag", "piece"]);
        assert_eq!(Unit::Jin.label_zh(), "斤");
        assert_eq!(Unit::Piece.label_zh(), "个");
        assert_eq!(
            serde_json::to_string(&Unit::Kg).unwrap_or_default(),
            "\"kg\""
        );
    }
}
