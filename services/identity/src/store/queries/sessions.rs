//! Sessions. Only the SHA-256 of a token is stored.

use crate::domain::SessionId;
use crate::store::session;
use chrono::{DateTime, Utc};
use farmgate_kernel::id::AccountId;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
};

pub async fn insert(conn: &impl ConnectionTrait, model: session::Model) -> Result<(), DbErr> {
    session::Entity::insert(session::ActiveModel::from(model))
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// The unrevoked session with this token hash (it may have expired: the caller checks).
pub async fn unrevoked_by_token_hash(
    conn: &impl ConnectionTrait,
    hash: &str,
) -> Result<Option<session::Model>, DbErr> {
    session::Entity::find()
        .filter(session::Column::TokenHash.eq(hash))
        .filter(session::Column::RevokedAt.is_null())
        .one(conn)
        .await
}

pub async fn touch(
    conn: &impl ConnectionTrait,
    id: SessionId,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    session::Entity::update_many()
        .col_expr(session::Column::LastSeenAt, Expr::value(now))
        .filter(session::Column::Id.eq(id.as_uuid()))
        .exec(conn)
        .await?;
    Ok(())
}

/// An account's live sessions (not revoked, not expired), newest first.
pub async fn live_of(
    conn: &impl ConnectionTrait,
    account: AccountId,
    now: DateTime<Utc>,
) -> Result<Vec<session::Model>, DbErr> {
    session::Entity::find()
        .filter(session::Column::AccountId.eq(account.as_uuid()))
        .filter(session::Column::RevokedAt.is_null())
        .filter(session::Column::ExpiresAt.gt(now))
        .order_by_desc(session::Column::CreatedAt)
        .all(conn)
        .await
}

/// The session `id` if it belongs to `account` (revoked or not).
pub async fn owned_by(
    conn: &impl ConnectionTrait,
    id: SessionId,
    account: AccountId,
) -> Result<Option<session::Model>, DbErr> {
    session::Entity::find_by_id(id.as_uuid())
        .filter(session::Column::AccountId.eq(account.as_uuid()))
        .one(conn)
        .await
}

/// Revokes one session; returns the token hashes it revoked (for evicting the cache).
pub async fn revoke_one(
    conn: &impl ConnectionTrait,
    id: SessionId,
    now: DateTime<Utc>,
) -> Result<Vec<String>, DbErr> {
    revoke(
        conn,
        Condition::all().add(session::Column::Id.eq(id.as_uuid())),
        now,
    )
    .await
}

/// Revokes every session of an account; returns the token hashes it revoked.
pub async fn revoke_all_of(
    conn: &impl ConnectionTrait,
    account: AccountId,
    now: DateTime<Utc>,
) -> Result<Vec<String>, DbErr> {
    revoke(
        conn,
        Condition::all().add(session::Column::AccountId.eq(account.as_uuid())),
        now,
    )
    .await
}

async fn revoke(
    conn: &impl ConnectionTrait,
    which: Condition,
    now: DateTime<Utc>,
) -> Result<Vec<String>, DbErr> {
    let sessions = session::Entity::find()
        .filter(which.clone())
        .filter(session::Column::RevokedAt.is_null())
        .all(conn)
        .await?;
    session::Entity::update_many()
        .col_expr(session::Column::RevokedAt, Expr::value(Some(now)))
        .filter(which)
        .filter(session::Column::RevokedAt.is_null())
        .exec(conn)
        .await?;
    Ok(sessions.into_iter().map(|s| s.token_hash).collect())
}
