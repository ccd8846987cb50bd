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

/// A conversation as its notifications name it: what it is about and who wrote.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConversationBrief {
    pub id: uuid::Uuid,
    /// The listing's title or the order's number.
    pub title: String,
    pub buyer_name: String,
    pub seller_name: String,
}

/// The conversation, or `None` when there is no such conversation.
pub async fn conversation(
    conn: &impl ConnectionTrait,
    id: uuid::Uuid,
) -> Result<Option<ConversationBrief>, DbErr> {
    Ok(crate::store::queries::conversations::by_id(conn, id)
        .await?
        .map(|c| ConversationBrief {
            id: c.id,
            title: c.title,
            buyer_name: c.buyer_name,
            seller_name: c.seller_name,
        }))
}
