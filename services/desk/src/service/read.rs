//! Reading tickets: one ticket as its opener or an agent sees it, the customer's list and the
//! agents' queue (overdue first).

use super::require_agent;
use crate::Desk;
use crate::domain::{TicketId, TicketKind, TicketStatus};
use crate::error::{DeskError, Missing, Result};
use crate::store::queries::{people, tickets};
use crate::store::{customer_record, event, follow_up, message, survey, ticket};
use farmgate_identity::Actor;
use farmgate_kernel::{Page, Paged};
use uuid::Uuid;

/// How the caller stands to a ticket.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Viewer {
    /// The person who opened it.
    Customer,
    /// Platform staff: sees everything, phones and internal notes included.
    Agent,
}

/// A ticket with what its viewer may see of it.
#[derive(Clone, Debug)]
pub struct TicketRecord {
    pub ticket: ticket::Model,
    pub viewer: Viewer,
    /// The conversation; internal notes only for agents.
    pub messages: Vec<message::Model>,
    pub survey: Option<survey::Model>,
    /// Agents only.
    pub follow_ups: Vec<follow_up::Model>,
    /// The opener's problem-customer records (agents only).
    pub customer_records: Vec<customer_record::Model>,
    /// The ticket's history (agents only).
    pub events: Vec<event::Model>,
    /// The assignee's display name.
    pub assignee_name: Option<String>,
    /// Photos by the message they were sent with (those of messages the viewer sees).
    pub attachments: std::collections::HashMap<Uuid, Vec<super::AttachmentView>>,
}

/// A page of tickets (no conversations), with the assignees' names.
#[derive(Clone, Debug)]
pub struct TicketList {
    pub page: Paged<ticket::Model>,
    pub names: std::collections::HashMap<Uuid, String>,
}

/// Who the caller is to `t`: its opener, an agent, or nobody (told it does not exist).
pub(crate) fn viewer_of(actor: &Actor, t: &ticket::Model) -> Option<Viewer> {
    if actor.is_platform_staff() {
        Some(Viewer::Agent)
    } else if t.opener_account_id == Some(actor.account_id.as_uuid()) {
        Some(Viewer::Customer)
    } else {
        None
    }
}

impl Desk {
    /// The ticket row as `actor` may reach it.
    pub(crate) async fn row_for(
        &self,
        actor: &Actor,
        id: TicketId,
    ) -> Result<(ticket::Model, Viewer)> {
        let t = tickets::by_id(&self.infra().db, id.0)
            .await?
            .ok_or(DeskError::NotFound(Missing::Ticket))?;
        let v = viewer_of(actor, &t).ok_or(DeskError::NotFound(Missing::Ticket))?;
        Ok((t, v))
    }

    /// One ticket with its conversation, as `actor` may see it.
    #[tracing::instrument(skip_all, fields(ticket.id = %id))]
    pub async fn ticket(&self, actor: &Actor, id: TicketId) -> Result<TicketRecord> {
        let (t, v) = self.row_for(actor, id).await?;
        self.record(t, v).await
    }

    pub(crate) async fn record(&self, t: ticket::Model, viewer: Viewer) -> Result<TicketRecord> {
        let db = &self.infra().db;
        let agent = viewer == Viewer::Agent;
        let messages = tickets::messages_of(db, t.id, agent).await?;
        let survey = people::survey_of(db, t.id).await?;
        let (follow_ups, customer_records, events) = if agent {
            let records = match t.opener_account_id {
                Some(a) => people::records_of(db, a).await?,
                None => Vec::new(),
            };
            (
                people::follow_ups_of(db, &[t.id]).await?,
                records,
                tickets::events_of(db, t.id).await?,
            )
        } else {
            (Vec::new(), Vec::new(), Vec::new())
        };
        let assignee_name = match t.assignee_id {
            Some(a) => people::agent(db, a).await?.map(|a| a.display_name),
            None => None,
        };
        let photos = crate::store::queries::attachments::of_ticket(db, t.id).await?;
        let attachments = super::attachments::by_message(&photos, |a| a.message_id);
        Ok(TicketRecord {
            ticket: t,
            viewer,
            messages,
            survey,
            follow_ups,
            customer_records,
            events,
            assignee_name,
            attachments,
        })
    }

    /// The ticket again after a change, as `actor` sees it.
    pub(crate) async fn reread(&self, actor: &Actor, id: TicketId) -> Result<TicketRecord> {
        self.ticket(actor, id).await
    }

    /// The caller's own tickets, newest deadline first.
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id))]
    pub async fn my_tickets(&self, actor: &Actor, page: Page) -> Result<TicketList> {
        let f = tickets::Filter {
            opener: Some(actor.account_id.as_uuid()),
            ..Default::default()
        };
        self.list(f, page).await
    }

    /// The desk's queue: overdue and nearest deadlines first; narrowed by status, kind,
    /// assignee (`me`), unassigned, overdue only.
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id))]
    pub async fn queue(&self, actor: &Actor, q: &QueueFilter, page: Page) -> Result<TicketList> {
        require_agent(actor)?;
        let f = tickets::Filter {
            opener: None,
            status: q.status,
            kind: q.kind,
            assignee: if q.mine {
                Some(actor.account_id.as_uuid())
            } else {
                q.assignee
            },
            unassigned: q.unassigned,
            overdue_at: q.overdue.then(|| self.now()),
            active: q.status.is_none() && !q.all,
        };
        self.list(f, page).await
    }

    async fn list(&self, f: tickets::Filter, page: Page) -> Result<TicketList> {
        let db = &self.infra().db;
        let (items, total) =
            tickets::page(db, tickets::list(&f), page.offset(), page.limit()).await?;
        let names = people::agents(db)
            .await?
            .into_iter()
            .map(|a| (a.account_id, a.display_name))
            .collect();
        Ok(TicketList {
            page: Paged::new(items, total, page),
            names,
        })
    }
}

/// What the agents' queue is narrowed to.
#[derive(Clone, Debug, Default)]
pub struct QueueFilter {
    pub status: Option<TicketStatus>,
    pub kind: Option<TicketKind>,
    pub assignee: Option<Uuid>,
    /// The caller's own.
    pub mine: bool,
    pub unassigned: bool,
    /// Only those past their next deadline.
    pub overdue: bool,
    /// Closed and merged ones too (default: only tickets being worked).
    pub all: bool,
}
