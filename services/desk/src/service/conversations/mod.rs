//! Conversations (咨询): a buyer writes to a seller about a listing or an order, and the
//! seller's members answer from their inbox. Who may act is asked of the rooms that know —
//! the listing's seller of the catalogue (`Catalog::listing_for`), the order's buyer and
//! sellers of orders (`Orders::order_for`) — never of their tables. The buyer's phone and
//! address never travel this way: a conversation carries the buyer's display name only.
//! Platform staff read any conversation for arbitration, each reading recorded with its
//! reason; abusive messages are reported by a party and hidden (kept) by the operator.
//! Rules: `domain::conversation`.

mod figures;
mod open;
mod read;
mod reports;
mod write;

pub use figures::{ConversationFigures, ConversationFiguresQuery};
pub use open::OpenConversation;
pub use read::{ConversationPage, ConversationView, MessageView, ReadingView};
pub use reports::{ConversationReportPage, ConversationReportView, ReportQueueQuery};
pub use write::{ConversationText, NewConversationMessage};

use crate::Desk;
use crate::domain::conversation::Side;
use crate::error::{DeskError, Missing, Result};
use crate::store::conversation;
use crate::store::queries::conversations as q;
use farmgate_identity::Actor;
use farmgate_kernel::id::OrgId;
use uuid::Uuid;

/// Who is looking at a conversation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Party {
    Buyer,
    Seller,
    /// Platform staff, no party to it: reads for arbitration, audited.
    Staff,
}

impl Party {
    pub fn side(self) -> Option<Side> {
        match self {
            Self::Buyer => Some(Side::Buyer),
            Self::Seller => Some(Side::Seller),
            Self::Staff => None,
        }
    }
}

/// How `actor` stands to the conversation, if at all.
pub(crate) fn party_of(actor: &Actor, c: &conversation::Model) -> Option<Party> {
    if c.buyer_account_id == actor.account_id.as_uuid() {
        Some(Party::Buyer)
    } else if actor.membership(OrgId(c.seller_org_id)).is_some() {
        Some(Party::Seller)
    } else if actor.is_platform_staff() {
        Some(Party::Staff)
    } else {
        None
    }
}

impl Desk {
    /// The conversation and how the actor stands to it; a stranger's is not found.
    pub(crate) async fn conversation_for(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> Result<(conversation::Model, Party)> {
        let c = q::by_id(&self.infra().db, id)
            .await?
            .ok_or(DeskError::NotFound(Missing::Conversation))?;
        let p = party_of(actor, &c).ok_or(DeskError::NotFound(Missing::Conversation))?;
        Ok((c, p))
    }
}
