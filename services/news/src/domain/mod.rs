//! News rules as plain types and functions: the categories, the review state machine and its
//! four-eyes rule, when an article is public, the 48-hour approval rule's clock, what an
//! article must carry (parsing that refuses anything else) and the body's sanitiser. No axum,
//! no sea-orm.
//!
//! ```text
//!            edit                 submit                approve (an operator, not the author)
//!   (new) ──────► draft ◄──────┐ ──────────► submitted ──────────────────► approved
//!                   ▲  │ edit  │                 │                           │
//!                   │  └───────┘                 └─reject (reason)─► rejected │
//!                   └──────────────── edit ─────────────────────────┴──────────┘
//! ```
//! The state is the state of the article's newest revision. Approval makes that revision the
//! published one; an edit afterwards starts a new draft revision while the published one stays
//! public until the new one is approved. Withdrawal (a reason, by the operator or the author)
//! hides a published article; approving a new revision publishes it again.

mod article;
mod sanitise;

pub use article::{
    ArticleInput, MAX_BODY_BYTES, MAX_SUMMARY_CHARS, MAX_TITLE_CHARS, ParsedArticle, parse_reason,
};
pub use sanitise::{IMAGE_PATH, image_ids_in, sanitise_body};

use chrono::{DateTime, Duration, Utc};
use farmgate_kernel::labelled_enum;

farmgate_kernel::define_id!(
    /// A news article (its revisions hang off it).
    ArticleId
);

/// The management rules give the platform 48 hours to approve what is submitted.
pub const APPROVAL_LIMIT: Duration = Duration::hours(48);

labelled_enum!(
    /// What an article is about; the public list is filtered by it.
    NewsCategory {
        Policy => "policy", "政策", "policy";
        Season => "season", "农时", "farming season";
        Training => "training", "培训", "training";
        Market => "market", "市场", "market";
        Announcement => "announcement", "公告", "announcement";
    }
);

labelled_enum!(
    /// Where an article's newest revision stands.
    #[schema(as = NewsStatus)]
    ReviewStatus {
        Draft => "draft", "草稿", "draft";
        Submitted => "submitted", "待审核", "submitted";
        Approved => "approved", "已通过", "approved";
        Rejected => "rejected", "已退回", "rejected";
    }
);

labelled_enum!(
    /// A move on an article's review.
    Move {
        Edit => "edit", "修改", "edit";
        Submit => "submit", "提交审核", "submit";
        Approve => "approve", "通过", "approve";
        Reject => "reject", "退回", "reject";
    }
);

/// The one transition function: where `mv` takes an article in `from`, or `None` when the move
/// is not allowed there.
pub fn next(from: ReviewStatus, mv: Move) -> Option<ReviewStatus> {
    use Move as M;
    use ReviewStatus as S;
    match (from, mv) {
        (S::Draft | S::Approved | S::Rejected, M::Edit) => Some(S::Draft),
        (S::Draft, M::Submit) => Some(S::Submitted),
        (S::Submitted, M::Approve) => Some(S::Approved),
        (S::Submitted, M::Reject) => Some(S::Rejected),
        _ => None,
    }
}

/// Who asks to review an article.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reviewer {
    pub is_operator: bool,
    /// The reviewer wrote the article.
    pub is_author: bool,
}

/// Why a review is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReviewRefusal {
    /// Only the platform operator reviews news.
    NotOperator,
    /// Four eyes: nobody approves (or rejects) their own article.
    OwnArticle,
}

/// The four-eyes rule: an operator who is not the article's author.
pub fn check_reviewer(r: Reviewer) -> Result<(), ReviewRefusal> {
    if !r.is_operator {
        Err(ReviewRefusal::NotOperator)
    } else if r.is_author {
        Err(ReviewRefusal::OwnArticle)
    } else {
        Ok(())
    }
}

/// When an approved revision becomes public: at once, or at its scheduled time if later. An
/// article that is public already stays public from when it first was (a corrected notice
/// does not disappear until its new time).
pub fn public_from(
    now: DateTime<Utc>,
    publish_at: Option<DateTime<Utc>>,
    currently_public_from: Option<DateTime<Utc>>,
) -> DateTime<Utc> {
    match currently_public_from {
        Some(t) if t <= now => t,
        _ => publish_at.map_or(now, |p| p.max(now)),
    }
}

/// Is an article public now: approved once (it has a public-from time), that time has come,
/// and it is not withdrawn. The store's public queries say the same in SQL.
pub fn is_public(public_from: Option<DateTime<Utc>>, withdrawn: bool, now: DateTime<Utc>) -> bool {
    !withdrawn && public_from.is_some_and(|t| t <= now)
}

/// How long a submitted article has waited, and whether it is past the 48-hour rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct QueueAge {
    pub minutes: i64,
    pub overdue: bool,
    /// When the 48 hours run out.
    pub due_at: DateTime<Utc>,
}

pub fn queue_age(submitted_at: DateTime<Utc>, now: DateTime<Utc>) -> QueueAge {
    let due_at = submitted_at + APPROVAL_LIMIT;
    QueueAge {
        minutes: (now - submitted_at).num_minutes().max(0),
        overdue: now > due_at,
        due_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ReviewStatus as S;

    #[test]
    fn a_draft_is_submitted_then_approved_or_rejected() {
        assert_eq!(next(S::Draft, Move::Submit), Some(S::Submitted));
        assert_eq!(next(S::Submitted, Move::Approve), Some(S::Approved));
        assert_eq!(next(S::Submitted, Move::Reject), Some(S::Rejected));
    }

    #[test]
    fn nothing_is_approved_or_rejected_without_being_submitted() {
        for s in [S::Draft, S::Approved, S::Rejected] {
            assert_eq!(next(s, Move::Approve), None, "{s}");
            assert_eq!(next(s, Move::Reject), None, "{s}");
        }
    }

    #[test]
    fn an_article_under_review_is_not_edited_or_submitted_twice() {
        assert_eq!(next(S::Submitted, Move::Edit), None);
        assert_eq!(next(S::Submitted, Move::Submit), None);
    }

    #[test]
    fn editing_a_rejected_or_published_article_starts_a_new_draft() {
        assert_eq!(next(S::Rejected, Move::Edit), Some(S::Draft));
        assert_eq!(next(S::Approved, Move::Edit), Some(S::Draft));
        assert_eq!(next(S::Draft, Move::Edit), Some(S::Draft));
        assert_eq!(next(S::Approved, Move::Submit), None);
        assert_eq!(next(S::Rejected, Move::Submit), None);
    }

    #[test]
    fn only_an_operator_who_did_not_write_it_reviews_an_article() {
        let r = |is_operator, is_author| {
            check_reviewer(Reviewer {
                is_operator,
                is_author,
            })
        };
        assert_eq!(r(true, false), Ok(()));
        assert_eq!(r(true, true), Err(ReviewRefusal::OwnArticle));
        assert_eq!(r(false, false), Err(ReviewRefusal::NotOperator));
        assert_eq!(r(false, true), Err(ReviewRefusal::NotOperator));
    }

    fn at(h: i64) -> DateTime<Utc> {
        DateTime::<Utc>::from_timestamp(1_800_000_000 + h * 3600, 0).unwrap_or_default()
    }

    #[test]
    fn a_scheduled_article_is_public_only_once_its_time_has_come() {
        let from = public_from(at(0), Some(at(5)), None);
        assert_eq!(from, at(5));
        assert!(!is_public(Some(from), false, at(4)));
        assert!(is_public(Some(from), false, at(5)));
        // Scheduled in the past: public at approval.
        assert_eq!(public_from(at(10), Some(at(5)), None), at(10));
        assert_eq!(public_from(at(10), None, None), at(10));
    }

    #[test]
    fn a_published_article_keeps_its_time_when_a_correction_is_approved() {
        assert_eq!(public_from(at(10), Some(at(20)), Some(at(3))), at(3));
        // Not yet public (scheduled, not come): the new schedule applies.
        assert_eq!(public_from(at(10), Some(at(20)), Some(at(15))), at(20));
    }

    #[test]
    fn a_withdrawn_or_never_approved_article_is_not_public() {
        assert!(!is_public(None, false, at(1)));
        assert!(!is_public(Some(at(0)), true, at(1)));
    }

    #[test]
    fn the_queue_counts_48_hours_from_submission() {
        let a = queue_age(at(0), at(47));
        assert_eq!((a.minutes, a.overdue), (47 * 60, false));
        assert!(!queue_age(at(0), at(48)).overdue);
        let late = queue_age(at(0), at(49));
        assert!(late.overdue);
        assert_eq!(late.due_at, at(48));
    }
}
