//! Assignment (派单): an agent takes an unassigned ticket, or an agent assigns one by hand or
//! round-robin among the agents on duty (the one who waited longest gets the next).

use super::read::TicketRecord;
use super::{require_agent, topics};
use crate::Desk;
use crate::domain::{TicketEventKind, TicketId, TicketStatus};
use crate::error::{DeskError, Missing, Result};
use crate::store::queries::{people, tickets};
use crate::store::ticket;
use chrono::{DateTime, Utc};
use farmgate_identity::Actor;
use farmgate_infra::db::begin_write;
use sea_orm::{ConnectionTrait, Set};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    /// An agent of the desk; absent (or null) for round-robin among the agents on duty.
    #[serde(default)]
    pub agent_id: Option<Uuid>,
}

/// The on-duty agent who waited longest, marked as just given a ticket; `None` when nobody is
/// on duty.
pub(crate) async fn next_agent(
    conn: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> Result<Option<Uuid>> {
    let Some(a) = people::next_on_duty(conn).await? else {
        return Ok(None);
    };
    people::touch_assigned(conn, a.account_id, now).await?;
    Ok(Some(a.account_id))
}

impl Desk {
    /// Records an assignment's event and tells the assignee (inside the caller's transaction).
    pub(crate) async fn assigned(
        &self,
        conn: &impl ConnectionTrait,
        id: Uuid,
        agent: Uuid,
        by: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        tickets::insert_event(
            conn,
            id,
            TicketEventKind::Assigned,
            by,
            json!({"assignee_id": agent}),
            now,
        )
        .await?;
        self.infra()
            .outbox
            .enqueue(
                conn,
                topics::TICKET_ASSIGNED,
                &json!({"ticket_id": id, "assignee_id": agent, "by": by}),
            )
            .await?;
        Ok(())
    }

    /// An agent takes an unassigned ticket; the second of two agents taking it at once is told
    /// `already_assigned`.
    #[tracing::instrument(skip_all, fields(ticket.id = %id))]
    pub async fn take(&self, actor: &Actor, id: TicketId) -> Result<TicketRecord> {
        require_agent(actor)?;
        let (t, _) = self.row_for(actor, id).await?;
        if matches!(t.status, TicketStatus::Closed | TicketStatus::Merged) {
            return Err(if t.status == TicketStatus::Closed {
                DeskError::Closed
            } else {
                DeskError::Merged
            });
        }
        let me = actor.account_id.as_uuid();
        self.register_agent(actor).await?;
        let now = self.now();
        let txn = begin_write(&self.infra().db).await?;
        if !tickets::take_if_unassigned(&txn, id.0, me, now).await? {
            return Err(DeskError::AlreadyAssigned);
        }
        people::touch_assigned(&txn, me, now).await?;
        self.assigned(&txn, id.0, me, Some(me), now).await?;
        txn.commit().await?;
        self.infra().outbox.wake();
        self.reread(actor, id).await
    }

    /// An agent assigns a ticket to an agent of the desk, or round-robin.
    #[tracing::instrument(skip_all, fields(ticket.id = %id))]
    pub async fn assign(
        &self,
        actor: &Actor,
        id: TicketId,
        req: &AssignRequest,
    ) -> Result<TicketRecord> {
        require_agent(actor)?;
        let (t, _) = self.row_for(actor, id).await?;
        if t.status == TicketStatus::Closed {
            return Err(DeskError::Closed);
        }
        if t.status == TicketStatus::Merged {
            return Err(DeskError::Merged);
        }
        let now = self.now();
        let db = &self.infra().db;
        let txn = begin_write(db).await?;
        let agent = match req.agent_id {
            Some(a) => {
                if people::agent(&txn, a).await?.is_none() {
                    return Err(DeskError::NotFound(Missing::Agent));
                }
                people::touch_assigned(&txn, a, now).await?;
                a
            }
            None => next_agent(&txn, now)
                .await?
                .ok_or(DeskError::NoAgentOnDuty)?,
        };
        let changes = ticket::ActiveModel {
            assignee_id: Set(Some(agent)),
            assigned_at: Set(Some(now)),
            ..Default::default()
        };
        if !tickets::update_at_version(&txn, id.0, t.version, changes, now).await? {
            return Err(DeskError::Concurrent);
        }
        self.assigned(&txn, id.0, agent, Some(actor.account_id.as_uuid()), now)
            .await?;
        txn.commit().await?;
        self.infra().outbox.wake();
        self.reread(actor, id).await
    }
}
