//! The daily digest (CHAIN.md §8): a Merkle root over every batch's head, published daily in a
//! chained log; recomputing it from the records as they are now exposes any rewrite, and a
//! proof shows one batch's head is in a published root.

use super::{shanghai_day, start_of_day, topics};
use crate::Trace;
use crate::chain::{self, ChainVersion, GENESIS};
use crate::error::Result;
use crate::store::{commitments, digest, queries};
use chrono::{DateTime, Duration, Utc};
use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
use serde::Serialize;
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

/// How one published digest compares with the records now.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct DigestCheck {
    pub seq: i64,
    pub day: String,
    /// The records still hash to the published root.
    pub root_matches: bool,
    /// The log entry chains to the one before and hashes to itself.
    pub log_intact: bool,
    pub published_root: String,
    pub recomputed_root: String,
}

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct ProofStep {
    pub hash: String,
    /// The sibling is on the left.
    pub left: bool,
}

/// A Merkle inclusion proof of a batch's head in a digest.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Proof {
    pub digest_seq: i64,
    pub day: String,
    pub root: String,
    pub head: String,
    pub leaf: String,
    pub path: Vec<ProofStep>,
}

fn leaves(heads: &[(String, String)]) -> Vec<String> {
    heads
        .iter()
        .map(|(c, h)| chain::merkle_leaf(c, h))
        .collect()
}

impl Trace {
    /// Every batch's head as of `cutoff`, as Merkle leaves sorted by code: the hash of its
    /// events recorded by then, recomputed from their bodies (never read from a stored column).
    /// Two queries whatever the number of batches; a record that no longer hashes at all gets
    /// a head no real hash can equal, so it cannot match a published root.
    async fn heads_at(&self, cutoff: DateTime<Utc>) -> Result<Vec<(String, String)>> {
        let db = &self.infra().db;
        let codes = queries::all_codes(db).await?;
        // Each batch's heads in its own chain format (an unknown one hashes to nothing).
        let versions = commitments::versions(db).await?;
        let rows = queries::bodies_recorded_by(db, cutoff).await?;
        // Per batch: (next expected seq, running hash, or None once it stopped hashing).
        let mut running: HashMap<Uuid, (i32, Option<String>)> = HashMap::new();
        for (batch_id, seq, body) in rows {
            let entry = running
                .entry(batch_id)
                .or_insert((0, Some(GENESIS.to_owned())));
            // Only the unbroken prefix 0, 1, 2 … counts (a later event recorded early is not
            // part of the history as of the cutoff).
            if seq != entry.0 {
                continue;
            }
            entry.0 += 1;
            let version = versions
                .get(&batch_id)
                .and_then(|n| ChainVersion::from_number(i64::from(*n)));
            entry.1 = entry
                .1
                .as_deref()
                .zip(version)
                .and_then(|(prev, v)| chain::event_hash_as(v, prev, &body));
        }
        let mut heads = Vec::with_capacity(running.len());
        for (batch_id, (_, head)) in running {
            let Some(code) = codes.get(&batch_id) else {
                continue;
            };
            heads.push((
                code.clone(),
                head.unwrap_or_else(|| "unhashable".to_owned()),
            ));
        }
        heads.sort();
        Ok(heads)
    }

    /// Publishes the digest covering everything recorded up to `cutoff` (idempotent per cutoff).
    #[tracing::instrument(skip_all, fields(digest.cutoff = %cutoff))]
    pub async fn publish_digest(&self, cutoff: DateTime<Utc>) -> Result<digest::Model> {
        let db = &self.infra().db;
        if let Some(existing) = queries::digest_by_cutoff(db, cutoff).await? {
            return Ok(existing);
        }
        let heads = self.heads_at(cutoff).await?;
        let root = chain::merkle_root(&leaves(&heads));
        let last = queries::latest_digest(db).await?;
        let (seq, prev) = last.map_or((1, GENESIS.to_owned()), |d| (d.seq + 1, d.hash));
        let day = shanghai_day(cutoff - Duration::seconds(1)).to_string();
        let count = heads.len() as u64;
        let model = digest::Model {
            seq,
            day: day.clone(),
            cutoff,
            root: root.clone(),
            batch_count: i64::try_from(count).unwrap_or(i64::MAX),
            prev_hash: prev.clone(),
            hash: chain::digest_entry_hash(&day, &root, count, &prev),
            created_at: self.now(),
        };
        queries::insert_digest(db, model.clone()).await?;
        tracing::info!(seq, day = %day, batches = count, root = %root, "trace digest published");
        Ok(model)
    }

    /// The published log, oldest first.
    pub async fn digests(&self) -> Result<Vec<digest::Model>> {
        Ok(queries::digests(&self.infra().db).await?)
    }

    /// Recomputes every published digest from the records as they are now. A rewrite of any
    /// batch's history before a digest's cutoff changes its recomputed root.
    #[tracing::instrument(skip_all)]
    pub async fn verify_digests(&self) -> Result<Vec<DigestCheck>> {
        let mut out = Vec::new();
        let mut prev = GENESIS.to_owned();
        for d in self.digests().await? {
            let heads = self.heads_at(d.cutoff).await?;
            let root = chain::merkle_root(&leaves(&heads));
            let entry = chain::digest_entry_hash(
                &d.day,
                &d.root,
                u64::try_from(d.batch_count).unwrap_or(0),
                &d.prev_hash,
            );
            out.push(DigestCheck {
                seq: d.seq,
                day: d.day.clone(),
                root_matches: root == d.root,
                log_intact: entry == d.hash && d.prev_hash == prev,
                published_root: d.root.clone(),
                recomputed_root: root,
            });
            prev = d.hash.clone();
        }
        Ok(out)
    }

    /// A proof that a batch's head as of a digest is in that digest's root.
    #[tracing::instrument(skip_all, fields(trace.code = %code, digest.seq = digest_seq))]
    pub async fn proof(&self, code: &str, digest_seq: i64) -> Result<Option<Proof>> {
        let Some(code) = chain::parse_code(code) else {
            return Ok(None);
        };
        let Some(d) = queries::digest_by_seq(&self.infra().db, digest_seq).await? else {
            return Ok(None);
        };
        let heads = self.heads_at(d.cutoff).await?;
        let Some(index) = heads.iter().position(|(c, _)| *c == code) else {
            return Ok(None);
        };
        let leaves = leaves(&heads);
        Ok(Some(Proof {
            digest_seq: d.seq,
            day: d.day,
            root: d.root,
            head: heads[index].1.clone(),
            leaf: leaves[index].clone(),
            path: chain::merkle_proof(&leaves, index)
                .into_iter()
                .map(|(hash, left)| ProofStep { hash, left })
                .collect(),
        }))
    }

    /// Schedules the next daily digest unless one is already waiting.
    pub async fn schedule_digest(&self) -> Result<()> {
        // The outbox is infra's table; this is the one question trace asks of it.
        use farmgate_infra::outbox::entity::event as outbox_event;
        let waiting = outbox_event::Entity::find()
            .filter(outbox_event::Column::Topic.eq(topics::DIGEST_DUE))
            .filter(outbox_event::Column::DeliveredAt.is_null())
            .count(&self.infra().db)
            .await?;
        if waiting > 0 {
            return Ok(());
        }
        let next = start_of_day(shanghai_day(self.now()) + Duration::days(1));
        self.infra()
            .outbox
            .enqueue_at(
                &self.infra().db,
                topics::DIGEST_DUE,
                &json!({ "cutoff": next }),
                next,
            )
            .await?;
        Ok(())
    }
}
