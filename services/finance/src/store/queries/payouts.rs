//! Payout batches, payouts and the sub-orders they hold.

use crate::domain::PayoutStatus;
use crate::store::{batch, payout, payout_line};
use chrono::{DateTime, Utc};
use farmgate_infra::db::UniqueIndex;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use std::collections::HashSet;
use uuid::Uuid;

/// A sub-order in one active payout at most: what two batches made at once run into.
pub const ACTIVE_LINE: UniqueIndex = UniqueIndex {
    name: "ux_payout_lines_active",
    table: "payout_lines",
    columns: &["active_sub_order_id"],
};

/// Batch numbers are unique (`PB20261206-001`).
pub const BATCH_NUMBER: UniqueIndex = UniqueIndex {
    name: "ux_payout_batches_number",
    table: "payout_batches",
    columns: &["number"],
};

/// Which of these sub-orders an active (pending or paid) payout holds.
pub async fn active_among(
    conn: &impl ConnectionTrait,
    sub_orders: &[Uuid],
) -> Result<HashSet<Uuid>, DbErr> {
    let mut out = HashSet::new();
    for chunk in sub_orders.chunks(super::CHUNK) {
        let rows: Vec<Option<Uuid>> = payout_line::Entity::find()
            .select_only()
            .column(payout_line::Column::ActiveSubOrderId)
            .filter(payout_line::Column::ActiveSubOrderId.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(conn)
            .await?;
        out.extend(rows.into_iter().flatten());
    }
    Ok(out)
}

/// How many batches were made since `since` (the sequence of the day).
pub async fn batches_since(
    conn: &impl ConnectionTrait,
    since: DateTime<Utc>,
) -> Result<u64, DbErr> {
    batch::Entity::find()
        .filter(batch::Column::CreatedAt.gte(since))
        .count(conn)
        .await
}

pub async fn insert_batch(conn: &impl ConnectionTrait, m: batch::Model) -> Result<(), DbErr> {
    m.into_active_model().insert(conn).await?;
    Ok(())
}

pub async fn insert_payout(conn: &impl ConnectionTrait, m: payout::Model) -> Result<(), DbErr> {
    m.into_active_model().insert(conn).await?;
    Ok(())
}

pub async fn insert_lines(
    conn: &impl ConnectionTrait,
    lines: Vec<payout_line::Model>,
) -> Result<(), DbErr> {
    for chunk in lines.chunks(200) {
        payout_line::Entity::insert_many(
            chunk
                .iter()
                .cloned()
                .map(IntoActiveModel::into_active_model),
        )
        .exec(conn)
        .await?;
    }
    Ok(())
}

pub async fn batch(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<batch::Model>, DbErr> {
    batch::Entity::find_by_id(id).one(conn).await
}

/// One page of batches, newest first, and the total.
pub async fn batches(
    conn: &impl ConnectionTrait,
    limit: u64,
    offset: u64,
) -> Result<(Vec<batch::Model>, u64), DbErr> {
    let total = batch::Entity::find().count(conn).await?;
    let rows = batch::Entity::find()
        .order_by_desc(batch::Column::CreatedAt)
        .order_by_desc(batch::Column::Id)
        .limit(limit)
        .offset(offset)
        .all(conn)
        .await?;
    Ok((rows, total))
}

/// The payouts of a batch, in file order.
pub async fn payouts_of_batch(
    conn: &impl ConnectionTrait,
    batch: Uuid,
) -> Result<Vec<payout::Model>, DbErr> {
    payout::Entity::find()
        .filter(payout::Column::BatchId.eq(batch))
        .order_by_asc(payout::Column::Seq)
        .all(conn)
        .await
}

pub async fn payout(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<payout::Model>, DbErr> {
    payout::Entity::find_by_id(id).one(conn).await
}

/// One page of an organisation's payouts, newest first, and the total.
pub async fn payouts_of_org(
    conn: &impl ConnectionTrait,
    org: Uuid,
    limit: u64,
    offset: u64,
) -> Result<(Vec<payout::Model>, u64), DbErr> {
    let q = payout::Entity::find().filter(payout::Column::OrgId.eq(org));
    let total = q.clone().count(conn).await?;
    let rows = q
        .order_by_desc(payout::Column::CreatedAt)
        .order_by_desc(payout::Column::Id)
        .limit(limit)
        .offset(offset)
        .all(conn)
        .await?;
    Ok((rows, total))
}

/// The sub-orders a payout pays, in the order they were added.
pub async fn lines(
    conn: &impl ConnectionTrait,
    payout: Uuid,
) -> Result<Vec<payout_line::Model>, DbErr> {
    payout_line::Entity::find()
        .filter(payout_line::Column::PayoutId.eq(payout))
        .order_by_asc(payout_line::Column::Number)
        .all(conn)
        .await
}

/// Moves a pending payout to `to` with its reference or reason. `false`: it is not pending
/// any more (another request settled it first).
pub async fn settle(
    conn: &impl ConnectionTrait,
    id: Uuid,
    to: PayoutStatus,
    reference: Option<String>,
    reason: Option<String>,
    by: Uuid,
    at: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let r = payout::Entity::update_many()
        .col_expr(payout::Column::Status, Expr::value(to))
        .col_expr(payout::Column::BankReference, Expr::value(reference))
        .col_expr(payout::Column::FailureReason, Expr::value(reason))
        .col_expr(payout::Column::SettledBy, Expr::value(Some(by)))
        .col_expr(payout::Column::SettledAt, Expr::value(Some(at)))
        .filter(payout::Column::Id.eq(id))
        .filter(payout::Column::Status.eq(PayoutStatus::Pending))
        .exec(conn)
        .await?;
    Ok(r.rows_affected == 1)
}

/// A failed payout lets go of its sub-orders: they are payable again.
pub async fn release_lines(conn: &impl ConnectionTrait, payout: Uuid) -> Result<u64, DbErr> {
    let r = payout_line::Entity::update_many()
        .col_expr(
            payout_line::Column::ActiveSubOrderId,
            Expr::value(Option::<Uuid>::None),
        )
        .filter(payout_line::Column::PayoutId.eq(payout))
        .exec(conn)
        .await?;
    Ok(r.rows_affected)
}
