//! Traceability use cases, one file per family, each an `impl Trace` block: recording batches
//! ([`batches`]), appending to their chain ([`events`]), lab reports and photos
//! ([`attachments`]), per-box codes ([`units`]), reading a record ([`record`]), the check
//! before a batch goes into a parcel ([`shipping`]), the public lookups ([`public`]), scan
//! counting ([`scans`]), the daily digest with its proofs ([`digest`]), the verdict as a list
//! of checks ([`verdict`]) and the object store audit ([`audit`]). Each use case that writes
//! does so in one transaction.

mod attachments;
mod audit;
mod batches;
mod digest;
mod events;
mod lab_checks;
pub(crate) mod log;
mod log_check;
mod openings;
mod public;
mod record;
mod scans;
mod shipping;
mod units;
mod verdict;
mod verify_limit;
mod witnessing;

pub use crate::domain::{
    CertificateInput, Commitments, NewBatchRequest, NewEventRequest, PlotInput,
};
pub use audit::{AuditAlert, AuditReport, AuditRound};
pub use batches::BatchListed;
pub use digest::{DigestCheck, Proof, ProofStep};
pub use events::Appended;
pub use lab_checks::LabCheckRecorded;
pub use log::{CheckpointView, Consistency, Inclusion};
pub use log_check::NamedCheck;
pub use openings::{EventOpenings, OpeningView};
pub use record::Record;
pub use verdict::{CitedFile, REHASH_REUSE, Rehash, cited_files};

use crate::Trace;
use crate::error::{Missing, Result, TraceError};
use crate::store::{batch, queries};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use farmgate_identity::{Actor, PlatformRole};
use farmgate_kernel::clock::shanghai;
use farmgate_kernel::id::{BatchId, OrgId};

/// Outbox topics.
pub mod topics {
    /// `{"cutoff"}`: time to publish the daily digest (a scheduled job).
    pub const DIGEST_DUE: &str = "trace.digest.due";
    /// `{"batch_id", "code"}`: a batch's record changed (caches, statistics).
    pub const BATCH_CHANGED: &str = "trace.batch.changed";
    /// `{}`: time to sign a transparency-log checkpoint (a scheduled job, every few minutes).
    pub const CHECKPOINT_DUE: &str = "trace.log.checkpoint_due";
    /// `{"after"}`: time for the next round of the object store audit (a scheduled job).
    pub const AUDIT_DUE: &str = "trace.audit.due";
}

/// Largest attachment (lab reports, photos).
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;
/// Attachments a batch may hold (cited or not): a season's reports and photos fit many times
/// over; a script uploading without end does not.
pub const MAX_ATTACHMENTS_PER_BATCH: u64 = 200;
/// Unit codes per request.
pub const MAX_UNITS_PER_REQUEST: i64 = 5000;

/// An instant as the chain writes it: whole seconds, UTC, `Z`.
fn seconds(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// An instant cut to whole seconds, so what is stored is what was hashed.
fn truncate(t: DateTime<Utc>) -> DateTime<Utc> {
    Utc.timestamp_opt(t.timestamp(), 0).single().unwrap_or(t)
}

/// 00:00 Beijing time of a calendar day, in UTC.
pub fn start_of_day(d: NaiveDate) -> DateTime<Utc> {
    d.and_hms_opt(0, 0, 0)
        .and_then(|n| shanghai().from_local_datetime(&n).single())
        .map_or_else(
            || Utc.timestamp_opt(0, 0).single().unwrap_or_default(),
            |t| t.with_timezone(&Utc),
        )
}

/// The Beijing calendar day of an instant.
pub fn shanghai_day(t: DateTime<Utc>) -> NaiveDate {
    t.with_timezone(&shanghai()).date_naive()
}

impl Trace {
    fn now(&self) -> DateTime<Utc> {
        self.infra().clock.now()
    }

    /// A batch a member of its seller (or the operator, read-only) may see.
    async fn batch_for(&self, actor: &Actor, id: BatchId) -> Result<batch::Model> {
        let b = queries::batch_by_id(&self.infra().db, id)
            .await?
            .ok_or(TraceError::NotFound(Missing::Batch))?;
        // After-sales agents and county officials read batches too (a recall names one).
        if actor
            .require_platform(&[PlatformRole::AfterSalesAgent, PlatformRole::Official])
            .is_err()
        {
            actor.require_member_or_operator(OrgId(b.seller_org_id))?;
        }
        Ok(b)
    }

    /// A batch its seller is about to change.
    async fn batch_for_seller(&self, actor: &Actor, id: BatchId) -> Result<batch::Model> {
        let b = queries::batch_by_id(&self.infra().db, id)
            .await?
            .ok_or(TraceError::NotFound(Missing::Batch))?;
        if actor.membership(OrgId(b.seller_org_id)).is_none() {
            return Err(TraceError::Forbidden);
        }
        actor.require_selling_member(OrgId(b.seller_org_id))?;
        Ok(b)
    }
}
