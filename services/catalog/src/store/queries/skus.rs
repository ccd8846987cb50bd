//! SKUs: their rows, atomic stock moves, and the price and stock change log.

use crate::domain::SkuChangeField;
use crate::store::{sku, sku_change};
use chrono::{DateTime, Utc};
use farmgate_kernel::id::{AccountId, ListingId, SkuId};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use uuid::Uuid;

pub async fn by_id(conn: &impl ConnectionTrait, id: SkuId) -> Result<Option<sku::Model>, DbErr> {
    sku::Entity::find_by_id(id.as_uuid()).one(conn).await
}

pub async fn by_ids(conn: &impl ConnectionTrait, ids: &[SkuId]) -> Result<Vec<sku::Model>, DbErr> {
    let ids: Vec<Uuid> = ids.iter().map(SkuId::as_uuid).collect();
    sku::Entity::find()
        .filter(sku::Column::Id.is_in(ids))
        .all(conn)
        .await
}

/// A listing's SKUs in the seller's order.
pub async fn of_listing(
    conn: &impl ConnectionTrait,
    listing: ListingId,
) -> Result<Vec<sku::Model>, DbErr> {
    sku::Entity::find()
        .filter(sku::Column::ListingId.eq(listing.as_uuid()))
        .order_by_asc(sku::Column::SortOrder)
        .order_by_asc(sku::Column::CreatedAt)
        .all(conn)
        .await
}

/// The SKUs of many listings (search documents).
pub async fn of_listings(
    conn: &impl ConnectionTrait,
    listings: &[Uuid],
) -> Result<Vec<sku::Model>, DbErr> {
    sku::Entity::find()
        .filter(sku::Column::ListingId.is_in(listings.to_vec()))
        .all(conn)
        .await
}

pub async fn count(conn: &impl ConnectionTrait, listing: ListingId) -> Result<u64, DbErr> {
    sku::Entity::find()
        .filter(sku::Column::ListingId.eq(listing.as_uuid()))
        .count(conn)
        .await
}

/// SKUs the seller has not switched off (submitting for review needs one).
pub async fn count_active(conn: &impl ConnectionTrait, listing: ListingId) -> Result<u64, DbErr> {
    sku::Entity::find()
        .filter(sku::Column::ListingId.eq(listing.as_uuid()))
        .filter(sku::Column::Active.eq(true))
        .count(conn)
        .await
}

pub async fn insert(conn: &impl ConnectionTrait, model: &sku::Model) -> Result<(), DbErr> {
    sku::Entity::insert(sku::ActiveModel::from(model.clone()))
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// Takes `quantity` in one conditional update: `false` (and nothing changed) when the SKU is
/// switched off or has fewer left. Never read-modify-write.
pub async fn take_stock(
    conn: &impl ConnectionTrait,
    id: SkuId,
    quantity: i64,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let done = sku::Entity::update_many()
        .col_expr(
            sku::Column::Stock,
            Expr::col(sku::Column::Stock).sub(quantity),
        )
        .col_expr(sku::Column::UpdatedAt, Expr::value(now))
        .filter(sku::Column::Id.eq(id.as_uuid()))
        .filter(sku::Column::Active.eq(true))
        .filter(sku::Column::Stock.gte(quantity))
        .exec(conn)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Puts `quantity` back in one update.
pub async fn return_stock(
    conn: &impl ConnectionTrait,
    id: SkuId,
    quantity: i64,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    sku::Entity::update_many()
        .col_expr(
            sku::Column::Stock,
            Expr::col(sku::Column::Stock).add(quantity),
        )
        .col_expr(sku::Column::UpdatedAt, Expr::value(now))
        .filter(sku::Column::Id.eq(id.as_uuid()))
        .exec(conn)
        .await?;
    Ok(())
}

/// Listings with a SKU carrying this GTIN (14 digits).
pub async fn listing_ids_with_gtin(
    conn: &impl ConnectionTrait,
    gtin: &str,
) -> Result<Vec<ListingId>, DbErr> {
    let ids: Vec<Uuid> = sku::Entity::find()
        .select_only()
        .column(sku::Column::ListingId)
        .filter(sku::Column::Gtin.eq(gtin))
        .into_tuple()
        .all(conn)
        .await?;
    Ok(ids.into_iter().map(ListingId).collect())
}

/// One entry of the change log (append-only).
pub struct SkuChange<'a> {
    pub sku: &'a sku::Model,
    pub field: SkuChangeField,
    pub old: &'a str,
    pub new: &'a str,
    pub actor: AccountId,
    pub at: DateTime<Utc>,
}

pub async fn log_change(conn: &impl ConnectionTrait, c: SkuChange<'_>) -> Result<(), DbErr> {
    sku_change::Entity::insert(sku_change::ActiveModel {
        id: Set(Uuid::now_v7()),
        sku_id: Set(c.sku.id),
        listing_id: Set(c.sku.listing_id),
        field: Set(c.field),
        old_value: Set(c.old.to_owned()),
        new_value: Set(c.new.to_owned()),
        actor_id: Set(Some(c.actor.as_uuid())),
        at: Set(c.at),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// A listing's change log, newest first; at most `limit` entries.
pub async fn changes_of(
    conn: &impl ConnectionTrait,
    listing: ListingId,
    limit: u64,
) -> Result<Vec<sku_change::Model>, DbErr> {
    sku_change::Entity::find()
        .filter(sku_change::Column::ListingId.eq(listing.as_uuid()))
        .order_by_desc(sku_change::Column::At)
        .order_by_desc(sku_change::Column::Id)
        .limit(limit)
        .all(conn)
        .await
}
