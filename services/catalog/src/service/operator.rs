//! The operator's side of review: the queue, decisions on revisions, and taking listings off
//! sale (forced delisting, and the freeze a batch recall asks for).

use super::ListingBundle;
use super::facts::{reviewed_facts_of_revision, set_facts};
use crate::Catalog;
use crate::domain::{self, ReviewMove, RevisionId, RevisionKind, RevisionStatus};
use crate::error::{CatalogError, Missing, Result};
use crate::store::queries::{listings, revisions};
use crate::store::{listing, revision};
use farmgate_identity::{Actor, PlatformRole};
use farmgate_infra::db::begin_write;
use farmgate_kernel::id::ListingId;
use farmgate_kernel::{FieldError, Page, Paged};
use sea_orm::{ActiveModelTrait, Set};

impl Catalog {
    /// The review queue, oldest first (decided revisions: newest decision first).
    #[tracing::instrument(skip_all, fields(revision.status = %status))]
    pub async fn review_queue(
        &self,
        actor: &Actor,
        status: RevisionStatus,
        page: Page,
    ) -> Result<Paged<(revision::Model, ListingBundle)>> {
        actor.require_platform(&[PlatformRole::Operator])?;
        let (revisions, total) = revisions::page_in_status(&self.infra().db, status, page).await?;
        let mut items = Vec::with_capacity(revisions.len());
        for r in revisions {
            if let Some(b) = self.bundle(ListingId(r.listing_id)).await? {
                items.push((r, b));
            }
        }
        Ok(Paged::new(items, total, page))
    }

    /// Approves or rejects a pending revision. Rejecting needs a reason the seller reads.
    #[tracing::instrument(skip_all, fields(revision.id = %revision_id, listing.id = tracing::field::Empty, approve))]
    pub async fn decide(
        &self,
        actor: &Actor,
        revision_id: RevisionId,
        approve: bool,
        reason: Option<String>,
    ) -> Result<ListingBundle> {
        actor.require_platform(&[PlatformRole::Operator])?;
        let reason = match (approve, reason) {
            (false, Some(r)) => Some(domain::parse_reason(&r).map_err(CatalogError::field)?),
            (false, None) => {
                return Err(CatalogError::field(FieldError::new(
                    "reason",
                    "required",
                    "请填写驳回原因",
                    "give the reason",
                )));
            }
            (true, _) => None,
        };
        let txn = begin_write(&self.infra().db).await?;
        let rev = revisions::by_id(&txn, revision_id)
            .await?
            .ok_or(CatalogError::NotFound(Missing::Revision))?;
        let listing_id = ListingId(rev.listing_id);
        tracing::Span::current().record("listing.id", tracing::field::display(listing_id));
        let current = listings::by_id(&txn, listing_id)
            .await?
            .ok_or(CatalogError::NotFound(Missing::Listing))?;
        let next = domain::review(
            current.status,
            ReviewMove::Decide {
                kind: rev.kind,
                revision: rev.status,
                approve,
            },
        )?;
        let now = self.now();
        let mut active: listing::ActiveModel = current.clone().into();
        active.status = Set(next);
        active.updated_at = Set(now);
        if rev.kind == RevisionKind::New {
            active.status_reason = Set(reason.clone());
        }
        if approve {
            set_facts(&mut active, &reviewed_facts_of_revision(&rev));
            if current.approved_at.is_none() {
                active.approved_at = Set(Some(now));
            }
        }
        active.update(&txn).await?;
        revisions::record_decision(
            &txn,
            revision_id,
            RevisionStatus::decided(approve),
            reason,
            actor.account_id,
            now,
        )
        .await?;
        self.publish(&txn, listing_id).await?;
        // The seller's members hear of the decision (with the reason) through notifications.
        self.infra()
            .outbox
            .enqueue(
                &txn,
                if approve {
                    super::topics::LISTING_APPROVED
                } else {
                    super::topics::LISTING_REJECTED
                },
                &serde_json::json!({ "listing_id": listing_id, "revision_id": revision_id }),
            )
            .await?;
        self.commit(txn).await?;
        tracing::info!(listing.id = %listing_id, approve, "listing revision decided");
        self.reload(listing_id).await
    }

    /// Forced delisting (非正常下架) with a reason the seller reads.
    #[tracing::instrument(skip_all, fields(listing.id = %id))]
    pub async fn force_delist(
        &self,
        actor: &Actor,
        id: ListingId,
        reason: &str,
    ) -> Result<ListingBundle> {
        actor.require_platform(&[PlatformRole::Operator])?;
        self.delist(id, reason).await
    }

    /// Takes a listing off sale because a batch of it is recalled: its stock is frozen until
    /// the operator puts it back. The recall has already checked who may order it.
    #[tracing::instrument(skip_all, fields(listing.id = %id))]
    pub async fn freeze_for_recall(&self, id: ListingId, reason: &str) -> Result<ListingBundle> {
        self.delist(id, reason).await
    }

    async fn delist(&self, id: ListingId, reason: &str) -> Result<ListingBundle> {
        let reason = domain::parse_reason(reason).map_err(CatalogError::field)?;
        let txn = begin_write(&self.infra().db).await?;
        let current = listings::by_id(&txn, id)
            .await?
            .ok_or(CatalogError::NotFound(Missing::Listing))?;
        let next = domain::review(current.status, ReviewMove::ForceDelist)?;
        revisions::delete_pending(&txn, id).await?;
        let mut active: listing::ActiveModel = current.into();
        active.status = Set(next);
        active.status_reason = Set(Some(reason));
        active.updated_at = Set(self.now());
        active.update(&txn).await?;
        self.publish(&txn, id).await?;
        self.commit(txn).await?;
        self.reload(id).await
    }
}
