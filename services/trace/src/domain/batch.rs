//! A batch's lifecycle: the status its records give it, and when it may go into a parcel.

use super::events::EventKind;
use farmgate_kernel::wire_enum;
use serde_json::Value;

wire_enum!(
    /// Where a batch stands (the `batches.status` column). Derived from its records by
    /// [`advance`]; verification never trusts it, it only saves reading the chain.
    BatchStatus {
        /// No failed inspection is the latest (it ships once an inspection passed).
        Open => "open",
        /// The latest inspection failed: nothing ships until a retest passes.
        Blocked => "blocked",
        /// Recalled (召回): final.
        Recalled => "recalled",
    }
);

/// What a new record does to its batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BatchMove {
    /// A residue test, passed or failed.
    Inspected { passed: bool },
    /// The recall record, written by the system when a recall is ordered.
    Recalled,
    /// Any other record (planting, inputs, harvest, packing, shipping, notes …).
    Recorded,
}

impl BatchMove {
    /// The move a record of this kind with this (validated) data makes.
    pub fn of(kind: EventKind, data: &Value) -> Self {
        match kind {
            // A third-party test counts as an inspection: a failed one blocks the batch (and
            // recalls it, through after-sales' job), a passed one reopens a blocked batch.
            EventKind::Inspection | EventKind::LabCheck => BatchMove::Inspected {
                passed: data["result"] == "pass",
            },
            EventKind::Recall => BatchMove::Recalled,
            _ => BatchMove::Recorded,
        }
    }
}

/// The status after a record. Every move is legal: a record is never refused for the batch's
/// status (a recalled batch still takes notes and retests), only its effect differs.
///
/// ```text
///                 inspection failed
///        ┌──────────────────────────────┐
///        │                              ▼
///      open                          blocked
///        ▲                              │
///        └──────────────────────────────┘
///                 inspection passed
///
///   open ──recall──► recalled ◄──recall── blocked
///                    (final: every later record, a passing retest too, leaves it recalled)
///
///   any other record (and a pass while open, a fail while blocked) leaves the status as is
/// ```
pub fn advance(current: BatchStatus, mv: BatchMove) -> BatchStatus {
    match (current, mv) {
        (BatchStatus::Recalled, _) | (_, BatchMove::Recalled) => BatchStatus::Recalled,
        (_, BatchMove::Inspected { passed: true }) => BatchStatus::Open,
        (_, BatchMove::Inspected { passed: false }) => BatchStatus::Blocked,
        (status, BatchMove::Recorded) => status,
    }
}

/// Why a batch may not go into a parcel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShipRefusal {
    Recalled,
    Blocked,
    /// No inspection has passed yet.
    NotInspected,
    /// The record does not verify.
    ChainBroken,
}

/// Whether a batch may go into a parcel, checked in this order: not recalled, not blocked, its
/// latest inspection passed, and its record verifies.
pub fn may_ship(
    status: BatchStatus,
    latest_inspection_passed: bool,
    chain_intact: bool,
) -> Result<(), ShipRefusal> {
    match status {
        BatchStatus::Recalled => Err(ShipRefusal::Recalled),
        BatchStatus::Blocked => Err(ShipRefusal::Blocked),
        BatchStatus::Open if !latest_inspection_passed => Err(ShipRefusal::NotInspected),
        BatchStatus::Open if !chain_intact => Err(ShipRefusal::ChainBroken),
        BatchStatus::Open => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use BatchMove::{Inspected, Recalled, Recorded};
    use BatchStatus::{Blocked, Open};
    use serde_json::json;

    const PASS: BatchMove = Inspected { passed: true };
    const FAIL: BatchMove = Inspected { passed: false };

    #[test]
    fn an_open_batch_is_blocked_by_a_failed_inspection_and_stays_open_otherwise() {
        assert_eq!(advance(Open, FAIL), Blocked);
        assert_eq!(advance(Open, PASS), Open);
        assert_eq!(advance(Open, Recorded), Open);
    }

    #[test]
    fn a_blocked_batch_reopens_only_with_a_passing_retest() {
        assert_eq!(advance(Blocked, PASS), Open);
        assert_eq!(advance(Blocked, FAIL), Blocked);
        assert_eq!(advance(Blocked, Recorded), Blocked);
    }

    #[test]
    fn a_recall_is_final_whatever_comes_after() {
        assert_eq!(advance(Open, Recalled), BatchStatus::Recalled);
        assert_eq!(advance(Blocked, Recalled), BatchStatus::Recalled);
        for mv in [PASS, FAIL, Recorded, Recalled] {
            assert_eq!(
                advance(BatchStatus::Recalled, mv),
                BatchStatus::Recalled,
                "{mv:?}"
            );
        }
    }

    #[test]
    fn records_make_the_move_their_kind_and_result_say() {
        let pass = json!({"result": "pass"});
        let fail = json!({"result": "fail"});
        assert_eq!(BatchMove::of(EventKind::Inspection, &pass), PASS);
        assert_eq!(BatchMove::of(EventKind::Inspection, &fail), FAIL);
        assert_eq!(BatchMove::of(EventKind::Recall, &json!({})), Recalled);
        assert_eq!(BatchMove::of(EventKind::LabCheck, &pass), PASS);
        assert_eq!(BatchMove::of(EventKind::LabCheck, &fail), FAIL);
        for k in [
            EventKind::Planting,
            EventKind::Input,
            EventKind::Harvest,
            EventKind::Packing,
            EventKind::Shipping,
            EventKind::Receiving,
            EventKind::Note,
        ] {
            assert_eq!(BatchMove::of(k, &pass), Recorded, "{k}");
        }
    }

    #[test]
    fn only_an_open_inspected_intact_batch_ships_and_refusals_come_in_order() {
        assert_eq!(may_ship(Open, true, true), Ok(()));
        assert_eq!(may_ship(Open, false, true), Err(ShipRefusal::NotInspected));
        assert_eq!(may_ship(Open, true, false), Err(ShipRefusal::ChainBroken));
        assert_eq!(may_ship(Open, false, false), Err(ShipRefusal::NotInspected));
        assert_eq!(may_ship(Blocked, true, true), Err(ShipRefusal::Blocked));
        assert_eq!(
            may_ship(BatchStatus::Recalled, true, false),
            Err(ShipRefusal::Recalled)
        );
    }

    #[test]
    fn statuses_keep_their_stored_names() {
        assert_eq!(
            BatchStatus::ALL
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>(),
            ["open", "blocked", "recalled"]
        );
    }
}
