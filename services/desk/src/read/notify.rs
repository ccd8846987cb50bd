//! What notifications (`farmgate-notify`) read of the desk, and why: a `desk.*` event names
//! its ticket and the accounts concerned; a notification's text names the ticket by its
//! number and subject, read here. Nothing here writes, and no phone is read.

use crate::domain::TicketId;
use crate::store::queries::tickets;
use sea_orm::{ConnectionTrait, DbErr};

/// A ticket as its notifications name it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TicketBrief {
    pub id: TicketId,
    pub number: String,
    pub subject: String,
}

/// The ticket, or `None` when there is no such ticket.
pub async fn ticket(
    conn: &impl ConnectionTrait,
    id: TicketId,
) -> Result<Option<TicketBrief>, DbErr> {
    Ok(tickets::by_id(conn, id.0).await?.map(|t| TicketBrief {
        id,
        number: t.number,
        subject: t.subject,
    }))
}
