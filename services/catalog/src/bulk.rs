//! Bulk loading of approved listings, for the search load script (`tests/load/search.sh`),
//! which needs a hundred thousand listings in minutes rather than the hours the one-at-a-time
//! review path would take. It writes straight to the catalogue's tables, skipping review and
//! the search outbox: call [`crate::Catalog::rebuild_index`] afterwards. No route reaches it.

use crate::domain::{ListingStatus, Unit};
use crate::store::{listing, sku};
use chrono::{DateTime, Utc};
use farmgate_kernel::id::{AccountId, CategoryId, ListingId, OrgId, SkuId};
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, Set};

/// One approved listing in the seller's county, with its SKUs.
#[derive(Clone, Debug)]
pub struct BulkListing {
    pub seller_org_id: OrgId,
    pub created_by: AccountId,
    pub category_id: CategoryId,
    pub title: String,
    pub description: String,
    pub province: String,
    pub city: String,
    pub county: String,
    pub township: Option<String>,
    pub shelf_life_days: Option<i32>,
    pub sales: i64,
    pub at: DateTime<Utc>,
    pub skus: Vec<BulkSku>,
}

/// One SKU of a [`BulkListing`].
#[derive(Clone, Debug)]
pub struct BulkSku {
    pub name: String,
    pub unit: Unit,
    pub price_fen: i64,
    pub stock: i64,
    pub weight_grams: i32,
}

/// Inserts the listings and their SKUs (in the caller's transaction) and returns their ids.
pub async fn insert_approved(
    conn: &impl ConnectionTrait,
    listings: Vec<BulkListing>,
) -> Result<Vec<ListingId>, DbErr> {
    let mut ls = Vec::with_capacity(listings.len());
    let mut ss = Vec::with_capacity(listings.len() * 2);
    let mut ids = Vec::with_capacity(listings.len());
    for l in listings {
        let id = ListingId::new();
        ids.push(id);
        for (k, s) in l.skus.into_iter().enumerate() {
            ss.push(sku::ActiveModel {
                id: Set(SkuId::new().0),
                listing_id: Set(id.0),
                name: Set(s.name),
                unit: Set(s.unit),
                price_fen: Set(s.price_fen),
                stock: Set(s.stock),
                weight_grams: Set(s.weight_grams),
                net_weight_grams: Set(None),
                catch_tolerance_permille: Set(None),
                gtin: Set(None),
                tiers: Set(serde_json::json!([])),
                active: Set(true),
                sort_order: Set(i32::try_from(k).unwrap_or(i32::MAX)),
                created_at: Set(l.at),
                updated_at: Set(l.at),
            });
        }
        ls.push(listing::ActiveModel {
            id: Set(id.0),
            seller_org_id: Set(l.seller_org_id.0),
            category_id: Set(l.category_id.0),
            title: Set(l.title),
            description: Set(l.description),
            province: Set(l.province),
            city: Set(l.city),
            county: Set(l.county),
            township: Set(l.township),
            village: Set(None),
            origin_note: Set(None),
            season: Set(None),
            storage: Set(None),
            shelf_life_days: Set(l.shelf_life_days),
            status: Set(ListingStatus::Approved),
            status_reason: Set(None),
            sales: Set(l.sales),
            created_by: Set(l.created_by.0),
            created_at: Set(l.at),
            updated_at: Set(l.at),
            approved_at: Set(Some(l.at)),
            producer_org_id: Set(None),
        });
    }
    if !ls.is_empty() {
        listing::Entity::insert_many(ls).exec(conn).await?;
    }
    if !ss.is_empty() {
        sku::Entity::insert_many(ss).exec(conn).await?;
    }
    Ok(ids)
}
