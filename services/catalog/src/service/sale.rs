//! What the orders service needs from the catalogue: SKUs as they can be bought right now, and
//! stock taken and returned atomically inside the caller's transaction (a conditional update,
//! never read-modify-write), so an order and its stock commit or fail together. Also the
//! listing's sales count that "sort by sales" reads.

use super::tiers_of;
use crate::Catalog;
use crate::domain::{self, Availability, Tier};
use crate::error::Result;
use crate::store::queries::{categories, images, listings, skus};
use crate::store::{category, listing, sku};
use farmgate_identity::{OrgStatus, OrgSummary};
use farmgate_infra::db::begin_write;
use farmgate_kernel::id::{CategoryId, ListingId, SkuId};
use sea_orm::ConnectionTrait;
use std::collections::HashMap;
use uuid::Uuid;

/// Why a SKU cannot be bought now.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unavailable {
    /// The listing is not on sale (not approved, delisted, or its seller not verified).
    ListingOff,
    /// The seller switched this SKU off.
    SkuOff,
    /// No stock left.
    SoldOut,
}

/// A SKU with what an order line snapshots: its listing, seller, category terms and tiers.
#[derive(Clone, Debug)]
pub struct ForSale {
    pub sku: sku::Model,
    pub listing: listing::Model,
    pub seller: OrgSummary,
    /// The listing's category: commission and claim window are fixed on the line from it.
    pub category: category::Model,
    /// The ship-within (hours) the category promises, its own or inherited from its parent;
    /// `None`: the platform's default applies (orders fixes the sub-order's promise from it).
    pub ship_within_hours: Option<i32>,
    pub tiers: Vec<Tier>,
    pub unavailable: Option<Unavailable>,
    /// The listing's first photo as a thumbnail URL (`/media/…`), if it has one: the cart and
    /// checkout show it beside the line.
    pub thumb_url: Option<String>,
}

impl ForSale {
    pub fn sku_id(&self) -> SkuId {
        SkuId(self.sku.id)
    }

    pub fn listing_id(&self) -> ListingId {
        ListingId(self.listing.id)
    }

    pub fn category_id(&self) -> CategoryId {
        CategoryId(self.category.id)
    }
}

/// Each listing's first photo as a thumbnail URL (listings without a photo are absent).
async fn thumbs_of(
    conn: &impl ConnectionTrait,
    listing_ids: &[Uuid],
) -> Result<HashMap<Uuid, String>> {
    let mut ids = listing_ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut out = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    for i in images::of_listings(conn, &ids).await? {
        out.entry(i.listing_id)
            .or_insert_with(|| format!("/media/{}", i.thumb_key));
    }
    Ok(out)
}

impl Catalog {
    /// The first photo of each listing asked for, as a thumbnail URL (`/media/…`): order lines
    /// show it (a listing without photos, or one no longer there, is absent from the map).
    #[tracing::instrument(skip_all, fields(listings = listing_ids.len()))]
    pub async fn thumbnails(
        &self,
        listing_ids: &[ListingId],
    ) -> Result<HashMap<ListingId, String>> {
        let ids: Vec<Uuid> = listing_ids.iter().map(|l| l.as_uuid()).collect();
        Ok(thumbs_of(&self.infra().db, &ids)
            .await?
            .into_iter()
            .map(|(k, v)| (ListingId(k), v))
            .collect())
    }

    /// The SKUs asked for, as they stand now (unknown ids are absent from the map).
    #[tracing::instrument(skip_all, fields(skus = sku_ids.len()))]
    pub async fn for_sale(&self, sku_ids: &[SkuId]) -> Result<HashMap<SkuId, ForSale>> {
        let db = &self.infra().db;
        let skus = skus::by_ids(db, sku_ids).await?;
        let listing_ids: Vec<Uuid> = skus.iter().map(|s| s.listing_id).collect();
        let listings: HashMap<Uuid, listing::Model> = listings::by_ids(db, &listing_ids)
            .await?
            .into_iter()
            .map(|l| (l.id, l))
            .collect();
        let seller_ids: Vec<Uuid> = listings.values().map(|l| l.seller_org_id).collect();
        let sellers = self.sellers(&seller_ids).await?;
        // The whole tree (it is small): a subcategory inherits its parent's ship-within.
        let all = categories::all(db).await?;
        let categories: HashMap<Uuid, category::Model> =
            all.iter().map(|c| (c.id, c.clone())).collect();
        let thumbs = thumbs_of(db, &listing_ids).await?;
        let mut out = HashMap::new();
        for s in skus {
            let Some(l) = listings.get(&s.listing_id) else {
                continue;
            };
            let (Some(seller), Some(cat)) = (
                sellers.get(&l.seller_org_id),
                categories.get(&l.category_id),
            ) else {
                continue;
            };
            let listing_on =
                domain::availability(l.status, seller.status == OrgStatus::Verified, 1)
                    == Availability::OnSale;
            let unavailable = if !listing_on {
                Some(Unavailable::ListingOff)
            } else if !s.active {
                Some(Unavailable::SkuOff)
            } else if s.stock < 1 {
                Some(Unavailable::SoldOut)
            } else {
                None
            };
            out.insert(
                SkuId(s.id),
                ForSale {
                    tiers: tiers_of(&s),
                    listing: l.clone(),
                    seller: seller.clone(),
                    category: cat.clone(),
                    ship_within_hours: domain::inherited_ship_within(
                        Self::path_in(&all, cat.id)
                            .iter()
                            .rev()
                            .map(|c| c.ship_within_hours),
                    ),
                    unavailable,
                    thumb_url: thumbs.get(&s.listing_id).cloned(),
                    sku: s,
                },
            );
        }
        Ok(out)
    }

    /// Takes `quantity` of a SKU inside the caller's transaction: `false` (and nothing changed)
    /// when the SKU is switched off or has fewer left. Selling the last one tells search.
    #[tracing::instrument(skip_all, fields(sku.id = %sku_id, quantity))]
    pub async fn take_stock(
        &self,
        conn: &impl ConnectionTrait,
        sku_id: SkuId,
        quantity: i64,
    ) -> Result<bool> {
        if !skus::take_stock(conn, sku_id, quantity, self.now()).await? {
            return Ok(false);
        }
        if let Some(s) = skus::by_id(conn, sku_id).await?
            && s.stock == 0
        {
            self.publish(conn, ListingId(s.listing_id)).await?;
        }
        Ok(true)
    }

    /// Puts `quantity` back (an unpaid order cancelled or expired), inside the caller's
    /// transaction. Stock coming back from zero tells search.
    #[tracing::instrument(skip_all, fields(sku.id = %sku_id, quantity))]
    pub async fn return_stock(
        &self,
        conn: &impl ConnectionTrait,
        sku_id: SkuId,
        quantity: i64,
    ) -> Result<()> {
        skus::return_stock(conn, sku_id, quantity, self.now()).await?;
        if let Some(s) = skus::by_id(conn, sku_id).await?
            && s.stock == quantity
        {
            self.publish(conn, ListingId(s.listing_id)).await?;
        }
        Ok(())
    }

    /// Adds to a listing's sales count (what "sort by sales" uses) when an order is paid.
    #[tracing::instrument(skip_all, fields(listing.id = %listing_id, quantity))]
    pub async fn add_sales(
        &self,
        conn: &impl ConnectionTrait,
        listing_id: ListingId,
        quantity: i64,
    ) -> Result<()> {
        listings::add_sales(conn, listing_id, quantity).await?;
        self.publish(conn, listing_id).await
    }

    /// Sets a listing's sales count outright: the demo seed and tests, which have no orders
    /// behind the number.
    #[tracing::instrument(skip_all, fields(listing.id = %listing_id, sales))]
    pub async fn set_sales(&self, listing_id: ListingId, sales: i64) -> Result<()> {
        let txn = begin_write(&self.infra().db).await?;
        listings::set_sales(&txn, listing_id, sales).await?;
        self.publish(&txn, listing_id).await?;
        self.commit(txn).await
    }
}
