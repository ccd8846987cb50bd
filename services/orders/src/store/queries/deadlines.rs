//! A paid sub-order's deadlines (issue #18): calling off a paid part, the buyer's cancel
//! request and its answer, and the one-time ship-by reminder. Each is a conditional update
//! that says whether it changed the row, so a retried job, two workers or a buyer and the
//! scheduler at the same moment make each move once.

use crate::domain::{CancelRequestStatus, SubOrderStatus};
use crate::store::sub_order;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

/// The event that made `sub_order_id` a replacement (补发), if it is one: its data names the
/// part it replaces and the remedy's key.
pub async fn replacement_event(
    conn: &impl ConnectionTrait,
    sub_order_id: Uuid,
) -> Result<Option<crate::store::event::Model>, DbErr> {
    crate::store::event::Entity::find()
        .filter(crate::store::event::Column::SubOrderId.eq(sub_order_id))
        .filter(crate::store::event::Column::Kind.eq(crate::domain::EventKind::Replacement))
        .one(conn)
        .await
}

/// `cancelled`, if still in one of `from` (a paid part that has not shipped).
pub async fn cancel_paid_sub_order(
    conn: &impl ConnectionTrait,
    id: Uuid,
    from: &[SubOrderStatus],
) -> Result<bool, DbErr> {
    let done = sub_order::Entity::update_many()
        .col_expr(
            sub_order::Column::Status,
            Expr::value(SubOrderStatus::Cancelled),
        )
        .filter(sub_order::Column::Id.eq(id))
        .filter(sub_order::Column::Status.is_in(from.iter().copied()))
        .exec(conn)
        .await?;
    Ok(done.rows_affected == 1)
}

/// A new open request, if none was made and the part is still in one of `from`.
pub async fn open_cancel_request(
    conn: &impl ConnectionTrait,
    id: Uuid,
    from: &[SubOrderStatus],
    reason: &str,
    at: DateTime<Utc>,
    answer_by: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let done = sub_order::Entity::update_many()
        .col_expr(
            sub_order::Column::CancelRequest,
            Expr::value(CancelRequestStatus::Open),
        )
        .col_expr(sub_order::Column::CancelReason, Expr::value(reason))
        .col_expr(sub_order::Column::CancelRequestedAt, Expr::value(at))
        .col_expr(sub_order::Column::CancelAnswerBy, Expr::value(answer_by))
        .filter(sub_order::Column::Id.eq(id))
        .filter(sub_order::Column::CancelRequest.is_null())
        .filter(sub_order::Column::Status.is_in(from.iter().copied()))
        .exec(conn)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Closes the open request as `to` (with the seller's reason for a refusal), if it is open.
pub async fn close_cancel_request(
    conn: &impl ConnectionTrait,
    id: Uuid,
    to: CancelRequestStatus,
    refusal: Option<&str>,
    at: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let done = sub_order::Entity::update_many()
        .col_expr(sub_order::Column::CancelRequest, Expr::value(to))
        .col_expr(
            sub_order::Column::CancelRefusal,
            Expr::value(refusal.map(str::to_owned)),
        )
        .col_expr(sub_order::Column::CancelAnsweredAt, Expr::value(at))
        .filter(sub_order::Column::Id.eq(id))
        .filter(sub_order::Column::CancelRequest.eq(CancelRequestStatus::Open))
        .exec(conn)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Marks the ship-by reminder sent, if it was not and the part is still in one of `from`.
pub async fn mark_reminded(
    conn: &impl ConnectionTrait,
    id: Uuid,
    from: &[SubOrderStatus],
    at: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let done = sub_order::Entity::update_many()
        .col_expr(sub_order::Column::ShipByRemindedAt, Expr::value(at))
        .filter(sub_order::Column::Id.eq(id))
        .filter(sub_order::Column::ShipByRemindedAt.is_null())
        .filter(sub_order::Column::Status.is_in(from.iter().copied()))
        .exec(conn)
        .await?;
    Ok(done.rows_affected == 1)
}
