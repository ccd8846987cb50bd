//! A claim before receipt (after-sales' "not received" or "lost") holds the parcel's automatic
//! receipt: goods the buyer says never came must not count as received by the scheduler, open
//! an after-sales window and become payable to the seller while the claim is handled. When
//! the claim ends with money still left on the sub-order (rejected, a partial refund, a
//! reship), the receipt clock starts again; refunded in full, the sub-order closes as
//! `undelivered` and settles at once by the claim's liability (docs/MONEY.md).

use crate::Orders;
use crate::domain::{EventKind, SubOrderMove, SubOrderStatus};
use crate::error::Result;
use crate::service::{append, topics};
use crate::store::queries::orders as q;
use crate::store::sub_order;
use farmgate_kernel::id::SubOrderId;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use serde_json::json;

impl Orders {
    /// Stops the automatic receipt of a shipped, unreceived sub-order, inside the caller's
    /// transaction. Whether it was shipped and not yet received (nothing changes otherwise).
    pub async fn hold_receipt_in(
        &self,
        conn: &impl ConnectionTrait,
        id: SubOrderId,
    ) -> Result<bool> {
        let done = sub_order::Entity::update_many()
            .col_expr(
                sub_order::Column::AutoReceiveAt,
                Expr::value(Option::<chrono::DateTime<chrono::Utc>>::None),
            )
            .filter(sub_order::Column::Id.eq(id.0))
            .filter(sub_order::Column::Status.eq(SubOrderStatus::Shipped))
            .exec(conn)
            .await?;
        Ok(done.rows_affected == 1)
    }

    /// Ends the hold of a shipped, unreceived sub-order whose claim before receipt was
    /// settled, inside the caller's transaction (the claim's): with something left of its
    /// payment (rejected, a partial refund, a reship) the automatic receipt starts again, the
    /// configured days from now; refunded in full it closes as `undelivered` — the parcel never
    /// came, nothing is left to claim, and it settles with its seller by the refunds'
    /// liability at once. What happened (nothing, when it was not shipped and unreceived).
    pub async fn release_receipt_in(
        &self,
        conn: &impl ConnectionTrait,
        id: SubOrderId,
    ) -> Result<ReceiptRelease> {
        let row: Option<(uuid::Uuid, i64, i64)> = sub_order::Entity::find_by_id(id.0)
            .select_only()
            .columns([
                sub_order::Column::OrderId,
                sub_order::Column::TotalFen,
                sub_order::Column::RefundedFen,
            ])
            .filter(sub_order::Column::Status.eq(SubOrderStatus::Shipped))
            .into_tuple()
            .one(conn)
            .await?;
        let Some((order_id, total, refunded)) = row else {
            return Ok(ReceiptRelease::Unchanged);
        };
        let now = self.now();
        if refunded >= total {
            let from = SubOrderMove::CloseUndelivered.from_states();
            if !q::close_undelivered_sub_order(conn, id.0, &from, now).await? {
                return Ok(ReceiptRelease::Unchanged);
            }
            append(
                conn,
                order_id,
                Some(id.0),
                EventKind::Undelivered,
                None,
                json!({"refunded_fen": refunded}),
                now,
            )
            .await?;
            return Ok(ReceiptRelease::ClosedUndelivered);
        }
        let at = now + self.config().auto_receive_after;
        let done = sub_order::Entity::update_many()
            .col_expr(sub_order::Column::AutoReceiveAt, Expr::value(at))
            .filter(sub_order::Column::Id.eq(id.0))
            .filter(sub_order::Column::Status.eq(SubOrderStatus::Shipped))
            .exec(conn)
            .await?;
        if done.rows_affected != 1 {
            return Ok(ReceiptRelease::Unchanged);
        }
        self.infra()
            .outbox
            .enqueue_at(conn, topics::AUTO_RECEIVE, &json!({"sub_order_id": id}), at)
            .await?;
        Ok(ReceiptRelease::Resumed)
    }
}

/// What ending a receipt hold did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReceiptRelease {
    /// Money is left on it: the automatic receipt starts again.
    Resumed,
    /// Refunded in full: closed as never delivered.
    ClosedUndelivered,
    /// It was not shipped and unreceived (already closed, received, or unknown).
    Unchanged,
}
