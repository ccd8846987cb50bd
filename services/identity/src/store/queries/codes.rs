//! Phone one-time codes. Tries are counted by a conditional update *before* the code is
//! compared, so twenty parallel guesses at a code with five tries get five comparisons.

use crate::domain::CodePurpose;
use crate::store::phone_code;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

pub async fn insert(conn: &impl ConnectionTrait, model: phone_code::Model) -> Result<(), DbErr> {
    phone_code::Entity::insert(phone_code::ActiveModel::from(model))
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// The newest code sent to `phone` for `purpose` (only the newest counts: asking for a new
/// code retires the older ones).
pub async fn newest(
    conn: &impl ConnectionTrait,
    phone: &str,
    purpose: CodePurpose,
) -> Result<Option<phone_code::Model>, DbErr> {
    phone_code::Entity::find()
        .filter(phone_code::Column::Phone.eq(phone))
        .filter(phone_code::Column::Purpose.eq(purpose))
        .order_by_desc(phone_code::Column::CreatedAt)
        .order_by_desc(phone_code::Column::Id)
        .one(conn)
        .await
}

/// Takes one try of code `id`, if it has tries left, is unused and unexpired. Returns whether
/// a try was taken (only then may the caller compare the code).
pub async fn take_try(
    conn: &impl ConnectionTrait,
    id: Uuid,
    max_attempts: u32,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let res = phone_code::Entity::update_many()
        .col_expr(
            phone_code::Column::Attempts,
            Expr::col(phone_code::Column::Attempts).add(1),
        )
        .filter(phone_code::Column::Id.eq(id))
        .filter(phone_code::Column::Attempts.lt(i32::try_from(max_attempts).unwrap_or(i32::MAX)))
        .filter(phone_code::Column::ConsumedAt.is_null())
        .filter(phone_code::Column::ExpiresAt.gt(now))
        .exec(conn)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Marks code `id` used; returns whether this call did (two requests with the same right code
/// cannot both use it).
pub async fn consume(
    conn: &impl ConnectionTrait,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let res = phone_code::Entity::update_many()
        .col_expr(phone_code::Column::ConsumedAt, Expr::value(Some(now)))
        .filter(phone_code::Column::Id.eq(id))
        .filter(phone_code::Column::ConsumedAt.is_null())
        .exec(conn)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Every code sent to a phone, newest first (for "download my data").
pub async fn of_phone(
    conn: &impl ConnectionTrait,
    phone: &str,
) -> Result<Vec<phone_code::Model>, DbErr> {
    phone_code::Entity::find()
        .filter(phone_code::Column::Phone.eq(phone))
        .order_by_desc(phone_code::Column::CreatedAt)
        .all(conn)
        .await
}

/// Deletes every code of a phone (the account is erased).
pub async fn delete_of_phone(conn: &impl ConnectionTrait, phone: &str) -> Result<u64, DbErr> {
    Ok(phone_code::Entity::delete_many()
        .filter(phone_code::Column::Phone.eq(phone))
        .exec(conn)
        .await?
        .rows_affected)
}
