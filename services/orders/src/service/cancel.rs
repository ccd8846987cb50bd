//! Cancelling and expiring: an unpaid order closes and its stock goes back, once.

use crate::Orders;
use crate::domain::{EventKind, OrderMove, SubOrderStatus, order_transition};
use crate::error::{OrdersError, Result};
use crate::service::{OrderRecord, append};
use crate::store::queries::orders as q;
use farmgate_identity::Actor;
use farmgate_infra::db::begin_write;
use farmgate_kernel::id::{OrderId, SkuId};
use farmgate_kernel::text::clean_optional_text;
use sea_orm::DatabaseTransaction;
use serde_json::{Value, json};
use uuid::Uuid;

impl Orders {
    /// The buyer (or the operator) cancels an unpaid order; its stock goes back.
    #[tracing::instrument(skip_all, fields(order.id = %id))]
    pub async fn cancel(
        &self,
        actor: &Actor,
        id: OrderId,
        reason: Option<&str>,
    ) -> Result<OrderRecord> {
        let record = self.order_for(actor, id).await?;
        let buyer = record.order.buyer_account_id == actor.account_id.as_uuid();
        if !buyer && !actor.is_operator() {
            return Err(OrdersError::Forbidden);
        }
        let reason = clean_optional_text(reason, 200, true).map_err(OrdersError::field)?;
        // Paid at the provider a moment ago: it is paid, not cancelled. Otherwise its trade
        // is closed there first, so it can no longer take the money.
        if self.close_provider_trades(id).await? {
            return Err(OrdersError::CannotCancel);
        }
        let released = self
            .release(
                &record,
                OrderMove::Cancel,
                EventKind::Cancelled,
                Some(actor.account_id.as_uuid()),
                json!({"reason": reason}),
            )
            .await?;
        if !released {
            return Err(OrdersError::CannotCancel);
        }
        self.existing(id).await
    }

    /// Expires an order still unpaid at its deadline (the scheduled job calls this; running
    /// it twice, or after payment, changes nothing).
    #[tracing::instrument(skip_all, fields(order.id = %id))]
    pub async fn expire_if_unpaid(&self, id: OrderId) -> Result<bool> {
        let Some(record) = self.record(id).await? else {
            return Ok(false);
        };
        if self.now() < record.order.pay_by {
            return Ok(false);
        }
        if record.order.status == crate::domain::OrderStatus::PendingPayment
            && self.close_provider_trades(id).await?
        {
            return Ok(false);
        }
        self.release(
            &record,
            OrderMove::Expire,
            EventKind::Expired,
            None,
            json!({}),
        )
        .await
    }

    /// Closes an unpaid order and puts its stock back, once: the status changes only from the
    /// states the move starts from (`pending_payment`), in the same transaction as the stock.
    async fn release(
        &self,
        record: &OrderRecord,
        m: OrderMove,
        kind: EventKind,
        actor: Option<Uuid>,
        data: Value,
    ) -> Result<bool> {
        let txn = begin_write(&self.infra().db).await?;
        if !self.release_in(&txn, record, m, kind, actor, data).await? {
            return Ok(false);
        }
        txn.commit().await?;
        self.infra().outbox.wake();
        Ok(true)
    }

    /// [`Self::release`] inside the caller's transaction (rejecting an approval cancels the
    /// order in the transaction that records the decision).
    pub(crate) async fn release_in(
        &self,
        txn: &DatabaseTransaction,
        record: &OrderRecord,
        m: OrderMove,
        kind: EventKind,
        actor: Option<Uuid>,
        data: Value,
    ) -> Result<bool> {
        let Ok(to) = order_transition(record.order.status, m) else {
            return Ok(false);
        };
        if !q::move_order(txn, record.order.id, &m.from_states(), to, None).await? {
            return Ok(false);
        }
        q::set_sub_orders_of_order(txn, record.order.id, SubOrderStatus::Cancelled, None).await?;
        // Booked delivery windows give their places back (issue #22).
        for sub in &record.subs {
            crate::service::delivery::release_delivery(txn, sub.id).await?;
        }
        // A pre-sale's order took no stock: an unpaid deposit's quantity goes back to the
        // pre-sale instead; an unpaid balance forfeits the reservation.
        if !crate::service::presale_balance::order_released(txn, record.order.id).await? {
            for l in &record.lines {
                self.catalog()
                    .return_stock(txn, SkuId(l.sku_id), l.quantity)
                    .await?;
            }
        }
        append(txn, record.order.id, None, kind, actor, data, self.now()).await?;
        Ok(true)
    }
}
