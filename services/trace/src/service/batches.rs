//! Recording a batch with its compliance certificate, and a seller's list of batches.

use super::{seconds, shanghai_day, start_of_day, topics, truncate};
use crate::Trace;
use crate::chain::{self, GENESIS};
use crate::commit;
use crate::domain::{self, BatchStatus, EventKind, NewBatchRequest};
use crate::error::{Missing, Result, TraceError};
use crate::service::Record;
use crate::store::{batch, commitments, event, queries};
use farmgate_identity::Actor;
use farmgate_infra::db::{begin_write, unique_violation};
use farmgate_kernel::id::{BatchId, ListingId, OrgId};
use serde_json::json;
use uuid::Uuid;

/// A batch in its seller's list.
#[derive(Clone, Debug)]
pub struct BatchListed {
    pub batch: batch::Model,
    pub product_name: String,
    /// Open, with a latest inspection that passed: it may go into a parcel.
    pub shippable: bool,
}

impl Trace {
    /// Records a batch with its compliance certificate: event 0 of its chain, from whose hash
    /// the trace code is derived.
    #[tracing::instrument(skip_all, fields(listing.id = %listing_id, account.id = %actor.account_id))]
    pub async fn create_batch(
        &self,
        actor: &Actor,
        listing_id: ListingId,
        req: NewBatchRequest,
    ) -> Result<Record> {
        let listing = self
            .catalog()
            .listing_card(listing_id)
            .await?
            .ok_or(TraceError::NotFound(Missing::Listing))?;
        let org = listing.seller_org_id;
        if actor.membership(org).is_none() {
            return Err(TraceError::Forbidden);
        }
        actor.require_selling_member(org)?;
        let seller = self.identity().ensure_can_sell(org).await?;
        let now = self.now();
        let facts = domain::parse_new_batch(&req, shanghai_day(now), &listing.title, &seller.name)?;
        let existing = queries::batch_count_of_listing(&self.infra().db, listing_id).await?;
        let lot = facts
            .lot
            .clone()
            .unwrap_or_else(|| format!("{}-{}", facts.harvest_date.format("%Y%m%d"), existing + 1));
        let origin = &listing.origin;
        let version = self.config().chain_version;
        let id = Uuid::now_v7();
        let occurred_at = start_of_day(facts.started_on);
        let recorded_at = truncate(now);
        // The body is hashed as CHAIN.md §2–4 specify: any change here changes every new code.
        for nonce in 0..5u32 {
            let data = json!({
                "listing": listing_id.0,
                "seller": org.as_uuid(),
                "lot": lot,
                "product_name": facts.product_name,
                "quantity": facts.quantity,
                "quantity_unit": facts.unit.as_str(),
                "started_on": facts.started_on.to_string(),
                "harvest_date": facts.harvest_date.to_string(),
                "origin": {
                    "province": origin.province, "city": origin.city, "county": origin.county,
                    "township": origin.township, "village": facts.village.clone(),
                },
                "plot": { "name": facts.plot_name, "lat_e6": facts.coords.map(|c| c.0), "lng_e6": facts.coords.map(|c| c.1) },
                "certificate": {
                    "issuer": facts.issuer,
                    "contact_phone": facts.contact.as_str(),
                    "issued_at": seconds(recorded_at),
                    "basis": facts.basis,
                    "commitments": { "no_banned_substances": true, "withdrawal_respected": true, "residues_within_limits": true },
                },
                "nonce": nonce,
            });
            let clear = json!({
                "batch": id, "seq": 0, "kind": EventKind::Created.as_str(),
                "occurred_at": seconds(occurred_at), "recorded_at": seconds(recorded_at),
                "actor": actor.account_id.as_uuid(), "data": data, "attachments": [],
            });
            // v2: the actor and the contact phone become salted commitments (CHAIN.md §13).
            let (body, openings) = commit::for_format(version, clear);
            let hash = chain::event_hash_as(version, GENESIS, &body)
                .ok_or_else(|| TraceError::Internal("encoding the first record".into()))?;
            let code = chain::trace_code(&hash)
                .ok_or_else(|| TraceError::Internal("deriving the code".into()))?;
            let txn = begin_write(&self.infra().db).await?;
            let inserted = queries::insert_batch(
                &txn,
                batch::Model {
                    id,
                    code: code.clone(),
                    listing_id: listing_id.0,
                    seller_org_id: org.as_uuid(),
                    lot: lot.clone(),
                    started_on: facts.started_on,
                    status: BatchStatus::Open,
                    head_hash: hash.clone(),
                    event_count: 1,
                    last_event_at: occurred_at,
                    scans: 0,
                    units_issued: 0,
                    created_by: actor.account_id.as_uuid(),
                    created_at: now,
                    chain_version: version.number(),
                },
            )
            .await;
            if let Err(e) = inserted {
                let which = unique_violation(&e).unwrap_or_default();
                drop(txn);
                if which.contains("code") {
                    continue; // a 75-bit collision: a new nonce, a new first hash
                }
                if which.contains("lot") {
                    return Err(TraceError::LotTaken);
                }
                return Err(e.into());
            }
            let event_id = Uuid::now_v7();
            queries::insert_event(
                &txn,
                event::Model {
                    id: event_id,
                    batch_id: id,
                    seq: 0,
                    kind: EventKind::Created,
                    occurred_at,
                    recorded_at,
                    actor_id: actor.account_id.as_uuid(),
                    body,
                    prev_hash: GENESIS.to_owned(),
                    hash: hash.clone(),
                },
            )
            .await?;
            commitments::insert_openings(&txn, id, event_id, 0, &openings, now).await?;
            // Its leaf in the transparency log, in the same transaction (CHAIN.md §10).
            self.log_event(&txn, id, &code, 0, &hash).await?;
            self.infra()
                .outbox
                .enqueue(
                    &txn,
                    topics::BATCH_CHANGED,
                    &json!({ "batch_id": id, "code": code }),
                )
                .await?;
            txn.commit().await?;
            self.infra().outbox.wake();
            return self
                .record(BatchId(id))
                .await?
                .ok_or(TraceError::NotFound(Missing::Batch));
        }
        Err(TraceError::Internal(
            "could not find a free trace code".into(),
        ))
    }

    /// A seller's batches, newest first, each with its product name and whether it may go into
    /// a parcel now (open, and its latest inspection passed).
    #[tracing::instrument(skip_all, fields(org.id = %org))]
    pub async fn batches_of(&self, actor: &Actor, org: OrgId) -> Result<Vec<BatchListed>> {
        actor.require_member_or_operator(org)?;
        let db = &self.infra().db;
        let list = queries::batches_of_seller(db, org).await?;
        let mut out = Vec::with_capacity(list.len());
        for b in list {
            let id = BatchId(b.id);
            let product_name = queries::first_event(db, id)
                .await?
                .and_then(|e| e.body["data"]["product_name"].as_str().map(str::to_owned))
                .unwrap_or_default();
            // The latest inspection, the seller's own or a testing body's.
            let own = queries::latest_event_of_kind(db, id, EventKind::Inspection).await?;
            let lab = queries::latest_event_of_kind(db, id, EventKind::LabCheck).await?;
            let inspected = [own, lab]
                .into_iter()
                .flatten()
                .max_by_key(|e| e.seq)
                .is_some_and(|e| e.body["data"]["result"] == "pass");
            out.push(BatchListed {
                // The chain is not verified for a list; shipping verifies it (`ensure_shippable`).
                shippable: domain::may_ship(b.status, inspected, true).is_ok(),
                batch: b,
                product_name,
            });
        }
        Ok(out)
    }
}
