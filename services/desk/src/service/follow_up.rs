//! Follow-up calls (回访): every closing owes one to the agent who handled the ticket; the
//! agent records the call's outcome once.

use super::read::TicketRecord;
use super::require_agent;
use crate::Desk;
use crate::domain::{FollowUpOutcome, TicketEventKind, TicketId};
use crate::error::{DeskError, Missing, Result};
use crate::store::follow_up;
use crate::store::queries::{people, tickets};
use chrono::{DateTime, Utc};
use farmgate_identity::Actor;
use farmgate_infra::db::begin_write;
use farmgate_kernel::ValidationErrors;
use farmgate_kernel::text::clean_optional_text;
use sea_orm::Set;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FollowUpRecord {
    pub outcome: FollowUpOutcome,
    /// Up to 1000 characters.
    #[serde(default)]
    pub note: Option<String>,
}

farmgate_kernel::wire_enum!(
    /// What a follow-up call follows: a closed ticket or a resolved claim.
    FollowUpSource { Ticket => "ticket", Claim => "claim" }
);

/// A follow-up still owed, with what the agent needs to make the call.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct FollowUpItem {
    pub id: Uuid,
    pub source: FollowUpSource,
    /// A ticket's follow-up: the ticket (record with `POST /desk/tickets/{id}/follow-up`).
    pub ticket_id: Option<Uuid>,
    /// A claim's follow-up: the claim (record with `POST /desk/claim-follow-ups/{id}`).
    pub claim_id: Option<Uuid>,
    /// The ticket's or the claim's number.
    pub number: String,
    /// The ticket's subject; a claim's number.
    pub subject: String,
    pub customer_name: String,
    pub contact_phone: Option<String>,
    pub agent_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    /// Once recorded (claims' follow-ups answer with it).
    pub outcome: Option<FollowUpOutcome>,
    pub note: Option<String>,
    pub done_at: Option<DateTime<Utc>>,
}

impl Desk {
    /// Follow-ups still owed, tickets' and claims' (the caller's own when `mine`), oldest
    /// first.
    pub async fn open_follow_ups(&self, actor: &Actor, mine: bool) -> Result<Vec<FollowUpItem>> {
        require_agent(actor)?;
        let db = &self.infra().db;
        let agent = mine.then(|| actor.account_id.as_uuid());
        let owed = people::open_follow_ups(db, agent).await?;
        let ids: Vec<Uuid> = owed.iter().map(|f| f.ticket_id).collect();
        let rows = tickets::by_ids(db, &ids).await?;
        let mut items: Vec<FollowUpItem> = owed
            .into_iter()
            .filter_map(|f| {
                let t = rows.iter().find(|t| t.id == f.ticket_id)?;
                Some(FollowUpItem {
                    id: f.id,
                    source: FollowUpSource::Ticket,
                    ticket_id: Some(t.id),
                    claim_id: None,
                    number: t.number.clone(),
                    subject: t.subject.clone(),
                    customer_name: t.opener_name.clone(),
                    contact_phone: t.contact_phone.clone(),
                    agent_id: f.agent_id,
                    created_at: f.created_at,
                    outcome: None,
                    note: None,
                    done_at: None,
                })
            })
            .collect();
        items.extend(self.owed_claim_follow_ups(agent).await?);
        items.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
        Ok(items)
    }

    /// An agent records the outcome of the ticket's owed follow-up call, once.
    #[tracing::instrument(skip_all, fields(ticket.id = %id))]
    pub async fn follow_up(
        &self,
        actor: &Actor,
        id: TicketId,
        r: &FollowUpRecord,
    ) -> Result<TicketRecord> {
        require_agent(actor)?;
        self.row_for(actor, id).await?;
        let mut errs = ValidationErrors::new();
        let note = errs.check("note", clean_optional_text(r.note.as_deref(), 1000, true));
        errs.finish()?;
        let Some(note) = note else {
            return Err(DeskError::Invalid(ValidationErrors::new()));
        };
        let db = &self.infra().db;
        let all = people::follow_ups_of(db, &[id.0]).await?;
        let Some(owed) = all.iter().rev().find(|f| f.done_at.is_none()) else {
            return Err(if all.is_empty() {
                DeskError::NotFound(Missing::FollowUp)
            } else {
                DeskError::AlreadyFollowedUp
            });
        };
        let now = self.now();
        let me = actor.account_id.as_uuid();
        let txn = begin_write(db).await?;
        let done = people::complete_follow_up(
            &txn,
            owed.id,
            follow_up::ActiveModel {
                outcome: Set(Some(r.outcome)),
                note: Set(note),
                done_by: Set(Some(me)),
                done_at: Set(Some(now)),
                ..Default::default()
            },
        )
        .await?;
        if !done {
            return Err(DeskError::AlreadyFollowedUp);
        }
        tickets::insert_event(
            &txn,
            id.0,
            TicketEventKind::FollowedUp,
            Some(me),
            json!({"outcome": r.outcome, "round": owed.round}),
            now,
        )
        .await?;
        txn.commit().await?;
        self.reread(actor, id).await
    }
}
