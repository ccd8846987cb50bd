//! The thread: messages with photos between the buyer, the seller and the operator.

use super::ClaimRecord;
use super::evidence::attach_all;
use crate::Aftersales;
use crate::domain::EvidenceId;
use crate::error::{AftersalesError, Result};
use crate::store::message;
use crate::store::queries::claims;
use farmgate_identity::Actor;
use farmgate_infra::db::begin_write;
use farmgate_kernel::ValidationErrors;
use farmgate_kernel::id::ClaimId;
use farmgate_kernel::text::clean_text;
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewMessage {
    pub body: String,
    #[serde(default)]
    #[schema(value_type = Vec<Uuid>)]
    pub attachments: Vec<EvidenceId>,
}

impl Aftersales {
    /// A message on the claim's thread from the buyer, the seller or the operator.
    #[tracing::instrument(skip_all, fields(claim.id = %id))]
    pub async fn post_message(
        &self,
        actor: &Actor,
        id: ClaimId,
        m: &NewMessage,
    ) -> Result<ClaimRecord> {
        let (r, role) = self.claim_for(actor, id).await?;
        let mut errs = ValidationErrors::new();
        let body = errs.check("body", clean_text(&m.body, 1, 1000, true));
        let photos = self
            .own_unused_evidence(actor, &m.attachments, "attachments", Some(id), &mut errs)
            .await?;
        errs.finish()?;
        let Some(body) = body else {
            return Err(AftersalesError::Invalid(ValidationErrors::new()));
        };
        let txn = begin_write(&self.infra().db).await?;
        claims::insert_message(
            &txn,
            message::Model {
                id: Uuid::now_v7(),
                claim_id: id.0,
                author_id: actor.account_id.as_uuid(),
                author_role: role,
                body,
                attachments: json!(photos),
                at: self.now(),
            },
        )
        .await?;
        if !photos.is_empty() {
            attach_all(&txn, &photos, id, "attachments").await?;
        }
        txn.commit().await?;
        self.existing(ClaimId(r.claim.id)).await
    }
}
