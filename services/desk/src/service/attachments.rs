//! Photos on tickets, ticket replies and conversation messages. A person uploads a photo
//! first (checked by its bytes, not its name: JPEG, PNG or WebP, at most 8 MB, re-encoded
//! without EXIF for display; the original kept privately with its SHA-256), then sends its id
//! with the message; the photo is tied to that message in the message's transaction, once.
//! It is served only to whom may read the message: the ticket's opener (never a note's
//! photo) and agents; a conversation's buyer and the seller's members (not once the message is
//! hidden) and platform staff. Anyone else is told it does not exist.

use super::Party;
use super::read::{Viewer, viewer_of};
use crate::Desk;
use crate::error::{DeskError, Missing, Result};
use crate::service::topics;
use crate::store::attachment;
use crate::store::queries::attachments::{self as q, Target};
use crate::store::queries::{conversations, tickets};
use bytes::Bytes;
use chrono::{DateTime, Utc};
use farmgate_catalog::images;
use farmgate_identity::Actor;
use farmgate_infra::db::begin_write;
use farmgate_infra::objects::ObjectKey;
use farmgate_kernel::FieldError;
use sea_orm::ConnectionTrait;
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

/// At most this many photos on one ticket, reply or message.
pub const MAX_PER_ITEM: usize = 6;
/// Photos an account may hold uploaded but not yet sent.
pub const MAX_UNSENT: u64 = 20;
/// A photo uploaded and not sent within this many hours is deleted (object and row): a form
/// abandoned half-filled must not keep someone's pictures for ever. Sent photos are records
/// of the case and stay.
pub const UNSENT_LIFETIME_HOURS: i64 = 24;

/// A photo as people see it: the address serves the re-encoded copy.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[schema(as = DeskAttachmentView)]
pub struct AttachmentView {
    pub id: Uuid,
    /// `/api/v1/desk/attachments/{id}`: the photo (JPEG) for whom may see it.
    pub url: String,
    /// Of the original, as uploaded.
    pub size_bytes: i64,
    pub sha256: String,
    pub uploaded_at: DateTime<Utc>,
}

impl AttachmentView {
    pub(crate) fn of(a: &attachment::Model) -> Self {
        Self {
            id: a.id,
            url: format!("/api/v1/desk/attachments/{}", a.id),
            size_bytes: a.size_bytes,
            sha256: a.sha256.clone(),
            uploaded_at: a.uploaded_at,
        }
    }
}

fn object_key(s: &str) -> Result<ObjectKey> {
    ObjectKey::parse(s).map_err(|e| DeskError::Internal(e.to_string()))
}

fn field_error(code: &'static str, zh: String, en: String) -> DeskError {
    DeskError::Invalid(FieldError::new("attachment_ids", code, zh, en).into())
}

/// The photo ids a request names, checked for count and repeats (before anything is read).
pub(crate) fn parse_ids(ids: &[Uuid]) -> Result<Vec<Uuid>> {
    let mut v = ids.to_vec();
    v.sort();
    v.dedup();
    if v.len() != ids.len() {
        return Err(field_error(
            "duplicate",
            "同一张照片只能附一次".to_owned(),
            "the same photo is named twice".to_owned(),
        ));
    }
    if v.len() > MAX_PER_ITEM {
        return Err(field_error(
            "too_many",
            format!("每条最多 {MAX_PER_ITEM} 张照片"),
            format!("at most {MAX_PER_ITEM} photos each"),
        ));
    }
    Ok(v)
}

fn not_usable() -> DeskError {
    field_error(
        "not_found",
        "照片不存在、不是你上传的或已经发送过".to_owned(),
        "a photo is missing, not yours, or sent already".to_owned(),
    )
}

impl Desk {
    /// Stores a photo the caller will send with a ticket, a reply or a message.
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id))]
    pub async fn upload_attachment(
        &self,
        actor: &Actor,
        bytes: Bytes,
    ) -> Result<attachment::Model> {
        let db = &self.infra().db;
        let me = actor.account_id.as_uuid();
        if q::unsent_count(db, me).await? >= MAX_UNSENT {
            return Err(DeskError::TooManyAttachments);
        }
        let processed = images::process_limited(
            &self.infra().limits.images,
            bytes.clone(),
            images::MIN_EVIDENCE_SIDE,
        )
        .await
        .map_err(DeskError::Catalog)?;
        let id = Uuid::now_v7();
        let original = object_key(&format!(
            "private/desk/{me}/{id}/original.{}",
            processed.kind.extension()
        ))?;
        let display = object_key(&format!("private/desk/{me}/{id}/display.jpg"))?;
        let objects = &self.infra().objects;
        let put = objects
            .put(&original, bytes, processed.kind.content_type())
            .await
            .map_err(|e| DeskError::Internal(format!("storing a desk photo: {e}")))?;
        objects
            .put(&display, processed.display.into(), "image/jpeg")
            .await
            .map_err(|e| DeskError::Internal(format!("storing a desk photo: {e}")))?;
        let m = attachment::Model {
            id,
            account_id: me,
            ticket_id: None,
            message_id: None,
            conversation_id: None,
            conversation_message_id: None,
            original_key: original.to_string(),
            display_key: display.to_string(),
            content_type: processed.kind.content_type().to_owned(),
            size_bytes: i64::try_from(put.size).unwrap_or(i64::MAX),
            sha256: put.sha256,
            uploaded_at: self.now(),
        };
        // The row and its expiry commit together: every unsent photo has its deletion
        // scheduled in the outbox table (it survives restarts; one worker runs it).
        let txn = begin_write(db).await?;
        q::insert(&txn, m.clone()).await?;
        let outbox = &self.infra().outbox;
        outbox
            .enqueue_at(
                &txn,
                topics::ATTACHMENT_EXPIRY,
                &json!({ "attachment_id": id }),
                m.uploaded_at + chrono::Duration::hours(UNSENT_LIFETIME_HOURS),
            )
            .await?;
        txn.commit().await?;
        Ok(m)
    }

    /// An unsent photo's time is up (`desk.attachment_expiry`): if it is still unsent, its
    /// row and objects go; a sent one (or one gone already) is left alone. The row's
    /// conditional delete and the objects' deletion share one transaction, so a message
    /// sending the photo at that moment either wins (and the photo stays) or finds it gone
    /// (`attachment_ids: not_found`); two workers delete it once. Whether it was deleted.
    #[tracing::instrument(skip_all, fields(attachment.id = %id))]
    pub async fn expire_attachment(&self, id: Uuid) -> Result<bool> {
        let db = &self.infra().db;
        let txn = begin_write(db).await?;
        let Some(a) = q::by_id(&txn, id).await? else {
            return Ok(false);
        };
        if !q::delete_unsent(&txn, id).await? {
            return Ok(false);
        }
        let objects = &self.infra().objects;
        for key in [&a.original_key, &a.display_key] {
            objects
                .delete(&object_key(key)?)
                .await
                .map_err(|e| DeskError::Internal(format!("deleting a desk photo: {e}")))?;
        }
        txn.commit().await?;
        tracing::info!(account.id = %a.account_id, "unsent desk photo deleted");
        Ok(true)
    }

    /// Every photo `account` uploaded, sent or not, oldest first (their data export).
    pub async fn attachments_of(&self, account: Uuid) -> Result<Vec<attachment::Model>> {
        Ok(q::of_account(&self.infra().db, account).await?)
    }

    /// Checks, before a message is written, that every id is the caller's unsent photo.
    pub(crate) async fn check_attachments(&self, actor: &Actor, ids: &[Uuid]) -> Result<Vec<Uuid>> {
        let ids = parse_ids(ids)?;
        if ids.is_empty() {
            return Ok(ids);
        }
        let n = q::usable_count(&self.infra().db, &ids, actor.account_id.as_uuid()).await?;
        if usize::try_from(n).unwrap_or(0) != ids.len() {
            return Err(not_usable());
        }
        Ok(ids)
    }

    /// The photo as `actor` may see it (the re-encoded copy), or not found.
    #[tracing::instrument(skip_all, fields(attachment.id = %id))]
    pub async fn attachment_file(&self, actor: &Actor, id: Uuid) -> Result<(Vec<u8>, String)> {
        let db = &self.infra().db;
        let not_found = || DeskError::NotFound(Missing::Attachment);
        let a = q::by_id(db, id).await?.ok_or_else(not_found)?;
        if !self.may_see(actor, &a).await? {
            return Err(not_found());
        }
        let obj = self
            .infra()
            .objects
            .get(&object_key(&a.display_key)?)
            .await
            .map_err(|e| DeskError::Internal(format!("reading a desk photo: {e}")))?
            .ok_or_else(not_found)?;
        Ok((obj.bytes.to_vec(), obj.content_type))
    }

    async fn may_see(&self, actor: &Actor, a: &attachment::Model) -> Result<bool> {
        let db = &self.infra().db;
        if let (Some(t), Some(m)) = (a.ticket_id, a.message_id) {
            let Some(ticket) = tickets::by_id(db, t).await? else {
                return Ok(false);
            };
            return Ok(match viewer_of(actor, &ticket) {
                Some(Viewer::Agent) => true,
                Some(Viewer::Customer) => tickets::messages_of(db, t, false)
                    .await?
                    .iter()
                    .any(|msg| msg.id == m),
                None => false,
            });
        }
        if let (Some(c), Some(m)) = (a.conversation_id, a.conversation_message_id) {
            let Some(conv) = conversations::by_id(db, c).await? else {
                return Ok(false);
            };
            return Ok(match super::conversations::party_of(actor, &conv) {
                Some(Party::Staff) => true,
                Some(_) => conversations::message(db, m)
                    .await?
                    .is_some_and(|msg| msg.hidden_at.is_none()),
                None => false,
            });
        }
        // Not sent yet: its uploader's only.
        Ok(a.account_id == actor.account_id.as_uuid())
    }
}

/// Ties photos checked by `check_attachments` to a message, inside the message's
/// transaction: all or none (a photo sent a moment ago by a request running at the same time
/// fails the whole message, as if it had been sent before the check).
pub(crate) async fn attach_all(
    txn: &impl ConnectionTrait,
    ids: &[Uuid],
    account: Uuid,
    target: Target,
) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    if q::attach(txn, ids, account, target).await? == ids.len() as u64 {
        return Ok(());
    }
    Err(not_usable())
}

/// Photos by the id of the message they were sent with (the views put them under their messages).
pub(crate) fn by_message(
    rows: &[attachment::Model],
    key: impl Fn(&attachment::Model) -> Option<Uuid>,
) -> std::collections::HashMap<Uuid, Vec<AttachmentView>> {
    let mut map: std::collections::HashMap<Uuid, Vec<AttachmentView>> = Default::default();
    for a in rows {
        if let Some(m) = key(a) {
            map.entry(m).or_default().push(AttachmentView::of(a));
        }
    }
    map
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_names_each_photo_once_and_at_most_six() {
        let a = Uuid::now_v7();
        assert!(parse_ids(&[]).is_ok_and(|v| v.is_empty()));
        assert!(parse_ids(&[a, a]).is_err());
        let six: Vec<Uuid> = (0..MAX_PER_ITEM).map(|_| Uuid::now_v7()).collect();
        assert_eq!(parse_ids(&six).map(|v| v.len()).ok(), Some(MAX_PER_ITEM));
        let seven: Vec<Uuid> = (0..=MAX_PER_ITEM).map(|_| Uuid::now_v7()).collect();
        assert!(parse_ids(&seven).is_err());
    }
}
