//! Platform finance (or the operator) records money a carrier paid on a recourse: an amount
//! up to what is outstanding, the day it arrived and the carrier's reference. Partial
//! collections are allowed, each its own row; the last fen closes the recourse. The
//! recourse's collections take turns, and the update is conditional on what is outstanding,
//! so two at once never take more than the amount. The same collection sent again (same
//! reference, amount and day) is answered with the recourse as it made it.

use super::recourse::{RecourseDetail, require_recourse_staff};
use crate::Aftersales;
use crate::domain::RecourseStatus;
use crate::domain::recourse::{after_collection, check_collection, outstanding};
use crate::error::{AftersalesError, Missing, Result};
use crate::store::collection;
use crate::store::queries::recourse as q;
use chrono::NaiveDate;
use farmgate_identity::Actor;
use farmgate_infra::db::{begin_write, serialise};
use farmgate_kernel::ValidationErrors;
use farmgate_kernel::clock::shanghai;
use farmgate_kernel::text::clean_text;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CollectRequest {
    /// Fen, from 1 to what is outstanding.
    pub amount: i64,
    /// The day the money arrived (Asia/Shanghai), from the recourse's opening to today.
    pub collected_on: NaiveDate,
    /// The carrier's payment reference (bank or statement number), 1–64 characters; one
    /// collection per reference on a recourse.
    pub reference: String,
}

impl Aftersales {
    #[tracing::instrument(skip_all, fields(recourse.id = %id))]
    pub async fn collect_recourse(
        &self,
        actor: &Actor,
        id: Uuid,
        req: &CollectRequest,
    ) -> Result<RecourseDetail> {
        require_recourse_staff(actor)?;
        let reference = clean_text(&req.reference, 1, 64, false)
            .map_err(|e| AftersalesError::from(e.at("reference")))?;
        let now = self.now();
        let txn = begin_write(&self.infra().db).await?;
        serialise(&txn, "aftersales.recourse", id).await?;
        let r = q::by_id(&txn, id)
            .await?
            .ok_or(AftersalesError::NotFound(Missing::Recourse))?;
        if let Some(prior) = q::collection_by_reference(&txn, id, &reference).await? {
            if prior.amount_fen == req.amount && prior.collected_on == req.collected_on {
                drop(txn);
                return self.recourse_detail(id).await;
            }
            return Err(AftersalesError::ReferenceUsed);
        }
        if r.status != RecourseStatus::Open {
            return Err(AftersalesError::RecourseClosed);
        }
        let left = outstanding(r.amount_fen, r.collected_fen, r.written_off_fen);
        let opened = r.created_at.with_timezone(&shanghai()).date_naive();
        let today = now.with_timezone(&shanghai()).date_naive();
        let errs = check_collection(req.amount, left, req.collected_on, opened, today);
        if !errs.is_empty() {
            let mut all = ValidationErrors::new();
            for e in errs {
                all.push(e);
            }
            return Err(AftersalesError::Invalid(all));
        }
        let closes = after_collection(left - req.amount) == RecourseStatus::Collected;
        if !q::add_collected(&txn, id, req.amount, closes, now).await? {
            return Err(AftersalesError::RecourseClosed);
        }
        q::insert_collection(
            &txn,
            collection::Model {
                id: Uuid::now_v7(),
                recourse_id: id,
                amount_fen: req.amount,
                collected_on: req.collected_on,
                reference,
                actor_id: actor.account_id.as_uuid(),
                created_at: now,
            },
        )
        .await?;
        txn.commit().await?;
        tracing::info!(amount_fen = req.amount, closes, "recourse collected");
        self.recourse_detail(id).await
    }
}
