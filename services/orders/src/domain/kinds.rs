//! The other string enums orders store and send: how an order is paid, what its event log
//! records, what a parcel went through, and the small states of intents, payments and refunds.

use farmgate_kernel::wire_enum;

wire_enum!(
    /// How the buyer pays.
    PaymentMethod {
        /// Bank transfer or cash, confirmed by the operator (or the only seller) with a reference.
        Offline => "offline",
        /// An online payment gateway that confirms with a signed callback.
        Gateway => "gateway",
    }
);

wire_enum!(
    /// What happened to an order, in its append-only log.
    #[schema(as = OrderEventKind)]
    EventKind {
        Placed => "placed",
        Paid => "paid",
        Cancelled => "cancelled",
        Expired => "expired",
        Acknowledged => "acknowledged",
        /// A gateway said a payment attempt failed (the order stays payable until its deadline).
        PaymentFailed => "payment_failed",
        Shipped => "shipped",
        Received => "received",
        Refunded => "refunded",
        /// A zero-price replacement sub-order (补发) was created as an after-sales remedy.
        Replacement => "replacement",
        /// The buyer asked to cancel a paid, unshipped sub-order (issue #18).
        CancelRequested => "cancel_requested",
        /// The seller refused the buyer's request (or shipped while it was open).
        CancelRefused => "cancel_refused",
        /// The seller was reminded of the ship-by deadline.
        ShipByReminded => "ship_by_reminded",
        /// A shipped part closed as never delivered: its claim before receipt ("not
        /// received", "lost") refunded all of it.
        Undelivered => "undelivered",
        /// The seller corrected the parcel's waybill (number and/or carrier) on its way; the
        /// event keeps the old and the new one.
        WaybillCorrected => "waybill_corrected",
        /// A catch-weight line was weighed at packing (issue #22): both weights, and the
        /// refund made for a light one.
        Weighed => "weighed",
        /// A purchaser's order above the buyer's approval limit waits for a manager (issue
        /// #22); the data names the total and the limit.
        ApprovalRequested => "approval_requested",
        /// A manager (or the owner) approved it: it can be paid now. A rejection cancels the
        /// order (`cancelled`, with `"approval": "rejected"`).
        Approved => "approved",
        /// The buyer paid a catch-weight line's extra charge (补差价) through its own payment.
        ExtraPaid => "extra_paid",
        /// A catch-weight line's extra charge was declined by the buyer or lapsed unanswered
        /// (`data.why`): nothing is charged.
        ExtraDeclined => "extra_declined",
    }
);

wire_enum!(
    /// What a parcel went through on its way, from the seller or the carrier.
    LogisticsKind {
        PickedUp => "picked_up",
        InTransit => "in_transit",
        OutForDelivery => "out_for_delivery",
        Delivered => "delivered",
        Exception => "exception",
        /// The carrier says the parcel is lost (丢件): only the carrier's word lets the buyer
        /// claim it as lost before receipt.
        Lost => "lost",
    }
);

wire_enum!(
    /// Who reported a logistics event.
    LogisticsSource {
        /// The seller, by hand.
        Seller => "seller",
        /// The carrier, in a signed callback.
        Carrier => "carrier",
    }
);

wire_enum!(
    /// A request to a payment gateway to collect an order's total.
    IntentStatus {
        /// Waiting for the buyer (and the gateway's notification).
        Pending => "pending",
        Succeeded => "succeeded",
        Failed => "failed",
    }
);

wire_enum!(
    /// A payment received (gateways may later add `pending` and `failed`).
    PaymentStatus {
        Succeeded => "succeeded",
    }
);

wire_enum!(
    /// A refund in the ledger.
    RefundStatus {
        /// Recorded; the provider has not confirmed paying it back yet.
        Pending => "pending",
        Succeeded => "succeeded",
        /// The provider could not pay it back (the buyer's account closed, the refund
        /// closed): finance pays it back by hand.
        Failed => "failed",
    }
);

wire_enum!(
    /// How an offline payment reached the platform, as finance records it.
    OfflineChannel {
        /// A bank transfer (对公转账), with the bank's serial number.
        BankTransfer => "bank_transfer",
        /// Cash on delivery (货到付款), with the receipt number.
        CashOnDelivery => "cash_on_delivery",
    }
);

wire_enum!(
    /// What became of a gateway's notification (kept on its receipt, and answered to the
    /// gateway).
    WebhookResult {
        /// The order is paid now.
        Paid => "paid",
        /// The same payment was reported before; the order was already paid by it.
        AlreadyPaid => "already_paid",
        /// A failed attempt was recorded; the order stays payable.
        FailedRecorded => "failed_recorded",
        /// A second payment of a paid order: it goes back.
        RefundedDuplicate => "refunded_duplicate",
        /// Money for an order closed before it arrived: it goes back.
        RefundedClosed => "refunded_closed",
        /// This event id was handled before.
        Duplicate => "duplicate",
        /// A notification that changes nothing of ours (a trade still unpaid): logged.
        Noted => "noted",
        /// A refund reached the buyer: its ledger row is `succeeded`.
        RefundSucceeded => "refund_succeeded",
        /// A refund did not reach the buyer: its ledger row is `failed`, for finance.
        RefundFailed => "refund_failed",
        /// A catch-weight line's extra charge (补差价) is paid now.
        ExtraPaid => "extra_paid",
        /// Money for an extra charge already paid, declined or lapsed: it goes back.
        RefundedExtra => "refunded_extra",
    }
);

wire_enum!(
    /// Where a sub-order stands on the seller's settlement statement.
    PayoutState {
        /// Received and its after-sales window closed: owed to the seller now.
        Payable => "payable",
        /// Owed once received and its window closes.
        Pending => "pending",
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_names_stay_as_they_were() {
        let names = |all: &[&'static str]| all.join(",");
        assert_eq!(
            names(
                &PaymentMethod::ALL
                    .iter()
                    .map(|m| m.as_str())
                    .collect::<Vec<_>>()
            ),
            "offline,gateway"
        );
        assert_eq!(
            names(
                &EventKind::ALL
                    .iter()
                    .map(|m| m.as_str())
                    .collect::<Vec<_>>()
            ),
            "placed,paid,cancelled,expired,acknowledged,payment_failed,shipped,received,refunded,replacement,cancel_requested,cancel_refused,ship_by_reminded,undelivered,waybill_corrected,weighed,approval_requested,approved,extra_paid,extra_declined"
        );
        assert_eq!(
            names(
                &LogisticsKind::ALL
                    .iter()
                    .map(|m| m.as_str())
                    .collect::<Vec<_>>()
            ),
            "picked_up,in_transit,out_for_delivery,delivered,exception,lost"
        );
        assert_eq!(
            names(
                &WebhookResult::ALL
                    .iter()
                    .map(|m| m.as_str())
                    .collect::<Vec<_>>()
            ),
            "paid,already_paid,failed_recorded,refunded_duplicate,refunded_closed,duplicate,noted,refund_succeeded,refund_failed,extra_paid,refunded_extra"
        );
    }
}
