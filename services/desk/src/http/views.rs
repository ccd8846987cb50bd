//! What the desk answers with. A customer's view never carries phones, internal notes,
//! follow-ups or problem-customer records; an agent's carries them all.

use crate::domain::{
    self, AuthorRole, CustomerRecordKind, FollowUpOutcome, LinkKind, TicketChannel,
    TicketEventKind, TicketKind, TicketStatus, TicketUrgency,
};
use crate::service::{AttachmentView, TicketList, TicketRecord, Viewer};
use crate::store::{agent, canned, customer_record, event, follow_up, message, survey, ticket};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct LinkView {
    pub kind: LinkKind,
    pub id: Uuid,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AgentRef {
    pub id: Uuid,
    pub name: String,
}

/// A ticket in a list (no conversation).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TicketSummary {
    pub id: Uuid,
    /// `GD` + date + 6 digits, to read out on the phone.
    pub number: String,
    pub kind: TicketKind,
    pub urgency: TicketUrgency,
    pub channel: TicketChannel,
    pub status: TicketStatus,
    pub subject: String,
    /// The customer's (or caller's) name.
    pub customer_name: String,
    /// The customer's phone: agents only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_phone: Option<String>,
    pub link: Option<LinkView>,
    pub assignee: Option<AgentRef>,
    pub respond_by: DateTime<Utc>,
    pub resolve_by: DateTime<Utc>,
    /// The deadline now running (first response, then resolution); none once closed.
    pub next_due_at: Option<DateTime<Utc>>,
    /// Seconds to `next_due_at` at the time of the answer (negative: overdue by that much).
    pub seconds_left: Option<i64>,
    pub overdue: bool,
    pub first_response_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub reopen_count: i32,
    pub merged_into: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    /// Grows with every change.
    pub version: i64,
}

impl TicketSummary {
    pub fn of(
        t: &ticket::Model,
        viewer: Viewer,
        assignee_name: Option<&str>,
        now: DateTime<Utc>,
    ) -> Self {
        let seconds_left = t.next_due_at.map(|d| (d - now).num_seconds());
        Self {
            id: t.id,
            number: t.number.clone(),
            kind: t.kind,
            urgency: t.urgency,
            channel: t.channel,
            status: t.status,
            subject: t.subject.clone(),
            customer_name: t.opener_name.clone(),
            contact_phone: if viewer == Viewer::Agent {
                t.contact_phone.clone()
            } else {
                None
            },
            link: t
                .link_kind
                .zip(t.link_id)
                .map(|(kind, id)| LinkView { kind, id }),
            assignee: t.assignee_id.map(|id| AgentRef {
                id,
                name: assignee_name.unwrap_or_default().to_owned(),
            }),
            respond_by: t.respond_by,
            resolve_by: t.resolve_by,
            next_due_at: t.next_due_at,
            seconds_left,
            overdue: seconds_left.is_some_and(|s| s < 0),
            first_response_at: t.first_response_at,
            closed_at: t.closed_at,
            reopen_count: t.reopen_count,
            merged_into: t.merged_into,
            created_at: t.created_at,
            version: t.version,
        }
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TicketMessageView {
    pub id: Uuid,
    pub author_role: AuthorRole,
    pub author_name: String,
    /// An internal note (only agents ever see these).
    pub internal: bool,
    pub body: String,
    pub at: DateTime<Utc>,
    /// Photos sent with it.
    pub attachments: Vec<AttachmentView>,
}

impl TicketMessageView {
    fn of(m: &message::Model, photos: &HashMap<Uuid, Vec<AttachmentView>>) -> Self {
        Self {
            id: m.id,
            author_role: m.author_role,
            author_name: m.author_name.clone(),
            internal: m.internal,
            body: m.body.clone(),
            at: m.at,
            attachments: photos.get(&m.id).cloned().unwrap_or_default(),
        }
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SurveyView {
    pub speed: i16,
    pub attitude: i16,
    pub result: i16,
    pub comment: Option<String>,
    pub at: DateTime<Utc>,
}

impl From<&survey::Model> for SurveyView {
    fn from(s: &survey::Model) -> Self {
        Self {
            speed: s.speed,
            attitude: s.attitude,
            result: s.result,
            comment: s.comment.clone(),
            at: s.at,
        }
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct FollowUpView {
    pub id: Uuid,
    /// Which closing it follows (0 for the first).
    pub round: i32,
    pub agent_id: Option<Uuid>,
    pub created_at: DateTime<Utc>,
    pub outcome: Option<FollowUpOutcome>,
    pub note: Option<String>,
    pub done_at: Option<DateTime<Utc>>,
}

impl From<&follow_up::Model> for FollowUpView {
    fn from(f: &follow_up::Model) -> Self {
        Self {
            id: f.id,
            round: f.round,
            agent_id: f.agent_id,
            created_at: f.created_at,
            outcome: f.outcome,
            note: f.note.clone(),
            done_at: f.done_at,
        }
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CustomerRecordView {
    pub id: Uuid,
    pub account_id: Uuid,
    pub kind: CustomerRecordKind,
    pub evidence: String,
    pub decision: String,
    pub recorded_by: Uuid,
    pub recorded_at: DateTime<Utc>,
    pub withdrawn_by: Option<Uuid>,
    pub withdrawn_at: Option<DateTime<Utc>>,
}

impl From<&customer_record::Model> for CustomerRecordView {
    fn from(r: &customer_record::Model) -> Self {
        Self {
            id: r.id,
            account_id: r.account_id,
            kind: r.kind,
            evidence: r.evidence.clone(),
            decision: r.decision.clone(),
            recorded_by: r.recorded_by,
            recorded_at: r.recorded_at,
            withdrawn_by: r.withdrawn_by,
            withdrawn_at: r.withdrawn_at,
        }
    }
}

/// An entry of a ticket's history.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TicketEventView {
    pub kind: TicketEventKind,
    pub actor_id: Option<Uuid>,
    pub data: serde_json::Value,
    pub at: DateTime<Utc>,
}

impl From<&event::Model> for TicketEventView {
    fn from(e: &event::Model) -> Self {
        Self {
            kind: e.kind,
            actor_id: e.actor_id,
            data: e.data.clone(),
            at: e.at,
        }
    }
}

/// What the caller may do next.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TicketActions {
    pub write: bool,
    pub close: bool,
    pub reopen: bool,
    pub rate: bool,
}

/// One ticket with its conversation.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TicketView {
    #[serde(flatten)]
    pub summary: TicketSummary,
    /// Until when the customer may reopen it (closed tickets).
    pub reopen_until: Option<DateTime<Utc>>,
    pub messages: Vec<TicketMessageView>,
    pub survey: Option<SurveyView>,
    /// Agents only (empty for customers).
    pub follow_ups: Vec<FollowUpView>,
    /// The customer's problem-customer records: agents only (empty for customers).
    pub customer_records: Vec<CustomerRecordView>,
    /// The ticket's history: agents only (empty for customers).
    pub events: Vec<TicketEventView>,
    pub can: TicketActions,
}

impl TicketView {
    pub fn of(r: &TicketRecord, now: DateTime<Utc>) -> Self {
        let t = &r.ticket;
        let active = matches!(t.status, TicketStatus::Open | TicketStatus::Answered);
        let customer = r.viewer == Viewer::Customer;
        let reopen_until = t.closed_at.map(|c| c + domain::reopen_window());
        Self {
            summary: TicketSummary::of(t, r.viewer, r.assignee_name.as_deref(), now),
            reopen_until,
            messages: r
                .messages
                .iter()
                .map(|m| TicketMessageView::of(m, &r.attachments))
                .collect(),
            survey: r.survey.as_ref().map(SurveyView::from),
            follow_ups: r.follow_ups.iter().map(FollowUpView::from).collect(),
            customer_records: r
                .customer_records
                .iter()
                .map(CustomerRecordView::from)
                .collect(),
            events: r.events.iter().map(TicketEventView::from).collect(),
            can: TicketActions {
                write: active,
                close: active,
                reopen: customer
                    && t.status == TicketStatus::Closed
                    && reopen_until.is_some_and(|u| now <= u),
                rate: customer && t.status == TicketStatus::Closed && r.survey.is_none(),
            },
        }
    }
}

/// A page of tickets.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TicketPage {
    pub items: Vec<TicketSummary>,
    pub total: u64,
    pub limit: u64,
    pub offset: u64,
}

impl TicketPage {
    pub fn of(l: &TicketList, viewer: Viewer, now: DateTime<Utc>) -> Self {
        let names: &HashMap<Uuid, String> = &l.names;
        Self {
            items: l
                .page
                .items
                .iter()
                .map(|t| {
                    let name = t
                        .assignee_id
                        .and_then(|a| names.get(&a))
                        .map(String::as_str);
                    TicketSummary::of(t, viewer, name, now)
                })
                .collect(),
            total: l.page.total,
            limit: l.page.limit,
            offset: l.page.offset,
        }
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AgentView {
    pub id: Uuid,
    pub name: String,
    pub on_duty: bool,
    pub last_assigned_at: Option<DateTime<Utc>>,
}

impl From<&agent::Model> for AgentView {
    fn from(a: &agent::Model) -> Self {
        Self {
            id: a.account_id,
            name: a.display_name.clone(),
            on_duty: a.on_duty,
            last_assigned_at: a.last_assigned_at,
        }
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CannedReplyView {
    pub id: Uuid,
    pub title: String,
    pub body: String,
    pub active: bool,
    pub updated_at: DateTime<Utc>,
}

impl From<&canned::Model> for CannedReplyView {
    fn from(c: &canned::Model) -> Self {
        Self {
            id: c.id,
            title: c.title.clone(),
            body: c.body.clone(),
            active: c.active,
            updated_at: c.updated_at,
        }
    }
}
