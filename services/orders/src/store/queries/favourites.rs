//! Favourites (收藏): one row per account and listing.

use crate::store::favourite;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

/// Hearts a listing; hearting it again (or two hearts racing) keeps the first. Whether a row
/// was added.
pub async fn add(conn: &impl ConnectionTrait, row: favourite::Model) -> Result<bool, DbErr> {
    let added = favourite::Entity::insert(favourite::ActiveModel::from(row))
        .on_conflict(
            OnConflict::columns([favourite::Column::AccountId, favourite::Column::ListingId])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(added > 0)
}

pub async fn remove(
    conn: &impl ConnectionTrait,
    account: Uuid,
    listing: Uuid,
) -> Result<(), DbErr> {
    favourite::Entity::delete_by_id((account, listing))
        .exec(conn)
        .await
        .map(|_| ())
}

pub async fn one(
    conn: &impl ConnectionTrait,
    account: Uuid,
    listing: Uuid,
) -> Result<Option<favourite::Model>, DbErr> {
    favourite::Entity::find_by_id((account, listing))
        .one(conn)
        .await
}

pub async fn count(conn: &impl ConnectionTrait, account: Uuid) -> Result<u64, DbErr> {
    favourite::Entity::find()
        .filter(favourite::Column::AccountId.eq(account))
        .count(conn)
        .await
}

/// A page of an account's favourites, newest first, and how many there are.
pub async fn page_of(
    conn: &impl ConnectionTrait,
    account: Uuid,
    offset: u64,
    limit: u64,
) -> Result<(Vec<favourite::Model>, u64), DbErr> {
    let q = favourite::Entity::find().filter(favourite::Column::AccountId.eq(account));
    let total = q.clone().count(conn).await?;
    let rows = q
        .order_by_desc(favourite::Column::CreatedAt)
        .order_by_asc(favourite::Column::ListingId)
        .offset(offset)
        .limit(limit)
        .all(conn)
        .await?;
    Ok((rows, total))
}
