//! Sessions. Only the SHA-256 of a token is stored.

use crate::domain::SessionId;
use crate::store::{account, session};
use chrono::{DateTime, Utc};
use farmgate_kernel::id::AccountId;
use sea_orm::sea_query::{Alias, Expr, ExprTrait, JoinType, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

pub async fn insert(conn: &impl ConnectionTrait, model: session::Model) -> Result<(), DbErr> {
    session::Entity::insert(session::ActiveModel::from(model))
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// An unrevoked session and its account's revocation counter, read together.
#[derive(Clone, Debug)]
pub struct LiveSession {
    pub id: Uuid,
    pub account_id: Uuid,
    pub expires_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub revocation_seq: i64,
}

/// The unrevoked session with this token hash (it may have expired: the caller checks), with
/// its account's revocation counter — in one statement, so both come from the same snapshot:
/// a revocation (which writes both in one transaction) is seen in both or in neither. A
/// session read here and cached carries a counter that any later revocation makes stale.
pub async fn unrevoked_by_token_hash(
    conn: &impl ConnectionTrait,
    hash: &str,
) -> Result<Option<LiveSession>, DbErr> {
    let (s, a) = (Alias::new("s"), Alias::new("a"));
    let query = Query::select()
        .column((s.clone(), session::Column::Id))
        .column((s.clone(), session::Column::AccountId))
        .column((s.clone(), session::Column::ExpiresAt))
        .column((s.clone(), session::Column::LastSeenAt))
        .column((a.clone(), account::Column::RevocationSeq))
        .from_as(session::Entity, s.clone())
        .join_as(
            JoinType::InnerJoin,
            account::Entity,
            a.clone(),
            Expr::col((a.clone(), account::Column::Id))
                .equals((s.clone(), session::Column::AccountId)),
        )
        .and_where(Expr::col((s.clone(), session::Column::TokenHash)).eq(hash))
        .and_where(Expr::col((s, session::Column::RevokedAt)).is_null())
        .to_owned();
    let stmt = conn.get_database_backend().build(&query);
    let Some(row) = conn.query_one_raw(stmt).await? else {
        return Ok(None);
    };
    Ok(Some(LiveSession {
        id: row.try_get("", "id")?,
        account_id: row.try_get("", "account_id")?,
        expires_at: row.try_get("", "expires_at")?,
        last_seen_at: row.try_get("", "last_seen_at")?,
        revocation_seq: row.try_get("", "revocation_seq")?,
    }))
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

/// Revokes every session of an account but `keep` (the one asking); returns the token hashes
/// it revoked.
pub async fn revoke_all_but(
    conn: &impl ConnectionTrait,
    account: AccountId,
    keep: SessionId,
    now: DateTime<Utc>,
) -> Result<Vec<String>, DbErr> {
    revoke(
        conn,
        Condition::all()
            .add(session::Column::AccountId.eq(account.as_uuid()))
            .add(session::Column::Id.ne(keep.as_uuid())),
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

/// Revokes the sessions `which` selects and bumps their accounts' revocation counters (call it
/// inside the use case's transaction, so both land together): a cached copy of any of them is
/// stale from then on, whatever the cache does.
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
    let mut accounts: Vec<Uuid> = sessions.iter().map(|s| s.account_id).collect();
    accounts.sort_unstable();
    accounts.dedup();
    for id in accounts {
        super::accounts::bump_revocation(conn, AccountId(id)).await?;
    }
    Ok(sessions.into_iter().map(|s| s.token_hash).collect())
}
