//! Lab reports and photos, stored before the record that cites them.

use super::{MAX_ATTACHMENT_BYTES, MAX_ATTACHMENTS_PER_BATCH};
use crate::Trace;
use crate::error::{Result, TraceError};
use crate::store::{attachment, queries};
use farmgate_identity::Actor;
use farmgate_infra::objects::ObjectKey;
use farmgate_kernel::id::BatchId;
use uuid::Uuid;

impl Trace {
    /// Stores a lab report or photo for later events. PDFs and images only, by their bytes.
    #[tracing::instrument(skip_all, fields(batch.id = %batch_id, bytes = bytes.len()))]
    pub async fn add_attachment(
        &self,
        actor: &Actor,
        batch_id: BatchId,
        name: &str,
        bytes: bytes::Bytes,
    ) -> Result<attachment::Model> {
        let b = self.batch_for_seller(actor, batch_id).await?;
        if bytes.len() > MAX_ATTACHMENT_BYTES {
            return Err(TraceError::TooLarge);
        }
        let db = &self.infra().db;
        if queries::count_attachments(db, batch_id).await? >= MAX_ATTACHMENTS_PER_BATCH {
            return Err(TraceError::TooManyAttachments);
        }
        // A picture is published re-encoded (no EXIF: a phone photo's GPS is the farm's or the
        // farmer's home); the upload as received is kept privately. A PDF is published as is.
        let id = Uuid::now_v7();
        let (content_type, ext, public) = if bytes.starts_with(b"%PDF-") {
            ("application/pdf", "pdf", bytes)
        } else {
            let kind =
                farmgate_catalog::images::sniff(&bytes).ok_or(TraceError::UnsupportedFile)?;
            let doc = farmgate_catalog::images::process_document_limited(
                &self.infra().limits.images,
                bytes.clone(),
            )
            .await?;
            let original =
                ObjectKey::parse(&format!("private/trace/{}/{id}.{}", b.id, kind.extension()))
                    .map_err(|e| TraceError::Internal(e.to_string()))?;
            self.infra()
                .objects
                .put(&original, bytes, kind.content_type())
                .await?;
            ("image/jpeg", "jpg", bytes::Bytes::from(doc.jpeg))
        };
        self.save_attachment(&b, actor, id, name, content_type, ext, public)
            .await
    }

    /// Publishes a checked file of a batch under `public/trace/<batch>/<id>.<ext>` and records
    /// it with its SHA-256 (for a seller's records and a lab's reports alike).
    #[expect(clippy::too_many_arguments, reason = "one stored file and what it is")]
    pub(super) async fn save_attachment(
        &self,
        b: &crate::store::batch::Model,
        actor: &Actor,
        id: Uuid,
        name: &str,
        content_type: &str,
        ext: &str,
        public: bytes::Bytes,
    ) -> Result<attachment::Model> {
        let db = &self.infra().db;
        let name: String = name
            .chars()
            .filter(|c| !c.is_control() && !matches!(c, '/' | '\\'))
            .take(120)
            .collect::<String>()
            .trim()
            .to_owned();
        let name = if name.is_empty() {
            format!("attachment.{ext}")
        } else {
            name
        };
        let key = ObjectKey::parse(&format!("public/trace/{}/{id}.{ext}", b.id))
            .map_err(|e| TraceError::Internal(e.to_string()))?;
        let stored = self.infra().objects.put(&key, public, content_type).await?;
        let model = attachment::Model {
            id,
            batch_id: b.id,
            object_key: key.to_string(),
            name,
            content_type: content_type.to_owned(),
            size_bytes: i64::try_from(stored.size).unwrap_or(i64::MAX),
            sha256: stored.sha256,
            uploaded_by: actor.account_id.as_uuid(),
            created_at: self.now(),
        };
        queries::insert_attachment(db, model.clone()).await?;
        Ok(model)
    }
}
