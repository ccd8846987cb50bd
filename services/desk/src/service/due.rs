//! A deadline comes due: the outbox delivers the `desk.due` event scheduled when the deadline
//! was set (so it survives restarts and runs once across replicas). If the limit was missed the
//! ticket is marked overdue once and `desk.ticket_overdue` goes out; a ticket nobody took by its
//! response limit goes round-robin to an agent on duty. A stale event (the deadline moved, or
//! was met) does nothing.

use super::assign::next_agent;
use super::topics;
use crate::Desk;
use crate::domain::{DueKind, TicketEventKind, TicketId, TicketStatus};
use crate::error::Result;
use crate::store::queries::tickets;
use crate::store::ticket;
use chrono::{DateTime, Utc};
use farmgate_infra::db::begin_write;
use sea_orm::Set;
use serde_json::json;

impl Desk {
    /// Handles one scheduled deadline.
    #[tracing::instrument(skip_all, fields(ticket.id = %id, which = %which))]
    pub async fn deadline_reached(
        &self,
        id: TicketId,
        which: DueKind,
        due_at: DateTime<Utc>,
    ) -> Result<()> {
        let db = &self.infra().db;
        let Some(t) = tickets::by_id(db, id.0).await? else {
            return Ok(());
        };
        let same = |a: DateTime<Utc>| (a - due_at).num_milliseconds().abs() < 1000;
        let missed = match which {
            DueKind::Response => t.first_response_at.is_none() && same(t.respond_by),
            DueKind::Resolution => t.closed_at.is_none() && same(t.resolve_by),
        };
        if !missed || matches!(t.status, TicketStatus::Closed | TicketStatus::Merged) {
            return Ok(());
        }
        let now = self.now();
        let txn = begin_write(db).await?;
        if !tickets::mark_overdue(&txn, id.0, which == DueKind::Response, now).await? {
            return Ok(());
        }
        tickets::insert_event(
            &txn,
            id.0,
            TicketEventKind::Overdue,
            None,
            json!({"which": which, "due_at": due_at}),
            now,
        )
        .await?;
        let mut assignee = t.assignee_id;
        if assignee.is_none()
            && let Some(agent) = next_agent(&txn, now).await?
        {
            let changes = ticket::ActiveModel {
                assignee_id: Set(Some(agent)),
                assigned_at: Set(Some(now)),
                ..Default::default()
            };
            // A concurrent change (an agent taking it right now) wins; no reassignment then.
            if tickets::update_at_version(&txn, id.0, t.version, changes, now).await? {
                self.assigned(&txn, id.0, agent, None, now).await?;
                assignee = Some(agent);
            }
        }
        self.infra()
            .outbox
            .enqueue(
                &txn,
                topics::TICKET_OVERDUE,
                &json!({"ticket_id": id, "which": which, "due_at": due_at, "assignee_id": assignee}),
            )
            .await?;
        txn.commit().await?;
        tracing::warn!(ticket.number = %t.number, "a desk ticket missed its limit");
        Ok(())
    }
}
