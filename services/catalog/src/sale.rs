//! What the orders service needs from the catalogue: SKUs as they can be bought right now, and
//! stock taken and returned atomically inside the caller's transaction (a conditional update,
//! never read-modify-write), so an order and its stock commit or fail together.

use crate::Catalog;
use crate::domain::{self, Availability, Tier};
use crate::error::Result;
use crate::service::{status_of, tiers_of};
use crate::store::{category, listing, sku};
use farmgate_identity::{OrgStatus, OrgSummary};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
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
    pub tiers: Vec<Tier>,
    pub unavailable: Option<Unavailable>,
}

impl Catalog {
    /// The SKUs asked for, as they stand now (unknown ids are absent from the map).
    pub async fn for_sale(&self, sku_ids: &[Uuid]) -> Result<HashMap<Uuid, ForSale>> {
        let db = &self.infra().db;
        let skus = sku::Entity::find()
            .filter(sku::Column::Id.is_in(sku_ids.to_vec()))
            .all(db)
            .await?;
        let listing_ids: Vec<Uuid> = skus.iter().map(|s| s.listing_id).collect();
        let listings: HashMap<Uuid, listing::Model> = listing::Entity::find()
            .filter(listing::Column::Id.is_in(listing_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|l| (l.id, l))
            .collect();
        let seller_ids: Vec<Uuid> = listings.values().map(|l| l.seller_org_id).collect();
        let sellers = self.sellers(&seller_ids).await?;
        let category_ids: Vec<Uuid> = listings.values().map(|l| l.category_id).collect();
        let categories: HashMap<Uuid, category::Model> = category::Entity::find()
            .filter(category::Column::Id.is_in(category_ids))
            .all(db)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
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
                domain::availability(status_of(l)?, seller.status == OrgStatus::Verified, 1)
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
                s.id,
                ForSale {
                    tiers: tiers_of(&s),
                    listing: l.clone(),
                    seller: seller.clone(),
                    category: cat.clone(),
                    unavailable,
                    sku: s,
                },
            );
        }
        Ok(out)
    }

    /// Takes `quantity` of a SKU inside the caller's transaction: `false` (and nothing changed)
    /// when the SKU is switched off or has fewer left. Selling the last one tells search.
    pub async fn take_stock(
        &self,
        conn: &impl ConnectionTrait,
        sku_id: Uuid,
        quantity: i64,
    ) -> Result<bool> {
        let done = sku::Entity::update_many()
            .col_expr(
                sku::Column::Stock,
                Expr::col(sku::Column::Stock).sub(quantity),
            )
            .col_expr(sku::Column::UpdatedAt, Expr::value(self.now()))
            .filter(sku::Column::Id.eq(sku_id))
            .filter(sku::Column::Active.eq(true))
            .filter(sku::Column::Stock.gte(quantity))
            .exec(conn)
            .await?;
        if done.rows_affected != 1 {
            return Ok(false);
        }
        if let Some(s) = sku::Entity::find_by_id(sku_id).one(conn).await?
            && s.stock == 0
        {
            self.publish(conn, s.listing_id).await?;
        }
        Ok(true)
    }

    /// Puts `quantity` back (an unpaid order cancelled or expired), inside the caller's
    /// transaction. Stock coming back from zero tells search.
    pub async fn return_stock(
        &self,
        conn: &impl ConnectionTrait,
        sku_id: Uuid,
        quantity: i64,
    ) -> Result<()> {
        sku::Entity::update_many()
            .col_expr(
                sku::Column::Stock,
                Expr::col(sku::Column::Stock).add(quantity),
            )
            .col_expr(sku::Column::UpdatedAt, Expr::value(self.now()))
            .filter(sku::Column::Id.eq(sku_id))
            .exec(conn)
            .await?;
        if let Some(s) = sku::Entity::find_by_id(sku_id).one(conn).await?
            && s.stock == quantity
        {
            self.publish(conn, s.listing_id).await?;
        }
        Ok(())
    }

    /// Adds to a listing's sales count (what "sort by sales" uses) when an order is paid.
    pub async fn add_sales(
        &self,
        conn: &impl ConnectionTrait,
        listing_id: Uuid,
        quantity: i64,
    ) -> Result<()> {
        listing::Entity::update_many()
            .col_expr(
                listing::Column::Sales,
                Expr::col(listing::Column::Sales).add(quantity),
            )
            .filter(listing::Column::Id.eq(listing_id))
            .exec(conn)
            .await?;
        self.publish(conn, listing_id).await
    }
}
