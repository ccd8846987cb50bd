//! Wholesale prices on product cards: for each listing a card shows, the cheapest wholesale
//! tier among its SKUs on sale, for a viewer who may see tiers (a verified business buyer, the
//! seller's own members, the operator). Search answers are the same for everyone and cached;
//! a business buyer's page asks for these beside them, for the listings it shows.

use crate::Catalog;
use crate::domain::{ListingStatus, Tier, Unit};
use crate::error::Result;
use crate::service::tiers_of;
use crate::store::{listing, sku};
use farmgate_identity::Actor;
use farmgate_kernel::id::{ListingId, OrgId};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// The most listings one request may name (a page of search results is at most 60).
pub const MAX_WHOLESALE_LISTINGS: usize = 60;

/// Whether `viewer` may see wholesale prices of `seller`'s listings: a verified business buyer,
/// a member of the selling organisation, or the operator.
pub fn sees_tiers(viewer: Option<&Actor>, seller: OrgId) -> bool {
    viewer.is_some_and(|a| {
        a.is_operator() || a.membership(seller).is_some() || a.wholesale_buyer_org().is_some()
    })
}

/// A listing's cheapest wholesale tier.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct WholesalePrice {
    pub listing_id: Uuid,
    /// The SKU the tier belongs to.
    pub sku_id: Uuid,
    /// Unit price at this tier, fen.
    pub price: i64,
    /// From how many units the price applies.
    pub min_quantity: i64,
    pub unit: Unit,
    /// The SKU's retail price, fen.
    pub retail_price: i64,
}

/// The cheapest tier among `skus` (the SKUs with stock when any has stock, else all active
/// ones), ties broken by the smaller quantity.
pub fn cheapest_tier(skus: &[sku::Model]) -> Option<(&sku::Model, Tier)> {
    let active: Vec<&sku::Model> = skus.iter().filter(|s| s.active).collect();
    let in_stock: Vec<&sku::Model> = active.iter().copied().filter(|s| s.stock > 0).collect();
    let pool = if in_stock.is_empty() {
        active
    } else {
        in_stock
    };
    pool.into_iter()
        .flat_map(|s| tiers_of(s).into_iter().map(move |t| (s, t)))
        .min_by_key(|(_, t)| (t.price, t.min_quantity))
}

impl Catalog {
    /// The cheapest wholesale tier of each approved listing in `ids` that `viewer` may see
    /// tiers of; listings without tiers, not on sale or unknown are left out.
    pub async fn wholesale_prices(
        &self,
        viewer: &Actor,
        ids: &[ListingId],
    ) -> Result<Vec<WholesalePrice>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let db = &self.infra().db;
        let listings = listing::Entity::find()
            .filter(listing::Column::Id.is_in(ids.iter().map(|i| i.0)))
            .filter(listing::Column::Status.eq(ListingStatus::Approved))
            .all(db)
            .await?;
        let visible: Vec<Uuid> = listings
            .iter()
            .filter(|l| sees_tiers(Some(viewer), OrgId(l.seller_org_id)))
            .map(|l| l.id)
            .collect();
        if visible.is_empty() {
            return Ok(Vec::new());
        }
        let mut by_listing: HashMap<Uuid, Vec<sku::Model>> = HashMap::new();
        for s in sku::Entity::find()
            .filter(sku::Column::ListingId.is_in(visible.iter().copied()))
            .all(db)
            .await?
        {
            by_listing.entry(s.listing_id).or_default().push(s);
        }
        // In the order asked, each once.
        let mut seen = std::collections::HashSet::new();
        Ok(ids
            .iter()
            .filter(|id| seen.insert(id.0))
            .filter_map(|id| {
                let skus = by_listing.get(&id.0)?;
                let (s, tier) = cheapest_tier(skus)?;
                Some(WholesalePrice {
                    listing_id: id.0,
                    sku_id: s.id,
                    price: tier.price,
                    min_quantity: tier.min_quantity,
                    unit: s.unit,
                    retail_price: s.price_fen,
                })
            })
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use serde_json::json;

    fn sku(price: i64, stock: i64, active: bool, tiers: serde_json::Value) -> sku::Model {
        sku::Model {
            id: Uuid::now_v7(),
            listing_id: Uuid::nil(),
            name: "箱".into(),
            unit: Unit::Box,
            price_fen: price,
            stock,
            weight_grams: 5000,
            net_weight_grams: None,
            catch_tolerance_permille: None,
            gtin: None,
            tiers,
            active,
            sort_order: 0,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn the_cheapest_tier_of_the_skus_in_stock() {
        let skus = vec![
            sku(
                5000,
                10,
                true,
                json!([{"min_quantity": 10, "price": 4500}, {"min_quantity": 50, "price": 4000}]),
            ),
            // Cheaper, but sold out: a card shows what can be bought.
            sku(3000, 0, true, json!([{"min_quantity": 10, "price": 2500}])),
            // Cheaper, but withdrawn.
            sku(3000, 9, false, json!([{"min_quantity": 10, "price": 2000}])),
        ];
        let Some((s, t)) = cheapest_tier(&skus) else {
            panic!("a tier")
        };
        assert_eq!((s.price_fen, t.price, t.min_quantity), (5000, 4000, 50));
    }

    #[test]
    fn sold_out_listings_still_show_their_tier_and_no_tiers_is_none() {
        let skus = vec![sku(
            3000,
            0,
            true,
            json!([{"min_quantity": 20, "price": 2500}]),
        )];
        assert_eq!(cheapest_tier(&skus).map(|(_, t)| t.price), Some(2500));
        let plain = vec![sku(3000, 5, true, json!([]))];
        assert!(cheapest_tier(&plain).is_none());
        assert!(cheapest_tier(&[]).is_none());
    }

    #[test]
    fn equal_prices_take_the_smaller_quantity() {
        let skus = vec![
            sku(5000, 1, true, json!([{"min_quantity": 30, "price": 4000}])),
            sku(5000, 1, true, json!([{"min_quantity": 20, "price": 4000}])),
        ];
        assert_eq!(cheapest_tier(&skus).map(|(_, t)| t.min_quantity), Some(20));
    }
}
