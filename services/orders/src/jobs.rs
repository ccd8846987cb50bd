//! Scheduled work: an unpaid order expires at its payment deadline (an outbox event scheduled
//! when the order was placed, so it survives restarts and runs once across replicas).

use crate::Orders;
use crate::service::topics;
use async_trait::async_trait;
use farmgate_infra::outbox::{BoxError, OutboxEvent, OutboxHandler};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Deserialize)]
struct Due {
    order_id: Uuid,
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
