//! Lab reports and photos, stored before the record that cites them.

use super::MAX_ATTACHMENT_BYTES;
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
        let (content_type, ext) = if bytes.starts_with(b"%PDF-") {
            ("application/pdf", "pdf")
        } else {
            match farmgate_catalog::images::sniff(&bytes) {
                Some(k) => (k.content_type(), k.extension()),
                None => return Err(TraceError::UnsupportedFile),
            }
        };
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
        let id = Uuid::now_v7();
        let key = ObjectKey::parse(&format!("public/trace/{}/{id}.{ext}", b.id))
            .map_err(|e| TraceError::Internal(e.to_string()))?;
        let stored = self.infra().objects.put(&key, bytes, content_type).await?;
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
        queries::insert_attachment(&self.infra().db, model.clone()).await?;
        Ok(model)
    }
}
