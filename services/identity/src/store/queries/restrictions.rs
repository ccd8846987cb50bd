//! Restrictions on accounts: the active one of a kind, an account's history, apply and lift.

use crate::domain::RestrictionKind;
use crate::store::restriction;
use farmgate_infra::db::UniqueIndex;
use farmgate_kernel::id::AccountId;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

/// One active restriction per account and kind (`m20261206_000032`).
pub const ACTIVE: UniqueIndex = UniqueIndex {
    name: "ux_account_restrictions_active",
    table: "account_restrictions",
    columns: &["account_id", "active_kind"],
};

/// The active restriction of `kind` on the account, if any.
pub async fn active(
    conn: &impl ConnectionTrait,
    account: AccountId,
    kind: RestrictionKind,
) -> Result<Option<restriction::Model>, DbErr> {
    restriction::Entity::find()
        .filter(restriction::Column::AccountId.eq(account.as_uuid()))
        .filter(restriction::Column::ActiveKind.eq(kind))
        .one(conn)
        .await
}

/// Every restriction the account had or has, newest first.
pub async fn of_account(
    conn: &impl ConnectionTrait,
    account: AccountId,
) -> Result<Vec<restriction::Model>, DbErr> {
    restriction::Entity::find()
        .filter(restriction::Column::AccountId.eq(account.as_uuid()))
        .order_by_desc(restriction::Column::AppliedAt)
        .order_by_desc(restriction::Column::Id)
        .all(conn)
        .await
}

/// A page of every account's restrictions (those in force only, or all), newest first, and
/// how many there are.
pub async fn page(
    conn: &impl ConnectionTrait,
    active_only: bool,
    offset: u64,
    limit: u64,
) -> Result<(Vec<restriction::Model>, u64), DbErr> {
    let mut q = restriction::Entity::find();
    if active_only {
        q = q.filter(restriction::Column::ActiveKind.is_not_null());
    }
    let total = q.clone().count(conn).await?;
    let items = q
        .order_by_desc(restriction::Column::AppliedAt)
        .order_by_desc(restriction::Column::Id)
        .offset(offset)
        .limit(limit)
        .all(conn)
        .await?;
    Ok((items, total))
}

/// A unique-index failure ([`ACTIVE`]) comes back as the error.
pub async fn insert(conn: &impl ConnectionTrait, m: restriction::Model) -> Result<(), DbErr> {
    restriction::Entity::insert(restriction::ActiveModel::from(m))
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// Lifts the restriction `id` if it is still active; whether it was.
pub async fn lift(
    conn: &impl ConnectionTrait,
    id: Uuid,
    by: AccountId,
    reason: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<bool, DbErr> {
    let r = restriction::Entity::update_many()
        .col_expr(
            restriction::Column::ActiveKind,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            restriction::Column::LiftedBy,
            Expr::value(Some(by.as_uuid())),
        )
        .col_expr(
            restriction::Column::LiftReason,
            Expr::value(Some(reason.to_owned())),
        )
        .col_expr(restriction::Column::LiftedAt, Expr::value(Some(at)))
        .filter(restriction::Column::Id.eq(id))
        .filter(restriction::Column::ActiveKind.is_not_null())
        .exec(conn)
        .await?;
    Ok(r.rows_affected == 1)
}
