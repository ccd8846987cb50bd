//! Platform finance (or the operator) writes off what a carrier still owes on a recourse,
//! with a reason (the carrier refused, the amount is not worth pursuing): the recourse closes
//! with what was collected kept and the rest recorded as written off, by whom.

use super::recourse::{RecourseDetail, require_recourse_staff};
use crate::Aftersales;
use crate::domain::RecourseStatus;
use crate::domain::recourse::outstanding;
use crate::error::{AftersalesError, Missing, Result};
use crate::store::queries::recourse as q;
use farmgate_identity::Actor;
use farmgate_infra::db::{begin_write, serialise};
use farmgate_kernel::text::clean_text;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WriteOffRequest {
    /// Why it will not be collected, 2–200 characters.
    pub reason: String,
}

impl Aftersales {
    #[tracing::instrument(skip_all, fields(recourse.id = %id))]
    pub async fn write_off_recourse(
        &self,
        actor: &Actor,
        id: Uuid,
        req: &WriteOffRequest,
    ) -> Result<RecourseDetail> {
        require_recourse_staff(actor)?;
        let reason = clean_text(&req.reason, 2, 200, true)
            .map_err(|e| AftersalesError::from(e.at("reason")))?;
        let now = self.now();
        let txn = begin_write(&self.infra().db).await?;
        serialise(&txn, "aftersales.recourse", id).await?;
        let r = q::by_id(&txn, id)
            .await?
            .ok_or(AftersalesError::NotFound(Missing::Recourse))?;
        if r.status != RecourseStatus::Open {
            return Err(AftersalesError::RecourseClosed);
        }
        let left = outstanding(r.amount_fen, r.collected_fen, r.written_off_fen);
        let by = actor.account_id.as_uuid();
        if !q::write_off(&txn, id, left, &reason, by, now).await? {
            return Err(AftersalesError::RecourseClosed);
        }
        txn.commit().await?;
        tracing::info!(amount_fen = left, "recourse written off");
        self.recourse_detail(id).await
    }
}
