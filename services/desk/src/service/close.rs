//! Closing (by an agent, or by the customer when their problem is solved), reopening by the
//! customer within 7 days, and an agent changing a ticket's urgency (its deadlines follow).
//! A closing owes a follow-up call (回访) and asks the customer for the survey, once.

use super::limits::limit_for;
use super::read::{TicketRecord, Viewer};
use super::{require_agent, topics};
use crate::Desk;
use crate::domain::{self, DueKind, Move, TicketEventKind, TicketId, TicketStatus, TicketUrgency};
use crate::error::{DeskError, Result};
use crate::store::queries::{people, tickets};
use crate::store::{follow_up, ticket};
use farmgate_identity::Actor;
use farmgate_infra::db::begin_write;
use sea_orm::Set;
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UrgencyChange {
    pub urgency: TicketUrgency,
}

impl Desk {
    /// Closes the ticket (an agent, or its customer).
    #[tracing::instrument(skip_all, fields(ticket.id = %id))]
    pub async fn close(&self, actor: &Actor, id: TicketId) -> Result<TicketRecord> {
        let (t, _) = self.row_for(actor, id).await?;
        let now = self.now();
        let status = domain::transition(t.status, Move::Close, t.closed_at, now)?;
        let me = actor.account_id.as_uuid();
        let changes = ticket::ActiveModel {
            status: Set(status),
            closed_at: Set(Some(now)),
            first_closed_at: Set(Some(t.first_closed_at.unwrap_or(now))),
            next_due_at: Set(None),
            ..Default::default()
        };
        let txn = begin_write(&self.infra().db).await?;
        if !tickets::update_at_version(&txn, id.0, t.version, changes, now).await? {
            return Err(DeskError::Concurrent);
        }
        tickets::insert_event(
            &txn,
            id.0,
            TicketEventKind::Closed,
            Some(me),
            json!({}),
            now,
        )
        .await?;
        let agent = t.assignee_id.or(actor.is_platform_staff().then_some(me));
        people::insert_follow_up(
            &txn,
            follow_up::Model {
                id: Uuid::now_v7(),
                ticket_id: id.0,
                round: t.reopen_count,
                agent_id: agent,
                created_at: now,
                outcome: None,
                note: None,
                done_by: None,
                done_at: None,
            },
        )
        .await?;
        let outbox = &self.infra().outbox;
        outbox
            .enqueue(
                &txn,
                topics::TICKET_CLOSED,
                &json!({"ticket_id": id, "opener_account_id": t.opener_account_id, "assignee_id": agent}),
            )
            .await?;
        if let Some(opener) = t.opener_account_id
            && people::survey_of(&txn, id.0).await?.is_none()
        {
            outbox
                .enqueue(
                    &txn,
                    topics::SURVEY_REQUESTED,
                    &json!({"ticket_id": id, "account_id": opener}),
                )
                .await?;
        }
        txn.commit().await?;
        self.infra().outbox.wake();
        self.reread(actor, id).await
    }

    /// The customer reopens their closed ticket within 7 days of its closing; it gets a new
    /// resolution deadline.
    #[tracing::instrument(skip_all, fields(ticket.id = %id))]
    pub async fn reopen(&self, actor: &Actor, id: TicketId) -> Result<TicketRecord> {
        let (t, viewer) = self.row_for(actor, id).await?;
        if viewer != Viewer::Customer {
            return Err(DeskError::Forbidden);
        }
        let now = self.now();
        let status = domain::transition(t.status, Move::Reopen, t.closed_at, now)?;
        let txn = begin_write(&self.infra().db).await?;
        let limit = limit_for(&txn, t.kind, t.urgency).await?;
        let resolve_by = now + limit.resolve();
        let changes = ticket::ActiveModel {
            status: Set(status),
            closed_at: Set(None),
            resolve_by: Set(resolve_by),
            resolution_overdue_at: Set(None),
            reopen_count: Set(t.reopen_count + 1),
            next_due_at: Set(domain::next_due(
                status,
                t.first_response_at,
                t.respond_by,
                resolve_by,
            )),
            ..Default::default()
        };
        if !tickets::update_at_version(&txn, id.0, t.version, changes, now).await? {
            return Err(DeskError::Concurrent);
        }
        tickets::insert_event(
            &txn,
            id.0,
            TicketEventKind::Reopened,
            Some(actor.account_id.as_uuid()),
            json!({"resolve_by": resolve_by}),
            now,
        )
        .await?;
        self.schedule_due(&txn, id, DueKind::Resolution, resolve_by)
            .await?;
        txn.commit().await?;
        self.infra().outbox.wake();
        self.reread(actor, id).await
    }

    /// An agent changes the urgency: the deadlines are those of the new urgency counted from
    /// the opening.
    #[tracing::instrument(skip_all, fields(ticket.id = %id))]
    pub async fn change_urgency(
        &self,
        actor: &Actor,
        id: TicketId,
        u: &UrgencyChange,
    ) -> Result<TicketRecord> {
        require_agent(actor)?;
        let (t, _) = self.row_for(actor, id).await?;
        match t.status {
            TicketStatus::Closed => return Err(DeskError::Closed),
            TicketStatus::Merged => return Err(DeskError::Merged),
            TicketStatus::Open | TicketStatus::Answered => {}
        }
        let now = self.now();
        let txn = begin_write(&self.infra().db).await?;
        let limit = limit_for(&txn, t.kind, u.urgency).await?;
        let respond_by = t.created_at + limit.respond();
        // A reopened ticket keeps the fresh resolution clock its reopening gave it.
        let resolve_by = if t.reopen_count > 0 {
            t.resolve_by
        } else {
            t.created_at + limit.resolve()
        };
        let changes = ticket::ActiveModel {
            urgency: Set(u.urgency),
            respond_by: Set(respond_by),
            resolve_by: Set(resolve_by),
            response_overdue_at: Set(t.response_overdue_at.filter(|_| respond_by <= now)),
            resolution_overdue_at: Set(t.resolution_overdue_at.filter(|_| resolve_by <= now)),
            next_due_at: Set(domain::next_due(
                t.status,
                t.first_response_at,
                respond_by,
                resolve_by,
            )),
            ..Default::default()
        };
        if !tickets::update_at_version(&txn, id.0, t.version, changes, now).await? {
            return Err(DeskError::Concurrent);
        }
        tickets::insert_event(
            &txn,
            id.0,
            TicketEventKind::UrgencyChanged,
            Some(actor.account_id.as_uuid()),
            json!({"from": t.urgency, "to": u.urgency, "respond_by": respond_by, "resolve_by": resolve_by}),
            now,
        )
        .await?;
        if t.first_response_at.is_none() {
            self.schedule_due(&txn, id, DueKind::Response, respond_by)
                .await?;
        }
        self.schedule_due(&txn, id, DueKind::Resolution, resolve_by)
            .await?;
        txn.commit().await?;
        self.infra().outbox.wake();
        self.reread(actor, id).await
    }
}
