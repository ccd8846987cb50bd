//! What the order-history generator of the demo crate (`farmgate-demo`, `farmgate
//! demo-history`) reads of the catalogue in bulk: every category's terms, the approved
//! listings and their active SKUs. It snapshots them into the order lines it writes (as
//! checkout would), so it needs the whole shop at once rather than one listing at a time.
//! The trace load script (`tests/load/trace_bench.rs`) reads the approved listings too. The
//! demo county's orders (`farmgate-demo`'s `county/orders.rs`) pick a well-stocked SKU of a
//! listing with traced batches.
//! Nothing else should use these.

use crate::domain::{ListingStatus, Tier, Unit};
use crate::service::tiers_of;
use crate::store::queries::skus;
use crate::store::{category, listing, sku};
use chrono::{DateTime, Utc};
use farmgate_kernel::id::{AccountId, CategoryId, ListingId, OrgId, SkuId};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

/// A category's name and the terms its lines are sold on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CategoryTerms {
    pub id: CategoryId,
    pub name: String,
    pub commission_bp: i32,
    pub claim_window_hours: i32,
}

/// An approved listing: who sells it, in which category, and how well it sold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApprovedListing {
    pub id: ListingId,
    pub seller_org_id: OrgId,
    /// The seller's member who listed it.
    pub created_by: AccountId,
    pub category_id: CategoryId,
    pub title: String,
    pub sales: i64,
    pub created_at: DateTime<Utc>,
}

/// An active SKU with its retail price and wholesale tiers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ActiveSku {
    pub id: SkuId,
    pub listing_id: ListingId,
    pub name: String,
    pub unit: Unit,
    pub price_fen: i64,
    pub weight_grams: i32,
    pub tiers: Vec<Tier>,
}

/// Every category (active or not: old lines keep their category).
pub async fn categories(conn: &impl ConnectionTrait) -> Result<Vec<CategoryTerms>, DbErr> {
    Ok(category::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|c| CategoryTerms {
            id: CategoryId(c.id),
            name: c.name,
            commission_bp: c.commission_bp,
            claim_window_hours: c.claim_window_hours,
        })
        .collect())
}

/// Every approved listing, oldest first.
pub async fn approved_listings(conn: &impl ConnectionTrait) -> Result<Vec<ApprovedListing>, DbErr> {
    Ok(listing::Entity::find()
        .filter(listing::Column::Status.eq(ListingStatus::Approved))
        .order_by_asc(listing::Column::CreatedAt)
        .all(conn)
        .await?
        .into_iter()
        .map(|l| ApprovedListing {
            id: ListingId(l.id),
            seller_org_id: OrgId(l.seller_org_id),
            created_by: AccountId(l.created_by),
            category_id: CategoryId(l.category_id),
            title: l.title,
            sales: l.sales,
            created_at: l.created_at,
        })
        .collect())
}

/// Every active SKU, in each listing's display order.
pub async fn active_skus(conn: &impl ConnectionTrait) -> Result<Vec<ActiveSku>, DbErr> {
    Ok(sku::Entity::find()
        .filter(sku::Column::Active.eq(true))
        .order_by_asc(sku::Column::SortOrder)
        .all(conn)
        .await?
        .into_iter()
        .map(|s| ActiveSku {
            unit: s.unit,
            // Tiers were validated when they were set; a malformed list sells at retail.
            tiers: tiers_of(&s),
            id: SkuId(s.id),
            listing_id: ListingId(s.listing_id),
            name: s.name,
            price_fen: s.price_fen,
            weight_grams: s.weight_grams,
        })
        .collect())
}

/// The first SKU of a listing, in display order, with at least `at_least` units in stock.
pub async fn sku_in_stock(
    conn: &impl ConnectionTrait,
    listing: ListingId,
    at_least: i64,
) -> Result<Option<SkuId>, DbErr> {
    Ok(skus::of_listing(conn, listing)
        .await?
        .into_iter()
        .find(|s| s.stock >= at_least)
        .map(|s| SkuId(s.id)))
}
