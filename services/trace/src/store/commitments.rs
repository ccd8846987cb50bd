//! Queries over `trace_commitments`, the private openings of chain format v2's commitments.

use super::entities::{batch, commitment};
use crate::commit::Opening;
use chrono::{DateTime, Utc};
use farmgate_kernel::id::BatchId;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use std::collections::HashMap;
use uuid::Uuid;

/// Stores the openings of one event, in the transaction that records it.
pub async fn insert_openings(
    conn: &impl ConnectionTrait,
    batch_id: Uuid,
    event_id: Uuid,
    seq: i32,
    openings: &[Opening],
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    if openings.is_empty() {
        return Ok(());
    }
    let rows = openings.iter().map(|o| {
        commitment::ActiveModel::from(commitment::Model {
            event_id,
            path: o.path.clone(),
            batch_id,
            seq,
            salt: o.salt.clone(),
            value: o.value.clone(),
            created_at: now,
        })
    });
    commitment::Entity::insert_many(rows)
        .exec_without_returning(conn)
        .await
        .map(|_| ())
}

/// A batch's openings by event id.
pub async fn openings_of(
    conn: &impl ConnectionTrait,
    batch: BatchId,
) -> Result<HashMap<Uuid, Vec<Opening>>, DbErr> {
    let rows = commitment::Entity::find()
        .filter(commitment::Column::BatchId.eq(batch.0))
        .order_by_asc(commitment::Column::Seq)
        .order_by_asc(commitment::Column::Path)
        .all(conn)
        .await?;
    let mut out: HashMap<Uuid, Vec<Opening>> = HashMap::new();
    for r in rows {
        out.entry(r.event_id).or_default().push(Opening {
            path: r.path,
            salt: r.salt,
            value: r.value,
        });
    }
    Ok(out)
}

/// Every batch's chain format by id (for the digest, which recomputes every head).
pub async fn versions(conn: &impl ConnectionTrait) -> Result<HashMap<Uuid, i16>, DbErr> {
    Ok(batch::Entity::find()
        .select_only()
        .column(batch::Column::Id)
        .column(batch::Column::ChainVersion)
        .into_tuple::<(Uuid, i16)>()
        .all(conn)
        .await?
        .into_iter()
        .collect())
}
