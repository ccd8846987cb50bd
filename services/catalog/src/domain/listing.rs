//! Where a listing stands, when buyers can see it, and the text facts a seller writes.

use farmgate_kernel::FieldError;
use farmgate_kernel::id::CategoryId;
use farmgate_kernel::text::{clean_optional_text, clean_text};

farmgate_kernel::wire_enum!(
    /// Where a listing stands in review (`review::review` says which moves are legal).
    ListingStatus {
        /// Being written by the seller; nobody else sees it.
        Draft => "draft",
        /// Submitted, waiting for the operator.
        Pending => "pending",
        /// Approved: on sale while it has stock and its seller is verified.
        Approved => "approved",
        /// Refused by the operator with a reason; the seller edits and resubmits.
        Rejected => "rejected",
        /// Forced off sale by the operator with a reason (非正常下架).
        Delisted => "delisted",
    }
);

farmgate_kernel::wire_enum!(
    /// Whether buyers can see and buy a listing right now.
    Availability {
        OnSale => "on_sale",
        /// Approved but every SKU is out of stock (正常下架): hidden from search, page still opens.
        SoldOut => "sold_out",
        /// Not approved, rejected, forced off sale, or the seller is not verified.
        Hidden => "hidden",
    }
);

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

/// The facts of a listing the operator reviews.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewedFacts {
    pub title: String,
    pub category_id: CategoryId,
    pub origin: farmgate_kernel::Region,
    pub origin_note: Option<String>,
}

/// Whether the facts the operator reviews (title, category, origin) changed.
pub fn needs_review(old: &ReviewedFacts, new: &ReviewedFacts) -> bool {
    old != new
}

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

/// A rejection or delisting reason the seller reads: 2–500 characters.
pub fn parse_reason(input: &str) -> Result<String, FieldError> {
    clean_text(input, 2, 500, true).map_err(|e| e.at("reason"))
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn status_and_availability_names_on_the_wire_are_unchanged() {
        let names: Vec<&str> = ListingStatus::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(
            names,
            ["draft", "pending", "approved", "rejected", "delisted"]
        );
        let names: Vec<&str> = Availability::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(names, ["on_sale", "sold_out", "hidden"]);
    }
}
