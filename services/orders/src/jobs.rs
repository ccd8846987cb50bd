//! Scheduled and background work, all through the outbox so it survives restarts and runs
//! once across replicas: an unpaid order expires at its payment deadline, an unconfirmed
//! shipment is received after the configured days, refunds are paid back by the provider,
//! a gateway is asked about a payment whose notification is late, and a paid sub-order's
//! ship-by reminder, automatic cancellation and unanswered cancel request come due.

use crate::Orders;
use crate::domain::PaymentIntentId;
use crate::service::topics;
use async_trait::async_trait;
use farmgate_infra::outbox::{BoxError, OutboxEvent, OutboxHandler};
use farmgate_kernel::id::{OrderId, RefundId, SubOrderId};
use serde::Deserialize;

#[derive(Deserialize)]
struct Due {
    order_id: OrderId,
}

/// Expires orders still unpaid at their deadline and puts their stock back.
pub struct PaymentDueJob {
    orders: Orders,
}

impl PaymentDueJob {
    pub fn new(orders: Orders) -> Self {
        Self { orders }
    }
}

#[async_trait]
impl OutboxHandler for PaymentDueJob {
    fn name(&self) -> &'static str {
        "orders-payment-due"
    }

    fn handles(&self, topic: &str) -> bool {
        topic == topics::PAYMENT_DUE
    }

    async fn handle(&self, event: &OutboxEvent) -> Result<(), BoxError> {
        let due: Due = event.parse()?;
        self.orders
            .expire_if_unpaid(due.order_id)
            .await
            .map_err(|e| Box::new(e) as BoxError)?;
        Ok(())
    }
}

#[derive(Deserialize)]
struct IntentRef {
    intent_id: PaymentIntentId,
}

/// Asks a gateway about a payment whose notification has not come (late or lost), and
/// applies what it says; a provider that cannot be reached fails the job, which is retried.
pub struct PaymentQueryJob {
    orders: Orders,
}

impl PaymentQueryJob {
    pub fn new(orders: Orders) -> Self {
        Self { orders }
    }
}

#[async_trait]
impl OutboxHandler for PaymentQueryJob {
    fn name(&self) -> &'static str {
        "orders-payment-query"
    }

    fn handles(&self, topic: &str) -> bool {
        topic == topics::PAYMENT_QUERY
    }

    async fn handle(&self, event: &OutboxEvent) -> Result<(), BoxError> {
        let r: IntentRef = event.parse()?;
        self.orders
            .query_intent(r.intent_id)
            .await
            .map_err(|e| Box::new(e) as BoxError)?;
        Ok(())
    }
}

/// Asks a gateway where a refund it took stands, when its notification is late.
pub struct RefundQueryJob {
    orders: Orders,
}

impl RefundQueryJob {
    pub fn new(orders: Orders) -> Self {
        Self { orders }
    }
}

#[async_trait]
impl OutboxHandler for RefundQueryJob {
    fn name(&self) -> &'static str {
        "orders-refund-query"
    }

    fn handles(&self, topic: &str) -> bool {
        topic == topics::REFUND_QUERY
    }

    async fn handle(&self, event: &OutboxEvent) -> Result<(), BoxError> {
        let r: RefundRef = event.parse()?;
        self.orders
            .query_refund(r.refund_id)
            .await
            .map_err(|e| Box::new(e) as BoxError)?;
        Ok(())
    }
}

#[derive(Deserialize)]
struct SubOrderRef {
    sub_order_id: SubOrderId,
}

/// Confirms receipt of shipments the buyer did not confirm within the configured days.
pub struct AutoReceiveJob {
    orders: Orders,
}

impl AutoReceiveJob {
    pub fn new(orders: Orders) -> Self {
        Self { orders }
    }
}

#[async_trait]
impl OutboxHandler for AutoReceiveJob {
    fn name(&self) -> &'static str {
        "orders-auto-receive"
    }

    fn handles(&self, topic: &str) -> bool {
        topic == topics::AUTO_RECEIVE
    }

    async fn handle(&self, event: &OutboxEvent) -> Result<(), BoxError> {
        let due: SubOrderRef = event.parse()?;
        self.orders
            .auto_receive_if_due(due.sub_order_id)
            .await
            .map_err(|e| Box::new(e) as BoxError)?;
        Ok(())
    }
}

#[derive(Deserialize)]
struct RefundRef {
    refund_id: RefundId,
}

/// Has the payment provider pay recorded refunds back (retried until it confirms).
pub struct RefundJob {
    orders: Orders,
}

impl RefundJob {
    pub fn new(orders: Orders) -> Self {
        Self { orders }
    }
}

#[async_trait]
impl OutboxHandler for RefundJob {
    fn name(&self) -> &'static str {
        "orders-refund"
    }

    fn handles(&self, topic: &str) -> bool {
        topic == topics::REFUNDED
    }

    async fn handle(&self, event: &OutboxEvent) -> Result<(), BoxError> {
        let r: RefundRef = event.parse()?;
        self.orders
            .issue_refund(r.refund_id)
            .await
            .map_err(|e| Box::new(e) as BoxError)?;
        Ok(())
    }
}

#[derive(Deserialize)]
struct ReconcileDue {
    date: chrono::NaiveDate,
}

/// Reconciles every billing provider's bill of a day, then schedules the next day's run. The
/// next day is scheduled first, so a bill that stays unavailable (retried with back-off)
/// never stops the days after it.
pub struct ReconcileJob {
    orders: Orders,
}

impl ReconcileJob {
    pub fn new(orders: Orders) -> Self {
        Self { orders }
    }
}

#[async_trait]
impl OutboxHandler for ReconcileJob {
    fn name(&self) -> &'static str {
        "orders-reconcile"
    }

    fn handles(&self, topic: &str) -> bool {
        topic == topics::RECONCILE_DUE
    }

    async fn handle(&self, event: &OutboxEvent) -> Result<(), BoxError> {
        let due: ReconcileDue = event.parse()?;
        self.orders
            .schedule_reconciliation(due.date + chrono::Duration::days(1))
            .await
            .map_err(|e| Box::new(e) as BoxError)?;
        self.orders
            .reconcile_all(due.date)
            .await
            .map_err(BoxError::from)?;
        Ok(())
    }
}

/// A paid sub-order's deadlines (issue #18), each scheduled as an outbox row: the ship-by
/// reminder, the automatic cancellation a grace period after the deadline, the acceptance
/// of a cancel request nobody answered, and the lapse of a catch-weight extra charge nobody
/// answered (issue #22). Each use case checks the part's state and moves it
/// with a conditional update, so a retried event or two workers act once.
pub struct DeadlineJob {
    orders: Orders,
}

impl DeadlineJob {
    pub fn new(orders: Orders) -> Self {
        Self { orders }
    }
}

#[async_trait]
impl OutboxHandler for DeadlineJob {
    fn name(&self) -> &'static str {
        "orders-deadlines"
    }

    fn handles(&self, topic: &str) -> bool {
        [
            topics::SHIP_BY_REMIND,
            topics::SHIP_BY_LAPSE,
            topics::CANCEL_ANSWER_DUE,
            topics::EXTRA_CHARGE_DUE,
        ]
        .contains(&topic)
    }

    async fn handle(&self, event: &OutboxEvent) -> Result<(), BoxError> {
        if event.topic == topics::EXTRA_CHARGE_DUE {
            let due: ExtraChargeRef = event.parse()?;
            self.orders
                .expire_extra_if_due(due.extra_charge_id)
                .await
                .map_err(|e| Box::new(e) as BoxError)?;
            return Ok(());
        }
        let due: SubOrderRef = event.parse()?;
        let id = due.sub_order_id;
        let done = match event.topic.as_str() {
            topics::SHIP_BY_REMIND => self.orders.remind_ship_by_if_due(id).await,
            topics::SHIP_BY_LAPSE => self.orders.auto_cancel_if_lapsed(id).await,
            _ => self.orders.accept_unanswered_cancel(id).await,
        };
        done.map_err(|e| Box::new(e) as BoxError)?;
        Ok(())
    }
}

#[derive(Deserialize)]
struct ExtraChargeRef {
    extra_charge_id: uuid::Uuid,
}

#[derive(Deserialize)]
struct ShipmentRef {
    shipment_id: uuid::Uuid,
}

/// Subscribes a shipped parcel with the tracking aggregator (issue #19): once — a
/// subscription already answered is left alone — and again later while the aggregator cannot
/// be reached (the job fails and the outbox retries it).
pub struct TrackingSubscribeJob {
    orders: Orders,
}

impl TrackingSubscribeJob {
    pub fn new(orders: Orders) -> Self {
        Self { orders }
    }
}

#[async_trait]
impl OutboxHandler for TrackingSubscribeJob {
    fn name(&self) -> &'static str {
        "orders-tracking-subscribe"
    }

    fn handles(&self, topic: &str) -> bool {
        topic == topics::TRACKING_SUBSCRIBE
    }

    async fn handle(&self, event: &OutboxEvent) -> Result<(), BoxError> {
        let r: ShipmentRef = event.parse()?;
        match self
            .orders
            .subscribe_tracking(r.shipment_id)
            .await
            .map_err(|e| Box::new(e) as BoxError)?
        {
            Ok(_) => Ok(()),
            Err(e) => Err(Box::new(e) as BoxError),
        }
    }
}

/// The daily credit-terms run (issue #22): last month's statements, then notices of
/// statements newly overdue. It schedules the next day's before working, and what it does is
/// once per buyer and month (statements) and once per statement (notices), so a retry, a
/// restart or two workers change nothing twice.
pub struct CreditJob {
    orders: Orders,
}

impl CreditJob {
    pub fn new(orders: Orders) -> Self {
        Self { orders }
    }
}

#[async_trait]
impl OutboxHandler for CreditJob {
    fn name(&self) -> &'static str {
        "orders-credit"
    }

    fn handles(&self, topic: &str) -> bool {
        topic == topics::CREDIT_DAILY
    }

    async fn handle(&self, _event: &OutboxEvent) -> Result<(), BoxError> {
        self.orders
            .run_credit_day()
            .await
            .map_err(|e| Box::new(e) as BoxError)
    }
}

#[derive(Deserialize)]
struct BatchChanged {
    batch_id: farmgate_kernel::id::BatchId,
}

/// Cancels and refunds the harvested pre-sales of a batch whose inspection failed (issue #22):
/// every change of a batch's trace record is looked at; running it twice changes nothing.
pub struct PresaleBatchJob {
    orders: Orders,
}

impl PresaleBatchJob {
    pub fn new(orders: Orders) -> Self {
        Self { orders }
    }
}

#[async_trait]
impl OutboxHandler for PresaleBatchJob {
    fn name(&self) -> &'static str {
        "orders-presale-batch"
    }

    fn handles(&self, topic: &str) -> bool {
        topic == farmgate_trace::service::topics::BATCH_CHANGED
    }

    async fn handle(&self, event: &OutboxEvent) -> Result<(), BoxError> {
        let changed: BatchChanged = event.parse()?;
        self.orders
            .void_presales_of_batch(changed.batch_id)
            .await
            .map_err(|e| Box::new(e) as BoxError)?;
        Ok(())
    }
}
