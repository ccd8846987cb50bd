//! What the demo crate (`farmgate-demo`) reads of trace's tables: the showcase batch the
//! start-up banner of `farmgate serve --demo` links to, and, for the order-history generator,
//! every batch a parcel may name with the moment it was ready. The generator writes its parcels
//! (`shipment_batches`, owned by orders) with raw INSERTs for speed and chains no shipping
//! event; it only needs to know which batch of a listing was ready when a parcel left.
//! Nothing else should use these.

use crate::domain::EventKind;
use crate::store::{batch, event};
use chrono::{DateTime, Utc};
use farmgate_kernel::id::{BatchId, ListingId, OrgId};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;

/// A batch a parcel may still name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReadyBatch {
    pub id: BatchId,
    pub listing_id: ListingId,
    pub seller_org_id: OrgId,
    pub code: String,
    pub lot: String,
    /// When it could first be packed: its earliest harvest or packing event, else when it was
    /// recorded.
    pub ready_at: DateTime<Utc>,
}

/// Every batch neither recalled nor blocked, oldest first.
pub async fn ready_batches(conn: &impl ConnectionTrait) -> Result<Vec<ReadyBatch>, DbErr> {
    let mut ready: HashMap<uuid::Uuid, DateTime<Utc>> = HashMap::new();
    for e in event::Entity::find()
        .filter(
            event::Column::Kind.is_in([EventKind::Harvest.as_str(), EventKind::Packing.as_str()]),
        )
        .all(conn)
        .await?
    {
        ready
            .entry(e.batch_id)
            .and_modify(|t| *t = (*t).min(e.occurred_at))
            .or_insert(e.occurred_at);
    }
    Ok(batch::Entity::find()
        .filter(batch::Column::Status.is_not_in(["recalled", "blocked"]))
        .order_by_asc(batch::Column::CreatedAt)
        .all(conn)
        .await?
        .into_iter()
        .map(|b| ReadyBatch {
            id: BatchId(b.id),
            listing_id: ListingId(b.listing_id),
            seller_org_id: OrgId(b.seller_org_id),
            ready_at: ready.get(&b.id).copied().unwrap_or(b.created_at),
            code: b.code,
            lot: b.lot,
        })
        .collect())
}

/// The trace code of a batch by its lot number (the first one, should two sellers share a
/// lot): the demo's showcase box.
pub async fn code_of_lot(conn: &impl ConnectionTrait, lot: &str) -> Result<Option<String>, DbErr> {
    Ok(batch::Entity::find()
        .filter(batch::Column::Lot.eq(lot))
        .one(conn)
        .await?
        .map(|b| b.code))
}
