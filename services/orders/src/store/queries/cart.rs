//! The cart: one row per account and SKU.

use crate::store::cart_item;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

/// An account's cart lines, oldest first.
pub async fn items_of(
    conn: &impl ConnectionTrait,
    account: Uuid,
) -> Result<Vec<cart_item::Model>, DbErr> {
    cart_item::Entity::find()
        .filter(cart_item::Column::AccountId.eq(account))
        .order_by_asc(cart_item::Column::AddedAt)
        .all(conn)
        .await
}

pub async fn item(
    conn: &impl ConnectionTrait,
    account: Uuid,
    sku: Uuid,
) -> Result<Option<cart_item::Model>, DbErr> {
    cart_item::Entity::find_by_id((account, sku))
        .one(conn)
        .await
}

pub async fn count_items(conn: &impl ConnectionTrait, account: Uuid) -> Result<u64, DbErr> {
    cart_item::Entity::find()
        .filter(cart_item::Column::AccountId.eq(account))
        .count(conn)
        .await
}

/// The price the buyer has now been shown for a cart line.
pub async fn remember_price(
    conn: &impl ConnectionTrait,
    account: Uuid,
    sku: Uuid,
    price_fen: i64,
) -> Result<(), DbErr> {
    cart_item::Entity::update_many()
        .col_expr(cart_item::Column::PriceSeenFen, Expr::value(price_fen))
        .filter(cart_item::Column::AccountId.eq(account))
        .filter(cart_item::Column::SkuId.eq(sku))
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn remove(conn: &impl ConnectionTrait, account: Uuid, sku: Uuid) -> Result<(), DbErr> {
    cart_item::Entity::delete_by_id((account, sku))
        .exec(conn)
        .await?;
    Ok(())
}
