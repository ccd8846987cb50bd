//! Verification: the operator's queue and directory, verifying and rejecting organisations
//! (through [`domain::review`]), and each organisation's history.

use super::topics;
use crate::Identity;
use crate::auth::Actor;
use crate::domain::{self, AuditAction, AuditTarget, OrgFilter, OrgStatus, Review};
use crate::error::{IdentityError, Missing, Result};
use crate::store::queries::{self, AuditEntry};
use crate::store::{account, org_review, organisation};
use farmgate_infra::db::begin_write;
use farmgate_infra::http::RequestMeta;
use farmgate_kernel::id::OrgId;
use farmgate_kernel::{Page, Paged};
use sea_orm::{ActiveModelTrait, Set};
use serde_json::json;

/// An organisation with the owner the operator will call.
#[derive(Clone, Debug)]
pub struct OrgWithOwner {
    pub org: organisation::Model,
    pub owner: Option<account::Model>,
}

/// A history entry with its actor.
#[derive(Clone, Debug)]
pub struct ReviewEntry {
    pub review: org_review::Model,
    pub actor: Option<account::Model>,
}

/// Parses a reason for a rejection, as a validation error under `reason`.
pub fn parse_rejection(reason: &str) -> Result<Review> {
    domain::parse_reason(reason)
        .map(|reason| Review::Reject { reason })
        .map_err(IdentityError::field)
}

impl Identity {
    /// The verification queue and the organisation directory, for the operator.
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id))]
    pub async fn admin_orgs(
        &self,
        actor: &Actor,
        filter: &OrgFilter,
        page: Page,
    ) -> Result<Paged<OrgWithOwner>> {
        actor.require_operator()?;
        let db = &self.infra().db;
        let (orgs, total) = queries::orgs::filtered(db, filter, page).await?;
        let owners = queries::members::owners_of(db, orgs.iter().map(|o| o.id)).await?;
        let accounts = queries::accounts::by_ids(db, owners.iter().map(|m| m.account_id)).await?;
        let items = orgs
            .into_iter()
            .map(|org| {
                let owner = owners
                    .iter()
                    .find(|m| m.org_id == org.id)
                    .and_then(|m| accounts.iter().find(|a| a.id == m.account_id))
                    .cloned();
                OrgWithOwner { org, owner }
            })
            .collect();
        Ok(Paged::new(items, total, page))
    }

    /// The operator verifies or rejects an organisation.
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id, org.id = %id))]
    pub async fn review_org(
        &self,
        actor: &Actor,
        id: OrgId,
        review: Review,
        meta: &RequestMeta,
    ) -> Result<organisation::Model> {
        actor.require_operator()?;
        let txn = begin_write(&self.infra().db).await?;
        let current = queries::orgs::by_id(&txn, id)
            .await?
            .ok_or(IdentityError::NotFound(Missing::Organisation))?;
        let (next, action) = domain::review(current.status, &review)?;
        let now = self.now();
        let reason = match &review {
            Review::Reject { reason } => Some(reason.clone()),
            _ => None,
        };
        let mut active: organisation::ActiveModel = current.into();
        active.status = Set(next);
        active.status_reason = Set(reason.clone());
        active.verified_at = Set((next == OrgStatus::Verified).then_some(now));
        active.updated_at = Set(now);
        let updated = active.update(&txn).await?;
        self.record_review(&txn, id, action, actor.account_id, reason.clone())
            .await?;
        let verified = next == OrgStatus::Verified;
        self.audit(
            &txn,
            meta,
            AuditEntry {
                actor_id: Some(actor.account_id),
                action: if verified {
                    AuditAction::OrgVerify
                } else {
                    AuditAction::OrgReject
                },
                target_type: AuditTarget::Organisation,
                target_id: Some(id.to_string()),
                details: json!({ "reason": reason }),
            },
        )
        .await?;
        let topic = if verified {
            topics::ORG_VERIFIED
        } else {
            topics::ORG_REJECTED
        };
        self.publish_org(&txn, topic, &updated).await?;
        txn.commit().await?;
        self.infra().outbox.wake();
        tracing::info!(status = %updated.status, "organisation reviewed");
        Ok(updated)
    }

    /// The verification history of an organisation, oldest first (members and the operator).
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id, org.id = %id))]
    pub async fn org_history(&self, actor: &Actor, id: OrgId) -> Result<Vec<ReviewEntry>> {
        self.org_for(actor, id).await?;
        let db = &self.infra().db;
        let reviews = queries::orgs::history(db, id).await?;
        let actors = queries::accounts::by_ids(db, reviews.iter().map(|r| r.actor_id)).await?;
        Ok(reviews
            .into_iter()
            .map(|review| {
                let actor = actors.iter().find(|a| a.id == review.actor_id).cloned();
                ReviewEntry { review, actor }
            })
            .collect())
    }
}
