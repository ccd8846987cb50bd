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

/// A follow-up still owed, with what the agent needs to make the call.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct FollowUpItem {
    pub id: Uuid,
    pub ticket_id: Uuid,
    pub number: String,
    pub subject: String,
    pub customer_name: String,
    pub contact_phone: Option<String>,
    pub agent_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
}

impl Desk {
    /// Follow-ups still owed (the caller's own when `mine`), oldest first.
    pub async fn open_follow_ups(&self, actor: &Actor, mine: bool) -> Result<Vec<FollowUpItem>> {
        require_agent(actor)?;
        let db = &self.infra().db;
        let owed = people::open_follow_ups(db, mine.then(|| actor.account_id.as_uuid())).await?;
        let ids: Vec<Uuid> = owed.iter().map(|f| f.ticket_id).collect();
        let rows = tickets::by_ids(db, &ids).await?;
        Ok(owed
            .into_iter()
            .filter_map(|f| {
                let t = rows.iter().find(|t| t.id == f.ticket_id)?;
                Some(FollowUpItem {
                    id: f.id,
                    ticket_id: t.id,
                    number: t.number.clone(),
                    subject: t.subject.clone(),
                    customer_name: t.opener_name.clone(),
                    contact_phone: t.contact_phone.clone(),
                    agent_id: f.agent_id,
                    created_at: f.created_at,
                })
            })
            .collect())
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
