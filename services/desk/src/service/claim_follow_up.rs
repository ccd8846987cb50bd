//! Follow-up calls (回访) after a claim: after-sales publishes `aftersales.resolved` when a
//! claim is resolved; the desk's `ClaimResolvedJob` makes one follow-up task for an agent on
//! duty (round-robin, or unassigned when nobody is on duty), listed with the tickets'
//! follow-ups; an agent records the call's outcome once. The claim's number, buyer and seller
//! come from after-sales' read API (`read::notify::claim`), the buyer's name and phone from
//! identity; the desk never reads after-sales' tables. One task per claim (a unique index),
//! so a retried event or two workers make one.

use super::assign::next_agent;
use super::follow_up::{FollowUpItem, FollowUpRecord};
use super::require_agent;
use crate::Desk;
use crate::error::{DeskError, Missing, Result};
use crate::store::claim_follow_up;
use crate::store::queries::attachments as q;
use farmgate_identity::Actor;
use farmgate_infra::db::{begin_write, violates};
use farmgate_kernel::ValidationErrors;
use farmgate_kernel::id::{AccountId, ClaimId};
use farmgate_kernel::text::clean_optional_text;
use uuid::Uuid;

impl Desk {
    /// A claim was resolved: owe its buyer a follow-up call, once. A claim after-sales does
    /// not know (any more) is nothing to do.
    #[tracing::instrument(skip_all, fields(claim.id = %claim))]
    pub async fn claim_resolved(&self, claim: ClaimId) -> Result<()> {
        let db = &self.infra().db;
        let Some(c) = farmgate_aftersales::read::notify::claim(db, claim).await? else {
            tracing::warn!("resolved claim not found; no follow-up");
            return Ok(());
        };
        let now = self.now();
        let txn = begin_write(db).await?;
        let agent = next_agent(&txn, now).await?;
        let m = claim_follow_up::Model {
            id: Uuid::now_v7(),
            claim_id: c.id.0,
            claim_number: c.number.clone(),
            buyer_account_id: c.buyer.as_uuid(),
            seller_org_id: c.seller.as_uuid(),
            agent_id: agent,
            created_at: now,
            outcome: None,
            note: None,
            done_by: None,
            done_at: None,
        };
        match q::insert_claim_follow_up(&txn, m).await {
            Ok(()) => {}
            // Made already (a retried event, or another worker a moment ago).
            Err(e) if violates(&e, &q::CLAIM_FOLLOW_UP) => return Ok(()),
            Err(e) => return Err(e.into()),
        }
        txn.commit().await?;
        tracing::info!(agent.id = ?agent, "claim follow-up owed");
        Ok(())
    }

    /// Claim follow-ups still owed (one agent's when `agent`), as list items with the buyer's
    /// name and phone for the call.
    pub(crate) async fn owed_claim_follow_ups(
        &self,
        agent: Option<Uuid>,
    ) -> Result<Vec<FollowUpItem>> {
        let rows = q::open_claim_follow_ups(&self.infra().db, agent).await?;
        let mut out = Vec::with_capacity(rows.len());
        for f in rows {
            out.push(self.claim_item(f).await?);
        }
        Ok(out)
    }

    async fn claim_item(&self, f: claim_follow_up::Model) -> Result<FollowUpItem> {
        let buyer = self
            .inner
            .identity
            .account(AccountId(f.buyer_account_id))
            .await
            .ok();
        Ok(FollowUpItem {
            id: f.id,
            source: super::follow_up::FollowUpSource::Claim,
            ticket_id: None,
            claim_id: Some(f.claim_id),
            number: f.claim_number.clone(),
            // The page says "claim … resolved" in the reader's language from `source`.
            subject: f.claim_number.clone(),
            customer_name: buyer
                .as_ref()
                .map(|a| a.display_name.clone())
                .unwrap_or_default(),
            contact_phone: buyer.and_then(|a| a.phone),
            agent_id: f.agent_id,
            created_at: f.created_at,
            outcome: f.outcome,
            note: f.note,
            done_at: f.done_at,
        })
    }

    /// An agent records the outcome of a claim's follow-up call, once.
    #[tracing::instrument(skip_all, fields(follow_up.id = %id))]
    pub async fn follow_up_claim(
        &self,
        actor: &Actor,
        id: Uuid,
        r: &FollowUpRecord,
    ) -> Result<FollowUpItem> {
        require_agent(actor)?;
        let mut errs = ValidationErrors::new();
        let note = errs.check("note", clean_optional_text(r.note.as_deref(), 1000, true));
        errs.finish()?;
        let Some(note) = note else {
            return Err(DeskError::Invalid(ValidationErrors::new()));
        };
        let db = &self.infra().db;
        let f = q::claim_follow_up(db, id)
            .await?
            .ok_or(DeskError::NotFound(Missing::FollowUp))?;
        if f.done_at.is_some() {
            return Err(DeskError::AlreadyFollowedUp);
        }
        let now = self.now();
        if !q::complete_claim_follow_up(db, id, r.outcome, note, actor.account_id.as_uuid(), now)
            .await?
        {
            return Err(DeskError::AlreadyFollowedUp);
        }
        let f = q::claim_follow_up(db, id)
            .await?
            .ok_or(DeskError::NotFound(Missing::FollowUp))?;
        self.claim_item(f).await
    }
}
