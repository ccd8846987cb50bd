//! WeChat log-in: the bindings (app, openid) → account and the single-use bind tickets.

use crate::store::{wechat_login, wechat_ticket};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

/// The account bound to this openid of the app.
pub async fn binding(
    conn: &impl ConnectionTrait,
    app_id: &str,
    openid: &str,
) -> Result<Option<wechat_login::Model>, DbErr> {
    wechat_login::Entity::find_by_id((app_id.to_owned(), openid.to_owned()))
        .one(conn)
        .await
}

/// The account's binding under the app.
pub async fn of_account(
    conn: &impl ConnectionTrait,
    account: Uuid,
    app_id: &str,
) -> Result<Option<wechat_login::Model>, DbErr> {
    wechat_login::Entity::find()
        .filter(wechat_login::Column::AccountId.eq(account))
        .filter(wechat_login::Column::AppId.eq(app_id))
        .one(conn)
        .await
}

/// Inserts a binding. A unique violation (the openid or the account already bound) comes back
/// as the database error for the caller to name.
pub async fn bind(conn: &impl ConnectionTrait, model: wechat_login::Model) -> Result<(), DbErr> {
    wechat_login::Entity::insert(wechat_login::ActiveModel::from(model))
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

pub async fn touch(
    conn: &impl ConnectionTrait,
    app_id: &str,
    openid: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    wechat_login::Entity::update_many()
        .col_expr(wechat_login::Column::LastLoginAt, Expr::value(Some(now)))
        .filter(wechat_login::Column::AppId.eq(app_id))
        .filter(wechat_login::Column::Openid.eq(openid))
        .exec(conn)
        .await?;
    Ok(())
}

/// Removes every binding of the account (unbinding, erasure); returns how many there were.
pub async fn unbind_all(conn: &impl ConnectionTrait, account: Uuid) -> Result<u64, DbErr> {
    Ok(wechat_login::Entity::delete_many()
        .filter(wechat_login::Column::AccountId.eq(account))
        .exec(conn)
        .await?
        .rows_affected)
}

pub async fn insert_ticket(
    conn: &impl ConnectionTrait,
    model: wechat_ticket::Model,
) -> Result<(), DbErr> {
    wechat_ticket::Entity::insert(wechat_ticket::ActiveModel::from(model))
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// Redeems the unused, unexpired ticket with this token hash: marks it used and returns it,
/// or `None` (unknown, used — also by a racing request — or expired).
pub async fn redeem_ticket(
    conn: &impl ConnectionTrait,
    token_hash: &str,
    now: DateTime<Utc>,
) -> Result<Option<wechat_ticket::Model>, DbErr> {
    let Some(ticket) = wechat_ticket::Entity::find()
        .filter(wechat_ticket::Column::TokenHash.eq(token_hash))
        .filter(wechat_ticket::Column::UsedAt.is_null())
        .filter(wechat_ticket::Column::ExpiresAt.gt(now))
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let res = wechat_ticket::Entity::update_many()
        .col_expr(wechat_ticket::Column::UsedAt, Expr::value(Some(now)))
        .filter(wechat_ticket::Column::Id.eq(ticket.id))
        .filter(wechat_ticket::Column::UsedAt.is_null())
        .exec(conn)
        .await?;
    Ok((res.rows_affected == 1).then_some(ticket))
}

/// Forgets tickets that expired before `before` (the worker's sweep).
pub async fn sweep_tickets(
    conn: &impl ConnectionTrait,
    before: DateTime<Utc>,
) -> Result<u64, DbErr> {
    Ok(wechat_ticket::Entity::delete_many()
        .filter(wechat_ticket::Column::ExpiresAt.lt(before))
        .exec(conn)
        .await?
        .rows_affected)
}
