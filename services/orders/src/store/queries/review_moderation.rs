//! Review moderation: the seller's reply, reports, hiding and restoring. The changes are
//! conditional updates, so two requests at once cannot both reply, or both hide.

use crate::store::{review, review_moderation_event, review_report};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

pub async fn review(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<review::Model>, DbErr> {
    review::Entity::find_by_id(id).one(conn).await
}

/// Sets the seller's reply unless there is one; whether it was set.
pub async fn set_reply(
    conn: &impl ConnectionTrait,
    id: Uuid,
    text: &str,
    by: Uuid,
    at: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let r = review::Entity::update_many()
        .col_expr(review::Column::SellerReply, Expr::value(text.to_owned()))
        .col_expr(review::Column::SellerRepliedAt, Expr::value(at))
        .col_expr(review::Column::SellerRepliedBy, Expr::value(by))
        .filter(review::Column::Id.eq(id))
        .filter(review::Column::SellerReply.is_null())
        .exec(conn)
        .await?;
    Ok(r.rows_affected == 1)
}

/// Hides a shown review (`hide: true`, with the reason) or shows a hidden one again; whether
/// it changed.
pub async fn set_hidden(
    conn: &impl ConnectionTrait,
    id: Uuid,
    hide: Option<(&str, Uuid, DateTime<Utc>)>,
) -> Result<bool, DbErr> {
    let q = review::Entity::update_many().filter(review::Column::Id.eq(id));
    let r = match hide {
        Some((reason, by, at)) => {
            q.col_expr(review::Column::HiddenAt, Expr::value(at))
                .col_expr(review::Column::HiddenReason, Expr::value(reason.to_owned()))
                .col_expr(review::Column::HiddenBy, Expr::value(by))
                .filter(review::Column::HiddenAt.is_null())
                .exec(conn)
                .await?
        }
        None => {
            q.col_expr(
                review::Column::HiddenAt,
                Expr::value(Option::<DateTime<Utc>>::None),
            )
            .col_expr(
                review::Column::HiddenReason,
                Expr::value(Option::<String>::None),
            )
            .col_expr(review::Column::HiddenBy, Expr::value(Option::<Uuid>::None))
            .filter(review::Column::HiddenAt.is_not_null())
            .exec(conn)
            .await?
        }
    };
    Ok(r.rows_affected == 1)
}

pub async fn insert_report(
    conn: &impl ConnectionTrait,
    m: review_report::Model,
) -> Result<(), DbErr> {
    review_report::Entity::insert(review_report::ActiveModel::from(m))
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// Resolves the review's open reports; how many.
pub async fn resolve_reports(
    conn: &impl ConnectionTrait,
    review_id: Uuid,
    at: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let r = review_report::Entity::update_many()
        .col_expr(review_report::Column::ResolvedAt, Expr::value(at))
        .filter(review_report::Column::ReviewId.eq(review_id))
        .filter(review_report::Column::ResolvedAt.is_null())
        .exec(conn)
        .await?;
    Ok(r.rows_affected)
}

pub async fn insert_event(
    conn: &impl ConnectionTrait,
    m: review_moderation_event::Model,
) -> Result<(), DbErr> {
    review_moderation_event::Entity::insert(review_moderation_event::ActiveModel::from(m))
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// A page of reports (open only, or all), oldest open first, and how many there are.
pub async fn reports(
    conn: &impl ConnectionTrait,
    open_only: bool,
    offset: u64,
    limit: u64,
) -> Result<(Vec<review_report::Model>, u64), DbErr> {
    let mut q = review_report::Entity::find();
    if open_only {
        q = q
            .filter(review_report::Column::ResolvedAt.is_null())
            .order_by_asc(review_report::Column::CreatedAt);
    } else {
        q = q.order_by_desc(review_report::Column::CreatedAt);
    }
    let q = q.order_by_asc(review_report::Column::Id);
    let total = q.clone().count(conn).await?;
    let rows = q.offset(offset).limit(limit).all(conn).await?;
    Ok((rows, total))
}

pub async fn reviews_by_ids(
    conn: &impl ConnectionTrait,
    ids: Vec<Uuid>,
) -> Result<Vec<review::Model>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    review::Entity::find()
        .filter(review::Column::Id.is_in(ids))
        .all(conn)
        .await
}

/// The moderation history of a review, oldest first.
pub async fn events(
    conn: &impl ConnectionTrait,
    review_id: Uuid,
) -> Result<Vec<review_moderation_event::Model>, DbErr> {
    review_moderation_event::Entity::find()
        .filter(review_moderation_event::Column::ReviewId.eq(review_id))
        .order_by_asc(review_moderation_event::Column::At)
        .order_by_asc(review_moderation_event::Column::Id)
        .all(conn)
        .await
}

/// A page of hidden reviews, the latest hidden first, and how many there are.
pub async fn hidden(
    conn: &impl ConnectionTrait,
    offset: u64,
    limit: u64,
) -> Result<(Vec<review::Model>, u64), DbErr> {
    let q = review::Entity::find()
        .filter(review::Column::HiddenAt.is_not_null())
        .order_by_desc(review::Column::HiddenAt)
        .order_by_desc(review::Column::Id);
    let total = q.clone().count(conn).await?;
    let rows = q.offset(offset).limit(limit).all(conn).await?;
    Ok((rows, total))
}
