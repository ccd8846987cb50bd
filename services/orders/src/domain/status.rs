//! The two state machines of buying: the order as a whole (paid or not) and each seller's part
//! of it (paid, prepared, shipped, received). Each has one transition function, the one place
//! that says which moves are legal; use cases ask it instead of comparing statuses.

use farmgate_kernel::wire_enum;

wire_enum!(
    /// The order as the buyer sees it.
    OrderStatus {
        /// Placed, stock reserved, waiting for the money.
        PendingPayment => "pending_payment",
        /// Paid: the sub-orders go to their sellers.
        Paid => "paid",
        /// Cancelled by the buyer (or the operator) before payment; stock went back.
        Cancelled => "cancelled",
        /// Not paid in time; stock went back.
        Expired => "expired",
    }
);

wire_enum!(
    /// One seller's part of an order.
    SubOrderStatus {
        PendingPayment => "pending_payment",
        /// Paid; the seller has not yet acknowledged it.
        Paid => "paid",
        /// The seller has seen it and is preparing it.
        Acknowledged => "acknowledged",
        Shipped => "shipped",
        Received => "received",
        Cancelled => "cancelled",
        /// Shipped but never delivered: a claim before receipt ("not received", "lost") ended
        /// with the whole sub-order refunded. Closed; settled at once by the claim's
        /// liability, like a received one whose window has closed (docs/MONEY.md).
        Undelivered => "undelivered",
    }
);

impl SubOrderStatus {
    /// Whether the parcel's story is over, so the sub-order can be settled with its seller
    /// once its after-sales window has closed: received, or closed as never delivered.
    pub fn settles(self) -> bool {
        matches!(self, Self::Received | Self::Undelivered)
    }
}

/// Why a move is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum MoveRefused {
    /// The move was made before; asking again changes nothing (a retry, a second click).
    #[error("already done")]
    AlreadyDone,
    /// The move is not possible from the current state.
    #[error("not possible from this state")]
    NotAllowed,
}

/// What can happen to an order as a whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OrderMove {
    /// The money arrived (a gateway's notification, or an offline payment confirmed).
    Pay,
    /// The buyer or the operator calls it off before payment.
    Cancel,
    /// The payment deadline passed.
    Expire,
}

impl OrderMove {
    /// The states this move may start from (the condition of the update that makes it, so two
    /// requests at once cannot both make it).
    pub fn from_states(self) -> Vec<OrderStatus> {
        OrderStatus::ALL
            .iter()
            .copied()
            .filter(|s| order_transition(*s, self).is_ok())
            .collect()
    }
}

/// The order's state machine.
///
/// ```text
///                   ┌──pay─────▶ paid
///   pending_payment ┼──cancel──▶ cancelled
///                   └──expire──▶ expired
/// ```
/// Only an unpaid order moves. Making a move whose end state the order is already in is
/// `AlreadyDone` (paying a paid order again changes nothing); anything else from a closed or paid
/// order is `NotAllowed`.
pub fn order_transition(current: OrderStatus, m: OrderMove) -> Result<OrderStatus, MoveRefused> {
    use OrderStatus as S;
    match (current, m) {
        (S::PendingPayment, OrderMove::Pay) => Ok(S::Paid),
        (S::PendingPayment, OrderMove::Cancel) => Ok(S::Cancelled),
        (S::PendingPayment, OrderMove::Expire) => Ok(S::Expired),
        (S::Paid, OrderMove::Pay)
        | (S::Cancelled, OrderMove::Cancel)
        | (S::Expired, OrderMove::Expire) => Err(MoveRefused::AlreadyDone),
        _ => Err(MoveRefused::NotAllowed),
    }
}

/// What can happen to one seller's part of an order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SubOrderMove {
    /// The order was paid.
    Pay,
    /// The order was cancelled or expired before payment.
    Cancel,
    /// A paid part that has not shipped is called off and its money goes back (issue #18):
    /// the buyer after the ship-by deadline, the scheduler after the grace period, or the
    /// buyer's request accepted (see `deadlines`).
    CancelPaid,
    /// The seller has seen it and is preparing it.
    Acknowledge,
    /// The seller handed it to a carrier (acknowledging first is recorded, not required).
    Ship,
    /// The buyer confirmed receipt, or the scheduler did after the configured days.
    Receive,
    /// Money goes back (an operator, a claim, a recall). The state stays as it is.
    Refund,
    /// A claim before receipt ended with the whole shipped sub-order refunded: the parcel
    /// never came, and nothing more can happen to it.
    CloseUndelivered,
    /// The buyer reviews a line. The state stays as it is.
    Review,
    /// The seller corrects the parcel's waybill (number and/or carrier) while it is on its
    /// way. The state stays as it is; once received or closed the waybill is a record.
    CorrectWaybill,
}

impl SubOrderMove {
    /// The states this move may start from (the condition of the update that makes it, so two
    /// requests at once cannot both make it).
    pub fn from_states(self) -> Vec<SubOrderStatus> {
        SubOrderStatus::ALL
            .iter()
            .copied()
            .filter(|s| sub_order_transition(*s, self).is_ok())
            .collect()
    }
}

/// A sub-order's state machine.
///
/// ```text
///   pending_payment ──pay──▶ paid ──acknowledge──▶ acknowledged ──ship──▶ shipped ──receive──▶ received
///         │                   │                                   ▲
///         │                   └───────────────ship────────────────┘
///         └──cancel──▶ cancelled ◀──cancel_paid── paid, acknowledged     shipped ──close_undelivered──▶ undelivered
/// ```
/// `close_undelivered` ends a shipped part whose claim before receipt refunded all of it.
/// `cancel_paid` calls off a paid part that has not shipped (its refund is recorded in the
/// same transaction); once shipped it is `NotAllowed`.
/// `refund` is possible in every paid state (paid, acknowledged, shipped, received),
/// `review` once received and `correct_waybill` only while shipped; none changes the state.
/// Making a move whose end state the sub-order has already reached is `AlreadyDone` (a retried acknowledgement, shipment or
/// receipt changes nothing); anything else is `NotAllowed`.
pub fn sub_order_transition(
    current: SubOrderStatus,
    m: SubOrderMove,
) -> Result<SubOrderStatus, MoveRefused> {
    use SubOrderMove as M;
    use SubOrderStatus as S;
    let paid = matches!(
        current,
        S::Paid | S::Acknowledged | S::Shipped | S::Received | S::Undelivered
    );
    match (current, m) {
        (S::PendingPayment, M::Pay) => Ok(S::Paid),
        (_, M::Pay) if paid => Err(MoveRefused::AlreadyDone),
        (S::PendingPayment, M::Cancel) => Ok(S::Cancelled),
        (S::Cancelled, M::Cancel) => Err(MoveRefused::AlreadyDone),
        (S::Paid | S::Acknowledged, M::CancelPaid) => Ok(S::Cancelled),
        (S::Cancelled, M::CancelPaid) => Err(MoveRefused::AlreadyDone),
        (S::Paid, M::Acknowledge) => Ok(S::Acknowledged),
        (S::Acknowledged, M::Acknowledge) => Err(MoveRefused::AlreadyDone),
        (S::Paid | S::Acknowledged, M::Ship) => Ok(S::Shipped),
        (S::Shipped | S::Received, M::Ship) => Err(MoveRefused::AlreadyDone),
        (S::Shipped, M::Receive) => Ok(S::Received),
        (S::Received, M::Receive) => Err(MoveRefused::AlreadyDone),
        (S::Shipped, M::CloseUndelivered) => Ok(S::Undelivered),
        (S::Undelivered, M::CloseUndelivered) => Err(MoveRefused::AlreadyDone),
        (_, M::Refund) if paid => Ok(current),
        (S::Received, M::Review) => Ok(S::Received),
        (S::Shipped, M::CorrectWaybill) => Ok(S::Shipped),
        _ => Err(MoveRefused::NotAllowed),
    }
}

#[cfg(test)]
mod tests {
    use super::MoveRefused::{AlreadyDone, NotAllowed};
    use super::*;

    #[test]
    fn statuses_keep_their_stored_names() {
        let names: Vec<&str> = OrderStatus::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(names, ["pending_payment", "paid", "cancelled", "expired"]);
        let names: Vec<&str> = SubOrderStatus::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(
            names,
            [
                "pending_payment",
                "paid",
                "acknowledged",
                "shipped",
                "received",
                "cancelled",
                "undelivered"
            ]
        );
        assert_eq!(OrderStatus::parse("refunded"), None);
    }

    // ---- The order

    #[test]
    fn an_unpaid_order_can_be_paid_cancelled_or_expire() {
        use OrderStatus as S;
        assert_eq!(
            order_transition(S::PendingPayment, OrderMove::Pay),
            Ok(S::Paid)
        );
        assert_eq!(
            order_transition(S::PendingPayment, OrderMove::Cancel),
            Ok(S::Cancelled)
        );
        assert_eq!(
            order_transition(S::PendingPayment, OrderMove::Expire),
            Ok(S::Expired)
        );
    }

    #[test]
    fn paying_a_paid_order_again_changes_nothing() {
        assert_eq!(
            order_transition(OrderStatus::Paid, OrderMove::Pay),
            Err(AlreadyDone)
        );
    }

    #[test]
    fn a_paid_order_cannot_be_cancelled_or_expire() {
        for m in [OrderMove::Cancel, OrderMove::Expire] {
            assert_eq!(
                order_transition(OrderStatus::Paid, m),
                Err(NotAllowed),
                "{m:?}"
            );
        }
    }

    #[test]
    fn a_closed_order_cannot_be_paid() {
        for s in [OrderStatus::Cancelled, OrderStatus::Expired] {
            assert_eq!(
                order_transition(s, OrderMove::Pay),
                Err(NotAllowed),
                "{s:?}"
            );
        }
    }

    #[test]
    fn a_closed_order_closes_once() {
        use OrderStatus as S;
        assert_eq!(
            order_transition(S::Cancelled, OrderMove::Cancel),
            Err(AlreadyDone)
        );
        assert_eq!(
            order_transition(S::Expired, OrderMove::Expire),
            Err(AlreadyDone)
        );
        assert_eq!(
            order_transition(S::Cancelled, OrderMove::Expire),
            Err(NotAllowed)
        );
        assert_eq!(
            order_transition(S::Expired, OrderMove::Cancel),
            Err(NotAllowed)
        );
    }

    #[test]
    fn every_order_move_starts_only_from_an_unpaid_order() {
        for m in [OrderMove::Pay, OrderMove::Cancel, OrderMove::Expire] {
            assert_eq!(m.from_states(), [OrderStatus::PendingPayment], "{m:?}");
        }
    }

    // ---- A sub-order

    fn every_state_but(
        except: &[SubOrderStatus],
    ) -> impl Iterator<Item = SubOrderStatus> + use<'_> {
        SubOrderStatus::ALL
            .iter()
            .copied()
            .filter(move |s| !except.contains(s))
    }

    #[test]
    fn a_sub_order_is_paid_with_its_order_once() {
        use SubOrderStatus as S;
        assert_eq!(
            sub_order_transition(S::PendingPayment, SubOrderMove::Pay),
            Ok(S::Paid)
        );
        for s in [S::Paid, S::Acknowledged, S::Shipped, S::Received] {
            assert_eq!(
                sub_order_transition(s, SubOrderMove::Pay),
                Err(AlreadyDone),
                "{s:?}"
            );
        }
        assert_eq!(
            sub_order_transition(S::Cancelled, SubOrderMove::Pay),
            Err(NotAllowed)
        );
    }

    #[test]
    fn only_an_unpaid_sub_order_is_cancelled() {
        use SubOrderStatus as S;
        assert_eq!(
            sub_order_transition(S::PendingPayment, SubOrderMove::Cancel),
            Ok(S::Cancelled)
        );
        assert_eq!(
            sub_order_transition(S::Cancelled, SubOrderMove::Cancel),
            Err(AlreadyDone)
        );
        for s in [S::Paid, S::Acknowledged, S::Shipped, S::Received] {
            assert_eq!(
                sub_order_transition(s, SubOrderMove::Cancel),
                Err(NotAllowed),
                "{s:?}"
            );
        }
    }

    #[test]
    fn a_paid_part_is_called_off_only_before_it_ships_and_once() {
        use SubOrderStatus as S;
        for s in [S::Paid, S::Acknowledged] {
            assert_eq!(
                sub_order_transition(s, SubOrderMove::CancelPaid),
                Ok(S::Cancelled),
                "{s:?}"
            );
        }
        assert_eq!(
            sub_order_transition(S::Cancelled, SubOrderMove::CancelPaid),
            Err(AlreadyDone)
        );
        for s in [S::PendingPayment, S::Shipped, S::Received] {
            assert_eq!(
                sub_order_transition(s, SubOrderMove::CancelPaid),
                Err(NotAllowed),
                "{s:?}"
            );
        }
        assert_eq!(
            SubOrderMove::CancelPaid.from_states(),
            [S::Paid, S::Acknowledged]
        );
    }

    #[test]
    fn a_paid_sub_order_is_acknowledged_once() {
        use SubOrderStatus as S;
        assert_eq!(
            sub_order_transition(S::Paid, SubOrderMove::Acknowledge),
            Ok(S::Acknowledged)
        );
        assert_eq!(
            sub_order_transition(S::Acknowledged, SubOrderMove::Acknowledge),
            Err(AlreadyDone)
        );
        for s in every_state_but(&[S::Paid, S::Acknowledged]) {
            assert_eq!(
                sub_order_transition(s, SubOrderMove::Acknowledge),
                Err(NotAllowed),
                "{s:?}"
            );
        }
    }

    #[test]
    fn a_paid_sub_order_ships_acknowledged_or_not() {
        use SubOrderStatus as S;
        for s in [S::Paid, S::Acknowledged] {
            assert_eq!(
                sub_order_transition(s, SubOrderMove::Ship),
                Ok(S::Shipped),
                "{s:?}"
            );
        }
        for s in [S::Shipped, S::Received] {
            assert_eq!(
                sub_order_transition(s, SubOrderMove::Ship),
                Err(AlreadyDone),
                "{s:?}"
            );
        }
        for s in [S::PendingPayment, S::Cancelled] {
            assert_eq!(
                sub_order_transition(s, SubOrderMove::Ship),
                Err(NotAllowed),
                "{s:?}"
            );
        }
        assert_eq!(SubOrderMove::Ship.from_states(), [S::Paid, S::Acknowledged]);
    }

    #[test]
    fn only_a_shipped_sub_order_is_received() {
        use SubOrderStatus as S;
        assert_eq!(
            sub_order_transition(S::Shipped, SubOrderMove::Receive),
            Ok(S::Received)
        );
        assert_eq!(
            sub_order_transition(S::Received, SubOrderMove::Receive),
            Err(AlreadyDone)
        );
        for s in every_state_but(&[S::Shipped, S::Received]) {
            assert_eq!(
                sub_order_transition(s, SubOrderMove::Receive),
                Err(NotAllowed),
                "{s:?}"
            );
        }
    }

    #[test]
    fn money_goes_back_only_from_a_paid_sub_order_and_the_state_stays() {
        use SubOrderStatus as S;
        for s in [
            S::Paid,
            S::Acknowledged,
            S::Shipped,
            S::Received,
            S::Undelivered,
        ] {
            assert_eq!(
                sub_order_transition(s, SubOrderMove::Refund),
                Ok(s),
                "{s:?}"
            );
        }
        for s in [S::PendingPayment, S::Cancelled] {
            assert_eq!(
                sub_order_transition(s, SubOrderMove::Refund),
                Err(NotAllowed),
                "{s:?}"
            );
        }
    }

    #[test]
    fn lines_are_reviewed_only_after_receipt() {
        use SubOrderStatus as S;
        assert_eq!(
            sub_order_transition(S::Received, SubOrderMove::Review),
            Ok(S::Received)
        );
        for s in every_state_but(&[S::Received]) {
            assert_eq!(
                sub_order_transition(s, SubOrderMove::Review),
                Err(NotAllowed),
                "{s:?}"
            );
        }
    }

    #[test]
    fn only_a_shipped_sub_order_closes_as_undelivered_and_once() {
        use SubOrderStatus as S;
        assert_eq!(
            sub_order_transition(S::Shipped, SubOrderMove::CloseUndelivered),
            Ok(S::Undelivered)
        );
        assert_eq!(
            sub_order_transition(S::Undelivered, SubOrderMove::CloseUndelivered),
            Err(AlreadyDone)
        );
        for s in every_state_but(&[S::Shipped, S::Undelivered]) {
            assert_eq!(
                sub_order_transition(s, SubOrderMove::CloseUndelivered),
                Err(NotAllowed),
                "{s:?}"
            );
        }
        // Closed: never received, shipped again, reviewed or called off.
        for m in [
            SubOrderMove::Receive,
            SubOrderMove::Ship,
            SubOrderMove::Review,
            SubOrderMove::CancelPaid,
        ] {
            assert_eq!(
                sub_order_transition(S::Undelivered, m),
                Err(NotAllowed),
                "{m:?}"
            );
        }
    }

    #[test]
    fn only_received_and_undelivered_parts_settle() {
        use SubOrderStatus as S;
        let settling: Vec<_> = S::ALL.iter().copied().filter(|s| s.settles()).collect();
        assert_eq!(settling, [S::Received, S::Undelivered]);
    }

    #[test]
    fn a_waybill_is_corrected_only_while_the_parcel_is_on_its_way() {
        use SubOrderStatus as S;
        assert_eq!(
            sub_order_transition(S::Shipped, SubOrderMove::CorrectWaybill),
            Ok(S::Shipped)
        );
        for s in SubOrderStatus::ALL
            .iter()
            .copied()
            .filter(|s| *s != S::Shipped)
        {
            assert_eq!(
                sub_order_transition(s, SubOrderMove::CorrectWaybill),
                Err(NotAllowed),
                "{s:?}"
            );
        }
        assert_eq!(SubOrderMove::CorrectWaybill.from_states(), [S::Shipped]);
    }
}
