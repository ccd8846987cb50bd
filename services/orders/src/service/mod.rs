//! Orders' use cases, one file per use case or small family. Each checks who may act, asks the
//! domain (the state machines in `domain`), and writes its change with its order event (and
//! outbox events) in one transaction, composing the queries of `store`.

pub mod addresses;
pub mod approval;
pub mod bulk;
pub mod cancel;
pub mod cancel_request;
pub mod cart;
pub mod catch_weight;
pub mod checkout;
pub mod console;
pub mod credit;
pub mod deadlines;
pub mod delivery;
pub mod erasure;
pub mod extra_charge;
pub mod favourites;
pub mod logistics;
pub mod order_tabs;
pub mod pay;
pub mod platform_money;
pub mod presale;
pub mod presale_balance;
pub mod provider_sync;
pub mod quote;
pub mod read;
pub mod receipt_hold;
pub mod receive;
pub mod reconcile;
pub mod refund;
pub mod refund_result;
pub mod replacement;
pub mod report;
pub mod review_moderation;
pub mod reviews;
pub mod rfq;
pub mod settlement;
pub mod ship;
pub mod standing;
pub mod tracking;
pub mod waybill;
pub mod webhook;
pub mod wechat_oauth;

pub use cart::CartLine;
pub use catch_weight::WeighRequest;
pub use checkout::{CheckoutRequest, ItemInput};
pub use delivery::{
    BookSlotRequest, BookingView, DeliveryRow, DeliveryView, NoteLine, NoteView, ReceivedLine,
    SignNoteRequest, SlotView, WindowView,
};
pub use erasure::ErasedBuyer;
pub use logistics::{CarrierAck, CarrierEvent, LogisticsRequest};
pub use pay::{IntentView, Payer, PaymentMethodOffer, SANDBOX};
pub use platform_money::{PlatformMoney, RefundsByLiability, SellerMoney};
pub use presale::{HarvestRequest, OpenPresaleRequest, ReserveRequest, Reserved, VolumeRow};
pub use quote::{QuoteItem, QuoteRequest};
pub use read::OrderRecord;
pub use receipt_hold::ReceiptRelease;
pub use refund::RefundRequest;
pub use report::FulfilmentReport;
pub use review_moderation::{
    HiddenReviewPage, ModeratedReview, ModerationStep, QueuedReviewReport, ReviewReplyView,
    ReviewReportPage, ReviewReportView, ReviewText,
};
pub use reviews::{ListingReviews, PhotoView, ReviewRequest, ReviewView};
pub use rfq::{AcceptQuoteRequest, PostRfqRequest, QuoteDetail, RfqDetail, RfqQuoteRequest};
pub use settlement::{SettlementLine, SettlementTotals, Statement};
pub use ship::{BatchPick, ShipRequest};
pub use standing::{Shortage, Standing, StandingLine, StandingLineInput, StandingOrderRequest};
pub use waybill::WaybillRequest;
pub use webhook::{SandboxIntentView, WebhookAck};

use crate::Orders;
use crate::domain::EventKind;
use crate::store::queries::orders::{NewEvent, append_event};
use chrono::{DateTime, Utc};
use farmgate_identity::Actor;
use sea_orm::{ConnectionTrait, DbErr};
use serde_json::Value;
use uuid::Uuid;

/// Outbox topics orders publish.
pub mod topics {
    /// `{"order_id"}`, scheduled at the payment deadline: an unpaid order expires.
    pub const PAYMENT_DUE: &str = "orders.payment_due";
    /// `{"intent_id"}`, scheduled minutes after a gateway payment starts: its provider is
    /// asked whether it was paid, in case the notification is late or lost.
    pub const PAYMENT_QUERY: &str = "orders.payment_query";
    /// `{"refund_id"}`, scheduled after a gateway took a refund without settling it: its
    /// provider is asked where it stands, in case the notification is late or lost.
    pub const REFUND_QUERY: &str = "orders.refund_query";
    /// `{"order_id"}`: an order was paid (statistics, notifications).
    pub const PAID: &str = "orders.paid";
    /// `{"refund_id"}`: a refund was recorded; the provider pays it back (statistics too).
    pub const REFUNDED: &str = "orders.refunded";
    /// `{"sub_order_id"}`: a sub-order shipped.
    pub const SHIPPED: &str = "orders.shipped";
    /// `{"sub_order_id"}`: the parcel is out for delivery (派送中) for the first time.
    pub const OUT_FOR_DELIVERY: &str = "orders.out_for_delivery";
    /// `{"shipment_id"}`: a parcel of a listed carrier is subscribed with the tracking
    /// aggregator (issue #19; retried while it cannot be reached, asked once).
    pub const TRACKING_SUBSCRIBE: &str = "orders.tracking_subscribe";
    /// `{"sub_order_id"}`, scheduled when it shipped: an unconfirmed shipment counts as received.
    pub const AUTO_RECEIVE: &str = "orders.auto_receive";
    /// `{"sub_order_id"}`: a sub-order was received; its after-sales window runs.
    pub const RECEIVED: &str = "orders.received";
    /// `{"date"}`, scheduled the next morning: reconcile every provider's bill of that day.
    pub const RECONCILE_DUE: &str = "orders.reconcile_due";
    /// `{"sub_order_id"}`, scheduled at payment, `ship_by_remind_hours` before the ship-by
    /// deadline: remind the seller if the part has not shipped (issue #18).
    pub const SHIP_BY_REMIND: &str = "orders.ship_by_remind";
    /// `{"sub_order_id"}`: the seller's members are reminded of the ship-by deadline (once).
    pub const SHIP_BY_NEAR: &str = "orders.ship_by_near";
    /// `{"sub_order_id"}`, scheduled at payment, `ship_by_grace_hours` after the deadline:
    /// an unshipped part is cancelled and refunded.
    pub const SHIP_BY_LAPSE: &str = "orders.ship_by_lapse";
    /// `{"sub_order_id", "cause"}`: a paid part that did not ship in time was cancelled and
    /// refunded, by the buyer (`overdue`) or automatically (`lapsed`).
    pub const CANCELLED_LATE: &str = "orders.cancelled_late";
    /// `{"sub_order_id"}`: the buyer asked to cancel a paid, unshipped part.
    pub const CANCEL_REQUESTED: &str = "orders.cancel_requested";
    /// `{"sub_order_id"}`, scheduled at the request's answer limit: accepted if unanswered.
    pub const CANCEL_ANSWER_DUE: &str = "orders.cancel_answer_due";
    /// Scheduled at a catch-weight extra charge's `answer_by` (`{"sub_order_id",
    /// "extra_charge_id"}`): still unanswered, it lapses as declined.
    pub const EXTRA_CHARGE_DUE: &str = "orders.extra_charge_due";
    /// `{"sub_order_id", "extra_charge_id"}`: a catch-weight line weighed above its tolerance
    /// asks its buyer to pay the difference or decline (written with the weighing).
    pub const EXTRA_CHARGE_REQUESTED: &str = "orders.extra_charge_requested";
    /// `{"sub_order_id", "cause"}`: the request was accepted (by the seller, or for want of
    /// an answer); the part is cancelled and refunded.
    pub const CANCEL_ACCEPTED: &str = "orders.cancel_accepted";
    /// `{"sub_order_id"}`: the seller refused the request (or shipped the part).
    pub const CANCEL_REFUSED: &str = "orders.cancel_refused";
    /// `{"sub_order_id", "replaces", "key"}`: a zero-price replacement (补发) was called off
    /// unsent (its ship-by lapsed, the buyer cancelled it overdue, or a request was accepted).
    /// Nothing was paid for it, so after-sales refunds what it stood for instead, on the
    /// part it replaces, under the remedy's `key` (`claim:{id}:reship`).
    pub const REPLACEMENT_CANCELLED: &str = "orders.replacement_cancelled";
    /// `{"review_id"}`: the seller replied (once, publicly) to a buyer's review.
    pub const REVIEW_REPLIED: &str = "orders.review_replied";
    /// `{"review_id", "moderation_id"}`: the operator hid a review (the reason is on the
    /// moderation step `moderation_id`).
    pub const REVIEW_HIDDEN: &str = "orders.review_hidden";
    /// `{"review_id", "moderation_id"}`: the operator showed a hidden review again.
    pub const REVIEW_RESTORED: &str = "orders.review_restored";
    /// `{"date"}`: the daily credit-terms run (issue #22) — last month's statements, then
    /// overdue notices. Scheduled at start and by itself for the next day.
    pub const CREDIT_DAILY: &str = "orders.credit_daily";
    /// `{"org_id", "statement_id"}`: a business buyer's statement is unpaid after its due
    /// date; its members are told (once per statement).
    pub const CREDIT_OVERDUE: &str = "orders.credit_overdue";
    /// A monthly credit statement with something to pay was issued
    /// (`{"org_id", "statement_id"}`).
    pub const CREDIT_STATEMENT_ISSUED: &str = "orders.credit_statement_issued";
    /// An unpaid credit statement falls due within three days (`{"org_id", "statement_id"}`).
    pub const CREDIT_DUE_SOON: &str = "orders.credit_due_soon";
    /// `{"order_id"}`: a pre-sale deposit was paid (the seller's pre-sale notice; never
    /// `orders.paid`: a deposit is not a sale, its balance order is, once paid).
    pub const PRESALE_DEPOSIT_PAID: &str = "orders.presale_deposit_paid";
    /// `{"sub_order_id"}` of a balance order: the harvest filled a reservation; its buyer
    /// pays the balance by the order's `pay_by`.
    pub const PRESALE_BALANCE_DUE: &str = "orders.presale_balance_due";
    /// `{"sub_order_id"}` of a deposit order: the harvest filled nothing of the reservation
    /// and the whole deposit was refunded.
    pub const PRESALE_UNFILLED: &str = "orders.presale_unfilled";
    /// `{"sub_order_id"}` of a deposit order: the batch failed its inspection; the deposit and
    /// any balance paid were refunded.
    pub const PRESALE_REFUNDED: &str = "orders.presale_refunded";
    /// `{"standing_order_id", "org_id"}`: a standing order (new or changed) waits for its
    /// seller's acceptance (`org_id`: the seller).
    pub const STANDING_AWAITING: &str = "orders.standing_awaiting";
    /// `{"standing_order_id", "period"}`, scheduled at the period's generation time: its
    /// order is made (issue #22).
    pub const STANDING_DUE: &str = "orders.standing_due";
    /// `{"standing_order_id", "period", "account_id", "org_id", "order_id"}`: a standing
    /// order's period made its order (`account_id`: the orderer; `org_id`: the seller).
    pub const STANDING_GENERATED: &str = "orders.standing_generated";
    /// The same fields: some lines of the period were short (reduced or left out) or the order
    /// could not be placed at all; the orderer is told.
    pub const STANDING_SHORT: &str = "orders.standing_short";
    /// `{"sub_order_id", "date", "start", "end"}`: a business buyer booked (or moved) the
    /// delivery window of a sub-order; the seller's members are told (issue #22).
    pub const DELIVERY_BOOKED: &str = "orders.delivery_booked";
    /// `{"sub_order_id", "signer_name", "via"}`: the delivery note was signed, which received
    /// the part; its buyer is told.
    pub const DELIVERY_SIGNED: &str = "orders.delivery_signed";
}

/// The operator and after-sales agents see every order whole. Identity says who that is
/// (`Actor::is_platform_staff`); this stays for the crates that still call it here.
pub fn is_platform_staff(actor: &Actor) -> bool {
    actor.is_platform_staff()
}

impl Orders {
    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.infra().clock.now()
    }
}

/// Appends to an order's event log: the short form every use case writes.
pub(crate) async fn append(
    conn: &impl ConnectionTrait,
    order_id: Uuid,
    sub_order_id: Option<Uuid>,
    kind: EventKind,
    actor: Option<Uuid>,
    data: Value,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    append_event(
        conn,
        NewEvent {
            order_id,
            sub_order_id,
            kind,
            actor,
            data,
            at,
        },
    )
    .await
}
