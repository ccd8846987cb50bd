//! The survey: the buyer rates how the claim was handled, once, after it is resolved.

use super::{ClaimRecord, Role};
use crate::Aftersales;
use crate::domain::{self, ClaimMove, EventKind};
use crate::error::{AftersalesError, Result};
use crate::store::queries::claims;
use farmgate_identity::Actor;
use farmgate_infra::db::begin_write;
use farmgate_kernel::ValidationErrors;
use farmgate_kernel::id::ClaimId;
use farmgate_kernel::text::clean_optional_text;
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Satisfaction {
    /// 1 to 5.
    pub rating: i64,
    #[serde(default)]
    pub comment: Option<String>,
}

impl Aftersales {
    /// The buyer rates how the claim was handled, once, after it is resolved.
    #[tracing::instrument(skip_all, fields(claim.id = %id))]
    pub async fn rate(&self, actor: &Actor, id: ClaimId, s: &Satisfaction) -> Result<ClaimRecord> {
        let r = self.claim_as(actor, id, Role::Buyer).await?;
        domain::transition(r.claim.status, ClaimMove::BuyerRates)?;
        let mut errs = ValidationErrors::new();
        let rating = errs.check("rating", farmgate_orders::domain::parse_rating(s.rating));
        let comment = errs.check(
            "comment",
            clean_optional_text(s.comment.as_deref(), 500, true),
        );
        errs.finish()?;
        let (Some(rating), Some(comment)) = (rating, comment) else {
            return Err(AftersalesError::Invalid(ValidationErrors::new()));
        };
        let now = self.now();
        let txn = begin_write(&self.infra().db).await?;
        if !claims::rate(&txn, id, rating, comment.clone()).await? {
            return Err(AftersalesError::AlreadyRated);
        }
        claims::append_event(
            &txn,
            id,
            EventKind::Rated,
            Some(actor.account_id),
            Role::Buyer,
            json!({"rating": rating, "comment": comment}),
            now,
        )
        .await?;
        txn.commit().await?;
        self.existing(id).await
    }
}
