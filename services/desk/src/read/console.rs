//! What the back-office consoles (the seller's and the operator's home, served by the server's
//! `console` module) read of the desk, and why:
//!
//! - [`seller_conversations`]: one seller's conversations with messages its members have not
//!   read (buyers waiting for an answer).
//! - [`ticket_queue`]: the tickets still open (open or answered) nobody is assigned to, and
//!   those past their response or resolution deadline.
//! - [`conversation_reports`]: reported conversation messages the operator has not yet hidden
//!   or dismissed.
//!
//! Nothing here writes; no message or contact is read.

use crate::domain::TicketStatus;
use crate::store::{conversation, conversation_report, ticket};
use chrono::{DateTime, Utc};
use farmgate_kernel::id::OrgId;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

/// How many of a seller's conversations have messages its members have not read.
pub async fn seller_conversations(
    conn: &impl ConnectionTrait,
    seller: OrgId,
) -> Result<u64, DbErr> {
    conversation::Entity::find()
        .filter(conversation::Column::SellerOrgId.eq(seller.as_uuid()))
        .filter(conversation::Column::SellerUnread.gt(0))
        .count(conn)
        .await
}

/// The desk's queue.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TicketQueue {
    /// Open or answered, assigned to nobody.
    pub unassigned: u64,
    /// Open or answered, past the response deadline without a response or past the
    /// resolution deadline.
    pub overdue: u64,
    /// When the oldest unassigned ticket was opened.
    pub oldest_unassigned_at: Option<DateTime<Utc>>,
}

/// The desk's queue at `now`.
pub async fn ticket_queue(
    conn: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> Result<TicketQueue, DbErr> {
    let live = || {
        ticket::Entity::find()
            .filter(ticket::Column::Status.is_in([TicketStatus::Open, TicketStatus::Answered]))
    };
    let unassigned = || live().filter(ticket::Column::AssigneeId.is_null());
    let overdue = live()
        .filter(
            Condition::any()
                .add(
                    Condition::all()
                        .add(ticket::Column::FirstResponseAt.is_null())
                        .add(ticket::Column::RespondBy.lt(now)),
                )
                .add(ticket::Column::ResolveBy.lt(now)),
        )
        .count(conn)
        .await?;
    Ok(TicketQueue {
        unassigned: unassigned().count(conn).await?,
        overdue,
        oldest_unassigned_at: unassigned()
            .order_by_asc(ticket::Column::CreatedAt)
            .limit(1)
            .one(conn)
            .await?
            .map(|t| t.created_at),
    })
}

/// Reported conversation messages waiting for the operator (distinct messages).
pub async fn conversation_reports(conn: &impl ConnectionTrait) -> Result<u64, DbErr> {
    Ok(conversation_report::Entity::find()
        .filter(conversation_report::Column::Outcome.is_null())
        .select_only()
        .column(conversation_report::Column::MessageId)
        .distinct()
        .into_tuple::<uuid::Uuid>()
        .all(conn)
        .await?
        .len() as u64)
}
