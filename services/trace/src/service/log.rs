//! The transparency log of trace events (CHAIN.md §10–§12): appending an event's leaf inside
//! the transaction that records it, carrying events recorded before the log existed into it
//! once, signing checkpoints, and serving tiles and proofs.

use crate::Trace;
use crate::error::{Result, TraceError};
use crate::store::log::{self as store, checkpoint};
use crate::tlog::{self, Checkpoint, Hash, HashReader, IndexRecorder, Leaf, MapReader};
use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue, ConnectionTrait, TransactionTrait};
use serde::Serialize;
use std::collections::HashMap;
use uuid::Uuid;

/// One read of stored hashes, either learning which indexes a computation needs or answering
/// from what was fetched (see `tlog::IndexRecorder`).
enum TwoPass<'a> {
    Learn(IndexRecorder),
    Answer(MapReader<'a>),
}

impl HashReader for TwoPass<'_> {
    fn read_hashes(&self, indexes: &[u64]) -> std::result::Result<Vec<Hash>, tlog_tiles::Error> {
        match self {
            TwoPass::Learn(r) => r.read_hashes(indexes),
            TwoPass::Answer(r) => r.read_hashes(indexes),
        }
    }
}

fn log_err(what: &str, e: impl std::fmt::Display) -> TraceError {
    TraceError::Internal(format!("trace log: {what}: {e}"))
}

/// Fetches the stored hashes at `indexes` not already in `known`.
async fn fetch(
    conn: &impl ConnectionTrait,
    known: &mut HashMap<u64, Hash>,
    indexes: Vec<u64>,
) -> Result<()> {
    let missing: Vec<u64> = indexes
        .into_iter()
        .filter(|i| !known.contains_key(i))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    for (i, h) in store::hashes(conn, &missing).await? {
        let h = tlog::parse_hex(&h).ok_or_else(|| log_err("stored hash", &h))?;
        known.insert(i, h);
    }
    Ok(())
}

/// Runs `f` over the stored hashes it reads: once to learn which, then on them.
async fn with_hashes<T>(
    conn: &impl ConnectionTrait,
    f: impl Fn(&TwoPass<'_>) -> std::result::Result<T, tlog_tiles::Error>,
) -> Result<T> {
    let learn = TwoPass::Learn(IndexRecorder::default());
    // The first pass answers zeros: its result is meaningless, its questions are what count.
    let _ = f(&learn);
    let TwoPass::Learn(recorder) = learn else {
        return Err(log_err("reader", "unreachable"));
    };
    let mut known = HashMap::new();
    fetch(conn, &mut known, recorder.indexes()).await?;
    f(&TwoPass::Answer(MapReader(&known))).map_err(|e| log_err("reading the tree", e))
}

fn to_u64(v: i64) -> u64 {
    u64::try_from(v).unwrap_or(0)
}

fn to_i64(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// Appends leaves to the log on `conn` (the caller's transaction): numbers them after the
/// tree's current end under the state row's lock, and writes them with the tree's new stored
/// hashes. An event and its leaf commit together or not at all.
pub(crate) async fn append(
    conn: &impl ConnectionTrait,
    leaves: Vec<(Uuid, Leaf)>,
    now: DateTime<Utc>,
) -> Result<u64> {
    if leaves.is_empty() {
        return Ok(0);
    }
    let n = to_i64(leaves.len() as u64);
    let start = to_u64(store::reserve(conn, n).await?);
    let mut known: HashMap<u64, Hash> = HashMap::new();
    let mut hash_rows = Vec::new();
    let mut leaf_rows = Vec::with_capacity(leaves.len());
    for (k, (batch_id, leaf)) in leaves.into_iter().enumerate() {
        let index = start + k as u64;
        let recorder = IndexRecorder::default();
        let _ = tlog::stored_hashes_for(index, &leaf, &recorder);
        fetch(conn, &mut known, recorder.indexes()).await?;
        let new = tlog::stored_hashes_for(index, &leaf, &MapReader(&known))
            .map_err(|e| log_err("hashing a leaf", e))?;
        let first = tlog_tiles::stored_hash_index(0, index);
        for (j, h) in new.into_iter().enumerate() {
            let at = first + j as u64;
            known.insert(at, h);
            hash_rows.push(store::hash::Model {
                idx: to_i64(at),
                hash: tlog::hex(&h),
            });
        }
        leaf_rows.push(store::leaf::Model {
            idx: to_i64(index),
            batch_id,
            code: leaf.code,
            seq: i32::try_from(leaf.seq).unwrap_or(i32::MAX),
            event_hash: leaf.event_hash,
            logged_at: now,
        });
    }
    store::insert_leaves(conn, leaf_rows).await?;
    store::insert_hashes(conn, hash_rows).await?;
    Ok(to_u64(n))
}

/// A consistency proof from `from` leaves to `to` (empty from 0 or to the same size).
pub(crate) async fn prove_consistency(
    conn: &impl ConnectionTrait,
    from: u64,
    to: u64,
) -> Result<Vec<Hash>> {
    if from == 0 || from >= to {
        return Ok(Vec::new());
    }
    with_hashes(conn, |r| tlog_tiles::prove_tree(to, from, r)).await
}

/// A checkpoint as the public API shows it.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CheckpointView {
    pub origin: String,
    pub size: u64,
    /// The tree's root, lower-case hex.
    pub root: String,
    /// The signed note exactly as served at `/tlog/checkpoint`.
    pub note: String,
    pub signed_at: DateTime<Utc>,
    /// Who signed it: the log, then each witness that cosigned.
    pub signers: Vec<String>,
}

/// A proof that a batch's head is a leaf of the latest published checkpoint.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Inclusion {
    pub checkpoint: CheckpointView,
    pub leaf_index: u64,
    /// The head's seq and hash as the log holds them.
    pub seq: i64,
    pub event_hash: String,
    /// The entry (CHAIN.md §10) and its RFC 6962 leaf hash.
    pub entry: String,
    pub leaf_hash: String,
    /// The audit path, leaf to root (RFC 9162 §2.1.3), lower-case hex.
    pub proof: Vec<String>,
}

/// A proof that a tree is a prefix of a larger one.
#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct Consistency {
    pub from: u64,
    pub to: u64,
    pub from_root: String,
    pub to_root: String,
    pub proof: Vec<String>,
}

impl Trace {
    /// Appends one recorded event's leaf inside its transaction.
    pub(crate) async fn log_event(
        &self,
        conn: &impl ConnectionTrait,
        batch_id: Uuid,
        code: &str,
        seq: i32,
        hash: &str,
    ) -> Result<()> {
        let leaf = Leaf {
            code: code.to_owned(),
            seq: i64::from(seq),
            event_hash: hash.to_owned(),
        };
        append(conn, vec![(batch_id, leaf)], self.now()).await?;
        Ok(())
    }

    /// Carries every recorded event not yet in the log into it (the events recorded before the
    /// log existed, on the first start after migration 22): in the order they were recorded,
    /// then by batch and seq. Returns how many. Later starts find nothing to do.
    #[tracing::instrument(skip_all)]
    pub async fn backfill_log(&self) -> Result<u64> {
        let db = &self.infra().db;
        let txn = db.begin().await?;
        // Taking the lock first: nothing is appended meanwhile.
        store::reserve(&txn, 0).await?;
        let logged: std::collections::HashSet<(Uuid, i32)> =
            store::logged_events(&txn).await?.into_iter().collect();
        let codes = crate::store::queries::all_codes(&txn).await?;
        let mut missing: Vec<(DateTime<Utc>, Uuid, i32, String)> =
            crate::store::queries::event_heads(&txn)
                .await?
                .into_iter()
                .filter(|(_, b, s, _)| !logged.contains(&(*b, *s)))
                .collect();
        if missing.is_empty() {
            return Ok(0);
        }
        missing.sort();
        let leaves: Vec<(Uuid, Leaf)> = missing
            .into_iter()
            .filter_map(|(_, batch, seq, hash)| {
                Some((
                    batch,
                    Leaf {
                        code: codes.get(&batch)?.clone(),
                        seq: i64::from(seq),
                        event_hash: hash,
                    },
                ))
            })
            .collect();
        let n = append(&txn, leaves, self.now()).await?;
        txn.commit().await?;
        tracing::info!(events = n, "trace events carried into the transparency log");
        Ok(n)
    }

    /// Schedules the checkpoint job unless a run is already waiting.
    pub async fn schedule_checkpoints(&self) -> Result<()> {
        use farmgate_infra::outbox::entity::event as outbox_event;
        use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
        let waiting = outbox_event::Entity::find()
            .filter(outbox_event::Column::Topic.eq(super::topics::CHECKPOINT_DUE))
            .filter(outbox_event::Column::DeliveredAt.is_null())
            .count(&self.infra().db)
            .await?;
        if waiting == 0 {
            self.infra()
                .outbox
                .enqueue_at(
                    &self.infra().db,
                    super::topics::CHECKPOINT_DUE,
                    &serde_json::json!({}),
                    self.now(),
                )
                .await?;
        }
        Ok(())
    }

    /// The tree's root at `size` leaves.
    async fn root_at(&self, conn: &impl ConnectionTrait, size: u64) -> Result<Hash> {
        with_hashes(conn, |r| tlog_tiles::tree_hash(size, r)).await
    }

    /// Signs a checkpoint of the tree as it is now, unless the latest published one already
    /// covers it, and publishes it when the witnesses' quorum cosigns. Returns what it signed.
    #[tracing::instrument(skip_all)]
    pub async fn checkpoint_log(&self) -> Result<Option<checkpoint::Model>> {
        let db = &self.infra().db;
        let size = to_u64(store::size(db).await?);
        let latest = store::latest_checkpoint(db, true).await?;
        if latest.as_ref().is_some_and(|c| to_u64(c.size) == size) {
            return Ok(None);
        }
        let root = self.root_at(db, size).await?;
        let cp = Checkpoint {
            origin: self.log().origin.clone(),
            size,
            root,
        };
        let note = self
            .log()
            .key
            .sign_checkpoint(&cp)
            .ok_or_else(|| log_err("signing", "the note"))?;
        let signed_at = self.now();
        let (note, published, report) = self.witness(&cp, note, latest.as_ref()).await?;
        let model = checkpoint::ActiveModel {
            id: ActiveValue::NotSet,
            size: ActiveValue::Set(to_i64(size)),
            root: ActiveValue::Set(tlog::hex(&root)),
            note: ActiveValue::Set(note.clone()),
            published: ActiveValue::Set(published),
            witness_report: ActiveValue::Set(report.clone()),
            signed_at: ActiveValue::Set(signed_at),
        };
        store::insert_checkpoint(db, model).await?;
        if published {
            tracing::info!(size, root = %tlog::hex(&root), "trace log checkpoint published");
        } else {
            tracing::error!(size, root = %tlog::hex(&root), report = %report,
                "TRACE LOG CHECKPOINT NOT PUBLISHED: the witnesses' quorum did not cosign");
        }
        Ok(store::latest_checkpoint(db, false).await?)
    }

    /// The latest published checkpoint, if any.
    pub async fn latest_checkpoint(&self) -> Result<Option<CheckpointView>> {
        let Some(c) = store::latest_checkpoint(&self.infra().db, true).await? else {
            return Ok(None);
        };
        Ok(Some(self.checkpoint_view(&c)))
    }

    fn checkpoint_view(&self, c: &checkpoint::Model) -> CheckpointView {
        let signers = c
            .note
            .lines()
            .filter_map(|l| l.strip_prefix("— "))
            .filter_map(|l| l.split(' ').next())
            .map(str::to_owned)
            .collect();
        CheckpointView {
            origin: self.log().origin.clone(),
            size: to_u64(c.size),
            root: c.root.clone(),
            note: c.note.clone(),
            signed_at: c.signed_at,
            signers,
        }
    }

    /// The proof that a batch's last logged event is in the latest published checkpoint
    /// (`None`: no checkpoint yet, or the code is not in it).
    #[tracing::instrument(skip_all, fields(trace.code = %code))]
    pub async fn inclusion(&self, code: &str) -> Result<Option<Inclusion>> {
        let db = &self.infra().db;
        let Some(code) = crate::chain::parse_code(code) else {
            return Ok(None);
        };
        let Some(c) = store::latest_checkpoint(db, true).await? else {
            return Ok(None);
        };
        let size = to_u64(c.size);
        let Some(head) = store::leaves_of_code(db, &code)
            .await?
            .into_iter()
            .filter(|l| to_u64(l.idx) < size)
            .max_by_key(|l| l.seq)
        else {
            return Ok(None);
        };
        let index = to_u64(head.idx);
        let proof = with_hashes(db, |r| tlog_tiles::prove_record(size, index, r)).await?;
        let leaf = Leaf {
            code: head.code.clone(),
            seq: i64::from(head.seq),
            event_hash: head.event_hash.clone(),
        };
        Ok(Some(Inclusion {
            checkpoint: self.checkpoint_view(&c),
            leaf_index: index,
            seq: leaf.seq,
            event_hash: leaf.event_hash.clone(),
            entry: String::from_utf8_lossy(&leaf.to_bytes()).into_owned(),
            leaf_hash: tlog::hex(&leaf.hash()),
            proof: proof.iter().map(tlog::hex).collect(),
        }))
    }

    /// A consistency proof from `from` leaves to `to` (at most the latest published size).
    pub async fn consistency(&self, from: u64, to: u64) -> Result<Option<Consistency>> {
        let db = &self.infra().db;
        let published = store::latest_checkpoint(db, true)
            .await?
            .map_or(0, |c| to_u64(c.size));
        if from > to || to > published {
            return Ok(None);
        }
        let proof = prove_consistency(db, from, to).await?;
        Ok(Some(Consistency {
            from,
            to,
            from_root: tlog::hex(&self.root_at(db, from).await?),
            to_root: tlog::hex(&self.root_at(db, to).await?),
            proof: proof.iter().map(tlog::hex).collect(),
        }))
    }

    /// The signed note of the latest published checkpoint.
    pub async fn checkpoint_note(&self) -> Result<Option<String>> {
        Ok(store::latest_checkpoint(&self.infra().db, true)
            .await?
            .map(|c| c.note))
    }

    /// A tile or entry bundle within the latest published checkpoint (`None` otherwise).
    pub async fn tile(&self, path: &str) -> Result<Option<Vec<u8>>> {
        let Some(tile) = tlog::TilePath::parse(path) else {
            return Ok(None);
        };
        let db = &self.infra().db;
        let Some(c) = store::latest_checkpoint(db, true).await? else {
            return Ok(None);
        };
        if !tile.within(to_u64(c.size)) {
            return Ok(None);
        }
        match tile {
            tlog::TilePath::Entries { index, width } => {
                let rows =
                    store::leaves(db, to_i64(index * tlog::TILE_WIDTH), to_i64(width)).await?;
                if rows.len() as u64 != width {
                    return Err(log_err("entry bundle", "leaves missing"));
                }
                let entries: Vec<Vec<u8>> = rows
                    .into_iter()
                    .map(|l| {
                        Leaf {
                            code: l.code,
                            seq: i64::from(l.seq),
                            event_hash: l.event_hash,
                        }
                        .to_bytes()
                    })
                    .collect();
                Ok(Some(tlog::entry_bundle(&entries)))
            }
            tlog::TilePath::Hashes { .. } => {
                let indexes = tile.stored_indexes();
                let mut known = HashMap::new();
                fetch(db, &mut known, indexes.clone()).await?;
                let mut out = Vec::with_capacity(indexes.len() * 32);
                for i in indexes {
                    let h = known
                        .get(&i)
                        .ok_or_else(|| log_err("hash tile", format!("hash {i} missing")))?;
                    out.extend_from_slice(&h.0);
                }
                Ok(Some(out))
            }
        }
    }
}
