//! Buying: delivery addresses, a cart per account, checkout into one order with a sub-order per
//! seller, stock reserved atomically with the order, payment (offline confirmation; gateways
//! plug in behind the same state change), unpaid orders expiring on a schedule that survives
//! restarts, shipping from traced batches, receipt, reviews, refunds, the seller's order
//! console and settlement statement.
//!
//! Orders are legal records: lines, prices and the address are written once; everything that
//! happens later is an appended `order_events` row (see `store`).
//!
//! The room: `domain` (state machines and rules), `store` (orders' tables and the queries over
//! them), `service` (one file per use case), `http` (routes, handlers, views), `payment`
//! (providers), `jobs` (outbox handlers), `error` (the codes), `read` (what other rooms read). Orders owns its tables and
//! calls identity (who is acting), catalogue (what is for sale, stock and sales counts) and
//! trace (whether a batch may ship, and the shipping event on its record) through their
//! public APIs.

pub mod domain;
mod erasure_job;
pub mod error;
pub mod http;
pub mod jobs;
pub mod payment;
pub mod read;
pub mod service;
mod standing_job;
pub(crate) mod store;

pub use erasure_job::AccountErasedJob;
pub use error::OrdersError;
pub use jobs::CreditJob;
pub use jobs::{
    AutoReceiveJob, DeadlineJob, PaymentDueJob, PaymentQueryJob, PresaleBatchJob, ReconcileJob,
    RefundJob, RefundQueryJob, TrackingSubscribeJob,
};
pub use service::{
    BatchPick, CartLine, CheckoutRequest, ItemInput, OrderRecord, RefundRequest, ReviewRequest,
    ShipRequest, is_platform_staff, topics,
};
pub use standing_job::StandingDueJob;

use chrono::Duration;
use farmgate_catalog::Catalog;
use farmgate_identity::Identity;
use farmgate_infra::Infra;
use farmgate_trace::Trace;
use payment::{OfflineProvider, PaymentProvider, SandboxGateway};
use std::sync::Arc;

/// Settings the orders service needs.
#[derive(Clone)]
pub struct OrdersConfig {
    /// How long an order paid online may stay unpaid before its stock goes back.
    pub gateway_pay_within: Duration,
    /// How long an order paid by bank transfer or cash may stay unconfirmed.
    pub offline_pay_within: Duration,
    /// A shipment the buyer has not confirmed counts as received this long after it shipped.
    pub auto_receive_after: Duration,
    /// A paid sub-order's ship-by deadline is this long after payment (issue #18).
    pub ship_within: Duration,
    /// The seller is reminded this long before the ship-by deadline.
    pub ship_by_remind_before: Duration,
    /// An unshipped part is cancelled and refunded automatically this long after its
    /// ship-by deadline (the buyer may cancel from the deadline on).
    pub ship_by_grace: Duration,
    /// The seller answers a buyer's request to cancel within this; unanswered, it is accepted.
    pub cancel_answer_within: Duration,
    /// The buyer answers a catch-weight extra charge (补差价) within this; unanswered, it is
    /// declined and nothing is charged (issue #22).
    pub extra_charge_answer_within: Duration,
    /// A pre-sale's balance is paid within this after the harvest; unpaid, the reservation is
    /// cancelled and its deposit kept (issue #22).
    pub presale_balance_pay_within: Duration,
    /// The secret the sandbox gateway signs its notifications with.
    pub gateway_secret: String,
    /// The secret carriers sign their logistics callbacks with.
    pub carrier_secret: String,
    /// The account offline payers transfer to, as shown to them.
    pub offline_payee: String,
    /// Whether the sandbox gateway takes online payments (the buyer "pays" on our own page).
    /// A demo tool: off in production, where its routes answer 404 and online payment is
    /// refused (`online_payment_unavailable`) until a real provider is configured.
    pub sandbox: bool,
    /// The real gateways configured (WeChat Pay, Alipay), in the order checkout offers them.
    pub online: Vec<Arc<dyn PaymentProvider>>,
    /// How long after a gateway payment starts its provider is asked whether it was paid,
    /// in case the notification is late or lost (then again every as long, until the order
    /// lapses).
    pub payment_query_after: Duration,
    /// WeChat's web authorisation (`snsapi_base`), to learn a buyer's openid for paying
    /// inside WeChat; `None` without WeChat Pay.
    pub wechat_oauth: Option<payment::WechatOauth>,
    /// Carrier tracking through an aggregator (issue #19); `None`: sellers enter a parcel's
    /// logistics by hand, as before.
    pub tracking: Option<TrackingConfig>,
}

/// A tracking aggregator, where its pushes reach us, and the secret their salts come from.
#[derive(Clone)]
pub struct TrackingConfig {
    pub provider: Arc<dyn farmgate_infra::tracking::TrackingProvider>,
    /// The whole URL the aggregator pushes to (`…/api/v1/logistics/kuaidi100`).
    pub callback_url: String,
    /// Each waybill's salt is an HMAC of its carrier and number under this secret, so a push
    /// for one waybill cannot be signed with another's salt, and no salt is stored.
    pub secret: String,
}

impl Default for OrdersConfig {
    fn default() -> Self {
        Self {
            gateway_pay_within: Duration::minutes(30),
            offline_pay_within: Duration::hours(24),
            auto_receive_after: Duration::days(7),
            ship_within: Duration::hours(48),
            ship_by_remind_before: Duration::hours(12),
            ship_by_grace: Duration::hours(24),
            cancel_answer_within: Duration::hours(24),
            extra_charge_answer_within: Duration::hours(24),
            presale_balance_pay_within: Duration::hours(72),
            gateway_secret: String::new(),
            carrier_secret: String::new(),
            offline_payee: DEFAULT_OFFLINE_PAYEE.to_owned(),
            sandbox: true,
            online: Vec::new(),
            payment_query_after: Duration::minutes(5),
            wechat_oauth: None,
            tracking: None,
        }
    }
}

/// The demo platform's collection account.
pub const DEFAULT_OFFLINE_PAYEE: &str = "中国农业银行 农源直供平台对公账户 6228 4800 0000 0000 000";

impl std::fmt::Debug for OrdersConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OrdersConfig")
            .field("gateway_pay_within", &self.gateway_pay_within)
            .field("offline_pay_within", &self.offline_pay_within)
            .field("auto_receive_after", &self.auto_receive_after)
            .field("ship_within", &self.ship_within)
            .field("ship_by_remind_before", &self.ship_by_remind_before)
            .field("ship_by_grace", &self.ship_by_grace)
            .field("cancel_answer_within", &self.cancel_answer_within)
            .field(
                "extra_charge_answer_within",
                &self.extra_charge_answer_within,
            )
            .field(
                "presale_balance_pay_within",
                &self.presale_balance_pay_within,
            )
            .field("offline_payee", &self.offline_payee)
            .field("sandbox", &self.sandbox)
            .field(
                "tracking",
                &self.tracking.as_ref().map(|t| t.provider.name()),
            )
            .field(
                "online",
                &self.online.iter().map(|p| p.name()).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

struct Inner {
    infra: Infra,
    identity: Identity,
    catalog: Catalog,
    trace: Trace,
    config: OrdersConfig,
    offline: OfflineProvider,
    sandbox: SandboxGateway,
}

/// The orders service. Cheap to clone.
#[derive(Clone)]
pub struct Orders {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Orders {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Orders")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

impl Orders {
    pub fn new(
        infra: Infra,
        identity: Identity,
        catalog: Catalog,
        trace: Trace,
        config: OrdersConfig,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                infra,
                identity,
                catalog,
                trace,
                offline: OfflineProvider {
                    payee: config.offline_payee.clone(),
                },
                sandbox: SandboxGateway::new(config.gateway_secret.as_bytes().to_vec()),
                config,
            }),
        }
    }

    pub fn trace(&self) -> &Trace {
        &self.inner.trace
    }

    /// The sandbox gateway (its page and its signed notifications).
    pub fn sandbox(&self) -> &SandboxGateway {
        &self.inner.sandbox
    }

    /// The provider an order pays through when none is named: offline, or the first
    /// gateway on.
    pub fn provider(&self, method: domain::PaymentMethod) -> &dyn PaymentProvider {
        match method {
            domain::PaymentMethod::Offline => &self.inner.offline,
            domain::PaymentMethod::Gateway => self.gateways().next().unwrap_or(&self.inner.sandbox),
        }
    }

    /// The online gateways that take payments now: the sandbox when it is on (a demo's
    /// default way to pay, so a demo with a real gateway configured beside it still pays in
    /// the sandbox unless told otherwise), then the real ones configured.
    pub fn gateways(&self) -> impl Iterator<Item = &dyn PaymentProvider> {
        let sandbox = self.inner.config.sandbox.then_some(&self.inner.sandbox);
        sandbox
            .map(|s| s as &dyn PaymentProvider)
            .into_iter()
            .chain(self.inner.config.online.iter().map(|p| p.as_ref()))
    }

    /// Every provider this server takes payments with: offline always, then the gateways
    /// that are on (reconciliation asks each for its bill).
    pub fn providers(&self) -> Vec<&dyn PaymentProvider> {
        std::iter::once(&self.inner.offline as &dyn PaymentProvider)
            .chain(self.gateways())
            .collect()
    }

    /// Whether any online gateway takes payments.
    pub fn online_payment_available(&self) -> bool {
        self.gateways().next().is_some()
    }

    /// A provider by the name its notifications are posted under: offline, or a gateway
    /// that is on. Nothing else (a sandbox turned off answers like an unknown one).
    pub fn provider_named(&self, name: &str) -> Option<&dyn PaymentProvider> {
        std::iter::once(&self.inner.offline as &dyn PaymentProvider)
            .chain(self.gateways())
            .find(|p| p.name() == name)
    }

    pub fn infra(&self) -> &Infra {
        &self.inner.infra
    }

    pub fn identity(&self) -> &Identity {
        &self.inner.identity
    }

    pub fn catalog(&self) -> &Catalog {
        &self.inner.catalog
    }

    pub fn config(&self) -> &OrdersConfig {
        &self.inner.config
    }
}
