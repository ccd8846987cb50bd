//! Review moderation's rules: what the operator may do to a review in which state, and the
//! lengths of a reply and a reason.
//!
//! ```text
//!   shown ──hide(reason)──▶ hidden ──restore──▶ shown
//!   keep (dismiss the reports): either state, no change
//! ```
//! A hidden review is kept with its reason and who hid it; it leaves the listing's pages and
//! its average, and comes back whole when restored. The seller replies once, in either state.

/// Longest seller reply (characters).
pub const MAX_REVIEW_REPLY: usize = 500;
/// Longest reason for a report (characters).
pub const MAX_REPORT_REASON: usize = 500;
/// Longest reason for hiding (characters).
pub const MAX_HIDE_REASON: usize = 200;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Moderation {
    Hide,
    Restore,
    /// Dismiss the open reports and leave the review as it is.
    Keep,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModerationRefused {
    AlreadyHidden,
    NotHidden,
}

impl Moderation {
    /// The word stored in the moderation history.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Hide => "hidden",
            Self::Restore => "restored",
            Self::Keep => "kept",
        }
    }
}

/// Whether the review is hidden after the move, or why the move is refused.
pub fn moderate(hidden: bool, m: Moderation) -> Result<bool, ModerationRefused> {
    match (hidden, m) {
        (false, Moderation::Hide) => Ok(true),
        (true, Moderation::Hide) => Err(ModerationRefused::AlreadyHidden),
        (true, Moderation::Restore) => Ok(false),
        (false, Moderation::Restore) => Err(ModerationRefused::NotHidden),
        (h, Moderation::Keep) => Ok(h),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shown_review_is_hidden_and_a_hidden_one_restored() {
        assert_eq!(moderate(false, Moderation::Hide), Ok(true));
        assert_eq!(moderate(true, Moderation::Restore), Ok(false));
    }

    #[test]
    fn hiding_twice_or_restoring_a_shown_review_is_refused() {
        assert_eq!(
            moderate(true, Moderation::Hide),
            Err(ModerationRefused::AlreadyHidden)
        );
        assert_eq!(
            moderate(false, Moderation::Restore),
            Err(ModerationRefused::NotHidden)
        );
    }

    #[test]
    fn keeping_changes_nothing_in_either_state() {
        assert_eq!(moderate(false, Moderation::Keep), Ok(false));
        assert_eq!(moderate(true, Moderation::Keep), Ok(true));
    }
}
