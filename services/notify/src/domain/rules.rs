//! Which outbox event makes which notification, for whom. One row per (topic, kind): to add
//! an event, add a row here (and the kind's texts in `templates.json`), and if its people are
//! new, an [`Audience`] with its resolution in `service::plan`. The service desk's `desk.*`
//! and the ship-by deadlines' `orders.ship_by_*` / `orders.cancel_*` events join this way.

use super::NotificationKind as K;

/// Who an event's notification goes to, found through the room that owns the event.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Audience {
    /// Every member of the seller of each paid part of the order (`{"order_id"}`).
    PaidOrderSellers,
    /// The account that bought the sub-order (`{"sub_order_id"}`).
    SubOrderBuyer,
    /// Every member of the claim's seller (`{"claim_id"}`).
    ClaimSeller,
    /// The claim's buyer and every member of its seller (`{"claim_id"}`).
    ClaimParties,
    /// Every buyer who received goods from the recalled batch (`{"recall_id"}`).
    RecallBuyers,
    /// Every member of the organisation (`{"org_id"}`).
    OrgMembers,
    /// A desk ticket's other party (`{"ticket_id", "author_role", "opener_account_id",
    /// "assignee_id"}`): the customer when an agent wrote, the assigned agent when the
    /// customer did.
    TicketOtherParty,
    /// The agent a desk ticket is assigned to (`{"ticket_id", "assignee_id"}`), if any.
    TicketAssignee,
    /// The customer who opened a desk ticket (`{"ticket_id", "opener_account_id"}`); none for
    /// a hotline caller without an account.
    TicketOpener,
    /// The other party of a conversation message: the buyer, or the seller's members (but
    /// the author).
    ConversationRecipient,
    /// Every member of the sub-order's seller (`{"sub_order_id"}`).
    SubOrderSeller,
    /// The sub-order's buyer and every member of its seller (`{"sub_order_id"}`).
    SubOrderParties,
    /// Every member of a paid payout's seller (`{"payout_id"}`).
    PayoutSeller,
    /// Every member of the seller of a listing whose revision was decided
    /// (`{"listing_id", "revision_id"}`).
    ListingSeller,
    /// The account holding the invited phone, if there is one (`{"invitation_id"}`).
    Invitee,
    /// The claim's buyer (`{"claim_id"}`).
    ClaimBuyer,
    /// The party whose claim deadline is near (`{"claim_id", "party", "due"}`): the seller's
    /// members or the buyer, only while the claim still waits for them by that deadline.
    ClaimDeadlineParty,
    /// Every operator and after-sales agent (`{"claim_id"}`).
    ClaimOperators,
    /// The buyer who wrote a review (`{"review_id", "moderation_id"?}`).
    ReviewAuthor,
    /// Every member of a standing order's seller (`{"standing_order_id", "org_id", "lines"}`).
    StandingSeller,
    /// A standing order's orderer (`{"standing_order_id", "account_id", "period", "order",
    /// "lines", "short"}`).
    StandingOrderer,
    /// Every member of the organisation an RFQ event names (`{"org_id", "rfq_id"}`): the
    /// invited seller, or the buyer.
    RfqOrg,
    /// Every member of a credit statement's buyer (`{"org_id", "statement_id"}`), told its
    /// month, what is left and the due date; nobody once it is paid.
    CreditStatementBuyer,
    /// Platform finance, told which buyer's statement is overdue and by how much
    /// (`{"org_id", "statement_id"}`); nobody once it is paid.
    CreditFinance,
}

/// One event → notification rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rule {
    pub topic: &'static str,
    pub kind: K,
    pub audience: Audience,
}

/// The table. Topics are the owning rooms' `topics` constants (a test checks they match).
pub const RULES: &[Rule] = &[
    Rule {
        topic: "orders.paid",
        kind: K::OrderPaid,
        audience: Audience::PaidOrderSellers,
    },
    Rule {
        topic: "orders.shipped",
        kind: K::OrderShipped,
        audience: Audience::SubOrderBuyer,
    },
    Rule {
        topic: "orders.received",
        kind: K::OrderDelivered,
        audience: Audience::SubOrderBuyer,
    },
    Rule {
        topic: "aftersales.filed",
        kind: K::ClaimFiled,
        audience: Audience::ClaimSeller,
    },
    Rule {
        topic: "aftersales.resolved",
        kind: K::ClaimDecided,
        audience: Audience::ClaimParties,
    },
    Rule {
        topic: "aftersales.recalled",
        kind: K::Recall,
        audience: Audience::RecallBuyers,
    },
    Rule {
        topic: "identity.org.verified",
        kind: K::OrgVerified,
        audience: Audience::OrgMembers,
    },
    Rule {
        topic: "identity.org.rejected",
        kind: K::OrgRejected,
        audience: Audience::OrgMembers,
    },
    Rule {
        topic: "desk.ticket_replied",
        kind: K::TicketReplied,
        audience: Audience::TicketOtherParty,
    },
    Rule {
        topic: "desk.ticket_assigned",
        kind: K::TicketAssigned,
        audience: Audience::TicketAssignee,
    },
    Rule {
        topic: "desk.ticket_overdue",
        kind: K::TicketOverdue,
        audience: Audience::TicketAssignee,
    },
    Rule {
        topic: "desk.ticket_closed",
        kind: K::TicketClosed,
        audience: Audience::TicketOpener,
    },
    // The desk emits it for the first message of a burst only (one notice until read).
    Rule {
        topic: "desk.conversation_message",
        kind: K::ConversationMessage,
        audience: Audience::ConversationRecipient,
    },
    Rule {
        topic: "orders.ship_by_near",
        kind: K::ShipByNear,
        audience: Audience::SubOrderSeller,
    },
    Rule {
        topic: "orders.cancelled_late",
        kind: K::OrderCancelledLate,
        audience: Audience::SubOrderParties,
    },
    Rule {
        topic: "orders.cancel_requested",
        kind: K::CancelRequested,
        audience: Audience::SubOrderSeller,
    },
    Rule {
        topic: "orders.cancel_accepted",
        kind: K::CancelAccepted,
        audience: Audience::SubOrderBuyer,
    },
    Rule {
        topic: "orders.cancel_refused",
        kind: K::CancelRefused,
        audience: Audience::SubOrderBuyer,
    },
    Rule {
        topic: "orders.out_for_delivery",
        kind: K::OrderOutForDelivery,
        audience: Audience::SubOrderBuyer,
    },
    Rule {
        topic: "finance.payout.paid",
        kind: K::PayoutPaid,
        audience: Audience::PayoutSeller,
    },
    Rule {
        topic: "catalog.listing.approved",
        kind: K::ListingApproved,
        audience: Audience::ListingSeller,
    },
    Rule {
        topic: "catalog.listing.rejected",
        kind: K::ListingRejected,
        audience: Audience::ListingSeller,
    },
    Rule {
        topic: "identity.invitation.sent",
        kind: K::InvitationReceived,
        audience: Audience::Invitee,
    },
    Rule {
        topic: "aftersales.answered",
        kind: K::ClaimAnswered,
        audience: Audience::ClaimBuyer,
    },
    Rule {
        topic: "aftersales.deadline_near",
        kind: K::ClaimDeadlineNear,
        audience: Audience::ClaimDeadlineParty,
    },
    Rule {
        topic: "aftersales.escalated",
        kind: K::ClaimEscalated,
        audience: Audience::ClaimParties,
    },
    Rule {
        topic: "aftersales.escalated",
        kind: K::ClaimEscalated,
        audience: Audience::ClaimOperators,
    },
    Rule {
        topic: "orders.review_replied",
        kind: K::ReviewReplied,
        audience: Audience::ReviewAuthor,
    },
    Rule {
        topic: "orders.review_hidden",
        kind: K::ReviewHidden,
        audience: Audience::ReviewAuthor,
    },
    Rule {
        topic: "orders.review_restored",
        kind: K::ReviewRestored,
        audience: Audience::ReviewAuthor,
    },
    Rule {
        topic: "orders.credit_overdue",
        kind: K::CreditOverdue,
        audience: Audience::OrgMembers,
    },
    Rule {
        topic: "orders.credit_overdue",
        kind: K::CreditOverdueFinance,
        audience: Audience::CreditFinance,
    },
    Rule {
        topic: "orders.extra_charge_requested",
        kind: K::ExtraChargeRequested,
        audience: Audience::SubOrderBuyer,
    },
    Rule {
        topic: "orders.credit_statement_issued",
        kind: K::CreditStatementIssued,
        audience: Audience::CreditStatementBuyer,
    },
    Rule {
        topic: "orders.credit_due_soon",
        kind: K::CreditDueSoon,
        audience: Audience::CreditStatementBuyer,
    },
    Rule {
        topic: "orders.presale_deposit_paid",
        kind: K::PresaleDepositPaid,
        audience: Audience::PaidOrderSellers,
    },
    Rule {
        topic: "orders.presale_balance_due",
        kind: K::PresaleBalanceDue,
        audience: Audience::SubOrderBuyer,
    },
    Rule {
        topic: "orders.presale_unfilled",
        kind: K::PresaleUnfilled,
        audience: Audience::SubOrderBuyer,
    },
    Rule {
        topic: "orders.presale_refunded",
        kind: K::PresaleRefunded,
        audience: Audience::SubOrderBuyer,
    },
    Rule {
        topic: "orders.standing_awaiting",
        kind: K::StandingAwaiting,
        audience: Audience::StandingSeller,
    },
    Rule {
        topic: "orders.standing_generated",
        kind: K::StandingGenerated,
        audience: Audience::StandingOrderer,
    },
    Rule {
        topic: "orders.standing_generated",
        kind: K::StandingGenerated,
        audience: Audience::StandingSeller,
    },
    Rule {
        topic: "orders.standing_short",
        kind: K::StandingShort,
        audience: Audience::StandingOrderer,
    },
    Rule {
        topic: "orders.delivery_booked",
        kind: K::DeliveryBooked,
        audience: Audience::SubOrderSeller,
    },
    Rule {
        topic: "orders.delivery_signed",
        kind: K::DeliverySigned,
        audience: Audience::SubOrderBuyer,
    },
    Rule {
        topic: "orders.rfq_posted",
        kind: K::RfqInvited,
        audience: Audience::RfqOrg,
    },
    Rule {
        topic: "orders.rfq_quoted",
        kind: K::RfqQuoted,
        audience: Audience::RfqOrg,
    },
    Rule {
        topic: "orders.rfq_accepted",
        kind: K::RfqAccepted,
        audience: Audience::RfqOrg,
    },
];

/// The rules for one topic.
pub fn rules_for(topic: &str) -> impl Iterator<Item = &'static Rule> + '_ {
    RULES.iter().filter(move |r| r.topic == topic)
}

/// Whether any rule wants `topic`.
pub fn wanted(topic: &str) -> bool {
    RULES.iter().any(|r| r.topic == topic)
}
