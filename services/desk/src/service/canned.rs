//! Canned replies (常用回复) agents keep for the answers they give often.

use super::{MAX_TEXT, require_agent};
use crate::Desk;
use crate::domain::CannedReplyId;
use crate::error::{DeskError, Missing, Result};
use crate::store::canned;
use crate::store::queries::people;
use farmgate_identity::Actor;
use farmgate_kernel::ValidationErrors;
use farmgate_kernel::text::clean_text;
use serde::Deserialize;
use utoipa::ToSchema;

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CannedReplyInput {
    /// 1–60 characters.
    pub title: String,
    /// 1–2000 characters.
    pub body: String,
    /// Inactive replies are kept but not offered (default true).
    #[serde(default)]
    pub active: Option<bool>,
}

impl Desk {
    /// The canned replies (agents); the inactive ones too when asked.
    pub async fn canned_replies(&self, actor: &Actor, all: bool) -> Result<Vec<canned::Model>> {
        require_agent(actor)?;
        Ok(people::canned_replies(&self.infra().db, all).await?)
    }

    /// Adds a canned reply, or changes one (`id`).
    #[tracing::instrument(skip_all)]
    pub async fn save_canned_reply(
        &self,
        actor: &Actor,
        id: Option<CannedReplyId>,
        c: &CannedReplyInput,
    ) -> Result<canned::Model> {
        require_agent(actor)?;
        let mut errs = ValidationErrors::new();
        let title = errs.check("title", clean_text(&c.title, 1, 60, false));
        let body = errs.check("body", clean_text(&c.body, 1, MAX_TEXT, true));
        errs.finish()?;
        let (Some(title), Some(body)) = (title, body) else {
            return Err(DeskError::Invalid(ValidationErrors::new()));
        };
        let db = &self.infra().db;
        let now = self.now();
        let existing = match id {
            Some(id) => Some(
                people::canned_reply(db, id.0)
                    .await?
                    .ok_or(DeskError::NotFound(Missing::CannedReply))?,
            ),
            None => None,
        };
        let m = canned::Model {
            id: existing
                .as_ref()
                .map_or_else(|| CannedReplyId::new().0, |e| e.id),
            title,
            body,
            active: c.active.unwrap_or(true),
            updated_by: actor.account_id.as_uuid(),
            created_at: existing.as_ref().map_or(now, |e| e.created_at),
            updated_at: now,
        };
        people::save_canned_reply(db, m.clone(), existing.is_none()).await?;
        Ok(m)
    }
}
