//! The deadlines: an outbox event scheduled when a deadline is set, so it survives restarts
//! and runs once across replicas.

use crate::Desk;
use crate::domain::{DueKind, TicketId};
use crate::service::topics;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use farmgate_infra::outbox::{BoxError, OutboxEvent, OutboxHandler};
use serde::Deserialize;

#[derive(Deserialize)]
struct Due {
    ticket_id: TicketId,
    which: DueKind,
    due_at: DateTime<Utc>,
}

/// Marks tickets that missed a limit overdue (and assigns unassigned ones round-robin).
pub struct DueJob {
    desk: Desk,
}

impl DueJob {
    pub fn new(desk: Desk) -> Self {
        Self { desk }
    }
}

#[async_trait]
impl OutboxHandler for DueJob {
    fn name(&self) -> &'static str {
        "desk-due"
    }

    fn handles(&self, topic: &str) -> bool {
        topic == topics::DUE
    }

    async fn handle(&self, event: &OutboxEvent) -> Result<(), BoxError> {
        let due: Due = event.parse()?;
        self.desk
            .deadline_reached(due.ticket_id, due.which, due.due_at)
            .await
            .map_err(|e| Box::new(e) as BoxError)?;
        Ok(())
    }
}

#[derive(Deserialize)]
struct Resolved {
    claim_id: farmgate_kernel::id::ClaimId,
}

/// After-sales resolved a claim (`aftersales.resolved`): the desk owes its buyer a follow-up
/// call (回访). Idempotent: a retried event, or two workers, make one task.
pub struct ClaimResolvedJob {
    desk: Desk,
}

impl ClaimResolvedJob {
    pub fn new(desk: Desk) -> Self {
        Self { desk }
    }
}

#[async_trait]
impl OutboxHandler for ClaimResolvedJob {
    fn name(&self) -> &'static str {
        "desk-claim-follow-up"
    }

    fn handles(&self, topic: &str) -> bool {
        topic == farmgate_aftersales::service::topics::RESOLVED
    }

    async fn handle(&self, event: &OutboxEvent) -> Result<(), BoxError> {
        let r: Resolved = event.parse()?;
        self.desk
            .claim_resolved(r.claim_id)
            .await
            .map_err(|e| Box::new(e) as BoxError)?;
        Ok(())
    }
}

#[derive(Deserialize)]
struct Expiry {
    attachment_id: uuid::Uuid,
}

/// A desk photo's unsent lifetime ran out (`desk.attachment_expiry`, scheduled at upload):
/// deleted if still unsent. Idempotent, and safe with two workers.
pub struct AttachmentExpiryJob {
    desk: Desk,
}

impl AttachmentExpiryJob {
    pub fn new(desk: Desk) -> Self {
        Self { desk }
    }
}

#[async_trait]
impl OutboxHandler for AttachmentExpiryJob {
    fn name(&self) -> &'static str {
        "desk-attachment-expiry"
    }

    fn handles(&self, topic: &str) -> bool {
        topic == topics::ATTACHMENT_EXPIRY
    }

    async fn handle(&self, event: &OutboxEvent) -> Result<(), BoxError> {
        let e: Expiry = event.parse()?;
        self.desk
            .expire_attachment(e.attachment_id)
            .await
            .map_err(|e| Box::new(e) as BoxError)?;
        Ok(())
    }
}
