//! Listing photos: the rows that point at the stored files.

use crate::domain::ImageId;
use crate::store::image;
use farmgate_kernel::id::ListingId;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

/// A listing's photos in display order.
pub async fn of_listing(
    conn: &impl ConnectionTrait,
    listing: ListingId,
) -> Result<Vec<image::Model>, DbErr> {
    of_listings(conn, &[listing.as_uuid()]).await
}

/// The photos of many listings, each listing's in display order (search documents).
pub async fn of_listings(
    conn: &impl ConnectionTrait,
    listings: &[Uuid],
) -> Result<Vec<image::Model>, DbErr> {
    image::Entity::find()
        .filter(image::Column::ListingId.is_in(listings.to_vec()))
        .order_by_asc(image::Column::Position)
        .order_by_asc(image::Column::CreatedAt)
        .all(conn)
        .await
}

pub async fn count(conn: &impl ConnectionTrait, listing: ListingId) -> Result<u64, DbErr> {
    image::Entity::find()
        .filter(image::Column::ListingId.eq(listing.as_uuid()))
        .count(conn)
        .await
}

/// A photo, only if it belongs to this listing.
pub async fn in_listing(
    conn: &impl ConnectionTrait,
    listing: ListingId,
    id: ImageId,
) -> Result<Option<image::Model>, DbErr> {
    image::Entity::find_by_id(id.as_uuid())
        .filter(image::Column::ListingId.eq(listing.as_uuid()))
        .one(conn)
        .await
}

pub async fn insert(conn: &impl ConnectionTrait, model: &image::Model) -> Result<(), DbErr> {
    image::Entity::insert(image::ActiveModel::from(model.clone()))
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

pub async fn delete(conn: &impl ConnectionTrait, id: ImageId) -> Result<(), DbErr> {
    image::Entity::delete_by_id(id.as_uuid()).exec(conn).await?;
    Ok(())
}

pub async fn set_position(
    conn: &impl ConnectionTrait,
    id: ImageId,
    position: i32,
) -> Result<(), DbErr> {
    image::Entity::update_many()
        .col_expr(
            image::Column::Position,
            sea_orm::sea_query::Expr::value(position),
        )
        .filter(image::Column::Id.eq(id.as_uuid()))
        .exec(conn)
        .await?;
    Ok(())
}
