//! Adjustments: what a seller's next payout takes back or gives back, and what a failed payout
//! does to the ones recorded while it held its sub-orders.
//!
//! A refund charged to a seller after its sub-order joined a payout P1 is a `refund`
//! adjustment (negative fen), netted into the seller's next payout P2. If P1 then fails, the
//! sub-order goes back to payable at its new, lower value, so the refund must not be taken back
//! as well:
//!
//! ```text
//!   refund adjustment of a sub-order of the failed payout
//!     ├─ open (netted nowhere)             → void: deleted, the next batch pays the lower value
//!     ├─ netted into another payout        → reverse: a `reversal` of the same refund
//!     │                                       (positive fen, open) credits it back next time
//!     └─ reversed already                  → keep: the pair nets to zero wherever it goes
//!   reversal                               → keep: a credit owed to the seller
//! ```
//!
//! Only the refund adjustments of the failed payout's own hold are still unreversed: those of an
//! earlier hold of the same sub-order were voided or reversed when that payout failed.

use farmgate_kernel::labelled_enum;

labelled_enum!(
    /// What an adjustment is.
    AdjustmentKind {
        /// A refund charged to the seller after its sub-order joined a payout: taken back.
        Refund => "refund", "扣回退款", "refund taken back";
        /// The same refund given back: the payout that held its sub-order failed after the
        /// refund had been netted into another payout.
        Reversal => "reversal", "退还多扣退款", "refund given back";
    }
);

/// An adjustment as the failure of a payout sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Held {
    pub kind: AdjustmentKind,
    /// Netted into a payout (pending or paid).
    pub netted: bool,
    /// A reversal of its refund exists.
    pub reversed: bool,
}

/// What the failure of the payout holding its sub-order does to an adjustment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnFailure {
    Keep,
    /// Delete it: nobody took it back yet.
    Void,
    /// Record a reversal of it (its amount negated), open.
    Reverse,
}

/// The one rule (see the module's diagram).
pub fn on_failure(a: Held) -> OnFailure {
    match a {
        Held {
            kind: AdjustmentKind::Reversal,
            ..
        }
        | Held { reversed: true, .. } => OnFailure::Keep,
        Held { netted: false, .. } => OnFailure::Void,
        Held { netted: true, .. } => OnFailure::Reverse,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held(kind: AdjustmentKind, netted: bool, reversed: bool) -> Held {
        Held {
            kind,
            netted,
            reversed,
        }
    }

    #[test]
    fn an_open_refund_is_voided_because_the_next_batch_pays_the_lower_value() {
        assert_eq!(
            on_failure(held(AdjustmentKind::Refund, false, false)),
            OnFailure::Void
        );
    }

    #[test]
    fn a_refund_netted_elsewhere_is_reversed_once() {
        assert_eq!(
            on_failure(held(AdjustmentKind::Refund, true, false)),
            OnFailure::Reverse
        );
        assert_eq!(
            on_failure(held(AdjustmentKind::Refund, true, true)),
            OnFailure::Keep
        );
        // Reopened by its own payout's failure after being reversed: the pair nets to zero.
        assert_eq!(
            on_failure(held(AdjustmentKind::Refund, false, true)),
            OnFailure::Keep
        );
    }

    #[test]
    fn a_reversal_is_a_credit_and_is_never_undone_by_a_hold_failing() {
        for netted in [false, true] {
            assert_eq!(
                on_failure(held(AdjustmentKind::Reversal, netted, false)),
                OnFailure::Keep
            );
        }
    }

    #[test]
    fn kinds_read_as_stored() {
        assert_eq!(AdjustmentKind::Refund.as_str(), "refund");
        assert_eq!(AdjustmentKind::Reversal.as_str(), "reversal");
    }
}
