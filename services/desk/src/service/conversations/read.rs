//! Reading conversations: a buyer's list, a seller's inbox, one conversation (which clears
//! the reader's unread count), and platform staff's audited reading for arbitration.

use super::{Party, party_of};
use crate::Desk;
use crate::domain::conversation::{ConversationSubject, MAX_OPERATOR_REASON, Side};
use crate::error::{DeskError, Missing, Result};
use crate::store::queries::conversations as q;
use crate::store::{conversation, conversation_message, conversation_read};
use chrono::{DateTime, Utc};
use farmgate_identity::Actor;
use farmgate_infra::db::begin_write;
use farmgate_kernel::id::OrgId;
use farmgate_kernel::text::clean_text;
use farmgate_kernel::{Page, Paged, ValidationErrors};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// A message as its reader may see it.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[schema(as = ConversationMessageView)]
pub struct MessageView {
    pub id: Uuid,
    pub side: Side,
    /// The buyer's display name, or the seller's name.
    pub author_name: String,
    /// `null` when the operator hid it (the parties see that it was hidden, not what it said).
    pub body: Option<String>,
    pub hidden: bool,
    /// Platform staff only: why it was hidden.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hidden_reason: Option<String>,
    /// The reader wrote it.
    pub mine: bool,
    pub at: DateTime<Utc>,
    /// Photos sent with it (none shown to the parties once it is hidden).
    pub attachments: Vec<crate::service::AttachmentView>,
}

impl MessageView {
    pub(crate) fn of(m: &conversation_message::Model, party: Party, me: Uuid) -> Self {
        let staff = party == Party::Staff;
        let hidden = m.hidden_at.is_some();
        Self {
            id: m.id,
            side: m.author_side,
            author_name: m.author_name.clone(),
            body: (!hidden || staff).then(|| m.body.clone()),
            hidden,
            hidden_reason: if staff { m.hidden_reason.clone() } else { None },
            mine: m.author_account_id == me,
            at: m.at,
            attachments: Vec::new(),
        }
    }
}

/// A staff reading of the conversation (the audit), shown to staff.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ReadingView {
    pub account_id: Uuid,
    pub reason: String,
    pub at: DateTime<Utc>,
}

/// A conversation; in lists without its messages.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ConversationView {
    pub id: Uuid,
    pub subject_kind: ConversationSubject,
    pub subject_id: Uuid,
    /// The listing's title or the order's number.
    pub title: String,
    /// The buyer's display name only: never a phone or an address.
    pub buyer_name: String,
    pub seller_org_id: Uuid,
    pub seller_name: String,
    /// `buyer`, `seller`, or `staff` (reading for arbitration).
    pub viewer: String,
    /// Messages the viewer has not read (0 for staff).
    pub unread: i32,
    pub last_message_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// Seconds from the buyer's first message to the seller's first answer.
    pub first_response_seconds: Option<i64>,
    pub messages: Vec<MessageView>,
    /// Staff only: every staff reading, the audit.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub readings: Vec<ReadingView>,
}

impl ConversationView {
    pub(crate) fn of(c: &conversation::Model, party: Party) -> Self {
        let clock = crate::domain::conversation::ResponseClock {
            first_buyer_message_at: c.first_buyer_message_at,
            first_seller_reply_at: c.first_seller_reply_at,
        };
        Self {
            id: c.id,
            subject_kind: c.subject_kind,
            subject_id: c.subject_id,
            title: c.title.clone(),
            buyer_name: c.buyer_name.clone(),
            seller_org_id: c.seller_org_id,
            seller_name: c.seller_name.clone(),
            viewer: match party {
                Party::Buyer => "buyer",
                Party::Seller => "seller",
                Party::Staff => "staff",
            }
            .to_owned(),
            unread: match party {
                Party::Buyer => c.buyer_unread,
                Party::Seller => c.seller_unread,
                Party::Staff => 0,
            },
            last_message_at: c.last_message_at,
            created_at: c.created_at,
            first_response_seconds: clock.response_seconds(),
            messages: Vec::new(),
            readings: Vec::new(),
        }
    }
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ConversationPage {
    pub items: Vec<ConversationView>,
    pub total: u64,
    pub limit: u64,
    pub offset: u64,
    /// Unread messages over all of them.
    pub unread_total: i64,
}

impl Desk {
    async fn conversation_page(
        &self,
        side: Side,
        who: Uuid,
        party: Party,
        page: Page,
    ) -> Result<ConversationPage> {
        let db = &self.infra().db;
        let (rows, total) = q::page(db, side, who, page.offset(), page.limit()).await?;
        let unread_total = q::unread_total(db, side, who).await?;
        let p = Paged::new(
            rows.iter()
                .map(|c| ConversationView::of(c, party))
                .collect(),
            total,
            page,
        );
        Ok(ConversationPage {
            items: p.items,
            total: p.total,
            limit: p.limit,
            offset: p.offset,
            unread_total,
        })
    }

    /// The caller's conversations as a buyer, the latest first.
    pub async fn my_conversations(&self, actor: &Actor, page: Page) -> Result<ConversationPage> {
        self.conversation_page(Side::Buyer, actor.account_id.as_uuid(), Party::Buyer, page)
            .await
    }

    /// A seller's inbox, for its members.
    pub async fn seller_inbox(
        &self,
        actor: &Actor,
        org: OrgId,
        page: Page,
    ) -> Result<ConversationPage> {
        if actor.membership(org).is_none() {
            return Err(DeskError::Forbidden);
        }
        self.conversation_page(Side::Seller, org.0, Party::Seller, page)
            .await
    }

    /// One conversation with its messages. A party's reading clears their unread count;
    /// platform staff, no party to it, must say why (`reason`), and the reading is recorded.
    #[tracing::instrument(skip_all, fields(conversation.id = %id))]
    pub async fn conversation(
        &self,
        actor: &Actor,
        id: Uuid,
        reason: Option<&str>,
    ) -> Result<ConversationView> {
        let db = &self.infra().db;
        let c = q::by_id(db, id)
            .await?
            .ok_or(DeskError::NotFound(Missing::Conversation))?;
        let party = party_of(actor, &c).ok_or(DeskError::NotFound(Missing::Conversation))?;
        let me = actor.account_id.as_uuid();
        match party.side() {
            Some(side) => q::mark_read(db, id, side, c.last_message_id).await?,
            None => {
                let mut errs = ValidationErrors::new();
                let why = errs.check(
                    "reason",
                    clean_text(reason.unwrap_or_default(), 1, MAX_OPERATOR_REASON, false),
                );
                errs.finish()?;
                let why = why.unwrap_or_default();
                let txn = begin_write(db).await?;
                q::insert_read(
                    &txn,
                    conversation_read::Model {
                        id: Uuid::now_v7(),
                        conversation_id: id,
                        account_id: me,
                        reason: why,
                        at: self.now(),
                    },
                )
                .await?;
                txn.commit().await?;
                tracing::info!(account.id = %me, "platform staff read a conversation for arbitration");
            }
        }
        self.conversation_view(&c, party, me).await
    }

    pub(crate) async fn conversation_view(
        &self,
        c: &conversation::Model,
        party: Party,
        me: Uuid,
    ) -> Result<ConversationView> {
        let db = &self.infra().db;
        let c = q::by_id(db, c.id).await?.unwrap_or_else(|| c.clone());
        let mut v = ConversationView::of(&c, party);
        let photos = crate::store::queries::attachments::of_conversation(db, c.id).await?;
        let mut photos =
            crate::service::attachments::by_message(&photos, |a| a.conversation_message_id);
        v.messages = q::messages(db, c.id)
            .await?
            .iter()
            .map(|m| {
                let mut mv = MessageView::of(m, party, me);
                if !mv.hidden || party == Party::Staff {
                    mv.attachments = photos.remove(&m.id).unwrap_or_default();
                }
                mv
            })
            .collect();
        if party == Party::Staff {
            v.readings = q::reads_of(db, c.id)
                .await?
                .into_iter()
                .map(|r| ReadingView {
                    account_id: r.account_id,
                    reason: r.reason,
                    at: r.at,
                })
                .collect();
        }
        Ok(v)
    }
}
