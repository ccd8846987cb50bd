//! Proving a committed value (CHAIN.md §13): the seller's members and the operator read the
//! private openings of a v2 event — each personal value with its salt — and may hand one to
//! whoever must be convinced (a buyer, an inspector, a court). Anyone holding the public body
//! then checks `SHA-256(salt ‖ value)` against the commitment in it; no one else learns the
//! other values.

use crate::Trace;
use crate::chain::ChainVersion;
use crate::commit;
use crate::error::{Missing, Result, TraceError};
use crate::store::{commitments, queries};
use farmgate_identity::Actor;
use farmgate_kernel::id::{BatchId, OrgId};
use serde::Serialize;
use utoipa::ToSchema;

/// One committed value of an event, opened.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct OpeningView {
    /// Where the commitment sits in the body (a JSON pointer): `/actor`,
    /// `/data/certificate/contact_phone`.
    pub path: String,
    /// The commitment as hashed in the public body.
    pub commitment: String,
    /// The clear value (`null`: the platform no longer holds it).
    pub value: Option<String>,
    /// The 32 bytes of salt, hex (`null` with the value).
    pub salt: Option<String>,
    /// `SHA-256(salt ‖ value)` equals the commitment: this value is the one recorded.
    pub ok: bool,
}

/// Every committed value of one event, opened.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct EventOpenings {
    pub seq: i32,
    /// The event's hash: what its public body hashes to.
    pub hash: String,
    /// The batch's chain format. A v1 batch commits to nothing (its bodies hold every value in
    /// clear and are never published): `openings` is empty.
    pub chain_version: i16,
    pub openings: Vec<OpeningView>,
}

impl Trace {
    /// The openings of event `seq` of a batch, for the seller's members and the operator.
    #[tracing::instrument(skip_all, fields(batch.id = %id, event.seq = seq))]
    pub async fn openings(&self, actor: &Actor, id: BatchId, seq: i32) -> Result<EventOpenings> {
        let db = &self.infra().db;
        let b = queries::batch_by_id(db, id)
            .await?
            .ok_or(TraceError::NotFound(Missing::Batch))?;
        actor.require_member_or_operator(OrgId(b.seller_org_id))?;
        let e = queries::events_of(db, id)
            .await?
            .into_iter()
            .find(|e| e.seq == seq)
            .ok_or(TraceError::NotFound(Missing::Event))?;
        let mut out = EventOpenings {
            seq,
            hash: e.hash.clone(),
            chain_version: b.chain_version,
            openings: Vec::new(),
        };
        if ChainVersion::from_number(i64::from(b.chain_version)) != Some(ChainVersion::V2) {
            return Ok(out);
        }
        let all = commitments::openings_of(db, id).await?;
        let mine = all.get(&e.id).map(Vec::as_slice).unwrap_or_default();
        for (path, c) in commit::commitments(&e.body) {
            let c = c.as_str().unwrap_or_default().to_owned();
            let opening = mine.iter().find(|o| o.path == path);
            out.openings.push(OpeningView {
                ok: opening.is_some_and(|o| o.commitment().as_deref() == Some(c.as_str())),
                path,
                commitment: c,
                value: opening.map(|o| o.value.clone()),
                salt: opening.map(|o| o.salt.clone()),
            });
        }
        tracing::info!(account.id = %actor.account_id, "trace openings read");
        Ok(out)
    }
}
