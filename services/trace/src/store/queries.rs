//! Reusable queries. Each takes `&impl ConnectionTrait`: the pool or the use case's transaction.

use super::entities::{attachment, batch, digest, event, object_audit, scan, unit};
use crate::domain::{BatchStatus, EventKind};
use chrono::{DateTime, NaiveDate, Utc};
use farmgate_kernel::id::{BatchId, ListingId, OrgId};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use serde_json::Value;
use std::collections::HashMap;
use uuid::Uuid;

// ---------------------------------------------------------------------------------------------
// Batches

pub async fn batch_by_id(
    conn: &impl ConnectionTrait,
    id: BatchId,
) -> Result<Option<batch::Model>, DbErr> {
    batch::Entity::find_by_id(id.0).one(conn).await
}

/// The batch of a trace code (already parsed into its canonical form).
pub async fn batch_by_code(
    conn: &impl ConnectionTrait,
    code: &str,
) -> Result<Option<batch::Model>, DbErr> {
    batch::Entity::find()
        .filter(batch::Column::Code.eq(code))
        .one(conn)
        .await
}

/// How many batches a listing has (to number a lot the seller did not name).
pub async fn batch_count_of_listing(
    conn: &impl ConnectionTrait,
    listing: ListingId,
) -> Result<u64, DbErr> {
    batch::Entity::find()
        .filter(batch::Column::ListingId.eq(listing.0))
        .count(conn)
        .await
}

/// Inserts a new batch. The unique indexes on `code` and (listing, lot) make the error tell a
/// code collision from a lot already taken.
pub async fn insert_batch(conn: &impl ConnectionTrait, b: batch::Model) -> Result<(), DbErr> {
    batch::Entity::insert(batch::ActiveModel::from(b))
        .exec_without_returning(conn)
        .await
        .map(|_| ())
}

/// A seller's batches, newest first (at most 500).
pub async fn batches_of_seller(
    conn: &impl ConnectionTrait,
    org: OrgId,
) -> Result<Vec<batch::Model>, DbErr> {
    batch::Entity::find()
        .filter(batch::Column::SellerOrgId.eq(org.as_uuid()))
        .order_by_desc(batch::Column::CreatedAt)
        .limit(500)
        .all(conn)
        .await
}

/// Batches of these listings with this lot; at most two (enough to see an ambiguity).
pub async fn batches_by_lot(
    conn: &impl ConnectionTrait,
    listings: Vec<Uuid>,
    lot: &str,
) -> Result<Vec<batch::Model>, DbErr> {
    batch::Entity::find()
        .filter(batch::Column::ListingId.is_in(listings))
        .filter(batch::Column::Lot.eq(lot))
        .limit(2)
        .all(conn)
        .await
}

/// Moves a batch's head after a record was appended.
pub async fn set_head(
    conn: &impl ConnectionTrait,
    id: BatchId,
    hash: String,
    event_count: i32,
    last_event_at: DateTime<Utc>,
    status: BatchStatus,
) -> Result<(), DbErr> {
    batch::Entity::update_many()
        .col_expr(batch::Column::HeadHash, Expr::value(hash))
        .col_expr(batch::Column::EventCount, Expr::value(event_count))
        .col_expr(batch::Column::LastEventAt, Expr::value(last_event_at))
        .col_expr(batch::Column::Status, Expr::value(status))
        .filter(batch::Column::Id.eq(id.0))
        .exec(conn)
        .await
        .map(|_| ())
}

/// Claims unit numbers `from + 1 ..= to`, only if nobody issued any since `from` was read.
/// Returns whether the claim succeeded.
pub async fn claim_unit_numbers(
    conn: &impl ConnectionTrait,
    id: BatchId,
    from: i32,
    to: i32,
) -> Result<bool, DbErr> {
    let claimed = batch::Entity::update_many()
        .col_expr(batch::Column::UnitsIssued, Expr::value(to))
        .filter(batch::Column::Id.eq(id.0))
        .filter(batch::Column::UnitsIssued.eq(from))
        .exec(conn)
        .await?;
    Ok(claimed.rows_affected == 1)
}

/// Every batch's trace code by id.
pub async fn all_codes(conn: &impl ConnectionTrait) -> Result<HashMap<Uuid, String>, DbErr> {
    Ok(batch::Entity::find()
        .select_only()
        .column(batch::Column::Id)
        .column(batch::Column::Code)
        .into_tuple::<(Uuid, String)>()
        .all(conn)
        .await?
        .into_iter()
        .collect())
}

// ---------------------------------------------------------------------------------------------
// Events

/// A batch's records in chain order.
pub async fn events_of(
    conn: &impl ConnectionTrait,
    batch: BatchId,
) -> Result<Vec<event::Model>, DbErr> {
    event::Entity::find()
        .filter(event::Column::BatchId.eq(batch.0))
        .order_by_asc(event::Column::Seq)
        .all(conn)
        .await
}

/// A batch's first record (its facts and certificate).
pub async fn first_event(
    conn: &impl ConnectionTrait,
    batch: BatchId,
) -> Result<Option<event::Model>, DbErr> {
    event::Entity::find()
        .filter(event::Column::BatchId.eq(batch.0))
        .filter(event::Column::Seq.eq(0))
        .one(conn)
        .await
}

/// A batch's latest record of one kind.
pub async fn latest_event_of_kind(
    conn: &impl ConnectionTrait,
    batch: BatchId,
    kind: EventKind,
) -> Result<Option<event::Model>, DbErr> {
    event::Entity::find()
        .filter(event::Column::BatchId.eq(batch.0))
        .filter(event::Column::Kind.eq(kind))
        .order_by_desc(event::Column::Seq)
        .one(conn)
        .await
}

/// Appends a record. The unique (batch, seq) index turns a concurrent append into an error the
/// caller reports as a conflict.
pub async fn insert_event(conn: &impl ConnectionTrait, e: event::Model) -> Result<(), DbErr> {
    event::Entity::insert(event::ActiveModel::from(e))
        .exec_without_returning(conn)
        .await
        .map(|_| ())
}

/// (batch, seq, body) of the records recorded by `cutoff`, by batch and seq, a page of at most
/// `limit` after the (batch, seq) `after`: what a digest hashes, read a page at a time so the
/// bodies of every record ever made are never in memory at once.
pub async fn bodies_recorded_by(
    conn: &impl ConnectionTrait,
    cutoff: DateTime<Utc>,
    after: Option<(Uuid, i32)>,
    limit: u64,
) -> Result<Vec<(Uuid, i32, Value)>, DbErr> {
    let mut query = event::Entity::find()
        .select_only()
        .column(event::Column::BatchId)
        .column(event::Column::Seq)
        .column(event::Column::Body)
        .filter(event::Column::RecordedAt.lte(cutoff));
    if let Some((batch, seq)) = after {
        // Keyset on the (batch_id, seq) key: the next page starts after the last row read.
        query = query.filter(
            Condition::any().add(event::Column::BatchId.gt(batch)).add(
                Condition::all()
                    .add(event::Column::BatchId.eq(batch))
                    .add(event::Column::Seq.gt(seq)),
            ),
        );
    }
    query
        .order_by_asc(event::Column::BatchId)
        .order_by_asc(event::Column::Seq)
        .limit(limit)
        .into_tuple()
        .all(conn)
        .await
}

/// (recorded at, batch, seq, hash) of every record: what the transparency log's backfill
/// carries in.
pub async fn event_heads(
    conn: &impl ConnectionTrait,
) -> Result<Vec<(DateTime<Utc>, Uuid, i32, String)>, DbErr> {
    event::Entity::find()
        .select_only()
        .column(event::Column::RecordedAt)
        .column(event::Column::BatchId)
        .column(event::Column::Seq)
        .column(event::Column::Hash)
        .into_tuple()
        .all(conn)
        .await
}

// ---------------------------------------------------------------------------------------------
// Attachments

pub async fn insert_attachment(
    conn: &impl ConnectionTrait,
    a: attachment::Model,
) -> Result<(), DbErr> {
    attachment::Entity::insert(attachment::ActiveModel::from(a))
        .exec_without_returning(conn)
        .await
        .map(|_| ())
}

/// How many files were uploaded to this batch.
pub async fn count_attachments(conn: &impl ConnectionTrait, batch: BatchId) -> Result<u64, DbErr> {
    attachment::Entity::find()
        .filter(attachment::Column::BatchId.eq(batch.0))
        .count(conn)
        .await
}

/// How many files one person uploaded to this batch (a lab's reports).
pub async fn count_attachments_by(
    conn: &impl ConnectionTrait,
    batch: BatchId,
    account: Uuid,
) -> Result<u64, DbErr> {
    attachment::Entity::find()
        .filter(attachment::Column::BatchId.eq(batch.0))
        .filter(attachment::Column::UploadedBy.eq(account))
        .count(conn)
        .await
}

/// Those of `ids` that were uploaded to this batch.
pub async fn attachments_of(
    conn: &impl ConnectionTrait,
    batch: BatchId,
    ids: Vec<Uuid>,
) -> Result<Vec<attachment::Model>, DbErr> {
    attachment::Entity::find()
        .filter(attachment::Column::Id.is_in(ids))
        .filter(attachment::Column::BatchId.eq(batch.0))
        .all(conn)
        .await
}

// ---------------------------------------------------------------------------------------------
// Unit codes

pub async fn insert_units(conn: &impl ConnectionTrait, rows: &[unit::Model]) -> Result<(), DbErr> {
    for chunk in rows.chunks(500) {
        unit::Entity::insert_many(chunk.iter().cloned().map(unit::ActiveModel::from))
            .exec(conn)
            .await?;
    }
    Ok(())
}

/// A batch's unit codes by number (at most 100,000, the most a batch may have).
pub async fn units_of(
    conn: &impl ConnectionTrait,
    batch: BatchId,
) -> Result<Vec<unit::Model>, DbErr> {
    unit::Entity::find()
        .filter(unit::Column::BatchId.eq(batch.0))
        .order_by_asc(unit::Column::N)
        .limit(100_000)
        .all(conn)
        .await
}

/// Counts a scan of a box of this batch; `false` when the batch has no such serial.
pub async fn count_unit_scan(
    conn: &impl ConnectionTrait,
    batch: BatchId,
    serial: &str,
) -> Result<bool, DbErr> {
    let res = unit::Entity::update_many()
        .col_expr(unit::Column::Scans, Expr::col(unit::Column::Scans).add(1))
        .filter(unit::Column::BatchId.eq(batch.0))
        .filter(unit::Column::Serial.eq(serial))
        .exec(conn)
        .await?;
    Ok(res.rows_affected > 0)
}

/// Remembers when a box was first scanned (once).
pub async fn mark_first_scan(
    conn: &impl ConnectionTrait,
    serial: &str,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    unit::Entity::update_many()
        .col_expr(unit::Column::FirstScannedAt, Expr::value(Some(at)))
        .filter(unit::Column::Serial.eq(serial))
        .filter(unit::Column::FirstScannedAt.is_null())
        .exec(conn)
        .await
        .map(|_| ())
}

pub async fn unit_by_serial(
    conn: &impl ConnectionTrait,
    serial: &str,
) -> Result<Option<unit::Model>, DbErr> {
    unit::Entity::find()
        .filter(unit::Column::Serial.eq(serial))
        .one(conn)
        .await
}

// ---------------------------------------------------------------------------------------------
// Scan counts

/// A batch's stored look-up total (0 for no such batch).
pub async fn batch_scans(conn: &impl ConnectionTrait, id: BatchId) -> Result<i64, DbErr> {
    Ok(batch::Entity::find_by_id(id.0)
        .one(conn)
        .await?
        .map_or(0, |b| b.scans))
}

/// Adds the scans of several batches on one day, in one transaction: each batch's day row and
/// its total. Batches that no longer exist are skipped (their scans have nowhere to go); rows
/// are written in batch order so two flushes never wait on each other in a cycle.
pub async fn add_scans_many(
    db: &sea_orm::DatabaseConnection,
    day: NaiveDate,
    rows: &[(BatchId, i64)],
) -> Result<(), DbErr> {
    use sea_orm::TransactionTrait;
    let ids: Vec<Uuid> = rows.iter().map(|(b, _)| b.0).collect();
    let mut existing = std::collections::HashSet::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        existing.extend(
            batch::Entity::find()
                .select_only()
                .column(batch::Column::Id)
                .filter(batch::Column::Id.is_in(chunk.to_vec()))
                .into_tuple::<Uuid>()
                .all(db)
                .await?,
        );
    }
    let mut rows: Vec<(BatchId, i64)> = rows
        .iter()
        .copied()
        .filter(|(b, _)| existing.contains(&b.0))
        .collect();
    rows.sort_by_key(|(b, _)| b.0);
    let txn = db.begin().await?;
    for (batch, count) in rows {
        add_scans(&txn, batch, day, count).await?;
    }
    txn.commit().await
}

/// Adds `count` scans to a batch's day and to its total.
pub async fn add_scans(
    conn: &impl ConnectionTrait,
    batch: BatchId,
    day: NaiveDate,
    count: i64,
) -> Result<(), DbErr> {
    scan::Entity::insert(scan::ActiveModel {
        batch_id: sea_orm::Set(batch.0),
        day: sea_orm::Set(day),
        scans: sea_orm::Set(count),
    })
    .on_conflict(
        OnConflict::columns([scan::Column::BatchId, scan::Column::Day])
            .value(
                scan::Column::Scans,
                Expr::col((scan::Entity, scan::Column::Scans)).add(count),
            )
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    batch::Entity::update_many()
        .col_expr(
            batch::Column::Scans,
            Expr::col(batch::Column::Scans).add(count),
        )
        .filter(batch::Column::Id.eq(batch.0))
        .exec(conn)
        .await
        .map(|_| ())
}

// ---------------------------------------------------------------------------------------------
// The digest log

pub async fn digest_by_cutoff(
    conn: &impl ConnectionTrait,
    cutoff: DateTime<Utc>,
) -> Result<Option<digest::Model>, DbErr> {
    digest::Entity::find()
        .filter(digest::Column::Cutoff.eq(cutoff))
        .one(conn)
        .await
}

pub async fn digest_by_seq(
    conn: &impl ConnectionTrait,
    seq: i64,
) -> Result<Option<digest::Model>, DbErr> {
    digest::Entity::find_by_id(seq).one(conn).await
}

pub async fn latest_digest(conn: &impl ConnectionTrait) -> Result<Option<digest::Model>, DbErr> {
    digest::Entity::find()
        .order_by_desc(digest::Column::Seq)
        .one(conn)
        .await
}

/// The whole log, oldest first.
pub async fn digests(conn: &impl ConnectionTrait) -> Result<Vec<digest::Model>, DbErr> {
    digest::Entity::find()
        .order_by_asc(digest::Column::Seq)
        .all(conn)
        .await
}

pub async fn insert_digest(conn: &impl ConnectionTrait, d: digest::Model) -> Result<(), DbErr> {
    digest::Entity::insert(digest::ActiveModel::from(d))
        .exec_without_returning(conn)
        .await
        .map(|_| ())
}

// ---------------------------------------------------------------------------------------------
// The object store audit

/// Up to `limit` stored attachments after `after` (by id, which grows with time), for one
/// round of the audit.
pub async fn attachments_after(
    conn: &impl ConnectionTrait,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Vec<attachment::Model>, DbErr> {
    let mut q = attachment::Entity::find();
    if let Some(a) = after {
        q = q.filter(attachment::Column::Id.gt(a));
    }
    q.order_by_asc(attachment::Column::Id)
        .limit(limit)
        .all(conn)
        .await
}

/// The stored attachment under an object key.
pub async fn attachment_by_key(
    conn: &impl ConnectionTrait,
    key: &str,
) -> Result<Option<attachment::Model>, DbErr> {
    attachment::Entity::find()
        .filter(attachment::Column::ObjectKey.eq(key))
        .one(conn)
        .await
}

/// Records what the audit found for one object, keeping when a mismatch was first seen.
pub async fn save_audit(
    conn: &impl ConnectionTrait,
    row: object_audit::Model,
) -> Result<(), DbErr> {
    let previous = object_audit::Entity::find_by_id(row.object_key.clone())
        .one(conn)
        .await?;
    let first_failed_at = match (&previous, row.ok) {
        (_, true) => None,
        (Some(p), false) => p.first_failed_at.or(Some(row.checked_at)),
        (None, false) => Some(row.checked_at),
    };
    let row = object_audit::Model {
        first_failed_at,
        ..row
    };
    object_audit::Entity::insert(object_audit::ActiveModel::from(row))
        .on_conflict(
            OnConflict::column(object_audit::Column::ObjectKey)
                .update_columns([
                    object_audit::Column::ExpectedSha256,
                    object_audit::Column::FoundSha256,
                    object_audit::Column::Ok,
                    object_audit::Column::CheckedAt,
                    object_audit::Column::FirstFailedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await
        .map(|_| ())
}

/// What the audit last found for a batch's objects.
pub async fn audits_of(
    conn: &impl ConnectionTrait,
    batch: BatchId,
) -> Result<Vec<object_audit::Model>, DbErr> {
    object_audit::Entity::find()
        .filter(object_audit::Column::BatchId.eq(batch.0))
        .all(conn)
        .await
}

/// Every object whose stored bytes did not match when last checked, oldest failure first (at
/// most 500).
pub async fn failed_audits(conn: &impl ConnectionTrait) -> Result<Vec<object_audit::Model>, DbErr> {
    object_audit::Entity::find()
        .filter(object_audit::Column::Ok.eq(false))
        .order_by_asc(object_audit::Column::FirstFailedAt)
        .limit(500)
        .all(conn)
        .await
}

/// How many objects were audited, and when the oldest of those checks was.
pub async fn audit_summary(
    conn: &impl ConnectionTrait,
) -> Result<(u64, Option<DateTime<Utc>>), DbErr> {
    let count = object_audit::Entity::find().count(conn).await?;
    let oldest = object_audit::Entity::find()
        .order_by_asc(object_audit::Column::CheckedAt)
        .one(conn)
        .await?
        .map(|a| a.checked_at);
    Ok((count, oldest))
}
