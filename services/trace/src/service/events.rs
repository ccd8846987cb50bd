//! Appending records to a batch's chain: a seller's records after the domain rules, and the
//! records other services write (shipping, recall) inside their own transaction.

use super::{seconds, topics, truncate};
use crate::Trace;
use crate::chain::{self, GENESIS};
use crate::commit;
use crate::domain::{self, BatchMove, EventKind, NewEventRequest};
use crate::error::{Missing, Result, TraceError};
use crate::store::{batch, commitments, event, queries};
use chrono::{DateTime, Utc};
use farmgate_identity::Actor;
use farmgate_infra::db::{begin_write, serialise, unique_violation};
use farmgate_kernel::id::{AccountId, BatchId, OrgId};
use farmgate_kernel::{FieldError, ValidationErrors};
use sea_orm::ConnectionTrait;
use serde_json::{Value, json};

impl Trace {
    /// Appends an event to a batch's chain, after the domain rules.
    #[tracing::instrument(skip_all, fields(batch.id = %batch_id, event.kind = %req.kind))]
    pub async fn append(
        &self,
        actor: &Actor,
        batch_id: BatchId,
        req: NewEventRequest,
    ) -> Result<Appended> {
        let b = self.batch_for_seller(actor, batch_id).await?;
        if req.kind == EventKind::Recall {
            return Err(TraceError::field(FieldError::new(
                "kind",
                "not_allowed",
                "召回由平台或主管部门发起（POST /api/v1/batches/{id}/recall）",
                "a recall is ordered through POST /api/v1/batches/{id}/recall",
            )));
        }
        let data = domain::parse_event_data(req.kind, &req.data)?;
        let occurred_at = truncate(req.occurred_at);
        let now = self.now();
        let events = queries::events_of(&self.infra().db, batch_id).await?;
        let previous = events.iter().skip(1).last().map(|e| e.occurred_at);
        let mut errs = ValidationErrors::new();
        errs.check(
            "occurred_at",
            domain::check_time(occurred_at, now, b.started_on, previous),
        );
        if req.kind == EventKind::Harvest {
            let uses = domain::pesticide_uses(
                events
                    .iter()
                    .map(|e| (e.kind, e.occurred_at, &e.body["data"])),
            );
            errs.check(
                "occurred_at",
                domain::check_safe_interval(occurred_at, &uses),
            );
        }
        if req.attachments.len() > 10 {
            errs.push(FieldError::new(
                "attachments",
                "too_many",
                "每条记录最多 10 个附件",
                "at most 10 attachments a record",
            ));
        }
        let mut files = Vec::new();
        if !req.attachments.is_empty() {
            let found =
                queries::attachments_of(&self.infra().db, batch_id, req.attachments.clone())
                    .await?;
            for id in &req.attachments {
                match found.iter().find(|a| a.id == *id) {
                    Some(a) => files.push(json!({
                        "name": a.name, "content_type": a.content_type, "size": a.size_bytes,
                        "sha256": a.sha256, "key": a.object_key,
                    })),
                    None => errs.push(FieldError::new(
                        "attachments",
                        "not_found",
                        "附件不存在或不属于本批次",
                        "an attachment is missing or belongs to another batch",
                    )),
                }
            }
        }
        errs.finish()?;
        let txn = begin_write(&self.infra().db).await?;
        let appended = self
            .write_chained(
                &txn,
                &b,
                &events,
                req.kind,
                data,
                files,
                actor.account_id,
                occurred_at,
            )
            .await?;
        txn.commit().await?;
        self.infra().outbox.wake();
        self.forget_page(&b.code).await;
        Ok(appended)
    }

    /// Appends a record the system writes for another service (a shipment packed from the
    /// batch, a recall), inside that service's transaction, so its change and the chain change
    /// together. Returns the batch's trace code; the caller forgets its cached page after
    /// committing.
    #[expect(
        clippy::too_many_arguments,
        reason = "one record, written by another service"
    )]
    #[tracing::instrument(skip_all, fields(batch.id = %batch_id, event.kind = %kind))]
    pub async fn append_system<C: ConnectionTrait>(
        &self,
        conn: &C,
        batch_id: BatchId,
        kind: EventKind,
        data: Value,
        actor_id: AccountId,
        occurred_at: DateTime<Utc>,
        seller_org: OrgId,
    ) -> Result<String> {
        // Records the system appends to one batch take turns (a shipment and a recall at the
        // same moment): the later one reads the chain, and the batch's status, after the
        // earlier one committed, instead of colliding on the sequence number.
        serialise(conn, "trace.chain", batch_id).await?;
        let b = queries::batch_by_id(conn, batch_id)
            .await?
            .ok_or(TraceError::NotFound(Missing::Batch))?;
        if b.seller_org_id != seller_org.as_uuid() {
            return Err(TraceError::Forbidden);
        }
        // The shipper checked the batch before its transaction; a recall may have committed
        // since. Read here, in the shipment's transaction, a recalled batch ships nothing.
        if kind == EventKind::Shipping && b.status == domain::BatchStatus::Recalled {
            return Err(TraceError::BatchRecalled);
        }
        let data = domain::parse_event_data(kind, &data)?;
        let events = queries::events_of(conn, batch_id).await?;
        self.write_chained(
            conn,
            &b,
            &events,
            kind,
            data,
            Vec::new(),
            actor_id,
            truncate(occurred_at),
        )
        .await?;
        Ok(b.code)
    }

    /// Hashes the next record onto a batch's chain and writes it with the batch's new head and
    /// status and its change event, on `conn` (a transaction the caller commits).
    #[expect(clippy::too_many_arguments, reason = "the parts of one chained record")]
    pub(super) async fn write_chained<C: ConnectionTrait>(
        &self,
        conn: &C,
        b: &batch::Model,
        events: &[event::Model],
        kind: EventKind,
        data: Value,
        files: Vec<Value>,
        actor_id: AccountId,
        occurred_at: DateTime<Utc>,
    ) -> Result<Appended> {
        let now = self.now();
        let seq = i32::try_from(events.len()).unwrap_or(i32::MAX);
        let prev = events
            .last()
            .map_or_else(|| GENESIS.to_owned(), |e| e.hash.clone());
        let recorded_at = truncate(now);
        let clear = json!({
            "batch": b.id, "seq": seq, "kind": kind.as_str(),
            "occurred_at": seconds(occurred_at), "recorded_at": seconds(recorded_at),
            "actor": actor_id.as_uuid(), "data": data, "attachments": files,
        });
        // The batch's own format, whatever new batches get now: a batch never mixes formats.
        let version = chain::ChainVersion::from_number(i64::from(b.chain_version))
            .ok_or_else(|| TraceError::Internal("the batch's chain format is unknown".into()))?;
        let (body, openings) = commit::for_format(version, clear.clone());
        let hash = chain::event_hash_as(version, &prev, &body)
            .ok_or_else(|| TraceError::Internal("encoding the record".into()))?;
        let status = domain::advance(b.status, BatchMove::of(kind, &data));
        let event_id = uuid::Uuid::now_v7();
        let model = event::Model {
            id: event_id,
            batch_id: b.id,
            seq,
            kind,
            occurred_at,
            recorded_at,
            actor_id: actor_id.as_uuid(),
            body,
            prev_hash: prev,
            hash: hash.clone(),
        };
        queries::insert_event(conn, model.clone())
            .await
            .map_err(|e| match unique_violation(&e) {
                Some(_) => TraceError::ConcurrentUpdate,
                None => e.into(),
            })?;
        commitments::insert_openings(conn, b.id, event_id, seq, &openings, now).await?;
        // Its leaf in the transparency log, in the same transaction (CHAIN.md §10).
        self.log_event(conn, b.id, &b.code, seq, &hash).await?;
        queries::set_head(conn, BatchId(b.id), hash, seq + 1, occurred_at, status).await?;
        self.infra()
            .outbox
            .enqueue(
                conn,
                topics::BATCH_CHANGED,
                &json!({ "batch_id": b.id, "code": b.code }),
            )
            .await?;
        Ok(Appended {
            event: model,
            clear,
            version,
        })
    }
}

/// A record just chained: as stored (its body exactly as hashed), its body in clear (for its
/// author's answer), and its batch's chain format.
#[derive(Clone, Debug)]
pub struct Appended {
    pub event: event::Model,
    pub clear: Value,
    pub version: chain::ChainVersion,
}
