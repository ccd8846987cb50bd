//! One-time links that set an account's first password. Only the SHA-256 of the token is kept.

use crate::store::setup_link;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

pub async fn insert(conn: &impl ConnectionTrait, model: setup_link::Model) -> Result<(), DbErr> {
    setup_link::Entity::insert(setup_link::ActiveModel::from(model))
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// The unused, unexpired link with this token hash.
pub async fn live(
    conn: &impl ConnectionTrait,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<setup_link::Model>, DbErr> {
    setup_link::Entity::find()
        .filter(setup_link::Column::TokenHash.eq(token_hash))
        .filter(setup_link::Column::UsedAt.is_null())
        .filter(setup_link::Column::ExpiresAt.gt(now))
        .one(conn)
        .await
}

/// Marks link `id` used; returns whether this call did.
pub async fn use_once(
    conn: &impl ConnectionTrait,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let res = setup_link::Entity::update_many()
        .col_expr(setup_link::Column::UsedAt, Expr::value(Some(now)))
        .filter(setup_link::Column::Id.eq(id))
        .filter(setup_link::Column::UsedAt.is_null())
        .exec(conn)
        .await?;
    Ok(res.rows_affected == 1)
}
