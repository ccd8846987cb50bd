//! What after-sales (`farmgate-aftersales`) reads of trace, and why: a recall (召回) names the
//! batch on its record and notices (code, lot), takes its listing off sale, is ordered by the
//! batch's seller or the county, and happens by itself when an inspection of a batch that has
//! shipped fails. [`batch_to_recall`] gives exactly that; the recall event itself is written
//! through `Trace::append_system`.

use crate::store::batch;
use farmgate_kernel::id::{BatchId, ListingId, OrgId};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, QuerySelect};
use uuid::Uuid;

/// A batch as a recall needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchToRecall {
    pub id: BatchId,
    /// The trace code its labels and public page carry.
    pub code: String,
    pub lot: String,
    pub listing_id: ListingId,
    pub seller: OrgId,
    /// Its latest inspection failed (status `blocked`) and it is not recalled yet.
    pub blocked: bool,
}

/// The batch, as a recall needs it; `None` when there is no such batch.
pub async fn batch_to_recall(
    conn: &impl ConnectionTrait,
    id: BatchId,
) -> Result<Option<BatchToRecall>, DbErr> {
    // The status as stored, whatever type the entity gives it.
    let row: Option<(Uuid, String, String, Uuid, Uuid, String)> = batch::Entity::find_by_id(id.0)
        .select_only()
        .columns([
            batch::Column::Id,
            batch::Column::Code,
            batch::Column::Lot,
            batch::Column::ListingId,
            batch::Column::SellerOrgId,
            batch::Column::Status,
        ])
        .into_tuple()
        .one(conn)
        .await?;
    Ok(
        row.map(|(id, code, lot, listing, seller, status)| BatchToRecall {
            id: BatchId(id),
            code,
            lot,
            listing_id: ListingId(listing),
            seller: OrgId(seller),
            blocked: status == "blocked",
        }),
    )
}
