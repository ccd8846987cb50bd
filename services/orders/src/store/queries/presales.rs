//! Pre-sales and their reservations (issue #22). The reserved quantity moves only by
//! conditional updates, so concurrent reservations can never pass the maximum.

use crate::domain::presale::{PresaleStatus, ReservationStatus};
use crate::store::{presale, presale_reservation};
use chrono::{DateTime, Utc};
use farmgate_infra::db::UniqueIndex;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

/// One reservation per buyer and `Idempotency-Key`: the index a reservation retried at the
/// same moment runs into.
pub const RESERVATION_KEY: UniqueIndex = UniqueIndex {
    name: "ux_presale_reservations_key",
    table: "presale_reservations",
    columns: &["buyer_account_id", "idempotency_key"],
};

pub async fn presale(
    conn: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<presale::Model>, DbErr> {
    presale::Entity::find_by_id(id).one(conn).await
}

/// A page of one seller's pre-sales, newest first, and how many there are.
pub async fn of_seller(
    conn: &impl ConnectionTrait,
    org: Uuid,
    limit: u64,
    offset: u64,
) -> Result<(Vec<presale::Model>, u64), DbErr> {
    let q = presale::Entity::find().filter(presale::Column::SellerOrgId.eq(org));
    let total = q.clone().count(conn).await?;
    let rows = q
        .order_by_desc(presale::Column::CreatedAt)
        .order_by_desc(presale::Column::Id)
        .limit(limit)
        .offset(offset)
        .all(conn)
        .await?;
    Ok((rows, total))
}

/// A page of the open pre-sales, newest first, and how many there are.
pub async fn open(
    conn: &impl ConnectionTrait,
    limit: u64,
    offset: u64,
) -> Result<(Vec<presale::Model>, u64), DbErr> {
    let q = presale::Entity::find().filter(presale::Column::Status.eq(PresaleStatus::Open));
    let total = q.clone().count(conn).await?;
    let rows = q
        .order_by_desc(presale::Column::CreatedAt)
        .order_by_desc(presale::Column::Id)
        .limit(limit)
        .offset(offset)
        .all(conn)
        .await?;
    Ok((rows, total))
}

/// Takes `quantity` of an open pre-sale's capacity: `false` when it is not open or what is
/// left is less.
pub async fn take(conn: &impl ConnectionTrait, id: Uuid, quantity: i64) -> Result<bool, DbErr> {
    let done = presale::Entity::update_many()
        .col_expr(
            presale::Column::ReservedQuantity,
            Expr::col(presale::Column::ReservedQuantity).add(quantity),
        )
        .filter(presale::Column::Id.eq(id))
        .filter(presale::Column::Status.eq(PresaleStatus::Open))
        .filter(
            Expr::col(presale::Column::ReservedQuantity)
                .add(quantity)
                .lte(Expr::col(presale::Column::MaxQuantity)),
        )
        .exec(conn)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Gives `quantity` back (a reservation whose deposit order closed unpaid).
pub async fn give_back(conn: &impl ConnectionTrait, id: Uuid, quantity: i64) -> Result<(), DbErr> {
    presale::Entity::update_many()
        .col_expr(
            presale::Column::ReservedQuantity,
            Expr::col(presale::Column::ReservedQuantity).sub(quantity),
        )
        .filter(presale::Column::Id.eq(id))
        .filter(presale::Column::ReservedQuantity.gte(quantity))
        .exec(conn)
        .await?;
    Ok(())
}

pub async fn set_status(
    conn: &impl ConnectionTrait,
    id: Uuid,
    from: PresaleStatus,
    to: PresaleStatus,
) -> Result<bool, DbErr> {
    let done = presale::Entity::update_many()
        .col_expr(presale::Column::Status, Expr::value(to))
        .filter(presale::Column::Id.eq(id))
        .filter(presale::Column::Status.eq(from))
        .exec(conn)
        .await?;
    Ok(done.rows_affected == 1)
}

/// The reservation an order belongs to, as its deposit or as its balance.
pub async fn reservation_of_order(
    conn: &impl ConnectionTrait,
    order_id: Uuid,
) -> Result<Option<presale_reservation::Model>, DbErr> {
    presale_reservation::Entity::find()
        .filter(
            presale_reservation::Column::DepositOrderId
                .eq(order_id)
                .or(presale_reservation::Column::BalanceOrderId.eq(order_id)),
        )
        .one(conn)
        .await
}

pub async fn reservation_by_key(
    conn: &impl ConnectionTrait,
    buyer: Uuid,
    key: &str,
) -> Result<Option<presale_reservation::Model>, DbErr> {
    presale_reservation::Entity::find()
        .filter(presale_reservation::Column::BuyerAccountId.eq(buyer))
        .filter(presale_reservation::Column::IdempotencyKey.eq(key))
        .one(conn)
        .await
}

/// Moves a reservation on from `from`: `false` when it had moved already.
pub async fn move_reservation(
    conn: &impl ConnectionTrait,
    id: Uuid,
    from: ReservationStatus,
    to: ReservationStatus,
) -> Result<bool, DbErr> {
    let done = presale_reservation::Entity::update_many()
        .col_expr(presale_reservation::Column::Status, Expr::value(to))
        .filter(presale_reservation::Column::Id.eq(id))
        .filter(presale_reservation::Column::Status.eq(from))
        .exec(conn)
        .await?;
    Ok(done.rows_affected == 1)
}

/// A buyer's reservations, newest first.
pub async fn of_buyer(
    conn: &impl ConnectionTrait,
    buyer: Uuid,
    limit: u64,
    offset: u64,
) -> Result<(Vec<presale_reservation::Model>, u64), DbErr> {
    let q = presale_reservation::Entity::find()
        .filter(presale_reservation::Column::BuyerAccountId.eq(buyer));
    let total = q.clone().count(conn).await?;
    let rows = q
        .order_by_desc(presale_reservation::Column::CreatedAt)
        .order_by_desc(presale_reservation::Column::Id)
        .limit(limit)
        .offset(offset)
        .all(conn)
        .await?;
    Ok((rows, total))
}

/// Marks a pre-sale harvested with its batch and yield, once: `false` when it was already.
pub async fn harvest(
    conn: &impl ConnectionTrait,
    id: Uuid,
    batch: (Uuid, &str),
    actual_yield: i64,
    at: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let done = presale::Entity::update_many()
        .col_expr(
            presale::Column::Status,
            Expr::value(PresaleStatus::Harvested),
        )
        .col_expr(presale::Column::BatchId, Expr::value(batch.0))
        .col_expr(presale::Column::BatchCode, Expr::value(batch.1.to_owned()))
        .col_expr(presale::Column::ActualYield, Expr::value(actual_yield))
        .col_expr(presale::Column::HarvestedAt, Expr::value(at))
        .filter(presale::Column::Id.eq(id))
        .filter(presale::Column::Status.is_in([PresaleStatus::Open, PresaleStatus::Closed]))
        .exec(conn)
        .await?;
    Ok(done.rows_affected == 1)
}

/// What the harvest made of a paid reservation.
pub struct Filled {
    pub filled: i64,
    /// The deposit refunded for the part not filled.
    pub refunded: i64,
    /// The balance order and what it asks (none when nothing was filled).
    pub balance: Option<(Uuid, i64)>,
    pub status: ReservationStatus,
}

/// Records what the harvest made of a paid reservation (from `reserved` only).
pub async fn set_filled(conn: &impl ConnectionTrait, id: Uuid, f: &Filled) -> Result<(), DbErr> {
    presale_reservation::Entity::update_many()
        .col_expr(
            presale_reservation::Column::FilledQuantity,
            Expr::value(f.filled),
        )
        .col_expr(
            presale_reservation::Column::ShortfallRefundFen,
            Expr::value(f.refunded),
        )
        .col_expr(
            presale_reservation::Column::BalanceOrderId,
            Expr::value(f.balance.map(|b| b.0)),
        )
        .col_expr(
            presale_reservation::Column::BalanceFen,
            Expr::value(f.balance.map_or(0, |b| b.1)),
        )
        .col_expr(presale_reservation::Column::Status, Expr::value(f.status))
        .filter(presale_reservation::Column::Id.eq(id))
        .filter(presale_reservation::Column::Status.eq(ReservationStatus::Reserved))
        .exec(conn)
        .await?;
    Ok(())
}

/// The harvested pre-sales whose linked batch is `batch`.
pub async fn harvested_of_batch(
    conn: &impl ConnectionTrait,
    batch: Uuid,
) -> Result<Vec<presale::Model>, DbErr> {
    presale::Entity::find()
        .filter(presale::Column::BatchId.eq(batch))
        .filter(presale::Column::Status.eq(PresaleStatus::Harvested))
        .all(conn)
        .await
}

/// A pre-sale's reservations in the order they were made (first come, first filled).
pub async fn of_presale(
    conn: &impl ConnectionTrait,
    presale_id: Uuid,
) -> Result<Vec<presale_reservation::Model>, DbErr> {
    presale_reservation::Entity::find()
        .filter(presale_reservation::Column::PresaleId.eq(presale_id))
        .order_by_asc(presale_reservation::Column::CreatedAt)
        .order_by_asc(presale_reservation::Column::Id)
        .all(conn)
        .await
}
