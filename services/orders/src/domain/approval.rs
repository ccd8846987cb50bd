//! Approving purchasers' orders (issue #22). A business buyer's owner sets a limit; an order
//! placed by a purchaser (or staff) whose total is above it waits for a manager's or the
//! owner's decision before it can be paid. Owners and managers order without waiting.
//!
//! ```text
//!   pending ──approve──▶ approved      (the order can be paid)
//!      └─────reject───▶ rejected      (the order is cancelled, its stock returned)
//! ```
//! Only a pending approval moves; both outcomes are final.

farmgate_kernel::wire_enum!(
    /// Where an order's approval stands.
    ApprovalStatus {
        Pending => "pending",
        Approved => "approved",
        Rejected => "rejected",
    }
);

/// A decision on a pending approval.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject,
}

/// Why a decision is refused: it was decided already (and how).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("the approval is already {0}")]
pub struct AlreadyDecided(pub ApprovalStatus);

/// The approval state machine: the one place that says which moves are legal.
pub fn decide(current: ApprovalStatus, d: Decision) -> Result<ApprovalStatus, AlreadyDecided> {
    match (current, d) {
        (ApprovalStatus::Pending, Decision::Approve) => Ok(ApprovalStatus::Approved),
        (ApprovalStatus::Pending, Decision::Reject) => Ok(ApprovalStatus::Rejected),
        (done, _) => Err(AlreadyDecided(done)),
    }
}

/// Whether an order of `total_fen` by someone who does not approve purchases waits: only above
/// a limit the owner set (equal to the limit does not wait; no limit never waits).
pub fn needs_approval(total_fen: i64, limit_fen: Option<i64>, orderer_approves: bool) -> bool {
    !orderer_approves && limit_fen.is_some_and(|limit| total_fen > limit)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pending_approval_is_approved_or_rejected_once() {
        assert_eq!(
            decide(ApprovalStatus::Pending, Decision::Approve),
            Ok(ApprovalStatus::Approved)
        );
        assert_eq!(
            decide(ApprovalStatus::Pending, Decision::Reject),
            Ok(ApprovalStatus::Rejected)
        );
        for done in [ApprovalStatus::Approved, ApprovalStatus::Rejected] {
            for d in [Decision::Approve, Decision::Reject] {
                assert_eq!(decide(done, d), Err(AlreadyDecided(done)));
            }
        }
    }

    #[test]
    fn only_a_purchasers_order_above_the_limit_waits() {
        assert!(needs_approval(10_001, Some(10_000), false));
        assert!(!needs_approval(10_000, Some(10_000), false));
        assert!(!needs_approval(10_001, Some(10_000), true));
        assert!(!needs_approval(i64::MAX, None, false));
        assert!(needs_approval(1, Some(0), false));
    }
}
