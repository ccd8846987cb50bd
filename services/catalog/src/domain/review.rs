//! The listing review machine: what a seller proposes (a revision), what the operator decides,
//! and which moves a listing's status allows.

use super::listing::ListingStatus;

farmgate_kernel::wire_enum!(
    /// What a revision proposes: a new listing, or a change of its reviewed facts.
    RevisionKind {
        New => "new",
        Change => "change",
    }
);

farmgate_kernel::wire_enum!(
    /// Where a revision stands: waiting, or decided one way or the other.
    RevisionStatus {
        Pending => "pending",
        Approved => "approved",
        Rejected => "rejected",
    }
);

impl RevisionStatus {
    /// The status a decision gives a pending revision.
    pub fn decided(approve: bool) -> Self {
        if approve {
            RevisionStatus::Approved
        } else {
            RevisionStatus::Rejected
        }
    }
}

/// What can happen to a listing in review.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReviewMove {
    /// The seller sends the listing to the operator; it needs an active SKU.
    Submit { active_skus: usize },
    /// The operator approves or rejects a revision of the listing.
    Decide {
        kind: RevisionKind,
        revision: RevisionStatus,
        approve: bool,
    },
    /// The operator (or a batch recall) forces the listing off sale (非正常下架).
    ForceDelist,
}

/// Why a review move is refused. Every one answers `invalid_state` (409) with its own text.
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
    #[error("this revision was already decided")]
    AlreadyDecided,
}

/// The review state machine: the one place that says which moves are legal and where they
/// lead.
///
/// ```text
///            submit                  approve (new)
///   draft ──────────▶ pending ───────────────────▶ approved ──┐ approve / reject (change):
///                      │  │                         │  ▲      │ the listing stays approved,
///         reject (new) │  │ force delist            │  └──────┘ only the change is decided
///                      ▼  ▼                         │
///               rejected  delisted ◀────────────────┘ force delist
///                   │       │
///                   └───────┴──submit──▶ pending
/// ```
///
/// Submitting needs an active SKU and is refused while the listing waits or is live (a live
/// listing's changes become revisions on their own). Only a waiting revision can be decided.
/// Only a live or waiting listing can be forced off sale.
pub fn review(current: ListingStatus, action: ReviewMove) -> Result<ListingStatus, WorkflowError> {
    use ListingStatus as S;
    match (current, action) {
        (S::Pending, ReviewMove::Submit { .. }) => Err(WorkflowError::AlreadyPending),
        (S::Approved, ReviewMove::Submit { .. }) => Err(WorkflowError::AlreadyApproved),
        (_, ReviewMove::Submit { active_skus: 0 }) => Err(WorkflowError::NoSku),
        (S::Draft | S::Rejected | S::Delisted, ReviewMove::Submit { .. }) => Ok(S::Pending),
        (_, ReviewMove::Decide { revision, .. }) if revision != RevisionStatus::Pending => {
            Err(WorkflowError::AlreadyDecided)
        }
        (_, ReviewMove::Decide { kind, approve, .. }) => Ok(match (kind, approve) {
            (RevisionKind::New, true) => S::Approved,
            (RevisionKind::New, false) => S::Rejected,
            // A change to a live listing leaves it live either way; only the change is decided.
            (RevisionKind::Change, _) => current,
        }),
        (S::Approved | S::Pending, ReviewMove::ForceDelist) => Ok(S::Delisted),
        (S::Draft | S::Rejected | S::Delisted, ReviewMove::ForceDelist) => {
            Err(WorkflowError::NotListed)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ListingStatus as S;

    fn submit(skus: usize) -> ReviewMove {
        ReviewMove::Submit { active_skus: skus }
    }

    fn decide(kind: RevisionKind, approve: bool) -> ReviewMove {
        ReviewMove::Decide {
            kind,
            revision: RevisionStatus::Pending,
            approve,
        }
    }

    #[test]
    fn a_draft_with_a_sku_is_submitted_for_review() {
        assert_eq!(review(S::Draft, submit(1)), Ok(S::Pending));
    }

    #[test]
    fn a_rejected_listing_is_resubmitted_after_editing() {
        assert_eq!(review(S::Rejected, submit(2)), Ok(S::Pending));
    }

    #[test]
    fn a_delisted_listing_goes_back_to_the_operator_when_resubmitted() {
        assert_eq!(review(S::Delisted, submit(1)), Ok(S::Pending));
    }

    #[test]
    fn a_listing_without_an_active_sku_cannot_be_submitted() {
        for s in [S::Draft, S::Rejected, S::Delisted] {
            assert_eq!(review(s, submit(0)), Err(WorkflowError::NoSku), "{s}");
        }
    }

    #[test]
    fn a_waiting_listing_cannot_be_submitted_again() {
        assert_eq!(
            review(S::Pending, submit(1)),
            Err(WorkflowError::AlreadyPending)
        );
        assert_eq!(
            review(S::Pending, submit(0)),
            Err(WorkflowError::AlreadyPending)
        );
    }

    #[test]
    fn a_live_listing_is_not_submitted_its_changes_are_reviewed_on_their_own() {
        assert_eq!(
            review(S::Approved, submit(1)),
            Err(WorkflowError::AlreadyApproved)
        );
    }

    #[test]
    fn approving_a_new_listing_puts_it_live() {
        assert_eq!(
            review(S::Pending, decide(RevisionKind::New, true)),
            Ok(S::Approved)
        );
    }

    #[test]
    fn rejecting_a_new_listing_sends_it_back_to_the_seller() {
        assert_eq!(
            review(S::Pending, decide(RevisionKind::New, false)),
            Ok(S::Rejected)
        );
    }

    #[test]
    fn deciding_a_change_leaves_a_live_listing_live_either_way() {
        assert_eq!(
            review(S::Approved, decide(RevisionKind::Change, true)),
            Ok(S::Approved)
        );
        assert_eq!(
            review(S::Approved, decide(RevisionKind::Change, false)),
            Ok(S::Approved)
        );
    }

    #[test]
    fn a_revision_already_decided_cannot_be_decided_again() {
        for revision in [RevisionStatus::Approved, RevisionStatus::Rejected] {
            for kind in [RevisionKind::New, RevisionKind::Change] {
                let again = ReviewMove::Decide {
                    kind,
                    revision,
                    approve: true,
                };
                assert_eq!(
                    review(S::Approved, again),
                    Err(WorkflowError::AlreadyDecided)
                );
            }
        }
    }

    #[test]
    fn a_live_listing_can_be_forced_off_sale() {
        assert_eq!(
            review(S::Approved, ReviewMove::ForceDelist),
            Ok(S::Delisted)
        );
    }

    #[test]
    fn a_waiting_listing_can_be_forced_off_sale() {
        assert_eq!(review(S::Pending, ReviewMove::ForceDelist), Ok(S::Delisted));
    }

    #[test]
    fn a_listing_that_is_not_live_or_waiting_cannot_be_forced_off_sale() {
        for s in [S::Draft, S::Rejected, S::Delisted] {
            assert_eq!(
                review(s, ReviewMove::ForceDelist),
                Err(WorkflowError::NotListed),
                "{s}"
            );
        }
    }

    #[test]
    fn revision_names_on_the_wire_are_unchanged() {
        assert_eq!(RevisionKind::New.as_str(), "new");
        assert_eq!(RevisionKind::Change.as_str(), "change");
        let names: Vec<&str> = RevisionStatus::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(names, ["pending", "approved", "rejected"]);
        assert_eq!(RevisionStatus::decided(false), RevisionStatus::Rejected);
    }
}
