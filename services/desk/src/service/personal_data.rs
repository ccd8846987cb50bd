//! The desk's part of "download my data": the tickets the person opened, with the conversation
//! as they see it (no internal notes), and their surveys; and every photo they uploaded to the
//! desk (sent with a ticket, a reply or a conversation message, or not sent yet), with where it
//! went, its size and its SHA-256 (the file itself at its `url`).
//!
//! Erasing an account leaves the photos it sent, as after-sales keeps a claim's evidence: they
//! belong to the case's record, which the other party and the platform keep. Photos it never
//! sent are deleted within a day by the expiry job (`desk.attachment_expiry`).

use crate::Desk;
use crate::domain::TicketId;
use crate::http::views::TicketView;
use crate::service::attachments::AttachmentView;
use async_trait::async_trait;
use farmgate_identity::Actor;
use farmgate_identity::service::{PartError, PersonalDataPart};
use farmgate_kernel::Page;
use serde_json::{Value, json};

/// Registered with identity at start (`Identity::add_personal_data_part`).
#[derive(Clone, Debug)]
pub struct DeskPersonalData(pub Desk);

#[async_trait]
impl PersonalDataPart for DeskPersonalData {
    fn name(&self) -> &'static str {
        "desk"
    }

    async fn export(&self, actor: &Actor) -> Result<Value, PartError> {
        let mut ids = Vec::new();
        loop {
            let page = Page::clamped(Page::MAX_LIMIT, ids.len() as u64);
            let got = self.0.my_tickets(actor, page).await?;
            let n = got.page.items.len();
            ids.extend(got.page.items.iter().map(|t| TicketId(t.id)));
            if n == 0 || ids.len() as u64 >= got.page.total {
                break;
            }
        }
        let now = self.0.infra().clock.now();
        let mut tickets = Vec::with_capacity(ids.len());
        for id in ids {
            let r = self.0.ticket(actor, id).await?;
            tickets.push(TicketView::of(&r, now));
        }
        let photos: Vec<Value> = self
            .0
            .attachments_of(actor.account_id.as_uuid())
            .await?
            .iter()
            .map(|a| {
                let mut v = json!(AttachmentView::of(a));
                v["ticket_id"] = json!(a.ticket_id);
                v["conversation_id"] = json!(a.conversation_id);
                v["sent"] = json!(a.message_id.is_some() || a.conversation_message_id.is_some());
                v
            })
            .collect();
        Ok(json!({ "tickets": tickets, "attachments": photos }))
    }
}
