//! The catalogue's use cases, one file per family. Each checks who may act through the
//! [`Actor`](farmgate_identity::Actor), applies the domain rules, and writes its change, its
//! change-log entries and its outbox event in one transaction, composing the queries in
//! `store::queries`. Search picks the change up from the outbox (see `index.rs`).
//!
//! - `categories.rs` — the category tree and the operator's edits to it.
//! - `reading.rs` — a listing with everything its page shows; who sees what.
//! - `writing.rs` — a seller creates, edits and submits listings (with `facts.rs`, the facts
//!   they write, parsed).
//! - `operator.rs` — the review queue, decisions, forced delisting and recall freezes.
//! - `skus.rs` — prices, stock and tiers apply at once, and every change is logged.
//! - `photos.rs` — listing photos: stored privately, published as re-encoded copies.
//! - `documents.rs` — pictures of an organisation's application (business licence), private,
//!   for the operator's check and the organisation's members.
//! - `editor.rs` — the editor's one save: photos uploaded before the listing exists (drafts
//!   of the organisation, expiring), attached by id in the create or the whole-listing save.
//! - `sale.rs` — what orders needs: SKUs as they can be bought, stock taken and returned.
//! - `vocabulary.rs` — the county's search vocabulary: the operator's words, synonym groups
//!   and English names, applied to the search engine at once and re-analysed through the outbox.
//! - `ranking.rs` — the sellers' ranking signals (shop credit) search uses: stored here,
//!   changed ones reindex that seller's listings through the outbox.
//! - `requests.rs` — what requests send.

mod categories;
mod documents;
mod editor;
mod facts;
mod operator;
mod photos;
mod ranking;
mod reading;
mod requests;
pub mod sale;
mod skus;
mod vocabulary;
mod wholesale;
mod writing;

pub use documents::{DocumentKind, MAX_ORG_DOCUMENTS};
pub use editor::{DRAFT_PHOTO_HOURS, DraftPhotoExpiryJob, MAX_DRAFT_PHOTOS};
pub use facts::origin_of;
pub(crate) use facts::origin_of_revision;
pub use reading::ListingBundle;
pub use requests::{
    CategoryPatch, ListingPatch, ListingSave, NewCategoryRequest, NewListingRequest, SkuPatch,
    SkuRequest, SkuSave,
};
pub(crate) use vocabulary::vocabulary_fingerprint;
pub use vocabulary::{VOCABULARY_CHECK, VocabularyState};
pub use wholesale::{MAX_WHOLESALE_LISTINGS, WholesalePrice, sees_tiers};

use crate::Catalog;
use crate::domain::Tier;
use crate::error::Result;
use crate::store::sku;
use chrono::{DateTime, Utc};
use farmgate_identity::OrgSummary;
use farmgate_kernel::id::{ListingId, OrgId};
use sea_orm::{ConnectionTrait, DatabaseTransaction};
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

/// Outbox topics the catalogue publishes.
pub mod topics {
    /// `{"listing_id"}`: anything about a listing that search or caches show changed.
    pub const LISTING_CHANGED: &str = "catalog.listing.changed";
    /// `{"category_id"}`: a category's name or state changed; its listings need reindexing.
    pub const CATEGORY_CHANGED: &str = "catalog.category.changed";
    /// `{"listing_id", "revision_id"}`: the operator approved a listing's revision (new or
    /// changed); the seller's members are told (`read::notify`).
    pub const LISTING_APPROVED: &str = "catalog.listing.approved";
    /// `{"listing_id", "revision_id"}`: the operator rejected it, with the reason.
    pub const LISTING_REJECTED: &str = "catalog.listing.rejected";
    /// `{"words"}`: the county's search vocabulary changed; listings whose titles, origins or
    /// category names contain these words are re-analysed (every process also picks up the
    /// new vocabulary by itself within seconds: `Catalog::follow_vocabulary`).
    pub const VOCABULARY_CHANGED: &str = "catalog.vocabulary.changed";
    /// `{"org_id"}`: a seller's shop credit level as search ranks by it changed
    /// (`Catalog::set_credit_levels`); its listings' documents are written again.
    pub const SELLER_RANKING_CHANGED: &str = "catalog.seller.ranking_changed";
    /// `{"draft_id"}`, scheduled at upload for when a photo uploaded before its save expires:
    /// removed (row and files) unless a save attached it (`DraftPhotoExpiryJob`).
    pub const PHOTO_DRAFT_EXPIRY: &str = "catalog.photo_draft.expiry";
}

/// A SKU's wholesale tiers as stored (a JSON column; an unreadable one means none).
pub(crate) fn tiers_of(s: &sku::Model) -> Vec<Tier> {
    serde_json::from_value(s.tiers.clone()).unwrap_or_default()
}

impl Catalog {
    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.infra().clock.now()
    }

    /// Tells search (and caches) that a listing changed, in the caller's transaction.
    pub(crate) async fn publish(
        &self,
        conn: &impl ConnectionTrait,
        listing_id: ListingId,
    ) -> Result<()> {
        self.infra()
            .outbox
            .enqueue(
                conn,
                topics::LISTING_CHANGED,
                &json!({ "listing_id": listing_id }),
            )
            .await?;
        Ok(())
    }

    /// Commits a use case's transaction and wakes the outbox worker for its events.
    pub(crate) async fn commit(&self, txn: DatabaseTransaction) -> Result<()> {
        txn.commit().await?;
        self.infra().outbox.wake();
        Ok(())
    }

    /// Organisation summaries for many sellers at once.
    pub(crate) async fn sellers(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, OrgSummary>> {
        let ids: Vec<OrgId> = ids.iter().copied().map(OrgId).collect();
        Ok(self
            .identity()
            .org_summaries(&ids)
            .await?
            .into_iter()
            .map(|(k, v)| (k.as_uuid(), v))
            .collect())
    }
}
