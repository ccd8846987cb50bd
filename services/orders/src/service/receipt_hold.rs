//! A claim before receipt (after-sales' "not received" or "lost") holds the parcel's automatic
//! receipt: goods the buyer says never came must not count as received by the scheduler, open
//! an after-sales window and become payable to the seller while the claim is handled. When
//! the claim ends with money still left on the sub-order (rejected, a partial refund, a
//! reship), the receipt clock starts again; refunded in full, the parcel stays unreceived and
//! never becomes payable (docs/MONEY.md).

use crate::Orders;
use crate::domain::SubOrderStatus;
use crate::error::Result;
use crate::service::topics;
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

    /// Starts the automatic receipt again (the configured days from now) of a shipped,
    /// unreceived sub-order whose claim ended with something left of its payment, inside the
    /// caller's transaction; a sub-order refunded in full stays held. Whether it started.
    pub async fn resume_receipt_in(
        &self,
        conn: &impl ConnectionTrait,
        id: SubOrderId,
    ) -> Result<bool> {
        let row: Option<(i64, i64)> = sub_order::Entity::find_by_id(id.0)
            .select_only()
            .columns([sub_order::Column::TotalFen, sub_order::Column::RefundedFen])
            .filter(sub_order::Column::Status.eq(SubOrderStatus::Shipped))
            .into_tuple()
            .one(conn)
            .await?;
        let Some((total, refunded)) = row else {
            return Ok(false);
        };
        if refunded >= total {
            return Ok(false);
        }
        let at = self.now() + self.config().auto_receive_after;
        let done = sub_order::Entity::update_many()
            .col_expr(sub_order::Column::AutoReceiveAt, Expr::value(at))
            .filter(sub_order::Column::Id.eq(id.0))
            .filter(sub_order::Column::Status.eq(SubOrderStatus::Shipped))
            .exec(conn)
            .await?;
        if done.rows_affected != 1 {
            return Ok(false);
        }
        self.infra()
            .outbox
            .enqueue_at(conn, topics::AUTO_RECEIVE, &json!({"sub_order_id": id}), at)
            .await?;
        Ok(true)
    }
}
