//! The deadlines: the seller's response (scheduled when the claim is filed) and the buyer's
//! answer to an offer (scheduled when the seller answers) are outbox events, so they survive
//! restarts and run once across replicas; the recall of a batch that failed inspection; and the
//! refund for a replacement called off unsent.

use crate::Aftersales;
use crate::service::topics;
use async_trait::async_trait;
use farmgate_infra::outbox::{BoxError, OutboxEvent, OutboxHandler};
use farmgate_kernel::id::{BatchId, ClaimId, SubOrderId};
use serde::Deserialize;

#[derive(Deserialize)]
struct Due {
    claim_id: ClaimId,
}

/// Escalates (or, for small amounts, refunds) claims the seller did not answer in time.
pub struct ResponseDueJob {
    aftersales: Aftersales,
}

impl ResponseDueJob {
    pub fn new(aftersales: Aftersales) -> Self {
        Self { aftersales }
    }
}

#[async_trait]
impl OutboxHandler for ResponseDueJob {
    fn name(&self) -> &'static str {
        "aftersales-response-due"
    }

    fn handles(&self, topic: &str) -> bool {
        topic == topics::RESPONSE_DUE
    }

    async fn handle(&self, event: &OutboxEvent) -> Result<(), BoxError> {
        let due: Due = event.parse()?;
        self.aftersales
            .response_due(due.claim_id)
            .await
            .map_err(|e| Box::new(e) as BoxError)?;
        Ok(())
    }
}

/// Accepts an offer the buyer left unanswered past `answer_by` (scheduled in the outbox when
/// the seller answers, so it survives restarts and runs once across replicas).
pub struct OfferDueJob {
    aftersales: Aftersales,
}

impl OfferDueJob {
    pub fn new(aftersales: Aftersales) -> Self {
        Self { aftersales }
    }
}

#[async_trait]
impl OutboxHandler for OfferDueJob {
    fn name(&self) -> &'static str {
        "aftersales-offer-due"
    }

    fn handles(&self, topic: &str) -> bool {
        topic == topics::OFFER_DUE
    }

    async fn handle(&self, event: &OutboxEvent) -> Result<(), BoxError> {
        let due: Due = event.parse()?;
        self.aftersales
            .offer_due(due.claim_id)
            .await
            .map_err(|e| Box::new(e) as BoxError)?;
        Ok(())
    }
}

#[derive(Deserialize)]
struct ReplacementCancelled {
    sub_order_id: SubOrderId,
    key: String,
}

/// Refunds a replacement (补发) called off unsent (`orders.replacement_cancelled`): the
/// reshipped units' money on the part they replace, once.
pub struct UnsentReplacementJob {
    aftersales: Aftersales,
}

impl UnsentReplacementJob {
    pub fn new(aftersales: Aftersales) -> Self {
        Self { aftersales }
    }
}

#[async_trait]
impl OutboxHandler for UnsentReplacementJob {
    fn name(&self) -> &'static str {
        "aftersales-unsent-replacement"
    }

    fn handles(&self, topic: &str) -> bool {
        topic == farmgate_orders::topics::REPLACEMENT_CANCELLED
    }

    async fn handle(&self, event: &OutboxEvent) -> Result<(), BoxError> {
        let e: ReplacementCancelled = event.parse()?;
        self.aftersales
            .refund_unsent_replacement(e.sub_order_id, &e.key)
            .await
            .map_err(|e| Box::new(e) as BoxError)?;
        Ok(())
    }
}

#[derive(Deserialize)]
struct BatchChanged {
    batch_id: BatchId,
}

/// Recalls a batch whose inspection failed after it had shipped.
pub struct FailedInspectionRecallJob {
    aftersales: Aftersales,
}

impl FailedInspectionRecallJob {
    pub fn new(aftersales: Aftersales) -> Self {
        Self { aftersales }
    }
}

#[async_trait]
impl OutboxHandler for FailedInspectionRecallJob {
    fn name(&self) -> &'static str {
        "aftersales-failed-inspection-recall"
    }

    fn handles(&self, topic: &str) -> bool {
        topic == farmgate_trace::service::topics::BATCH_CHANGED
    }

    async fn handle(&self, event: &OutboxEvent) -> Result<(), BoxError> {
        let changed: BatchChanged = event.parse()?;
        self.aftersales
            .recall_if_failed_after_sale(changed.batch_id)
            .await
            .map_err(|e| Box::new(e) as BoxError)?;
        Ok(())
    }
}
