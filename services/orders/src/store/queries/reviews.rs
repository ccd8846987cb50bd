//! Reviews and the photos uploaded for them.

use crate::store::{review, review_photo};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

pub async fn reviews_of_order(
    conn: &impl ConnectionTrait,
    order_id: Uuid,
) -> Result<Vec<review::Model>, DbErr> {
    review::Entity::find()
        .filter(review::Column::OrderId.eq(order_id))
        .all(conn)
        .await
}

pub async fn review_of_line(
    conn: &impl ConnectionTrait,
    line_id: Uuid,
) -> Result<Option<review::Model>, DbErr> {
    review::Entity::find()
        .filter(review::Column::LineId.eq(line_id))
        .one(conn)
        .await
}

/// How many shown (not hidden) reviews of a listing gave 1, 2, 3, 4 and 5 stars.
pub async fn star_counts(conn: &impl ConnectionTrait, listing_id: Uuid) -> Result<[u64; 5], DbErr> {
    let counts: Vec<(i16, i64)> = review::Entity::find()
        .select_only()
        .column(review::Column::Rating)
        .column_as(review::Column::Id.count(), "n")
        .filter(review::Column::ListingId.eq(listing_id))
        .filter(review::Column::HiddenAt.is_null())
        .group_by(review::Column::Rating)
        .into_tuple()
        .all(conn)
        .await?;
    let mut stars = [0u64; 5];
    for (rating, n) in counts {
        if let Some(slot) = usize::try_from(rating - 1)
            .ok()
            .and_then(|i| stars.get_mut(i))
        {
            *slot = u64::try_from(n).unwrap_or(0);
        }
    }
    Ok(stars)
}

/// A page of a listing's shown (not hidden) reviews, newest first, and how many there are.
pub async fn reviews_of_listing(
    conn: &impl ConnectionTrait,
    listing_id: Uuid,
    offset: u64,
    limit: u64,
) -> Result<(Vec<review::Model>, u64), DbErr> {
    let q = review::Entity::find()
        .filter(review::Column::ListingId.eq(listing_id))
        .filter(review::Column::HiddenAt.is_null())
        .order_by_desc(review::Column::CreatedAt);
    let total = q.clone().count(conn).await?;
    let rows = q.offset(offset).limit(limit).all(conn).await?;
    Ok((rows, total))
}

/// Photos an account uploaded that no review uses yet.
pub async fn count_unused_photos(conn: &impl ConnectionTrait, account: Uuid) -> Result<u64, DbErr> {
    review_photo::Entity::find()
        .filter(review_photo::Column::AccountId.eq(account))
        .filter(review_photo::Column::ReviewId.is_null())
        .count(conn)
        .await
}

/// Of these photos, the ones the account uploaded and no review uses yet.
pub async fn unused_photos(
    conn: &impl ConnectionTrait,
    account: Uuid,
    ids: &[Uuid],
) -> Result<Vec<review_photo::Model>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    review_photo::Entity::find()
        .filter(review_photo::Column::Id.is_in(ids.to_vec()))
        .filter(review_photo::Column::AccountId.eq(account))
        .filter(review_photo::Column::ReviewId.is_null())
        .all(conn)
        .await
}

/// The photos now belong to a review; how many did (fewer than `ids`: one was taken).
pub async fn attach_photos(
    conn: &impl ConnectionTrait,
    ids: &[Uuid],
    review_id: Uuid,
) -> Result<u64, DbErr> {
    if ids.is_empty() {
        return Ok(0);
    }
    // Only photos no review uses: one checked free a moment ago may have gone to a review
    // posted at the same time; the caller counts what it got.
    let done = review_photo::Entity::update_many()
        .col_expr(review_photo::Column::ReviewId, Expr::value(review_id))
        .filter(review_photo::Column::Id.is_in(ids.to_vec()))
        .filter(review_photo::Column::ReviewId.is_null())
        .exec(conn)
        .await?;
    Ok(done.rows_affected)
}
