//! Saved delivery addresses.

use crate::store::address;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

/// An account's addresses still in use, the default first, then the most recently changed.
pub async fn of_account(
    conn: &impl ConnectionTrait,
    account: Uuid,
) -> Result<Vec<address::Model>, DbErr> {
    address::Entity::find()
        .filter(address::Column::AccountId.eq(account))
        .filter(address::Column::Deleted.eq(false))
        .order_by_desc(address::Column::IsDefault)
        .order_by_desc(address::Column::UpdatedAt)
        .all(conn)
        .await
}

pub async fn by_id(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<address::Model>, DbErr> {
    address::Entity::find_by_id(id).one(conn).await
}

/// No address of the account is the default any more (before another one becomes it).
pub async fn clear_default(conn: &impl ConnectionTrait, account: Uuid) -> Result<(), DbErr> {
    address::Entity::update_many()
        .col_expr(address::Column::IsDefault, Expr::value(false))
        .filter(address::Column::AccountId.eq(account))
        .exec(conn)
        .await?;
    Ok(())
}
