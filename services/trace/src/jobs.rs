//! Background work: the daily digest (a scheduled outbox event that schedules the next one),
//! the transparency log's checkpoints, the object store audit (rounds, each scheduling the
//! next),
//! and writing scan counts.

use crate::Trace;
use crate::service::topics;
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use farmgate_infra::outbox::{BoxError, OutboxEvent, OutboxHandler};
use serde::Deserialize;
use serde_json::json;

#[derive(Deserialize)]
struct Due {
    cutoff: DateTime<Utc>,
}

/// Publishes the digest when it is due, then schedules tomorrow's.
pub struct DigestJob {
    trace: Trace,
}

impl DigestJob {
    pub fn new(trace: Trace) -> Self {
        Self { trace }
    }
}

#[async_trait]
impl OutboxHandler for DigestJob {
    fn name(&self) -> &'static str {
        "trace-digest"
    }

    fn handles(&self, topic: &str) -> bool {
        topic == topics::DIGEST_DUE
    }

    async fn handle(&self, event: &OutboxEvent) -> Result<(), BoxError> {
        let due: Due = event.parse()?;
        self.trace
            .publish_digest(due.cutoff)
            .await
            .map_err(|e| Box::new(e) as BoxError)?;
        let next = due.cutoff + Duration::days(1);
        self.trace
            .infra()
            .outbox
            .enqueue_at(
                &self.trace.infra().db,
                topics::DIGEST_DUE,
                &json!({ "cutoff": next }),
                next,
            )
            .await?;
        Ok(())
    }
}

/// Signs a checkpoint of the transparency log when the tree grew (and asks the witnesses),
/// then schedules the next run `checkpoint_every` later.
pub struct CheckpointJob {
    trace: Trace,
}

impl CheckpointJob {
    pub fn new(trace: Trace) -> Self {
        Self { trace }
    }
}

#[async_trait]
impl OutboxHandler for CheckpointJob {
    fn name(&self) -> &'static str {
        "trace-log-checkpoint"
    }

    fn handles(&self, topic: &str) -> bool {
        topic == topics::CHECKPOINT_DUE
    }

    async fn handle(&self, _event: &OutboxEvent) -> Result<(), BoxError> {
        self.trace
            .checkpoint_log()
            .await
            .map_err(|e| Box::new(e) as BoxError)?;
        let next = self.trace.infra().clock.now() + self.trace.log().checkpoint_every;
        self.trace
            .infra()
            .outbox
            .enqueue_at(
                &self.trace.infra().db,
                topics::CHECKPOINT_DUE,
                &json!({}),
                next,
            )
            .await?;
        Ok(())
    }
}

#[derive(Deserialize)]
struct AuditDue {
    after: Option<uuid::Uuid>,
}

/// Runs one round of the object store audit, then schedules the next (soon within a pass, an
/// hour after a pass).
pub struct AuditJob {
    trace: Trace,
}

impl AuditJob {
    pub fn new(trace: Trace) -> Self {
        Self { trace }
    }
}

#[async_trait]
impl OutboxHandler for AuditJob {
    fn name(&self) -> &'static str {
        "trace-object-audit"
    }

    fn handles(&self, topic: &str) -> bool {
        topic == topics::AUDIT_DUE
    }

    async fn handle(&self, event: &OutboxEvent) -> Result<(), BoxError> {
        let due: AuditDue = event.parse()?;
        let round = self
            .trace
            .audit_round(due.after)
            .await
            .map_err(|e| Box::new(e) as BoxError)?;
        if round.mismatches > 0 {
            tracing::error!(
                mismatches = round.mismatches,
                "object store audit: stored trace files do not match their recorded SHA-256"
            );
        }
        self.trace
            .schedule_audit_round(round.next, self.trace.next_audit_at(&round))
            .await
            .map_err(|e| Box::new(e) as BoxError)?;
        Ok(())
    }
}
