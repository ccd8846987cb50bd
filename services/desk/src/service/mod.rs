//! Desk use cases, one file per use case or small family. Each checks who may act (a customer
//! reaches only their own tickets, agents reach all), moves the ticket only through
//! `domain::transition`, and writes its change with its ticket event and outbox events in one
//! transaction. Changes to a ticket are conditional on its `version`, so two agents acting at
//! once cannot both win.

mod agent_view;
mod assign;
pub mod attachments;
mod canned;
mod claim_follow_up;
mod close;
pub mod conversations;
mod converse;
mod due;
mod duty;
pub mod figures;
mod follow_up;
mod limits;
mod merge;
mod open;
pub mod personal_data;
mod read;
mod records;
mod survey;

pub use agent_view::{AgentFigures, AgentFiguresQuery};
pub use assign::AssignRequest;
pub use attachments::AttachmentView;
pub use canned::CannedReplyInput;
pub use close::UrgencyChange;
pub use conversations::Party;
pub use converse::NewTicketMessage;
pub use duty::DutyChange;
pub use figures::{DeskFigures, FiguresGroup, FiguresQuery};
pub use follow_up::{FollowUpItem, FollowUpRecord, FollowUpSource};
pub use limits::{LimitRow, LimitsUpdate};
pub use merge::MergeRequest;
pub use open::{HotlineCall, NewTicket};
pub use read::{QueueFilter, TicketList, TicketRecord, Viewer};
pub use records::NewCustomerRecord;
pub use survey::SurveyAnswer;

use crate::Desk;
use crate::domain::{DueKind, TicketId};
use crate::error::Result;
use chrono::{DateTime, Utc};
use farmgate_identity::Actor;
use sea_orm::ConnectionTrait;
use serde_json::json;

/// Outbox topics the desk publishes. Every payload carries `ticket_id` and the ids needed to
/// find the recipients; documented in the crate's README.
pub mod topics {
    /// `{"ticket_id", "which", "due_at"}`, scheduled at each deadline (internal).
    pub const DUE: &str = "desk.due";
    /// `{"ticket_id", "number", "opener_account_id"?, "assignee_id"?, "channel"}`.
    pub const TICKET_OPENED: &str = "desk.ticket_opened";
    /// `{"ticket_id", "message_id", "author_role", "opener_account_id"?, "assignee_id"?}`.
    pub const TICKET_REPLIED: &str = "desk.ticket_replied";
    /// `{"ticket_id", "assignee_id", "by"?}`.
    pub const TICKET_ASSIGNED: &str = "desk.ticket_assigned";
    /// `{"ticket_id", "which", "due_at", "assignee_id"?}`: a deadline passed unmet.
    pub const TICKET_OVERDUE: &str = "desk.ticket_overdue";
    /// `{"ticket_id", "opener_account_id"?, "assignee_id"?}`.
    pub const TICKET_CLOSED: &str = "desk.ticket_closed";
    /// `{"ticket_id", "account_id"}`: ask the customer for the survey.
    pub const SURVEY_REQUESTED: &str = "desk.survey_requested";
    /// `{"conversation_id", "message_id", "author_side", "author_account_id", "recipient_side",
    /// "buyer_account_id", "seller_org_id"}`: the first message the recipient has not read
    /// since they last read the conversation (one notice per burst).
    pub const CONVERSATION_MESSAGE: &str = "desk.conversation_message";
    /// `{"attachment_id"}`, scheduled at upload for [`super::attachments::UNSENT_LIFETIME_HOURS`]
    /// later (internal): a photo still unsent then is deleted, object and row.
    pub const ATTACHMENT_EXPIRY: &str = "desk.attachment_expiry";
}

/// Longest text of a ticket's body, a reply or a note (characters).
pub const MAX_TEXT: usize = 2000;

impl Desk {
    fn now(&self) -> DateTime<Utc> {
        self.infra().clock.now()
    }

    /// Schedules a deadline's check (the outbox holds it, so it survives restarts).
    async fn schedule_due(
        &self,
        conn: &impl ConnectionTrait,
        id: TicketId,
        which: DueKind,
        at: DateTime<Utc>,
    ) -> Result<()> {
        self.infra()
            .outbox
            .enqueue_at(
                conn,
                topics::DUE,
                &json!({"ticket_id": id, "which": which, "due_at": at}),
                at,
            )
            .await?;
        Ok(())
    }
}

/// Refuses everyone but desk agents (platform staff: the operator and after-sales agents).
fn require_agent(actor: &Actor) -> Result<()> {
    actor.require_platform_staff()?;
    Ok(())
}
