//! Reading listings: a listing with everything its page shows, who may see it, a seller's
//! own list, the change log, and GTIN look-ups for GS1 Digital Links.

use crate::Catalog;
use crate::domain::{self, Availability, ListingStatus};
use crate::error::{CatalogError, Missing, Result};
use crate::store::queries::{images, listings, revisions, skus};
use crate::store::{category, image, listing, revision, sku, sku_change};
use farmgate_identity::{Actor, OrgStatus, OrgSummary};
use farmgate_kernel::id::{ListingId, OrgId};

/// Everything a listing page needs: what the catalogue's own pages show and its use cases
/// answer (the demo crate seeds the shop through those use cases). Other rooms read a listing
/// through [`crate::read::ListingCard`] instead, never through this.
#[derive(Clone, Debug)]
pub struct ListingBundle {
    pub listing: listing::Model,
    pub skus: Vec<sku::Model>,
    pub images: Vec<image::Model>,
    /// The listing's category and its ancestors, root first.
    pub path: Vec<category::Model>,
    pub seller: OrgSummary,
    /// Who grew or made it, when not the seller.
    pub producer: Option<OrgSummary>,
    /// The latest revision (pending or decided).
    pub revision: Option<revision::Model>,
    /// The hours from payment within which the seller promises to ship: the category's
    /// (own or inherited), else the platform's default.
    pub ship_within_hours: i32,
}

impl ListingBundle {
    pub fn id(&self) -> ListingId {
        ListingId(self.listing.id)
    }

    pub fn seller_id(&self) -> OrgId {
        OrgId(self.listing.seller_org_id)
    }

    pub fn status(&self) -> ListingStatus {
        self.listing.status
    }

    pub fn availability(&self) -> Availability {
        let in_stock = self.skus.iter().filter(|s| s.active && s.stock > 0).count();
        domain::availability(
            self.status(),
            self.seller.status == OrgStatus::Verified,
            in_stock,
        )
    }
}

impl Catalog {
    /// Loads a listing with everything its page shows (other rooms: `listing_card`).
    pub(crate) async fn bundle(&self, id: ListingId) -> Result<Option<ListingBundle>> {
        let db = &self.infra().db;
        let Some(l) = listings::by_id(db, id).await? else {
            return Ok(None);
        };
        let skus = skus::of_listing(db, id).await?;
        let images = images::of_listing(db, id).await?;
        let all = self.categories().await?;
        let path = Self::path_in(&all, l.category_id);
        let ship_within_hours = self.ship_within_of(&path);
        let seller = self
            .identity()
            .org_summary(OrgId(l.seller_org_id))
            .await?
            .ok_or(CatalogError::NotFound(Missing::Seller))?;
        let revision = revisions::latest_of(db, id).await?;
        let producer = match l.producer_org_id {
            Some(p) => self.identity().org_summary(OrgId(p)).await?,
            None => None,
        };
        Ok(Some(ListingBundle {
            listing: l,
            skus,
            images,
            path,
            seller,
            producer,
            revision,
            ship_within_hours,
        }))
    }

    /// A listing that a use case just wrote, reloaded for its answer.
    pub(crate) async fn reload(&self, id: ListingId) -> Result<ListingBundle> {
        self.bundle(id)
            .await?
            .ok_or(CatalogError::NotFound(Missing::Listing))
    }

    /// Whether `actor` sees the listing as its seller or the operator does.
    pub fn manages(actor: Option<&Actor>, seller: OrgId) -> bool {
        actor.is_some_and(|a| a.is_operator() || a.membership(seller).is_some())
    }

    /// A listing for its page: public when it is on sale or sold out; otherwise only for its
    /// seller and the operator (everyone else gets 404, as if it did not exist).
    #[tracing::instrument(skip_all, fields(listing.id = %id))]
    pub async fn listing_for(&self, actor: Option<&Actor>, id: ListingId) -> Result<ListingBundle> {
        let b = self.reload(id).await?;
        if b.availability() == Availability::Hidden && !Self::manages(actor, b.seller_id()) {
            return Err(CatalogError::NotFound(Missing::Listing));
        }
        Ok(b)
    }

    /// An organisation's listings, for its members (and the operator).
    #[tracing::instrument(skip_all, fields(org.id = %org))]
    pub async fn seller_listings(
        &self,
        actor: &Actor,
        org: OrgId,
        status: Option<ListingStatus>,
    ) -> Result<Vec<ListingBundle>> {
        actor.require_member_or_operator(org)?;
        let ids = listings::ids_of_seller(&self.infra().db, org, status, 500).await?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(b) = self.bundle(id).await? {
                out.push(b);
            }
        }
        Ok(out)
    }

    /// The change log of a listing's SKUs, newest first (seller members and the operator).
    #[tracing::instrument(skip_all, fields(listing.id = %id))]
    pub async fn changes(&self, actor: &Actor, id: ListingId) -> Result<Vec<sku_change::Model>> {
        let l = self.listing_row(id).await?;
        actor.require_member_or_operator(OrgId(l.seller_org_id))?;
        Ok(skus::changes_of(&self.infra().db, id, 500).await?)
    }

    /// Listings with a SKU carrying this GTIN (14 digits), for GS1 Digital Links.
    pub async fn listings_with_gtin(&self, gtin: &str) -> Result<Vec<ListingId>> {
        Ok(skus::listing_ids_with_gtin(&self.infra().db, gtin).await?)
    }

    pub(crate) async fn listing_row(&self, id: ListingId) -> Result<listing::Model> {
        listings::by_id(&self.infra().db, id)
            .await?
            .ok_or(CatalogError::NotFound(Missing::Listing))
    }

    /// Loads a listing its seller is about to change, refusing everyone but a member of a
    /// verified selling organisation that owns it.
    pub(crate) async fn listing_for_seller(
        &self,
        actor: &Actor,
        id: ListingId,
    ) -> Result<listing::Model> {
        let l = self.listing_row(id).await?;
        if actor.membership(OrgId(l.seller_org_id)).is_none() {
            return Err(CatalogError::Forbidden);
        }
        actor.require_selling_member(OrgId(l.seller_org_id))?;
        Ok(l)
    }
}
