//! The conversation inside a ticket: agents reply to the customer (the first reply stops the
//! response clock) or write internal notes only agents see; the customer writes back (which
//! puts the ticket back in the queue).

use super::attachments::attach_all;
use super::read::{TicketRecord, Viewer};
use super::{MAX_TEXT, topics};
use crate::Desk;
use crate::domain::{self, AuthorRole, Move, TicketEventKind, TicketId};
use crate::error::{DeskError, Result};
use crate::store::queries::attachments::Target;
use crate::store::queries::tickets;
use crate::store::{message, ticket};
use farmgate_identity::Actor;
use farmgate_infra::db::begin_write;
use farmgate_kernel::ValidationErrors;
use farmgate_kernel::text::clean_text;
use sea_orm::Set;
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTicketMessage {
    /// 1–2000 characters.
    pub body: String,
    /// An internal note, seen by agents only (agents only; the customer's messages never are).
    #[serde(default)]
    pub internal: bool,
    /// Photos uploaded with `POST /api/v1/desk/attachments` and not sent yet (at most 6).
    #[serde(default)]
    pub attachment_ids: Vec<Uuid>,
}

impl Desk {
    /// A message on the ticket: an agent's reply or note, or the customer writing.
    #[tracing::instrument(skip_all, fields(ticket.id = %id))]
    pub async fn post_message(
        &self,
        actor: &Actor,
        id: TicketId,
        m: &NewTicketMessage,
    ) -> Result<TicketRecord> {
        let (t, viewer) = self.row_for(actor, id).await?;
        if m.internal && viewer != Viewer::Agent {
            return Err(DeskError::Forbidden);
        }
        let mut errs = ValidationErrors::new();
        let body = errs.check("body", clean_text(&m.body, 1, MAX_TEXT, true));
        errs.finish()?;
        let Some(body) = body else {
            return Err(DeskError::Invalid(ValidationErrors::new()));
        };
        let photos = self.check_attachments(actor, &m.attachment_ids).await?;
        let now = self.now();
        let me = actor.account_id.as_uuid();
        let mut changes = ticket::ActiveModel::default();
        let (role, kind) = match (viewer, m.internal) {
            (Viewer::Agent, true) => {
                if t.status == domain::TicketStatus::Merged {
                    return Err(DeskError::Merged);
                }
                (AuthorRole::Agent, TicketEventKind::Noted)
            }
            (Viewer::Agent, false) => {
                let status = domain::transition(t.status, Move::AgentReply, t.closed_at, now)?;
                let first = t.first_response_at.unwrap_or(now);
                changes.status = Set(status);
                changes.first_response_at = Set(Some(first));
                changes.next_due_at = Set(domain::next_due(
                    status,
                    Some(first),
                    t.respond_by,
                    t.resolve_by,
                ));
                if t.assignee_id.is_none() {
                    changes.assignee_id = Set(Some(me));
                    changes.assigned_at = Set(Some(now));
                }
                (AuthorRole::Agent, TicketEventKind::Replied)
            }
            (Viewer::Customer, _) => {
                let status = domain::transition(t.status, Move::CustomerWrites, t.closed_at, now)?;
                changes.status = Set(status);
                changes.next_due_at = Set(domain::next_due(
                    status,
                    t.first_response_at,
                    t.respond_by,
                    t.resolve_by,
                ));
                (AuthorRole::Customer, TicketEventKind::CustomerWrote)
            }
        };
        let message_id = Uuid::now_v7();
        let txn = begin_write(&self.infra().db).await?;
        if !tickets::update_at_version(&txn, id.0, t.version, changes, now).await? {
            return Err(DeskError::Concurrent);
        }
        tickets::insert_message(
            &txn,
            message::Model {
                id: message_id,
                ticket_id: id.0,
                author_id: Some(me),
                author_role: role,
                author_name: actor.display_name.clone(),
                internal: m.internal,
                body,
                at: now,
            },
        )
        .await?;
        attach_all(
            &txn,
            &photos,
            me,
            Target::Ticket {
                ticket: id.0,
                message: message_id,
            },
        )
        .await?;
        tickets::insert_event(
            &txn,
            id.0,
            kind,
            Some(me),
            json!({"message_id": message_id}),
            now,
        )
        .await?;
        if kind == TicketEventKind::Replied && t.assignee_id.is_none() {
            self.assigned(&txn, id.0, me, Some(me), now).await?;
        }
        if !m.internal {
            let assignee = t
                .assignee_id
                .or((kind == TicketEventKind::Replied).then_some(me));
            self.infra()
                .outbox
                .enqueue(
                    &txn,
                    topics::TICKET_REPLIED,
                    &json!({"ticket_id": id, "message_id": message_id, "author_role": role, "opener_account_id": t.opener_account_id, "assignee_id": assignee}),
                )
                .await?;
        }
        txn.commit().await?;
        self.infra().outbox.wake();
        self.reread(actor, id).await
    }
}
