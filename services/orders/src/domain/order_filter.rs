//! What a seller's (or the operator's) order list may be narrowed by: a search text (order
//! number, product, the recipient's name as the seller sees it on the parcel), the ship-by
//! state, and a period of payment days. Parsed here once, so the query only ever sees a
//! bounded text with its LIKE wildcards escaped and a period that ends after it starts.

use super::kinds::PaymentMethod;
use super::rules::start_of;
use super::status::{OrderStatus, SubOrderStatus};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use farmgate_kernel::FieldError;

farmgate_kernel::wire_enum!(
    /// Where a part stands against its ship-by deadline.
    ShipByFilter {
        /// Paid or acknowledged, the deadline passed.
        Overdue => "overdue",
        /// Paid or acknowledged, due within the next hours (`read::console::SHIP_BY_SOON`).
        Soon => "soon",
    }
);

/// The longest search text, in characters.
pub const MAX_SEARCH_CHARS: usize = 40;
/// The longest period of payment days, in days.
pub const MAX_PERIOD_DAYS: i64 = 366;

/// A search text: trimmed, 1–40 characters, no control characters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderSearch(String);

impl OrderSearch {
    /// `None` for an absent or blank text.
    pub fn parse(raw: Option<&str>) -> Result<Option<Self>, FieldError> {
        let Some(t) = raw.map(str::trim).filter(|t| !t.is_empty()) else {
            return Ok(None);
        };
        if t.chars().count() > MAX_SEARCH_CHARS || t.chars().any(char::is_control) {
            return Err(FieldError::new(
                "q",
                "invalid",
                "搜索内容应为 1 到 40 个字符",
                "search for 1 to 40 characters",
            ));
        }
        Ok(Some(Self(t.to_owned())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The LIKE pattern for "starts with" (escape character `\`).
    pub fn prefix_pattern(&self) -> String {
        format!("{}%", escape_like(&self.0))
    }

    /// The LIKE pattern for "contains" (escape character `\`).
    pub fn contains_pattern(&self) -> String {
        format!("%{}%", escape_like(&self.0))
    }
}

/// `%`, `_` and `\` matched as themselves.
pub fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A narrowed order list.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OrderFilter {
    pub status: Option<SubOrderStatus>,
    pub ship_by: Option<ShipByFilter>,
    pub search: Option<OrderSearch>,
    /// Paid at or after.
    pub paid_from: Option<DateTime<Utc>>,
    /// Paid before.
    pub paid_before: Option<DateTime<Utc>>,
}

impl OrderFilter {
    /// The filter from a list's query: `from`/`to` are payment days in China (both included).
    pub fn parse(
        status: Option<SubOrderStatus>,
        ship_by: Option<ShipByFilter>,
        q: Option<&str>,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<Self, FieldError> {
        if let (Some(f), Some(t)) = (from, to)
            && (t < f || (t - f).num_days() > MAX_PERIOD_DAYS)
        {
            return Err(FieldError::new(
                "to",
                "out_of_range",
                "查询区间应在 1 到 366 天之间，且结束不早于开始",
                "the period is 1 to 366 days and ends after it starts",
            ));
        }
        Ok(Self {
            status,
            ship_by,
            search: OrderSearch::parse(q)?,
            paid_from: from.map(start_of),
            paid_before: to.map(|t| start_of(t) + Duration::days(1)),
        })
    }
}

/// The platform's order list (operator, agents, finance) narrowed: the order's status and
/// payment method, an exact order number, a seller with a part in it, a part's ship-by state,
/// the days it was placed on (China time, both included) and a search text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PlatformOrderFilter {
    pub status: Option<OrderStatus>,
    pub method: Option<PaymentMethod>,
    /// An order number; a sub-order's number (`…-2`) names its order.
    pub number: Option<String>,
    pub seller: Option<uuid::Uuid>,
    pub ship_by: Option<ShipByFilter>,
    pub search: Option<OrderSearch>,
    /// Placed at or after.
    pub placed_from: Option<DateTime<Utc>>,
    /// Placed before.
    pub placed_before: Option<DateTime<Utc>>,
}

impl PlatformOrderFilter {
    /// The filter from the list's query; the period and search follow [`OrderFilter::parse`]'s
    /// rules (1–40 characters; at most 366 days, ending after it starts).
    #[expect(clippy::too_many_arguments, reason = "one per query parameter")]
    pub fn parse(
        status: Option<OrderStatus>,
        method: Option<PaymentMethod>,
        number: Option<&str>,
        seller: Option<uuid::Uuid>,
        ship_by: Option<ShipByFilter>,
        q: Option<&str>,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
    ) -> Result<Self, FieldError> {
        let common = OrderFilter::parse(None, ship_by, q, from, to)?;
        let number = number
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(|n| n.split('-').next().unwrap_or(n).to_owned());
        Ok(Self {
            status,
            method,
            number,
            seller,
            ship_by: common.ship_by,
            search: common.search,
            placed_from: common.paid_from,
            placed_before: common.paid_before,
        })
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn a_blank_search_is_no_search_and_text_is_trimmed() {
        assert_eq!(OrderSearch::parse(None).unwrap(), None);
        assert_eq!(OrderSearch::parse(Some("   ")).unwrap(), None);
        assert_eq!(
            OrderSearch::parse(Some(" 脐橙 "))
                .unwrap()
                .unwrap()
                .as_str(),
            "脐橙"
        );
    }

    #[test]
    fn a_search_over_forty_characters_or_with_control_characters_is_refused() {
        assert!(OrderSearch::parse(Some(&"橙".repeat(40))).is_ok());
        let long = OrderSearch::parse(Some(&"橙".repeat(41))).unwrap_err();
        assert_eq!(long.field, "q");
        assert!(OrderSearch::parse(Some("a\u{0}b")).is_err());
    }

    #[test]
    fn like_wildcards_in_the_text_match_only_themselves() {
        let s = OrderSearch::parse(Some("50%_off\\")).unwrap().unwrap();
        assert_eq!(s.contains_pattern(), "%50\\%\\_off\\\\%");
        assert_eq!(s.prefix_pattern(), "50\\%\\_off\\\\%");
    }

    #[test]
    fn a_period_is_whole_china_days_and_must_not_end_before_it_starts() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        let f = OrderFilter::parse(
            None,
            None,
            None,
            Some(d("2026-12-01")),
            Some(d("2026-12-01")),
        )
        .unwrap();
        assert_eq!(
            f.paid_from.unwrap().to_rfc3339(),
            "2026-11-30T16:00:00+00:00"
        );
        assert_eq!(
            f.paid_before.unwrap().to_rfc3339(),
            "2026-12-01T16:00:00+00:00"
        );
        let back = OrderFilter::parse(
            None,
            None,
            None,
            Some(d("2026-12-02")),
            Some(d("2026-12-01")),
        );
        assert_eq!(back.unwrap_err().field, "to");
        let long = OrderFilter::parse(
            None,
            None,
            None,
            Some(d("2025-01-01")),
            Some(d("2026-12-01")),
        );
        assert!(long.is_err());
    }
}
