//! The handling time a category promises (issue #18, "48 h by default, per category"): the
//! operator may give a category its own ship-within, which its subcategories inherit unless
//! they set their own; a category with none on its path uses the platform's default.

use std::ops::RangeInclusive;

/// The hours a category may promise: at least half a day (a seller needs time to pack), at
/// most ten days (longer is a pre-sale, not a ship-by).
pub const SHIP_WITHIN_HOURS: RangeInclusive<i32> = 12..=240;

/// Whether `hours` is a promise a category may make.
pub fn valid_ship_within(hours: i32) -> bool {
    SHIP_WITHIN_HOURS.contains(&hours)
}

/// The ship-within in force for a category, given its own value and then each ancestor's
/// (leaf first): the nearest one set; `None` when none is (the platform's default applies).
pub fn inherited_ship_within(leaf_first: impl IntoIterator<Item = Option<i32>>) -> Option<i32> {
    leaf_first.into_iter().flatten().next()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_category_promises_between_twelve_hours_and_ten_days() {
        assert!(!valid_ship_within(11));
        assert!(valid_ship_within(12));
        assert!(valid_ship_within(48));
        assert!(valid_ship_within(240));
        assert!(!valid_ship_within(241));
        assert!(!valid_ship_within(0));
        assert!(!valid_ship_within(-24));
    }

    #[test]
    fn a_subcategory_inherits_the_nearest_promise_set_on_its_path() {
        assert_eq!(inherited_ship_within([Some(24), Some(72)]), Some(24));
        assert_eq!(inherited_ship_within([None, Some(72)]), Some(72));
        assert_eq!(inherited_ship_within([None, None]), None);
        assert_eq!(inherited_ship_within(Vec::new()), None);
    }
}
