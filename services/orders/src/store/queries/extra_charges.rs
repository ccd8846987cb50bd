//! Catch weight's extra charges (补差价, issue #22): one per line; each move a conditional
//! update from `requested`, so two answers at once make one.

use crate::domain::extra_charge::ExtraChargeStatus;
use crate::store::{extra_charge, sub_order};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

pub async fn get(
    conn: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<extra_charge::Model>, DbErr> {
    extra_charge::Entity::find_by_id(id).one(conn).await
}

pub async fn of_order(
    conn: &impl ConnectionTrait,
    order_id: Uuid,
) -> Result<Vec<extra_charge::Model>, DbErr> {
    extra_charge::Entity::find()
        .filter(extra_charge::Column::OrderId.eq(order_id))
        .order_by_asc(extra_charge::Column::RequestedAt)
        .all(conn)
        .await
}

/// The part's paid charges, oldest first: the order refunds draw on them.
pub async fn paid_of_sub_order(
    conn: &impl ConnectionTrait,
    sub_order_id: Uuid,
) -> Result<Vec<extra_charge::Model>, DbErr> {
    extra_charge::Entity::find()
        .filter(extra_charge::Column::SubOrderId.eq(sub_order_id))
        .filter(extra_charge::Column::Status.eq(ExtraChargeStatus::Paid))
        .order_by_asc(extra_charge::Column::AnsweredAt)
        .order_by_asc(extra_charge::Column::Id)
        .all(conn)
        .await
}

pub async fn insert(conn: &impl ConnectionTrait, row: extra_charge::Model) -> Result<(), DbErr> {
    extra_charge::ActiveModel::from(row).insert(conn).await?;
    Ok(())
}

/// Moves a `requested` charge to `to`; `false` when it was answered (or lapsed) already.
pub async fn answer(
    conn: &impl ConnectionTrait,
    id: Uuid,
    to: ExtraChargeStatus,
    payment_id: Option<Uuid>,
    at: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let done = extra_charge::Entity::update_many()
        .col_expr(extra_charge::Column::Status, Expr::value(to))
        .col_expr(extra_charge::Column::AnsweredAt, Expr::value(at))
        .col_expr(extra_charge::Column::PaymentId, Expr::value(payment_id))
        .filter(extra_charge::Column::Id.eq(id))
        .filter(extra_charge::Column::Status.eq(ExtraChargeStatus::Requested))
        .exec(conn)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Adds a paid charge to its part's money (what was paid, and the commission on it).
pub async fn add_to_sub_order(
    conn: &impl ConnectionTrait,
    sub_order_id: Uuid,
    amount_fen: i64,
    commission_fen: i64,
) -> Result<(), DbErr> {
    sub_order::Entity::update_many()
        .col_expr(
            sub_order::Column::ExtraFen,
            Expr::col(sub_order::Column::ExtraFen).add(amount_fen),
        )
        .col_expr(
            sub_order::Column::ExtraCommissionFen,
            Expr::col(sub_order::Column::ExtraCommissionFen).add(commission_fen),
        )
        .filter(sub_order::Column::Id.eq(sub_order_id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Records `amount` of a paid charge given back; `false` when that would be more than it took.
pub async fn add_refunded(
    conn: &impl ConnectionTrait,
    id: Uuid,
    amount_fen: i64,
) -> Result<bool, DbErr> {
    let done = extra_charge::Entity::update_many()
        .col_expr(
            extra_charge::Column::RefundedFen,
            Expr::col(extra_charge::Column::RefundedFen).add(amount_fen),
        )
        .filter(extra_charge::Column::Id.eq(id))
        .filter(extra_charge::Column::Status.eq(ExtraChargeStatus::Paid))
        .filter(
            Expr::col(extra_charge::Column::RefundedFen)
                .add(amount_fen)
                .lte(Expr::col(extra_charge::Column::AmountFen)),
        )
        .exec(conn)
        .await?;
    Ok(done.rows_affected == 1)
}
