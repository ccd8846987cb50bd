//! A refund recorded by orders (`orders.refunded`) may fall on a sub-order a payout already
//! holds: what it took from the seller is taken back from the next payout.

use crate::Finance;
use async_trait::async_trait;
use farmgate_infra::outbox::{BoxError, OutboxEvent, OutboxHandler};
use farmgate_kernel::id::RefundId;
use serde::Deserialize;

#[derive(Deserialize)]
struct Refunded {
    refund_id: RefundId,
}

/// Records what a refund after payout takes back from the seller's next payout.
pub struct RefundAfterPayoutJob {
    finance: Finance,
}

impl RefundAfterPayoutJob {
    pub fn new(finance: Finance) -> Self {
        Self { finance }
    }
}

#[async_trait]
impl OutboxHandler for RefundAfterPayoutJob {
    fn name(&self) -> &'static str {
        "finance-refund-after-payout"
    }

    fn handles(&self, topic: &str) -> bool {
        topic == farmgate_orders::service::topics::REFUNDED
    }

    async fn handle(&self, event: &OutboxEvent) -> Result<(), BoxError> {
        let r: Refunded = event.parse()?;
        self.finance
            .refund_recorded(r.refund_id)
            .await
            .map_err(|e| Box::new(e) as BoxError)?;
        Ok(())
    }
}
