//! For orders: which batches a parcel may be packed from. Orders ships a sub-order naming,
//! per line, the batch it was packed from; it asks here whether that batch may ship, and
//! whether a line's listing has a batch that may (then the line must name one). The rule of
//! what "may ship" means stays here, with the batches.

use crate::Trace;
use crate::domain::BatchStatus;
use crate::error::TraceError;
use crate::store::batch;
use farmgate_kernel::Msg;
use farmgate_kernel::id::{BatchId, ListingId, OrgId};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect};

/// A batch that may go into a parcel, as the shipment records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShippableBatch {
    pub id: BatchId,
    pub listing_id: ListingId,
    pub seller_org_id: OrgId,
    /// The trace code printed on the box (`/t/{code}`).
    pub code: String,
    pub lot: String,
}

impl ShippableBatch {
    fn of(b: &batch::Model) -> Self {
        Self {
            id: BatchId(b.id),
            listing_id: ListingId(b.listing_id),
            seller_org_id: OrgId(b.seller_org_id),
            code: b.code.clone(),
            lot: b.lot.clone(),
        }
    }
}

/// Why a batch may not go into a parcel: a stable code (`not_found`, `wrong_listing`,
/// `batch_recalled`, `batch_blocked`, `not_inspected`, `chain_broken`) and its text, for the
/// field of the shipment that named it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotShippable {
    pub code: &'static str,
    pub message: Msg,
}

/// How many of a listing's open batches are looked at when asking whether any may ship.
const CANDIDATES: u64 = 5;

impl Trace {
    /// This batch, if it may go into a parcel of `listing`: of that listing, not recalled or
    /// blocked, with a latest inspection that passed and a record that verifies. The inner
    /// `Err` says why not (a batch that does not exist is `not_found`); the outer one is a
    /// failure of ours.
    pub async fn shippable_batch(
        &self,
        batch: BatchId,
        listing: ListingId,
    ) -> Result<Result<ShippableBatch, NotShippable>, TraceError> {
        match self.ensure_shippable(batch, listing).await {
            Ok(record) => Ok(Ok(ShippableBatch::of(&record.batch))),
            Err(TraceError::NotFound(_)) => Ok(Err(NotShippable {
                code: "not_found",
                message: Msg::new("批次不存在", "no such batch"),
            })),
            Err(
                e @ (TraceError::WrongListing
                | TraceError::BatchRecalled
                | TraceError::BatchBlocked
                | TraceError::NotInspected
                | TraceError::ChainBroken),
            ) => Ok(Err(NotShippable {
                code: e.code(),
                message: e.message(),
            })),
            Err(other) => Err(other),
        }
    }

    /// Whether `listing` has a batch that may ship now (among a few of its open batches): a
    /// parcel line of such a listing must say which batch it was packed from.
    pub async fn has_shippable_batch(&self, listing: ListingId) -> Result<bool, TraceError> {
        let candidates = batch::Entity::find()
            .filter(batch::Column::ListingId.eq(listing.0))
            .filter(batch::Column::Status.eq(BatchStatus::Open))
            .limit(CANDIDATES)
            .all(&self.infra().db)
            .await?;
        for b in candidates {
            if self.ensure_shippable(BatchId(b.id), listing).await.is_ok() {
                return Ok(true);
            }
        }
        Ok(false)
    }
}
