//! Reading a batch's whole record: its events, their verification, its listing and seller.

use crate::Trace;
use crate::chain::{self, ChainVersion, StoredEvent};
use crate::commit::{self, OpeningProblem};
use crate::domain::{self, Verdict};
use crate::error::Result;
use crate::store::{batch, commitments, event, queries};
use farmgate_catalog::read::ListingCard;
use farmgate_identity::{Actor, OrgSummary};
use farmgate_kernel::id::{BatchId, ListingId, OrgId};
use serde_json::Value;

/// A batch with its whole record, as read from the database.
#[derive(Clone, Debug)]
pub struct Record {
    pub batch: batch::Model,
    /// The events, each `body` *opened*: in a v2 batch every commitment is replaced by the
    /// clear value its private opening proves (`null` when none does), so the pages, labels and
    /// views read one shape whatever the format. Views for the public mask them.
    pub events: Vec<event::Model>,
    /// Each event's body exactly as hashed (for a v2 batch, what the public JSON publishes).
    pub hashed: Vec<Value>,
    /// The batch's chain format; `None` when `batches.chain_version` holds no format.
    pub version: Option<ChainVersion>,
    /// What does not match between a v2 batch's commitments and their private openings.
    pub opening_problems: Vec<(i64, OpeningProblem)>,
    pub verification: Result<String, chain::Break>,
    /// Every check made of the record (the chain is one of them); see `service/verdict.rs`.
    pub verdict: Verdict,
    pub listing: Option<ListingCard>,
    pub seller: Option<OrgSummary>,
    /// The transparency log's check (CHAIN.md §11), when the reader asked for it (the scan
    /// page does).
    pub log_check: Option<super::NamedCheck>,
}

impl Record {
    /// The created event's data: the batch's facts and certificate, as verified by the chain.
    pub fn facts(&self) -> Value {
        self.events
            .first()
            .map(|e| e.body["data"].clone())
            .unwrap_or(Value::Null)
    }

    /// Adds the transparency log's check: one more check of the verdict, with its checkpoint
    /// (when signed, by whom) kept beside it for the page and the API.
    pub fn set_log_check(&mut self, check: super::NamedCheck) {
        self.verdict.set(crate::domain::Check::log_inclusion(
            check.ok,
            check.message_zh.clone(),
            check.message_en.clone(),
        ));
        self.log_check = Some(check);
    }

    /// `(seq, hash)` of each event as stored, what the log check compares.
    pub fn log_view(&self) -> Vec<(i64, String)> {
        self.events
            .iter()
            .map(|e| (i64::from(e.seq), e.hash.clone()))
            .collect()
    }

    pub fn id(&self) -> BatchId {
        BatchId(self.batch.id)
    }
}

/// The records as the chain verifier reads them.
fn stored(events: &[event::Model]) -> Vec<StoredEvent> {
    events
        .iter()
        .map(|e| StoredEvent {
            seq: i64::from(e.seq),
            body: e.body.clone(),
            prev_hash: e.prev_hash.clone(),
            hash: e.hash.clone(),
        })
        .collect()
}

impl Trace {
    /// Loads a batch's whole record and verifies its chain.
    #[tracing::instrument(skip_all, fields(batch.id = %id))]
    pub async fn record(&self, id: BatchId) -> Result<Option<Record>> {
        let Some(b) = queries::batch_by_id(&self.infra().db, id).await? else {
            return Ok(None);
        };
        self.record_of(b).await.map(Some)
    }

    /// The record behind a trace code (any spelling people type).
    #[tracing::instrument(skip_all, fields(trace.code = %code))]
    pub async fn record_by_code(&self, code: &str) -> Result<Option<Record>> {
        let Some(code) = chain::parse_code(code) else {
            return Ok(None);
        };
        let Some(b) = queries::batch_by_code(&self.infra().db, &code).await? else {
            return Ok(None);
        };
        self.record_of(b).await.map(Some)
    }

    /// The batch behind a trace code already in its canonical form (the scan beacon's
    /// look-up: one indexed read, nothing opened).
    pub async fn batch_id_by_code(&self, code: &str) -> Result<Option<BatchId>> {
        Ok(queries::batch_by_code(&self.infra().db, code)
            .await?
            .map(|b| BatchId(b.id)))
    }

    pub(super) async fn record_of(&self, b: batch::Model) -> Result<Record> {
        let db = &self.infra().db;
        let mut events = queries::events_of(db, BatchId(b.id)).await?;
        let version = ChainVersion::from_number(i64::from(b.chain_version));
        // The chain is verified on the bodies as hashed, before anything is opened.
        let verification = match version {
            Some(v) => chain::verify_as(v, &b.code, &stored(&events)),
            None => Err(chain::Break::Version),
        };
        let mut verdict = self.quick_verdict(&b, &events, &verification).await?;
        let hashed: Vec<Value> = events.iter().map(|e| e.body.clone()).collect();
        let mut opening_problems = Vec::new();
        if version == Some(ChainVersion::V2) {
            let openings = commitments::openings_of(db, BatchId(b.id)).await?;
            let mut committed = 0;
            for e in &mut events {
                let mine = openings.get(&e.id).map(Vec::as_slice).unwrap_or_default();
                committed += commit::commitments(&e.body).len();
                let opened = commit::open_body(&e.body, mine);
                opening_problems.extend(opened.problems.into_iter().map(|p| (i64::from(e.seq), p)));
                e.body = opened.clear;
            }
            verdict.set(domain::commitments_check(committed, &opening_problems));
        }
        let listing = self.catalog().listing_card(ListingId(b.listing_id)).await?;
        let seller = self.identity().org_summary(OrgId(b.seller_org_id)).await?;
        Ok(Record {
            batch: b,
            events,
            hashed,
            version,
            opening_problems,
            verification,
            verdict,
            listing,
            seller,
            log_check: None,
        })
    }

    /// A batch with its record, for its seller, the operator, after-sales agents and officials.
    #[tracing::instrument(skip_all, fields(batch.id = %id))]
    pub async fn detail(&self, actor: &Actor, id: BatchId) -> Result<Record> {
        let b = self.batch_for(actor, id).await?;
        self.record_of(b).await
    }
}
