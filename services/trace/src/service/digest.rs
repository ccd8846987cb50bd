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

/// Records read per query while hashing a digest's heads.
const BODY_PAGE: u64 = 2_000;

fn leaves(heads: &[(String, String)]) -> Vec<String> {
    heads
        .iter()
        .map(|(c, h)| chain::merkle_leaf(c, h))
        .collect()
}

impl Trace {
    /// Every batch's head as of `cutoff`, as Merkle leaves sorted by code: the hash of its
    /// events recorded by then, recomputed from their bodies (never read from a stored column).
    /// The bodies are read in pages of [`BODY_PAGE`] in (batch, seq) order, each batch's head
    /// finished when the next batch starts, so memory holds one page and the heads, whatever
    /// the history's size. A record that no longer hashes at all gets a head no real hash can
    /// equal, so it cannot match a published root.
    async fn heads_at(&self, cutoff: DateTime<Utc>) -> Result<Vec<(String, String)>> {
        self.heads_paged(cutoff, BODY_PAGE).await
    }

    /// The Merkle root a digest at `cutoff` has, reading `page` records per query (any page
    /// size gives the same root; the tests check that across page boundaries).
    pub async fn digest_root_at(&self, cutoff: DateTime<Utc>, page: u64) -> Result<String> {
        let heads = self.heads_paged(cutoff, page.max(1)).await?;
        Ok(chain::merkle_root(&leaves(&heads)))
    }

    async fn heads_paged(&self, cutoff: DateTime<Utc>, page: u64) -> Result<Vec<(String, String)>> {
        let db = &self.infra().db;
        let codes = queries::all_codes(db).await?;
        // Each batch's heads in its own chain format (an unknown one hashes to nothing).
        let versions = commitments::versions(db).await?;
        let mut heads = Vec::with_capacity(codes.len());
        let mut finish = |batch: Uuid, head: Option<String>| {
            if let Some(code) = codes.get(&batch) {
                heads.push((
                    code.clone(),
                    head.unwrap_or_else(|| "unhashable".to_owned()),
                ));
            }
        };
        // The batch being hashed: (id, next expected seq, running hash or None once it
        // stopped hashing).
        let mut current: Option<(Uuid, i32, Option<String>)> = None;
        let mut after = None;
        loop {
            let rows = queries::bodies_recorded_by(db, cutoff, after, page).await?;
            let full = rows.len() as u64 == page;
            for (batch_id, seq, body) in rows {
                after = Some((batch_id, seq));
                let state = match current.take() {
                    Some(state) if state.0 == batch_id => state,
                    other => {
                        if let Some((done, _, head)) = other {
                            finish(done, head);
                        }
                        (batch_id, 0, Some(GENESIS.to_owned()))
                    }
                };
                let (_, next, running) = state;
                // Only the unbroken prefix 0, 1, 2 … counts (a later event recorded early is
                // not part of the history as of the cutoff).
                if seq != next {
                    current = Some((batch_id, next, running));
                    continue;
                }
                let version = versions
                    .get(&batch_id)
                    .and_then(|n| ChainVersion::from_number(i64::from(*n)));
                let running = running
                    .as_deref()
                    .zip(version)
                    .and_then(|(prev, v)| chain::event_hash_as(v, prev, &body));
                current = Some((batch_id, next + 1, running));
            }
            if !full {
                break;
            }
        }
        if let Some((done, _, head)) = current {
            finish(done, head);
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
