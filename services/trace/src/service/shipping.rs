//! The check another service makes before a batch goes into a parcel.

use crate::Trace;
use crate::domain::{self, EventKind};
use crate::error::{Missing, Result, TraceError};
use crate::service::Record;
use farmgate_kernel::id::{BatchId, ListingId};

impl Trace {
    /// Whether a batch may go into a parcel: of this listing, not recalled or blocked, with a
    /// latest inspection that passed and an intact chain. The orders service calls this before
    /// linking a shipment; [`crate::TraceError::refuses_shipping`] tells its refusals apart.
    #[tracing::instrument(skip_all, fields(batch.id = %batch_id, listing.id = %listing_id))]
    pub async fn ensure_shippable(
        &self,
        batch_id: BatchId,
        listing_id: ListingId,
    ) -> Result<Record> {
        let record = self
            .record(batch_id)
            .await?
            .ok_or(TraceError::NotFound(Missing::Batch))?;
        if record.batch.listing_id != listing_id.0 {
            return Err(TraceError::WrongListing);
        }
        let inspected = record
            .events
            .iter()
            .rfind(|e| matches!(e.kind, EventKind::Inspection | EventKind::LabCheck))
            .is_some_and(|e| e.body["data"]["result"] == "pass");
        domain::may_ship(record.batch.status, inspected, record.verification.is_ok())?;
        Ok(record)
    }
}
