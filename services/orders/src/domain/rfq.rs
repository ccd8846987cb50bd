//! Requests for quotation (询价 → 报价 → 订单, issue #22): pure rules over what a buyer asks and
//! what a seller quotes, unit-tested below; the use case is `service/rfq.rs`.
//!
//! ```text
//!   RFQ:    open ──close (the buyer)──▶ closed         (no quote and no acceptance after)
//!             └── quoting ends at closes_at; accepting what was quoted goes on while open
//!
//!   quote:  open ──revise──▶ open (version + 1)
//!             ├──withdraw (the seller)──▶ withdrawn
//!             └──accept (the buyer, before expires_at)──▶ accepted   (with its order)
//! ```
//!
//! A quote past its `expires_at` is shown `expired` and can be neither accepted nor revised.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use farmgate_kernel::text::{clean_optional_text, clean_text};
use farmgate_kernel::{FieldError, ValidationErrors};

farmgate_kernel::wire_enum!(
    /// Whether an RFQ takes quotes and acceptances.
    RfqStatus {
        /// Invited sellers quote until `closes_at`; the buyer accepts quotes.
        Open => "open",
        /// The buyer closed it: nothing more is quoted or accepted (orders made stand).
        Closed => "closed",
    }
);

farmgate_kernel::wire_enum!(
    /// Where a quote stands, as stored.
    QuoteStatus {
        /// The seller's offer stands (until `expires_at`).
        Open => "open",
        /// The seller took it back.
        Withdrawn => "withdrawn",
        /// The buyer accepted it: its order exists.
        Accepted => "accepted",
    }
);

farmgate_kernel::wire_enum!(
    /// Where a quote stands, as shown: `open` past its `expires_at` is `expired`.
    QuoteState {
        Open => "open",
        Expired => "expired",
        Withdrawn => "withdrawn",
        Accepted => "accepted",
    }
);

/// What a quote shows at `now`.
pub fn quote_state(
    status: QuoteStatus,
    expires_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> QuoteState {
    match status {
        QuoteStatus::Open if expires_at <= now => QuoteState::Expired,
        QuoteStatus::Open => QuoteState::Open,
        QuoteStatus::Withdrawn => QuoteState::Withdrawn,
        QuoteStatus::Accepted => QuoteState::Accepted,
    }
}

/// The highest unit price a quote may name (¥100,000.00) and the most an RFQ may ask for:
/// beyond these a figure is a typo.
pub const MAX_PRICE_FEN: i64 = 10_000_000;
pub const MAX_QUANTITY: i64 = 1_000_000;
/// The longest a delivery window, quoting period or quote's validity may be.
pub const MAX_DAYS: i64 = 180;
/// The most sellers an RFQ is sent to.
pub const MAX_SELLERS: usize = 50;
/// The units a quantity may be asked in.
pub const UNITS: &[&str] = &["斤", "公斤", "箱", "袋", "个", "件", "只", "盒"];

fn out_of_range(field: &str, zh: impl Into<String>, en: impl Into<String>) -> FieldError {
    FieldError::new(field, "out_of_range", zh, en)
}

/// What a buyer asks, as typed.
#[derive(Clone, Debug)]
pub struct NeedInput<'a> {
    pub title: &'a str,
    pub quantity: i64,
    pub unit: &'a str,
    pub quality: Option<&'a str>,
    pub deliver_from: NaiveDate,
    pub deliver_to: NaiveDate,
    pub closes_at: DateTime<Utc>,
}

/// What a buyer asks, parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Need {
    pub title: String,
    pub quantity: i64,
    pub unit: String,
    pub quality: Option<String>,
    pub deliver_from: NaiveDate,
    pub deliver_to: NaiveDate,
    pub closes_at: DateTime<Utc>,
}

impl Need {
    /// Every field checked at once; `today` is the Shanghai date. Quoting closes in the
    /// future, at most 180 days ahead and no later than the end of the delivery window.
    pub fn parse(
        i: &NeedInput<'_>,
        now: DateTime<Utc>,
        today: NaiveDate,
    ) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let title = errs.check("title", clean_text(i.title, 2, 200, false));
        let quality = errs.check("quality", clean_optional_text(i.quality, 1000, true));
        if !(1..=MAX_QUANTITY).contains(&i.quantity) {
            errs.push(out_of_range(
                "quantity",
                format!("数量应在 1 到 {MAX_QUANTITY} 之间"),
                format!("the quantity is 1 to {MAX_QUANTITY}"),
            ));
        }
        let unit = i.unit.trim();
        if !UNITS.contains(&unit) {
            errs.push(FieldError::new(
                "unit",
                "invalid",
                format!("单位应为 {} 之一", UNITS.join("、")),
                format!("the unit is one of {}", UNITS.join(", ")),
            ));
        }
        if i.deliver_from < today {
            errs.push(out_of_range(
                "deliver_from",
                "送货日期不能早于今天",
                "delivery cannot start before today",
            ));
        }
        let days = (i.deliver_to - i.deliver_from).num_days();
        if days < 0 {
            errs.push(out_of_range(
                "deliver_to",
                "送货结束日期不能早于开始日期",
                "delivery cannot end before it starts",
            ));
        } else if days > MAX_DAYS {
            errs.push(out_of_range(
                "deliver_to",
                format!("送货期最长 {MAX_DAYS} 天"),
                format!("a delivery window is at most {MAX_DAYS} days"),
            ));
        }
        if i.closes_at <= now || i.closes_at > now + Duration::days(MAX_DAYS) {
            errs.push(out_of_range(
                "closes_at",
                format!("报价截止时间应在现在之后 {MAX_DAYS} 天以内"),
                format!("quoting closes after now and within {MAX_DAYS} days"),
            ));
        }
        errs.finish()?;
        let (Some(title), Some(quality)) = (title, quality) else {
            return Err(ValidationErrors::new());
        };
        Ok(Self {
            title,
            quantity: i.quantity,
            unit: unit.to_owned(),
            quality,
            deliver_from: i.deliver_from,
            deliver_to: i.deliver_to,
            closes_at: i.closes_at,
        })
    }
}

/// What a seller offers, parsed: unit price (fen), quantity (in the SKU's unit), validity and
/// note.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Offer {
    pub unit_price_fen: i64,
    pub quantity: i64,
    pub expires_at: DateTime<Utc>,
    pub note: Option<String>,
}

impl Offer {
    /// Price 1 fen to ¥100,000; quantity 1 to 9,999 (what one order line may carry); valid
    /// after now and for at most 180 days.
    pub fn parse(
        unit_price_fen: i64,
        quantity: i64,
        expires_at: DateTime<Utc>,
        note: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        let note = errs.check("note", clean_optional_text(note, 500, true));
        if !(1..=MAX_PRICE_FEN).contains(&unit_price_fen) {
            errs.push(out_of_range(
                "unit_price_fen",
                "单价应在 0.01 元到 100000 元之间",
                "the unit price is ¥0.01 to ¥100,000",
            ));
        }
        if let Err(e) = super::parse_quantity("quantity", quantity) {
            errs.push(e);
        }
        if expires_at <= now || expires_at > now + Duration::days(MAX_DAYS) {
            errs.push(out_of_range(
                "expires_at",
                format!("报价有效期应在现在之后 {MAX_DAYS} 天以内"),
                format!("a quote is valid after now and within {MAX_DAYS} days"),
            ));
        }
        errs.finish()?;
        Ok(Self {
            unit_price_fen,
            quantity,
            expires_at,
            note: note.flatten(),
        })
    }
}

/// An RFQ's number as people quote it: `XJ` + the Beijing date + 8 digits.
pub fn rfq_number(at: DateTime<Utc>, random: u32) -> String {
    format!("XJ{}", super::order_number(at, random))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        "2026-12-07T08:00:00Z".parse().unwrap_or_default()
    }

    fn need(quantity: i64, closes_in_days: i64) -> NeedInput<'static> {
        let today = now().date_naive();
        NeedInput {
            title: "有机青菜",
            quantity,
            unit: "斤",
            quality: Some("叶片完整，无黄叶"),
            deliver_from: today + Duration::days(3),
            deliver_to: today + Duration::days(10),
            closes_at: now() + Duration::days(closes_in_days),
        }
    }

    #[test]
    fn a_sound_need_parses_and_a_bad_one_names_every_field() {
        let ok = Need::parse(&need(50, 2), now(), now().date_naive());
        assert_eq!(ok.map(|n| (n.quantity, n.unit)), Ok((50, "斤".to_owned())));
        let mut bad = need(0, -1);
        bad.unit = "吨吨";
        bad.deliver_to = bad.deliver_from - Duration::days(1);
        let errs = Need::parse(&bad, now(), now().date_naive())
            .err()
            .unwrap_or_default();
        let fields = errs.codes_by_field();
        for f in ["quantity", "unit", "deliver_to", "closes_at"] {
            assert!(fields.contains_key(f), "{f}: {fields:?}");
        }
    }

    #[test]
    fn an_offer_refuses_a_negative_or_oversized_price_or_quantity_and_a_past_validity() {
        let later = now() + Duration::days(1);
        assert!(Offer::parse(350, 10, later, None, now()).is_ok());
        for (price, qty, exp) in [
            (-1, 10, later),
            (0, 10, later),
            (MAX_PRICE_FEN + 1, 10, later),
            (350, 0, later),
            (350, -5, later),
            (350, 10_000, later),
            (350, 10, now()),
            (350, 10, now() + Duration::days(MAX_DAYS + 1)),
        ] {
            assert!(
                Offer::parse(price, qty, exp, None, now()).is_err(),
                "{price} {qty} {exp}"
            );
        }
    }

    #[test]
    fn an_open_quote_past_its_validity_shows_expired() {
        let t = now();
        assert_eq!(quote_state(QuoteStatus::Open, t, t), QuoteState::Expired);
        assert_eq!(
            quote_state(QuoteStatus::Open, t + Duration::seconds(1), t),
            QuoteState::Open
        );
        assert_eq!(
            quote_state(QuoteStatus::Accepted, t, t),
            QuoteState::Accepted
        );
        assert!(rfq_number(t, 7).starts_with("XJ20261207"));
    }
}
