//! Adjustments: refunds charged to sellers after their sub-orders were paid out, and their
//! reversals when the payout holding the sub-order failed, netted into the next payout.

use crate::domain::AdjustmentKind;
use crate::store::{payout, payout_adjustment, payout_line};
use farmgate_infra::db::UniqueIndex;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel,
    QueryFilter, QueryOrder,
};
use uuid::Uuid;

/// One adjustment per refund and kind: a redelivered `orders.refunded` runs into it, and so
/// does a second reversal of the same refund.
pub const ONE_PER_REFUND_AND_KIND: UniqueIndex = UniqueIndex {
    name: "ux_payout_adjustments_refund_kind",
    table: "payout_adjustments",
    columns: &["refund_id", "kind"],
};

pub async fn insert(conn: &impl ConnectionTrait, m: payout_adjustment::Model) -> Result<(), DbErr> {
    m.into_active_model().insert(conn).await?;
    Ok(())
}

/// The active (pending or paid) payout line of a sub-order, with its payout.
pub async fn active_line(
    conn: &impl ConnectionTrait,
    sub_order: Uuid,
) -> Result<Option<(payout_line::Model, payout::Model)>, DbErr> {
    let Some(line) = payout_line::Entity::find()
        .filter(payout_line::Column::ActiveSubOrderId.eq(sub_order))
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let p = payout::Entity::find_by_id(line.payout_id).one(conn).await?;
    Ok(p.map(|p| (line, p)))
}

/// What the adjustments of a sub-order have taken back so far (fen, ≤ 0), those of failed
/// payouts included: they are open again and still owed.
pub async fn taken_back(conn: &impl ConnectionTrait, sub_order: Uuid) -> Result<i64, DbErr> {
    Ok(payout_adjustment::Entity::find()
        .filter(payout_adjustment::Column::SubOrderId.eq(sub_order))
        .all(conn)
        .await?
        .iter()
        .map(|a| a.amount_fen)
        .sum())
}

/// The open adjustments of these sellers.
pub async fn open_of_orgs(
    conn: &impl ConnectionTrait,
    orgs: &[Uuid],
) -> Result<Vec<payout_adjustment::Model>, DbErr> {
    let mut out = Vec::new();
    for chunk in orgs.chunks(super::CHUNK) {
        out.extend(
            payout_adjustment::Entity::find()
                .filter(payout_adjustment::Column::OrgId.is_in(chunk.iter().copied()))
                .filter(payout_adjustment::Column::PayoutId.is_null())
                .all(conn)
                .await?,
        );
    }
    Ok(out)
}

/// Nets these adjustments into a payout.
pub async fn attach(conn: &impl ConnectionTrait, ids: &[Uuid], payout: Uuid) -> Result<(), DbErr> {
    for chunk in ids.chunks(super::CHUNK) {
        payout_adjustment::Entity::update_many()
            .col_expr(
                payout_adjustment::Column::PayoutId,
                Expr::value(Some(payout)),
            )
            .filter(payout_adjustment::Column::Id.is_in(chunk.iter().copied()))
            .filter(payout_adjustment::Column::PayoutId.is_null())
            .exec(conn)
            .await?;
    }
    Ok(())
}

/// A failed payout lets its adjustments go: the next payout nets them.
pub async fn release(conn: &impl ConnectionTrait, payout: Uuid) -> Result<u64, DbErr> {
    let done = payout_adjustment::Entity::update_many()
        .col_expr(
            payout_adjustment::Column::PayoutId,
            Expr::value(Option::<Uuid>::None),
        )
        .filter(payout_adjustment::Column::PayoutId.eq(payout))
        .exec(conn)
        .await?;
    Ok(done.rows_affected)
}

/// The adjustments these payouts net, oldest first.
pub async fn of_payouts(
    conn: &impl ConnectionTrait,
    payouts: &[Uuid],
) -> Result<Vec<payout_adjustment::Model>, DbErr> {
    let mut out = Vec::new();
    for chunk in payouts.chunks(super::CHUNK) {
        out.extend(
            payout_adjustment::Entity::find()
                .filter(payout_adjustment::Column::PayoutId.is_in(chunk.iter().copied()))
                .order_by_asc(payout_adjustment::Column::CreatedAt)
                .order_by_asc(payout_adjustment::Column::Id)
                .all(conn)
                .await?,
        );
    }
    Ok(out)
}

/// Every adjustment recorded against the sub-orders a payout holds (or held), oldest first.
pub async fn of_lines_of(
    conn: &impl ConnectionTrait,
    payout: Uuid,
) -> Result<Vec<payout_adjustment::Model>, DbErr> {
    let subs: Vec<Uuid> = payout_line::Entity::find()
        .filter(payout_line::Column::PayoutId.eq(payout))
        .all(conn)
        .await?
        .into_iter()
        .map(|l| l.sub_order_id)
        .collect();
    let mut out = Vec::new();
    for chunk in subs.chunks(super::CHUNK) {
        out.extend(
            payout_adjustment::Entity::find()
                .filter(payout_adjustment::Column::SubOrderId.is_in(chunk.iter().copied()))
                .order_by_asc(payout_adjustment::Column::CreatedAt)
                .order_by_asc(payout_adjustment::Column::Id)
                .all(conn)
                .await?,
        );
    }
    Ok(out)
}

/// Deletes these adjustments if they are still open (netted nowhere). Returns how many went.
pub async fn void_open(conn: &impl ConnectionTrait, ids: &[Uuid]) -> Result<u64, DbErr> {
    let mut gone = 0;
    for chunk in ids.chunks(super::CHUNK) {
        gone += payout_adjustment::Entity::delete_many()
            .filter(payout_adjustment::Column::Id.is_in(chunk.iter().copied()))
            .filter(payout_adjustment::Column::Kind.eq(AdjustmentKind::Refund))
            .filter(payout_adjustment::Column::PayoutId.is_null())
            .exec(conn)
            .await?
            .rows_affected;
    }
    Ok(gone)
}
