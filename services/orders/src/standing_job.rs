//! The standing orders' job (issue #22): each period's event, scheduled at its generation
//! time, makes that period's order (`Orders::run_standing_period`, once per period whatever
//! the retries, restarts and replicas) and schedules the next.

use crate::Orders;
use crate::service::topics;
use async_trait::async_trait;
use chrono::NaiveDate;
use farmgate_infra::outbox::{BoxError, OutboxEvent, OutboxHandler};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Deserialize)]
struct Due {
    standing_order_id: Uuid,
    period: NaiveDate,
}

/// Makes a standing order's period's order.
pub struct StandingDueJob {
    orders: Orders,
}

impl StandingDueJob {
    pub fn new(orders: Orders) -> Self {
        Self { orders }
    }
}

#[async_trait]
impl OutboxHandler for StandingDueJob {
    fn name(&self) -> &'static str {
        "orders-standing-due"
    }

    fn handles(&self, topic: &str) -> bool {
        topic == topics::STANDING_DUE
    }

    async fn handle(&self, event: &OutboxEvent) -> Result<(), BoxError> {
        let due: Due = event.parse()?;
        self.orders
            .run_standing_period(due.standing_order_id, due.period)
            .await
            .map_err(|e| Box::new(e) as BoxError)?;
        Ok(())
    }
}
