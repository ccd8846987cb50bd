//! Approvals of purchasers' orders (issue #22): one row per order, decided once by a
//! conditional update.

use crate::domain::approval::ApprovalStatus;
use crate::store::order_approval;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

pub async fn of_order(
    conn: &impl ConnectionTrait,
    order_id: Uuid,
) -> Result<Option<order_approval::Model>, DbErr> {
    order_approval::Entity::find_by_id(order_id).one(conn).await
}

/// Inserts the pending approval, in the order's transaction.
pub async fn insert(conn: &impl ConnectionTrait, row: order_approval::Model) -> Result<(), DbErr> {
    order_approval::ActiveModel::from(row).insert(conn).await?;
    Ok(())
}

/// Decides a pending approval; `false` when it was not pending any more (decided a moment
/// ago by someone else).
pub async fn decide(
    conn: &impl ConnectionTrait,
    order_id: Uuid,
    to: ApprovalStatus,
    by: Uuid,
    at: DateTime<Utc>,
    reason: Option<&str>,
) -> Result<bool, DbErr> {
    use order_approval::Column as C;
    let done = order_approval::Entity::update_many()
        .col_expr(C::Status, Expr::value(to))
        .col_expr(C::DecidedBy, Expr::value(by))
        .col_expr(C::DecidedAt, Expr::value(at))
        .col_expr(C::Reason, Expr::value(reason.map(str::to_owned)))
        .filter(C::OrderId.eq(order_id))
        .filter(C::Status.eq(ApprovalStatus::Pending))
        .exec(conn)
        .await?;
    Ok(done.rows_affected == 1)
}

/// A page of an organisation's approvals (optionally of one status), newest first, and how
/// many there are.
pub async fn of_org(
    conn: &impl ConnectionTrait,
    org: Uuid,
    status: Option<ApprovalStatus>,
    offset: u64,
    limit: u64,
) -> Result<(Vec<order_approval::Model>, u64), DbErr> {
    use order_approval::Column as C;
    let mut q = order_approval::Entity::find().filter(C::BuyerOrgId.eq(org));
    if let Some(s) = status {
        q = q.filter(C::Status.eq(s));
    }
    let total = q.clone().count(conn).await?;
    let rows = q
        .order_by_desc(C::CreatedAt)
        .order_by_desc(C::OrderId)
        .offset(offset)
        .limit(limit)
        .all(conn)
        .await?;
    Ok((rows, total))
}
