//! Orders' rules as plain types and functions: states and their transitions, quantities,
//! shipping fees, commission, delivery addresses, order numbers.

use chrono::{DateTime, Utc};
use farmgate_kernel::text::clean_text;
use farmgate_kernel::{FieldError, Money, Phone, ValidationErrors};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// At most this many units of one SKU in one order (a hotel buys 500 jin of oranges; nobody
/// buys a million by typing).
pub const MAX_QUANTITY: i64 = 9_999;
/// At most this many distinct SKUs in one checkout, and in a cart.
pub const MAX_LINES: usize = 50;

/// The order as the buyer sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OrderStatus {
    /// Placed, stock reserved, waiting for the money.
    PendingPayment,
    /// Paid: the sub-orders go to their sellers.
    Paid,
    /// Cancelled by the buyer (or the operator) before payment; stock went back.
    Cancelled,
    /// Not paid in time; stock went back.
    Expired,
}

impl OrderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PendingPayment => "pending_payment",
            Self::Paid => "paid",
            Self::Cancelled => "cancelled",
            Self::Expired => "expired",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::PendingPayment,
            Self::Paid,
            Self::Cancelled,
            Self::Expired,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }

    /// Whether the order's stock is still held for it (placed and neither paid nor released).
    pub fn holds_stock_unpaid(self) -> bool {
        self == Self::PendingPayment
    }
}

/// One seller's part of an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SubOrderStatus {
    PendingPayment,
    /// Paid; the seller has not yet acknowledged it.
    Paid,
    /// The seller has seen it and is preparing it.
    Acknowledged,
    Shipped,
    Received,
    Cancelled,
}

impl SubOrderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PendingPayment => "pending_payment",
            Self::Paid => "paid",
            Self::Acknowledged => "acknowledged",
            Self::Shipped => "shipped",
            Self::Received => "received",
            Self::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::PendingPayment,
            Self::Paid,
            Self::Acknowledged,
            Self::Shipped,
            Self::Received,
            Self::Cancelled,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }

    /// The seller may acknowledge a paid sub-order (and doing it twice changes nothing).
    pub fn can_acknowledge(self) -> bool {
        self == Self::Paid
    }
}

/// How the buyer pays.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PaymentMethod {
    /// Bank transfer or cash, confirmed by the operator (or the only seller) with a reference.
    Offline,
    /// An online payment gateway that confirms with a signed callback.
    Gateway,
}

impl PaymentMethod {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Offline => "offline",
            Self::Gateway => "gateway",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [Self::Offline, Self::Gateway]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// What happened to an order, in its append-only log.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Placed,
    Paid,
    Cancelled,
    Expired,
    Acknowledged,
    /// A gateway said a payment attempt failed (the order stays payable until its deadline).
    PaymentFailed,
    Shipped,
    Received,
    Refunded,
    /// A zero-price replacement sub-order (补发) was created as an after-sales remedy.
    Replacement,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Placed => "placed",
            Self::Paid => "paid",
            Self::Cancelled => "cancelled",
            Self::Expired => "expired",
            Self::Acknowledged => "acknowledged",
            Self::PaymentFailed => "payment_failed",
            Self::Shipped => "shipped",
            Self::Received => "received",
            Self::Refunded => "refunded",
            Self::Replacement => "replacement",
        }
    }
}

/// A quantity a buyer typed: a whole number from 1 to [`MAX_QUANTITY`].
pub fn parse_quantity(field: &str, n: i64) -> Result<i64, FieldError> {
    if n < 1 {
        return Err(FieldError::new(
            field,
            "out_of_range",
            "数量至少为 1",
            "the quantity must be at least 1",
        ));
    }
    if n > MAX_QUANTITY {
        return Err(FieldError::new(
            field,
            "out_of_range",
            format!("单次最多购买 {MAX_QUANTITY} 件"),
            format!("at most {MAX_QUANTITY} per order"),
        ));
    }
    Ok(n)
}

/// The shipping fee of one seller's parcel: free from ¥99 of goods (consumers) or ¥500
/// (business buyers, who buy by the case); otherwise ¥8 for the first 3 kg and ¥2 for each
/// further kg or part of one. Cold-chain pricing belongs with the carrier contracts when they
/// come; this is the fee the buyer agreed to at checkout, fixed on the order.
pub fn shipping_fee(goods: Money, weight_grams: i64, wholesale: bool) -> Money {
    let free_from = if wholesale { 50_000 } else { 9_900 };
    if goods.fen() >= free_from {
        return Money::from_fen(0);
    }
    let extra_grams = (weight_grams - 3_000).max(0);
    let extra_kg = (extra_grams + 999) / 1_000;
    Money::from_fen(800 + 200 * extra_kg)
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

/// The after-sales window of a received sub-order closes after the longest claim window of its
/// lines (fruit 48 h, eggs 24 h ...).
pub fn window_closes_at(
    received_at: DateTime<Utc>,
    claim_window_hours: impl IntoIterator<Item = i32>,
) -> DateTime<Utc> {
    let hours = claim_window_hours.into_iter().max().unwrap_or(0).max(0);
    received_at + chrono::Duration::hours(i64::from(hours))
}

/// A sub-order may ship once paid (acknowledging first is recorded, not required).
pub fn can_ship(status: Option<SubOrderStatus>) -> bool {
    matches!(
        status,
        Some(SubOrderStatus::Paid | SubOrderStatus::Acknowledged)
    )
}

/// What a parcel went through on its way, from the seller or the carrier.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LogisticsKind {
    PickedUp,
    InTransit,
    OutForDelivery,
    Delivered,
    Exception,
}

impl LogisticsKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PickedUp => "picked_up",
            Self::InTransit => "in_transit",
            Self::OutForDelivery => "out_for_delivery",
            Self::Delivered => "delivered",
            Self::Exception => "exception",
        }
    }
}

/// A carrier's name as the seller types it (顺丰速运, 中国邮政 ...).
pub fn parse_carrier(s: &str) -> Result<String, FieldError> {
    clean_text(s, 2, 20, false).map_err(|e| e.at("carrier"))
}

/// A waybill number: 6 to 32 letters, digits or hyphens (spaces typed in are dropped).
pub fn parse_tracking_no(s: &str) -> Result<String, FieldError> {
    let t: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    if (6..=32).contains(&t.chars().count())
        && t.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        Ok(t.to_ascii_uppercase())
    } else {
        Err(FieldError::new(
            "tracking_no",
            "invalid",
            "运单号应为 6–32 位字母、数字或连字符",
            "a tracking number is 6 to 32 letters, digits or hyphens",
        ))
    }
}

/// A review's stars: 1 to 5.
pub fn parse_rating(n: i64) -> Result<i16, FieldError> {
    match i16::try_from(n) {
        Ok(r) if (1..=5).contains(&r) => Ok(r),
        _ => Err(FieldError::new(
            "rating",
            "out_of_range",
            "评分为 1 到 5 星",
            "a rating is 1 to 5 stars",
        )),
    }
}

/// How a reviewer is shown: the first character of their name and two stars (张**).
pub fn mask_name(name: &str) -> String {
    match name.trim().chars().next() {
        Some(c) => format!("{c}**"),
        None => "匿名用户".to_owned(),
    }
}

/// A delivery address as a request sends it.
#[derive(Clone, Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddressInput {
    /// 收货人
    pub name: String,
    pub phone: String,
    pub province: String,
    pub city: String,
    /// 区 / 县
    pub district: String,
    /// 街道、门牌号
    pub street: String,
    #[serde(default)]
    pub is_default: bool,
}

/// A checked delivery address.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Address {
    pub name: String,
    pub phone: String,
    pub province: String,
    pub city: String,
    pub district: String,
    pub street: String,
}

impl Address {
    /// Every field checked; errors under the field's name.
    pub fn parse(input: &AddressInput) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let name = errs.check("name", clean_text(&input.name, 1, 20, false));
        let phone = errs.check("phone", Phone::parse(&input.phone));
        let province = errs.check("province", clean_text(&input.province, 2, 20, false));
        let city = errs.check("city", clean_text(&input.city, 2, 20, false));
        let district = errs.check("district", clean_text(&input.district, 2, 20, false));
        let street = errs.check("street", clean_text(&input.street, 4, 120, false));
        errs.finish()?;
        match (name, phone, province, city, district, street) {
            (Some(name), Some(phone), Some(province), Some(city), Some(district), Some(street)) => {
                Ok(Self {
                    name,
                    phone: phone.as_str().to_owned(),
                    province,
                    city,
                    district,
                    street,
                })
            }
            _ => Err(ValidationErrors::new()),
        }
    }

    /// `江西省赣州市章贡区 红旗大道 18 号`
    pub fn one_line(&self) -> String {
        format!(
            "{}{}{} {}",
            self.province, self.city, self.district, self.street
        )
    }
}

/// An order number people can read out on the phone: the Beijing date and 8 digits
/// (`20261124` + `48213907`). Sub-orders add `-1`, `-2` … in seller order.
pub fn order_number(at: DateTime<Utc>, random: u32) -> String {
    let beijing = at + chrono::Duration::hours(8);
    format!("{}{:08}", beijing.format("%Y%m%d"), random % 100_000_000)
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "a failed parse is a failed test")]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn quantities_are_whole_and_bounded() {
        assert_eq!(parse_quantity("q", 1), Ok(1));
        assert_eq!(parse_quantity("q", MAX_QUANTITY), Ok(MAX_QUANTITY));
        for bad in [0, -1, MAX_QUANTITY + 1, i64::MAX] {
            let e = parse_quantity("q", bad).unwrap_err();
            assert_eq!(e.code, "out_of_range");
        }
    }

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
    fn an_address_needs_every_part_and_a_real_phone() {
        let good = AddressInput {
            name: " 王芳 ".into(),
            phone: "138 0013 8000".into(),
            province: "江西省".into(),
            city: "赣州市".into(),
            district: "章贡区".into(),
            street: "红旗大道 18 号 3 栋 502".into(),
            is_default: true,
        };
        let a = Address::parse(&good).unwrap();
        assert_eq!(a.name, "王芳");
        assert_eq!(a.phone, "13800138000");
        assert_eq!(a.one_line(), "江西省赣州市章贡区 红旗大道 18 号 3 栋 502");
        let bad = AddressInput {
            phone: "12345".into(),
            street: "".into(),
            district: "".into(),
            ..good
        };
        let e = Address::parse(&bad).unwrap_err();
        let fields: Vec<_> = e.errors().iter().map(|f| f.field.as_str()).collect();
        assert!(
            fields.contains(&"phone") && fields.contains(&"street") && fields.contains(&"district")
        );
    }

    #[test]
    fn order_numbers_carry_the_beijing_date() {
        // 17:00 UTC on the 23rd is 01:00 on the 24th in Beijing.
        let at = Utc.with_ymd_and_hms(2026, 11, 23, 17, 0, 0).unwrap();
        assert_eq!(order_number(at, 42), "2026112400000042");
        assert_eq!(order_number(at, 4_294_967_295).len(), 16);
    }

    #[test]
    fn statuses_round_trip() {
        for s in ["pending_payment", "paid", "cancelled", "expired"] {
            assert_eq!(OrderStatus::parse(s).unwrap().as_str(), s);
        }
        for s in [
            "pending_payment",
            "paid",
            "acknowledged",
            "shipped",
            "received",
            "cancelled",
        ] {
            assert_eq!(SubOrderStatus::parse(s).unwrap().as_str(), s);
        }
        assert!(OrderStatus::parse("refunded").is_none());
        assert!(SubOrderStatus::Paid.can_acknowledge());
        assert!(!SubOrderStatus::Shipped.can_acknowledge());
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

    #[test]
    fn the_after_sales_window_is_the_longest_of_the_lines() {
        let t = DateTime::parse_from_rfc3339("2026-11-20T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(
            window_closes_at(t, [24, 48]),
            t + chrono::Duration::hours(48)
        );
        assert_eq!(window_closes_at(t, []), t);
        assert_eq!(window_closes_at(t, [-5]), t);
    }

    #[test]
    fn only_paid_sub_orders_ship() {
        assert!(can_ship(Some(SubOrderStatus::Paid)));
        assert!(can_ship(Some(SubOrderStatus::Acknowledged)));
        for s in [
            SubOrderStatus::PendingPayment,
            SubOrderStatus::Shipped,
            SubOrderStatus::Received,
            SubOrderStatus::Cancelled,
        ] {
            assert!(!can_ship(Some(s)), "{s:?}");
        }
        assert!(!can_ship(None));
    }

    #[test]
    fn waybills_carriers_ratings_and_names() {
        assert_eq!(
            parse_tracking_no(" sf 1234 5678 90 ").unwrap(),
            "SF1234567890"
        );
        assert!(parse_tracking_no("12345").is_err());
        assert!(parse_tracking_no("SF12345678<script>").is_err());
        assert!(parse_tracking_no(&"1".repeat(33)).is_err());
        assert_eq!(parse_carrier(" 顺丰速运 ").unwrap(), "顺丰速运");
        assert!(parse_carrier("顺").is_err());
        assert_eq!(parse_rating(5).unwrap(), 5);
        for bad in [0, 6, -1, i64::MAX] {
            assert!(parse_rating(bad).is_err(), "{bad}");
        }
        assert_eq!(mask_name("王芳"), "王**");
        assert_eq!(mask_name("  "), "匿名用户");
    }
}
