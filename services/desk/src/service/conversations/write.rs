//! Writing in a conversation: the buyer or a member of the seller. The message, the
//! recipient's unread count, the response clock and (for the first message of a burst) the
//! notice go in one transaction.

use super::read::ConversationView;
use crate::Desk;
use crate::domain::conversation::{MAX_MESSAGE, Side};
use crate::error::{DeskError, Result};
use crate::service::attachments::attach_all;
use crate::service::topics;
use crate::store::conversation_message;
use crate::store::queries::attachments::Target;
use crate::store::queries::conversations as q;
use farmgate_identity::Actor;
use farmgate_infra::db::begin_write;
use farmgate_kernel::ValidationErrors;
use farmgate_kernel::text::clean_text;
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewConversationMessage {
    /// 1–1000 characters.
    pub body: String,
    /// Photos uploaded with `POST /api/v1/desk/attachments` and not sent yet (at most 6).
    #[serde(default)]
    pub attachment_ids: Vec<Uuid>,
}

/// A reason: for a report (1–500 characters), for hiding a message (1–200).
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConversationText {
    pub reason: String,
}

impl Desk {
    /// A party writes. Platform staff read; they do not write here.
    #[tracing::instrument(skip_all, fields(conversation.id = %id))]
    pub async fn send_conversation_message(
        &self,
        actor: &Actor,
        id: Uuid,
        m: &NewConversationMessage,
    ) -> Result<ConversationView> {
        let (c, party) = self.conversation_for(actor, id).await?;
        let Some(side) = party.side() else {
            return Err(DeskError::Forbidden);
        };
        if side == Side::Seller {
            actor.require_selling_member(farmgate_kernel::id::OrgId(c.seller_org_id))?;
        }
        let mut errs = ValidationErrors::new();
        let body = errs.check("body", clean_text(&m.body, 1, MAX_MESSAGE, true));
        errs.finish()?;
        let body = body.unwrap_or_default();
        let photos = self.check_attachments(actor, &m.attachment_ids).await?;
        let now = self.now();
        let me = actor.account_id.as_uuid();
        let message_id = Uuid::now_v7();
        let author_name = match side {
            Side::Buyer => c.buyer_name.clone(),
            Side::Seller => c.seller_name.clone(),
        };
        let txn = begin_write(&self.infra().db).await?;
        q::insert_message(
            &txn,
            conversation_message::Model {
                id: message_id,
                conversation_id: id,
                author_account_id: me,
                author_side: side,
                author_name,
                body,
                hidden_at: None,
                hidden_reason: None,
                hidden_by: None,
                at: now,
            },
        )
        .await?;
        attach_all(
            &txn,
            &photos,
            me,
            Target::Conversation {
                conversation: id,
                message: message_id,
            },
        )
        .await?;
        let notice = q::after_message(&txn, id, side, message_id, now).await?;
        if notice {
            self.infra()
                .outbox
                .enqueue(
                    &txn,
                    topics::CONVERSATION_MESSAGE,
                    &json!({
                        "conversation_id": id,
                        "message_id": message_id,
                        "author_side": side,
                        "author_account_id": me,
                        "recipient_side": side.other(),
                        "buyer_account_id": c.buyer_account_id,
                        "seller_org_id": c.seller_org_id,
                    }),
                )
                .await?;
        }
        txn.commit().await?;
        if notice {
            self.infra().outbox.wake();
        }
        // The writer has read everything up to their own message.
        q::mark_read(&self.infra().db, id, side, Some(message_id)).await?;
        self.conversation_view(&c, party, me).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::service::Party;

    #[test]
    fn staff_are_no_side() {
        assert_eq!(Party::Staff.side(), None);
        assert_eq!(Party::Seller.side(), Some(Side::Seller));
    }
}
