//! A refund recorded by orders (`orders.refunded`) may fall on a sub-order whose invoice is
//! issued: that invoice is marked for a red reversal.

use crate::Invoicing;
use async_trait::async_trait;
use farmgate_infra::outbox::{BoxError, OutboxEvent, OutboxHandler};
use farmgate_kernel::id::RefundId;
use serde::Deserialize;

#[derive(Deserialize)]
struct Refunded {
    refund_id: RefundId,
}

/// Marks issued invoices for a red reversal when their sub-order is refunded.
pub struct RefundedAfterIssueJob {
    invoicing: Invoicing,
}

impl RefundedAfterIssueJob {
    pub fn new(invoicing: Invoicing) -> Self {
        Self { invoicing }
    }
}

#[async_trait]
impl OutboxHandler for RefundedAfterIssueJob {
    fn name(&self) -> &'static str {
        "invoicing-refunded-after-issue"
    }

    fn handles(&self, topic: &str) -> bool {
        topic == farmgate_orders::service::topics::REFUNDED
    }

    async fn handle(&self, event: &OutboxEvent) -> Result<(), BoxError> {
        let r: Refunded = event.parse()?;
        self.invoicing
            .refund_recorded(r.refund_id)
            .await
            .map_err(|e| Box::new(e) as BoxError)?;
        Ok(())
    }
}
