//! Catalogue rules as plain types and functions: units, listing states and the review
//! workflow, SKU and wholesale-tier validation, GTINs, and when a listing is on sale.

use farmgate_kernel::text::{clean_optional_text, clean_text};
use farmgate_kernel::{FieldError, Money, ValidationErrors};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How a SKU is sold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// 斤 = 500 g
    Jin,
    /// 公斤
    Kg,
    /// 箱
    Box,
    /// 袋
    Bag,
    /// 个
    Piece,
}

impl Unit {
    pub const ALL: &'static [Unit] = &[Unit::Jin, Unit::Kg, Unit::Box, Unit::Bag, Unit::Piece];

    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Jin => "jin",
            Unit::Kg => "kg",
            Unit::Box => "box",
            Unit::Bag => "bag",
            Unit::Piece => "piece",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|u| u.as_str() == s)
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            Unit::Jin => "斤",
            Unit::Kg => "公斤",
            Unit::Box => "箱",
            Unit::Bag => "袋",
            Unit::Piece => "个",
        }
    }

    /// Grams in one unit when the unit is a weight.
    pub fn grams(self) -> Option<i64> {
        match self {
            Unit::Jin => Some(500),
            Unit::Kg => Some(1000),
            _ => None,
        }
    }
}

/// Where a listing stands in review.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ListingStatus {
    /// Being written by the seller; nobody else sees it.
    Draft,
    /// Submitted, waiting for the operator.
    Pending,
    /// Approved: on sale while it has stock and its seller is verified.
    Approved,
    /// Refused by the operator with a reason; the seller edits and resubmits.
    Rejected,
    /// Forced off sale by the operator with a reason (非正常下架).
    Delisted,
}

impl ListingStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ListingStatus::Draft => "draft",
            ListingStatus::Pending => "pending",
            ListingStatus::Approved => "approved",
            ListingStatus::Rejected => "rejected",
            ListingStatus::Delisted => "delisted",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Draft,
            Self::Pending,
            Self::Approved,
            Self::Rejected,
            Self::Delisted,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }
}

/// What a revision proposes: a new listing, or a change of its reviewed facts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RevisionKind {
    New,
    Change,
}

impl RevisionKind {
    pub fn as_str(self) -> &'static str {
        match self {
            RevisionKind::New => "new",
            RevisionKind::Change => "change",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "new" => Some(Self::New),
            "change" => Some(Self::Change),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum RevisionStatus {
    Pending,
    Approved,
    Rejected,
}

impl RevisionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RevisionStatus::Pending => "pending",
            RevisionStatus::Approved => "approved",
            RevisionStatus::Rejected => "rejected",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(Self::Pending),
            "approved" => Some(Self::Approved),
            "rejected" => Some(Self::Rejected),
            _ => None,
        }
    }
}

/// Why a workflow move is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WorkflowError {
    #[error("already waiting for review")]
    AlreadyPending,
    #[error("already approved; changes go through a revision")]
    AlreadyApproved,
    #[error("a listing needs at least one SKU on sale to be submitted")]
    NoSku,
    #[error("only an approved listing can be delisted")]
    NotListed,
}

/// Submitting for review: from draft, rejected or delisted to pending.
pub fn submit(status: ListingStatus, active_skus: usize) -> Result<ListingStatus, WorkflowError> {
    match status {
        ListingStatus::Pending => Err(WorkflowError::AlreadyPending),
        ListingStatus::Approved => Err(WorkflowError::AlreadyApproved),
        _ if active_skus == 0 => Err(WorkflowError::NoSku),
        ListingStatus::Draft | ListingStatus::Rejected | ListingStatus::Delisted => {
            Ok(ListingStatus::Pending)
        }
    }
}

/// The listing's status after the operator decides its pending revision.
pub fn decide(status: ListingStatus, kind: RevisionKind, approve: bool) -> ListingStatus {
    match (kind, approve) {
        (RevisionKind::New, true) => ListingStatus::Approved,
        (RevisionKind::New, false) => ListingStatus::Rejected,
        // A change to a live listing leaves it live either way; only the change is decided.
        (RevisionKind::Change, _) => status,
    }
}

/// Forced delisting (非正常下架): only a listing that is live or waiting can be taken down.
pub fn force_delist(status: ListingStatus) -> Result<ListingStatus, WorkflowError> {
    match status {
        ListingStatus::Approved | ListingStatus::Pending => Ok(ListingStatus::Delisted),
        _ => Err(WorkflowError::NotListed),
    }
}

/// Whether the facts the operator reviews (title, category, origin) changed.
pub fn needs_review(old: &ReviewedFacts, new: &ReviewedFacts) -> bool {
    old != new
}

/// The facts of a listing the operator reviews.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewedFacts {
    pub title: String,
    pub category_id: uuid::Uuid,
    pub origin: farmgate_kernel::Region,
    pub origin_note: Option<String>,
}

/// Whether buyers can see and buy a listing right now.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Availability {
    OnSale,
    /// Approved but every SKU is out of stock (正常下架): hidden from search, page still opens.
    SoldOut,
    /// Not approved, rejected, forced off sale, or the seller is not verified.
    Hidden,
}

pub fn availability(
    status: ListingStatus,
    seller_verified: bool,
    skus_in_stock: usize,
) -> Availability {
    if status != ListingStatus::Approved || !seller_verified {
        Availability::Hidden
    } else if skus_in_stock == 0 {
        Availability::SoldOut
    } else {
        Availability::OnSale
    }
}

// ---------------------------------------------------------------------------------------------
// Text facts

pub fn parse_title(input: &str) -> Result<String, FieldError> {
    clean_text(input, 4, 60, false).map_err(|e| e.at("title"))
}

pub fn parse_description(input: &str) -> Result<String, FieldError> {
    clean_text(input, 0, 5000, true).map_err(|e| e.at("description"))
}

pub fn parse_short(
    field: &str,
    input: Option<&str>,
    max: usize,
) -> Result<Option<String>, FieldError> {
    clean_optional_text(input, max, false).map_err(|e| e.at(field))
}

pub fn parse_shelf_life(days: Option<i64>) -> Result<Option<i32>, FieldError> {
    match days {
        None => Ok(None),
        Some(d) if (1..=3650).contains(&d) => Ok(i32::try_from(d).ok()),
        Some(_) => Err(FieldError::new(
            "shelf_life_days",
            "out_of_range",
            "保质期应在 1 到 3650 天之间",
            "shelf life must be between 1 and 3650 days",
        )),
    }
}

// ---------------------------------------------------------------------------------------------
// SKUs

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

/// A SKU as submitted, validated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkuInput {
    pub name: String,
    pub unit: Unit,
    pub price: Money,
    pub stock: i64,
    pub weight_grams: i32,
    pub net_weight_grams: Option<i32>,
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
            gtin: gtin?,
            tiers: tiers?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draft_or_rejected_listing_with_a_sku_can_be_submitted() {
        assert_eq!(submit(ListingStatus::Draft, 1), Ok(ListingStatus::Pending));
        assert_eq!(
            submit(ListingStatus::Rejected, 2),
            Ok(ListingStatus::Pending)
        );
        assert_eq!(
            submit(ListingStatus::Delisted, 1),
            Ok(ListingStatus::Pending)
        );
        assert_eq!(submit(ListingStatus::Draft, 0), Err(WorkflowError::NoSku));
        assert_eq!(
            submit(ListingStatus::Pending, 1),
            Err(WorkflowError::AlreadyPending)
        );
        assert_eq!(
            submit(ListingStatus::Approved, 1),
            Err(WorkflowError::AlreadyApproved)
        );
    }

    #[test]
    fn deciding_a_new_listing_sets_its_status_but_a_change_leaves_a_live_listing_live() {
        assert_eq!(
            decide(ListingStatus::Pending, RevisionKind::New, true),
            ListingStatus::Approved
        );
        assert_eq!(
            decide(ListingStatus::Pending, RevisionKind::New, false),
            ListingStatus::Rejected
        );
        assert_eq!(
            decide(ListingStatus::Approved, RevisionKind::Change, false),
            ListingStatus::Approved
        );
        assert_eq!(
            decide(ListingStatus::Approved, RevisionKind::Change, true),
            ListingStatus::Approved
        );
    }

    #[test]
    fn only_a_live_or_waiting_listing_can_be_forced_off_sale() {
        assert_eq!(
            force_delist(ListingStatus::Approved),
            Ok(ListingStatus::Delisted)
        );
        assert_eq!(
            force_delist(ListingStatus::Pending),
            Ok(ListingStatus::Delisted)
        );
        assert_eq!(
            force_delist(ListingStatus::Draft),
            Err(WorkflowError::NotListed)
        );
        assert_eq!(
            force_delist(ListingStatus::Delisted),
            Err(WorkflowError::NotListed)
        );
    }

    #[test]
    fn a_listing_is_on_sale_only_when_approved_verified_and_in_stock() {
        assert_eq!(
            availability(ListingStatus::Approved, true, 1),
            Availability::OnSale
        );
        assert_eq!(
            availability(ListingStatus::Approved, true, 0),
            Availability::SoldOut
        );
        assert_eq!(
            availability(ListingStatus::Approved, false, 3),
            Availability::Hidden
        );
        assert_eq!(
            availability(ListingStatus::Pending, true, 3),
            Availability::Hidden
        );
        assert_eq!(
            availability(ListingStatus::Delisted, true, 3),
            Availability::Hidden
        );
    }

    #[test]
    fn zero_negative_and_absurd_prices_are_refused() {
        assert!(parse_price("price", 0).is_err());
        assert!(parse_price("price", -100).is_err());
        assert!(parse_price("price", 100_000_001).is_err());
        assert_eq!(parse_price("price", 3990).map(Money::fen), Ok(3990));
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
}
