//! Orders' rules as plain types and functions (no axum, no sea-orm): the order and sub-order
//! state machines, the stored string enums, quantities, shipping fees, commission and payouts,
//! delivery addresses, order numbers, waybills and the days a report covers.

mod address;
pub mod approval;
pub mod carriers;
pub mod catch_weight;
pub mod credit;
mod deadlines;
pub mod delivery;
mod device;
pub mod divisions;
pub mod extra_charge;
mod kinds;
mod liability;
pub mod moderation;
mod money;
mod order_filter;
pub mod presale;
pub mod recognise;
pub mod reconcile;
pub mod rfq;
mod rules;
pub mod standing;
mod status;
mod tabs;
pub mod tracking;

pub use address::{Address, AddressInput};
pub use deadlines::{
    CancelCause, CancelRequestStatus, RequestMove, lapsed, lapses_at, may_refuse, overdue,
    promised_ship_within, reminder_at, request_transition, unanswered,
};
pub use device::Device;
pub use kinds::{
    EventKind, IntentStatus, LogisticsKind, LogisticsSource, OfflineChannel, PaymentMethod,
    PaymentStatus, PayoutState, RefundStatus, WebhookResult,
};
pub use liability::{Liability, LiabilitySplit, LiableParty, RefundShare};
pub use money::{
    SHIPPING_FROM_FEN, commission, commission_after_refunds, free_shipping_from, payable,
    shipping_fee,
};
pub use order_filter::{OrderFilter, OrderSearch, PlatformOrderFilter, ShipByFilter, escape_like};
pub use rules::*;
pub use status::{
    MoveRefused, OrderMove, OrderStatus, SubOrderMove, SubOrderStatus, order_transition,
    sub_order_transition,
};
pub use tabs::OrderTab;

farmgate_kernel::define_id!(
    /// A payment intent: one attempt to collect an order's total through a provider. Only
    /// orders uses it, so it lives here rather than in the kernel.
    PaymentIntentId
);

farmgate_kernel::define_id!(
    /// A photo uploaded for a review.
    ReviewPhotoId
);
