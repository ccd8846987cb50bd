//! The response deadline: an outbox event scheduled when the claim is filed, so it survives
//! restarts and runs once across replicas.

use crate::Aftersales;
use crate::service::topics;
use async_trait::async_trait;
use farmgate_infra::outbox::{BoxError, OutboxEvent, OutboxHandler};
use serde::Deserialize;
use uuid::Uuid;

#[derive(Deserialize)]
struct Due {
    claim_id: Uuid,
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
