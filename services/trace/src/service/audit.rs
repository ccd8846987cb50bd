//! The object store audit (issue #17): a background job re-hashes every stored trace file in
//! rounds of [`AUDIT_ROUND_FILES`], compares it with the SHA-256 the chain records (or, for a
//! file not cited yet, the one its upload hashed to) and keeps what it found in
//! `trace_object_audits`. A mismatch is the operator's alert (`GET /api/v1/admin/trace/audit`,
//! the page `/ops/trace-audit.html`) and the warning on the batch's scan page. Serving a trace
//! file checks its bytes too, and refuses other bytes.

use super::verdict::cited_files;
use crate::Trace;
use crate::domain::FileFinding;
use crate::error::{Result, TraceError};
use crate::service::topics;
use crate::store::queries;
use chrono::{DateTime, Duration, Utc};
use farmgate_identity::{Actor, PlatformRole};
use farmgate_infra::objects::{Object, ObjectKey, sha256_hex};
use farmgate_kernel::id::BatchId;
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;
use std::collections::hash_map::Entry;
use utoipa::ToSchema;
use uuid::Uuid;

/// Files hashed in one round (at most 10 MB each): a round reads at most ~200 MB.
pub const AUDIT_ROUND_FILES: u64 = 20;
/// The pause between two rounds of one pass, so the audit never hogs the store.
pub const AUDIT_ROUND_PAUSE_SECONDS: i64 = 5;
/// The pause between two passes over every file.
pub const AUDIT_PASS_PAUSE_MINUTES: i64 = 60;

/// What one round did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditRound {
    pub checked: usize,
    pub mismatches: usize,
    /// Where the next round starts; `None` when this round finished a pass.
    pub next: Option<Uuid>,
}

/// One stored file whose bytes did not match when last checked.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AuditAlert {
    pub object_key: String,
    pub batch_id: Uuid,
    pub code: Option<String>,
    pub expected_sha256: String,
    /// `None`: the object is gone.
    pub found_sha256: Option<String>,
    pub first_failed_at: Option<DateTime<Utc>>,
    pub checked_at: DateTime<Utc>,
}

/// The audit as the operator sees it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AuditReport {
    /// Stored files the audit has checked at least once.
    pub audited: u64,
    /// The oldest of their last checks (how stale the audit is at worst).
    pub oldest_check: Option<DateTime<Utc>>,
    pub alerts: Vec<AuditAlert>,
}

impl Trace {
    /// One round: hashes the next [`AUDIT_ROUND_FILES`] stored files after `after`.
    #[tracing::instrument(skip_all)]
    pub async fn audit_round(&self, after: Option<Uuid>) -> Result<AuditRound> {
        let db = &self.infra().db;
        let files = queries::attachments_after(db, after, AUDIT_ROUND_FILES).await?;
        let mut recorded: HashMap<Uuid, HashMap<String, (i64, String)>> = HashMap::new();
        let mut mismatches = 0;
        for a in &files {
            if let Entry::Vacant(slot) = recorded.entry(a.batch_id) {
                let events = queries::events_of(db, BatchId(a.batch_id)).await?;
                slot.insert(
                    cited_files(&events)
                        .into_iter()
                        .map(|f| (f.key, (f.seq, f.sha256)))
                        .collect(),
                );
            }
            // The chain is the authority; an uncited file is held to its upload's hash.
            let (seq, expected) = recorded
                .get(&a.batch_id)
                .and_then(|c| c.get(&a.object_key))
                .cloned()
                .unwrap_or((-1, a.sha256.clone()));
            let finding = FileFinding {
                seq,
                name: a.name.clone(),
                key: a.object_key.clone(),
                recorded: expected,
                found: self.stored_hash(&a.object_key).await?,
            };
            if !finding.ok() {
                mismatches += 1;
            }
            self.save_finding(a.batch_id, &finding).await?;
        }
        let next = (files.len() as u64 == AUDIT_ROUND_FILES)
            .then(|| files.last().map(|a| a.id))
            .flatten();
        Ok(AuditRound {
            checked: files.len(),
            mismatches,
            next,
        })
    }

    /// A whole pass at once (the tests, `farmgate verify`): every stored file.
    pub async fn audit_all(&self) -> Result<(usize, usize)> {
        let (mut checked, mut mismatches) = (0, 0);
        let mut after = None;
        loop {
            let round = self.audit_round(after).await?;
            checked += round.checked;
            mismatches += round.mismatches;
            match round.next {
                Some(n) => after = Some(n),
                None => return Ok((checked, mismatches)),
            }
        }
    }

    /// Schedules the audit's first round unless one is already waiting.
    pub async fn schedule_audit(&self) -> Result<()> {
        // The outbox is infra's table; this is the one question trace asks of it.
        use farmgate_infra::outbox::entity::event as outbox_event;
        let waiting = outbox_event::Entity::find()
            .filter(outbox_event::Column::Topic.eq(topics::AUDIT_DUE))
            .filter(outbox_event::Column::DeliveredAt.is_null())
            .count(&self.infra().db)
            .await?;
        if waiting > 0 {
            return Ok(());
        }
        self.schedule_audit_round(None, self.now()).await
    }

    /// Enqueues the round after `after`, due at `at`.
    pub async fn schedule_audit_round(&self, after: Option<Uuid>, at: DateTime<Utc>) -> Result<()> {
        self.infra()
            .outbox
            .enqueue_at(
                &self.infra().db,
                topics::AUDIT_DUE,
                &json!({ "after": after }),
                at,
            )
            .await?;
        Ok(())
    }

    /// When the round after this one is due: soon within a pass, later after a pass.
    pub fn next_audit_at(&self, round: &AuditRound) -> DateTime<Utc> {
        match round.next {
            Some(_) => self.now() + Duration::seconds(AUDIT_ROUND_PAUSE_SECONDS),
            None => self.now() + Duration::minutes(AUDIT_PASS_PAUSE_MINUTES),
        }
    }

    /// The audit's alerts: every file whose bytes did not match when last checked (operator,
    /// county officials).
    pub async fn audit_report(&self, actor: &Actor) -> Result<AuditReport> {
        actor.require_platform(&[PlatformRole::Operator, PlatformRole::Official])?;
        let db = &self.infra().db;
        let (audited, oldest_check) = queries::audit_summary(db).await?;
        let failed = queries::failed_audits(db).await?;
        let codes = if failed.is_empty() {
            HashMap::new()
        } else {
            queries::all_codes(db).await?
        };
        Ok(AuditReport {
            audited,
            oldest_check,
            alerts: failed
                .into_iter()
                .map(|a| AuditAlert {
                    code: codes.get(&a.batch_id).cloned(),
                    object_key: a.object_key,
                    batch_id: a.batch_id,
                    expected_sha256: a.expected_sha256,
                    found_sha256: a.found_sha256,
                    first_failed_at: a.first_failed_at,
                    checked_at: a.checked_at,
                })
                .collect(),
        })
    }

    /// A trace file to serve at `/media/<key>`, only if its bytes still hash to what the chain
    /// records (or its upload did): other bytes are refused with `file_altered`, and the
    /// mismatch is recorded for the audit.
    #[tracing::instrument(skip_all, fields(object.key = %key))]
    pub async fn trace_file(&self, key: &str) -> Result<Option<Object>> {
        let db = &self.infra().db;
        let Ok(object_key) = ObjectKey::parse(key) else {
            return Ok(None);
        };
        let Some(a) = queries::attachment_by_key(db, key).await? else {
            return Ok(None);
        };
        let Some(object) = self.infra().objects.get(&object_key).await? else {
            return Ok(None);
        };
        let events = queries::events_of(db, BatchId(a.batch_id)).await?;
        let (seq, expected) = cited_files(&events)
            .into_iter()
            .find(|f| f.key == key)
            .map_or((-1, a.sha256.clone()), |f| (f.seq, f.sha256));
        let found = sha256_hex(&object.bytes);
        if found == expected {
            return Ok(Some(object));
        }
        self.save_finding(
            a.batch_id,
            &FileFinding {
                seq,
                name: a.name,
                key: a.object_key,
                recorded: expected,
                found: Some(found),
            },
        )
        .await?;
        Err(TraceError::FileAltered)
    }
}
