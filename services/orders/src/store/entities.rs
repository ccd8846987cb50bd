//! Orders' tables (sea-orm entities). Status and kind columns are read into their domain enums
//! here, once (`stored_enum!`): a value nobody declared fails the read instead of being compared
//! as text later. The columns stay strings; no migration.

use crate::domain::{
    CancelRequestStatus, EventKind, IntentStatus, LogisticsKind, LogisticsSource, OrderStatus,
    PaymentMethod, PaymentStatus, RefundStatus, SubOrderStatus, WebhookResult,
};

farmgate_infra::stored_enum!(
    CancelRequestStatus,
    OrderStatus,
    SubOrderStatus,
    PaymentMethod,
    EventKind,
    LogisticsKind,
    LogisticsSource,
    IntentStatus,
    PaymentStatus,
    RefundStatus,
    WebhookResult,
);
farmgate_infra::stored_enum!(crate::domain::tracking::SubscriptionStatus);
farmgate_infra::stored_enum!(crate::domain::catch_weight::CatchOutcome);
farmgate_infra::stored_enum!(crate::domain::approval::ApprovalStatus);
farmgate_infra::stored_enum!(crate::domain::extra_charge::ExtraChargeStatus);
farmgate_infra::stored_enum!(
    crate::domain::presale::PresaleStatus,
    crate::domain::presale::ReservationStatus,
);

pub mod address {
    use sea_orm::entity::prelude::*;

    /// A buyer's saved delivery address. Orders copy it; editing it never changes an order.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "addresses")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub account_id: Uuid,
        pub name: String,
        pub phone: String,
        pub province: String,
        pub city: String,
        pub district: String,
        pub street: String,
        pub is_default: bool,
        pub deleted: bool,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod cart_item {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "cart_items")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub account_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub sku_id: Uuid,
        pub quantity: i64,
        pub price_seen_fen: i64,
        pub added_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod favourite {
    use sea_orm::entity::prelude::*;

    /// A listing a buyer hearted (收藏); its title as it was then.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "favourites")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub account_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub listing_id: Uuid,
        pub title: String,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod order {
    use crate::domain::{OrderStatus, PaymentMethod};
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "orders")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub number: String,
        pub buyer_account_id: Uuid,
        pub buyer_org_id: Option<Uuid>,
        pub wholesale: bool,
        /// The delivery address as it was at checkout.
        pub address: Json,
        pub goods_fen: i64,
        pub shipping_fen: i64,
        pub total_fen: i64,
        pub payment_method: PaymentMethod,
        /// A projection of the event log (`pending_payment`, `paid`, `cancelled`, `expired`).
        pub status: OrderStatus,
        pub pay_by: DateTimeUtc,
        pub paid_at: Option<DateTimeUtc>,
        pub idempotency_key: Option<String>,
        pub request_hash: Option<String>,
        pub note: Option<String>,
        pub created_at: DateTimeUtc,
        pub refunded_fen: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod sub_order {
    use crate::domain::{CancelRequestStatus, SubOrderStatus};
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "sub_orders")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub order_id: Uuid,
        pub number: String,
        pub seller_org_id: Uuid,
        pub goods_fen: i64,
        pub shipping_fen: i64,
        pub total_fen: i64,
        pub commission_fen: i64,
        pub status: SubOrderStatus,
        pub paid_at: Option<DateTimeUtc>,
        pub acknowledged_at: Option<DateTimeUtc>,
        pub shipped_at: Option<DateTimeUtc>,
        pub received_at: Option<DateTimeUtc>,
        pub created_at: DateTimeUtc,
        /// When an unconfirmed shipment counts as received.
        pub auto_receive_at: Option<DateTimeUtc>,
        /// When the after-sales window (longest claim window of its lines) closes after receipt.
        pub window_closes_at: Option<DateTimeUtc>,
        /// Refunded so far (the ledger is `refunds`); never above `total_fen`.
        pub refunded_fen: i64,
        /// The parts of `refunded_fen` charged to the seller, the platform and the carrier
        /// (they add up to it).
        pub refunded_seller_fen: i64,
        pub refunded_platform_fen: i64,
        pub refunded_carrier_fen: i64,
        /// The seller ships by then (set when paid; `None` for sub-orders paid before
        /// deadlines existed).
        pub ship_by: Option<DateTimeUtc>,
        /// Shipped after `ship_by`: counts against the seller.
        pub shipped_late: bool,
        /// The buyer's request to cancel (one per sub-order): open, accepted or refused.
        pub cancel_request: Option<CancelRequestStatus>,
        pub cancel_reason: Option<String>,
        pub cancel_requested_at: Option<DateTimeUtc>,
        /// Unanswered by then, the request is accepted (the scheduled job).
        pub cancel_answer_by: Option<DateTimeUtc>,
        pub cancel_answered_at: Option<DateTimeUtc>,
        /// The seller's reason for refusing.
        pub cancel_refusal: Option<String>,
        /// When the seller was reminded of the ship-by deadline (once).
        pub ship_by_reminded_at: Option<DateTimeUtc>,
        /// The handling time promised when it was sold (hours from payment to `ship_by`): the
        /// strictest of its lines' categories, else the default; `None` for parts sold before
        /// categories could promise one (the default applies).
        pub ship_within_hours: Option<i32>,
        /// Catch-weight extra charges (补差价) the buyer paid on this part (issue #22): part of
        /// what was paid for it, so refunds may give them back (`refunded_fen ≤ total_fen +
        /// extra_fen`) and the statement counts them as sales.
        pub extra_fen: i64,
        /// The platform's commission on `extra_fen`, at each line's rate.
        pub extra_commission_fen: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod line {
    use sea_orm::entity::prelude::*;

    /// What was bought, at what price: a snapshot, never updated.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "order_lines")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub order_id: Uuid,
        pub sub_order_id: Uuid,
        pub listing_id: Uuid,
        pub sku_id: Uuid,
        pub category_id: Uuid,
        pub title: String,
        pub sku_name: String,
        pub unit: String,
        pub quantity: i64,
        pub retail_price_fen: i64,
        pub unit_price_fen: i64,
        pub line_fen: i64,
        pub commission_bp: i32,
        pub commission_fen: i64,
        pub claim_window_hours: i32,
        pub weight_grams: i32,
        /// Sold by catch weight (多退少补): the SKU's nominal net weight per unit and its
        /// tolerance in per mille when bought; `None` for a fixed weight (and on a replacement,
        /// which is free and not weighed for money).
        pub catch_nominal_grams: Option<i32>,
        pub catch_tolerance_permille: Option<i32>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod event {
    use crate::domain::EventKind;
    use sea_orm::entity::prelude::*;

    /// Append-only: never updated, never deleted.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "order_events")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub order_id: Uuid,
        pub sub_order_id: Option<Uuid>,
        pub kind: EventKind,
        pub actor_id: Option<Uuid>,
        pub data: Json,
        pub at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod payment {
    use crate::domain::PaymentStatus;
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "payments")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub order_id: Uuid,
        pub provider: String,
        pub amount_fen: i64,
        pub status: PaymentStatus,
        pub reference: Option<String>,
        pub confirmed_by: Option<Uuid>,
        pub created_at: DateTimeUtc,
        pub settled_at: Option<DateTimeUtc>,
        /// How the money came: `bank_transfer` / `cash_on_delivery` (offline), or the
        /// gateway's name (`wechat`, `alipay`, `sandbox`). `None` on rows from before.
        pub channel: Option<String>,
        /// Set when the payment is of a catch-weight extra charge, not of the order's total.
        pub extra_charge_id: Option<Uuid>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

macro_rules! plain_entity {
    ($($t:tt)*) => {
        $($t)*
        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}
        impl ActiveModelBehavior for ActiveModel {}
    };
}

pub mod presale {
    use crate::domain::presale::PresaleStatus;
    use sea_orm::entity::prelude::*;

    plain_entity! {
        /// A pre-sale of a planned harvest (issue #22). `reserved_quantity` moves only by a
        /// conditional update, never past `max_quantity`.
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "presales")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub id: Uuid,
            pub seller_org_id: Uuid,
            pub listing_id: Uuid,
            pub sku_id: Uuid,
            /// The listing's title and the SKU's unit when it was opened.
            pub title: String,
            pub unit: String,
            /// The listing's township (its county when it names none): the "plant to demand"
            /// figures group by it.
            pub township: String,
            pub plot: String,
            pub harvest_from: Date,
            pub harvest_to: Date,
            pub expected_yield: i64,
            pub max_quantity: i64,
            pub reserved_quantity: i64,
            pub price_fen: i64,
            pub deposit_percent: i32,
            pub cancellation_rules: String,
            pub status: PresaleStatus,
            /// The real batch linked at harvest, and its trace code.
            pub batch_id: Option<Uuid>,
            pub batch_code: Option<String>,
            pub actual_yield: Option<i64>,
            pub harvested_at: Option<DateTimeUtc>,
            pub created_by: Uuid,
            pub created_at: DateTimeUtc,
        }
    }
}

pub mod presale_reservation {
    use crate::domain::presale::ReservationStatus;
    use sea_orm::entity::prelude::*;

    plain_entity! {
        /// A buyer's reservation on a pre-sale, paid through its own deposit order.
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "presale_reservations")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub id: Uuid,
            pub presale_id: Uuid,
            pub buyer_account_id: Uuid,
            pub quantity: i64,
            pub deposit_fen: i64,
            pub deposit_order_id: Uuid,
            pub status: ReservationStatus,
            /// Set at harvest: what the actual yield filled (first come), and the deposit of
            /// the rest refunded then.
            pub filled_quantity: i64,
            pub shortfall_refund_fen: i64,
            pub idempotency_key: Option<String>,
            pub created_at: DateTimeUtc,
            /// Set at harvest for a filled reservation: the order its balance is paid through
            /// (and shipped as), and what it asks, fen.
            pub balance_order_id: Option<Uuid>,
            pub balance_fen: i64,
        }
    }
}

pub mod catch_weight {
    use crate::domain::catch_weight::CatchOutcome;
    use sea_orm::entity::prelude::*;

    plain_entity! {
        /// A catch-weight line weighed at packing (issue #22): once per line, never updated.
        /// Weights are the line's totals in grams.
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "catch_weights")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub line_id: Uuid,
            pub order_id: Uuid,
            pub sub_order_id: Uuid,
            pub nominal_grams: i64,
            pub tolerance_permille: i32,
            pub actual_grams: i64,
            pub outcome: CatchOutcome,
            /// Refunded at once for a light line (the ledger's row is `refund_id`).
            pub refund_fen: i64,
            pub refund_id: Option<Uuid>,
            /// Above the tolerance: what the part above it is worth, charged only with the
            /// buyer's consent (not charged otherwise).
            pub extra_fen: i64,
            pub entered_by: Uuid,
            pub entered_at: DateTimeUtc,
        }
    }
}

pub mod order_approval {
    use crate::domain::approval::ApprovalStatus;
    use sea_orm::entity::prelude::*;

    plain_entity! {
        /// An order of a business buyer's purchaser above the owner's limit (issue #22): one
        /// row per order, decided once.
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "order_approvals")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub order_id: Uuid,
            pub buyer_org_id: Uuid,
            pub requested_by: Uuid,
            pub total_fen: i64,
            /// The limit the total was over, as it was at checkout.
            pub limit_fen: i64,
            pub status: ApprovalStatus,
            pub decided_by: Option<Uuid>,
            pub decided_at: Option<DateTimeUtc>,
            pub reason: Option<String>,
            pub created_at: DateTimeUtc,
        }
    }
}

pub mod extra_charge {
    use crate::domain::extra_charge::ExtraChargeStatus;
    use sea_orm::entity::prelude::*;

    plain_entity! {
        /// A catch-weight line weighed above its tolerance asks its buyer for the part above
        /// it (补差价, issue #22): one per line. Paid through a payment of its own (`payment_id`),
        /// declined, or lapsed at `answer_by`.
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "extra_charges")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub id: Uuid,
            pub line_id: Uuid,
            pub order_id: Uuid,
            pub sub_order_id: Uuid,
            pub buyer_account_id: Uuid,
            pub amount_fen: i64,
            /// The platform's commission on it once paid, at the line's rate.
            pub commission_fen: i64,
            pub status: ExtraChargeStatus,
            pub requested_at: DateTimeUtc,
            pub answer_by: DateTimeUtc,
            pub answered_at: Option<DateTimeUtc>,
            pub payment_id: Option<Uuid>,
            /// Given back by later refunds of the part; never above `amount_fen`.
            pub refunded_fen: i64,
        }
    }
}

pub mod intent {
    use crate::domain::IntentStatus;
    use sea_orm::entity::prelude::*;

    plain_entity! {
        /// A request to a payment gateway to collect an order's total.
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "payment_intents")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub id: Uuid,
            pub order_id: Uuid,
            pub provider: String,
            pub amount_fen: i64,
            pub status: IntentStatus,
            pub transaction_id: Option<String>,
            pub created_at: DateTimeUtc,
            pub expires_at: DateTimeUtc,
            pub completed_at: Option<DateTimeUtc>,
            /// Set when the intent collects a catch-weight extra charge (补差价) rather than
            /// the order's total.
            pub extra_charge_id: Option<Uuid>,
        }
    }
}

pub mod webhook_receipt {
    use crate::domain::WebhookResult;
    use sea_orm::entity::prelude::*;

    plain_entity! {
        /// Every gateway notification accepted, by its event id: a replay is recognised.
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "webhook_receipts")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub provider: String,
            #[sea_orm(primary_key, auto_increment = false)]
            pub event_id: String,
            pub intent_id: Option<Uuid>,
            pub outcome: WebhookResult,
            pub received_at: DateTimeUtc,
            /// SHA-256 (hex) of the notification accepted, so a replay with other content is
            /// told apart; `None` on receipts from before it was kept.
            pub event_digest: Option<String>,
        }
    }
}

pub mod shipment {
    use sea_orm::entity::prelude::*;

    plain_entity! {
        /// A sub-order's parcel: written once when it ships.
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "shipments")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub id: Uuid,
            pub order_id: Uuid,
            pub sub_order_id: Uuid,
            pub seller_org_id: Uuid,
            /// The carrier's name as shown (the list's Chinese name, or as typed for one
            /// not on the list and for parcels shipped before the list).
            pub carrier: String,
            pub tracking_no: String,
            pub shipped_by: Uuid,
            pub shipped_at: DateTimeUtc,
            /// The carrier list's code (the tracking aggregator's company code); `None` for a
            /// carrier not on the list and for parcels shipped before it.
            pub carrier_code: Option<String>,
        }
    }
}

pub mod tracking_subscription {
    use crate::domain::tracking::SubscriptionStatus;
    use sea_orm::entity::prelude::*;

    plain_entity! {
        /// A parcel handed to the tracking aggregator: subscribed once, by the outbox job.
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "tracking_subscriptions")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub shipment_id: Uuid,
            pub provider: String,
            pub carrier_code: String,
            pub tracking_no: String,
            pub status: SubscriptionStatus,
            pub attempts: i32,
            /// The aggregator's answer code, when it answered.
            pub return_code: Option<String>,
            /// Its words (a refusal's reason), or ours when it could not be asked.
            pub message: Option<String>,
            pub created_at: DateTimeUtc,
            pub updated_at: DateTimeUtc,
            pub last_push_at: Option<DateTimeUtc>,
        }
    }
}

pub mod shipment_batch {
    use sea_orm::entity::prelude::*;

    plain_entity! {
        /// Which batch a line of a parcel was packed from.
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "shipment_batches")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub shipment_id: Uuid,
            #[sea_orm(primary_key, auto_increment = false)]
            pub line_id: Uuid,
            #[sea_orm(primary_key, auto_increment = false)]
            pub batch_id: Uuid,
            pub code: String,
            pub lot: String,
        }
    }
}

pub mod shipment_event {
    use crate::domain::{LogisticsKind, LogisticsSource};
    use sea_orm::entity::prelude::*;

    plain_entity! {
        /// A logistics event (picked up, in transit, ...), from the seller or the carrier.
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "shipment_events")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub id: Uuid,
            pub shipment_id: Uuid,
            pub kind: LogisticsKind,
            pub at: DateTimeUtc,
            pub location: Option<String>,
            pub note: Option<String>,
            pub source: LogisticsSource,
            pub external_id: Option<String>,
            pub actor_id: Option<Uuid>,
            pub recorded_at: DateTimeUtc,
        }
    }
}

pub mod review_photo {
    use sea_orm::entity::prelude::*;

    plain_entity! {
        /// A photo uploaded for a review, the buyer's until a review uses it.
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "review_photos")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub id: Uuid,
            pub account_id: Uuid,
            pub display_key: String,
            pub thumb_key: String,
            pub sha256: String,
            pub review_id: Option<Uuid>,
            pub created_at: DateTimeUtc,
        }
    }
}

pub mod review {
    use sea_orm::entity::prelude::*;

    plain_entity! {
        /// A buyer's review of one line, after receipt, once.
        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "reviews")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub id: Uuid,
            pub line_id: Uuid,
            pub order_id: Uuid,
            pub listing_id: Uuid,
            pub seller_org_id: Uuid,
            pub buyer_account_id: Uuid,
            /// The buyer's display name, masked (张**).
            pub reviewer: String,
            pub sku_name: String,
            pub rating: i16,
            pub body: Option<String>,
            /// `[{"display": key, "thumb": key}]`.
            pub photos: Json,
            pub created_at: DateTimeUtc,
            /// The seller's one public reply (`review_moderation`).
            pub seller_reply: Option<String>,
            pub seller_replied_at: Option<DateTimeUtc>,
            pub seller_replied_by: Option<Uuid>,
            /// Hidden by the operator (kept, not deleted): out of listing pages and averages.
            pub hidden_at: Option<DateTimeUtc>,
            pub hidden_reason: Option<String>,
            pub hidden_by: Option<Uuid>,
        }
    }
}

pub mod refund {
    use crate::domain::RefundStatus;
    use sea_orm::entity::prelude::*;

    plain_entity! {
        /// The refund ledger: one row a refund, reversed through the order's payment provider.
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "refunds")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub id: Uuid,
            pub order_id: Uuid,
            pub sub_order_id: Option<Uuid>,
            pub amount_fen: i64,
            pub reason: String,
            pub provider: String,
            /// `pending` until the provider confirms, then `succeeded` (or `failed`).
            pub status: RefundStatus,
            pub provider_ref: Option<String>,
            pub idempotency_key: String,
            pub actor_id: Option<Uuid>,
            pub created_at: DateTimeUtc,
            pub settled_at: Option<DateTimeUtc>,
            /// Who bears it ([`crate::domain::Liability::split`]): the parts add up to
            /// `amount_fen` on a sub-order's refund; a stray payment given back (no
            /// sub-order) is nobody's and has all three 0.
            pub seller_fen: i64,
            pub platform_fen: i64,
            pub carrier_fen: i64,
            /// Why the refund did not reach the buyer (the provider's word), when it failed.
            pub failure: Option<String>,
        }
    }
}

pub mod wechat_openid {
    use sea_orm::entity::prelude::*;

    plain_entity! {
        /// A buyer's openid under our official account's AppID (WeChat web authorisation,
        /// `snsapi_base`), for JSAPI payments inside WeChat.
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "wechat_openids")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub account_id: Uuid,
            #[sea_orm(primary_key, auto_increment = false)]
            pub app_id: String,
            pub openid: String,
            pub created_at: DateTimeUtc,
        }
    }
}
