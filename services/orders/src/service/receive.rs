//! Receipt: the buyer confirms a parcel arrived, or the scheduler does after the configured
//! days; receipt opens the after-sales window (the longest claim window of the lines).

use crate::Orders;
use crate::domain::{self, EventKind, MoveRefused, SubOrderMove, sub_order_transition};
use crate::error::{Missing, OrdersError, Result};
use crate::service::{OrderRecord, append, topics};
use crate::store::queries::orders as q;
use crate::store::sub_order;
use chrono::{DateTime, Utc};
use farmgate_identity::Actor;
use farmgate_infra::db::begin_write;
use farmgate_kernel::id::{OrderId, SubOrderId};
use sea_orm::DatabaseTransaction;
use serde_json::{Value, json};
use uuid::Uuid;

impl Orders {
    /// The buyer confirms a parcel arrived (again: nothing changes).
    #[tracing::instrument(skip_all, fields(sub_order.id = %id))]
    pub async fn receive(&self, actor: &Actor, id: SubOrderId) -> Result<OrderRecord> {
        let db = &self.infra().db;
        let not_found = || OrdersError::NotFound(Missing::SubOrder);
        let sub = q::sub_order(db, id.0).await?.ok_or_else(not_found)?;
        let o = q::order(db, sub.order_id).await?.ok_or_else(not_found)?;
        if o.buyer_account_id != actor.account_id.as_uuid() {
            return Err(not_found());
        }
        match sub_order_transition(sub.status, SubOrderMove::Receive) {
            Ok(_) => {
                self.mark_received(&sub, Some(actor.account_id.as_uuid()))
                    .await?;
            }
            Err(MoveRefused::AlreadyDone) => {}
            Err(MoveRefused::NotAllowed) => return Err(OrdersError::NotShippedToReceive),
        }
        self.existing(OrderId(sub.order_id)).await
    }

    /// The scheduler's receipt of a shipment nobody confirmed (once; early or repeated calls
    /// change nothing).
    #[tracing::instrument(skip_all, fields(sub_order.id = %id))]
    pub async fn auto_receive_if_due(&self, id: SubOrderId) -> Result<bool> {
        let Some(sub) = q::sub_order(&self.infra().db, id.0).await? else {
            return Ok(false);
        };
        let due = sub.auto_receive_at.is_some_and(|t| t <= self.now());
        if sub_order_transition(sub.status, SubOrderMove::Receive).is_err() || !due {
            return Ok(false);
        }
        self.mark_received(&sub, None).await
    }

    async fn mark_received(&self, sub: &sub_order::Model, actor: Option<Uuid>) -> Result<bool> {
        let closes = self.window_closes(sub.id).await?;
        let txn = begin_write(&self.infra().db).await?;
        let data = json!({"automatic": actor.is_none(), "window_closes_at": closes});
        if !self
            .mark_received_in(&txn, sub, actor, closes, data)
            .await?
        {
            return Ok(false);
        }
        txn.commit().await?;
        self.infra().outbox.wake();
        Ok(true)
    }

    /// When the after-sales window of a sub-order received now closes (the longest claim
    /// window of its lines).
    pub(crate) async fn window_closes(&self, sub: Uuid) -> Result<DateTime<Utc>> {
        let hours: Vec<i32> = q::lines_of_sub_order(&self.infra().db, sub)
            .await?
            .iter()
            .map(|l| l.claim_window_hours)
            .collect();
        Ok(domain::window_closes_at(self.now(), hours))
    }

    /// The receipt inside the caller's transaction, once: the sub-order moves to `received`
    /// only from the states the move starts from, with its event (`data`) and topic. The
    /// buyer's confirmation, the scheduler and a signed delivery note all come here; whether
    /// this call made the move.
    pub(crate) async fn mark_received_in(
        &self,
        txn: &DatabaseTransaction,
        sub: &sub_order::Model,
        actor: Option<Uuid>,
        closes: DateTime<Utc>,
        data: Value,
    ) -> Result<bool> {
        let now = self.now();
        let from = SubOrderMove::Receive.from_states();
        if !q::receive_sub_order(txn, sub.id, &from, now, closes).await? {
            return Ok(false);
        }
        append(
            txn,
            sub.order_id,
            Some(sub.id),
            EventKind::Received,
            actor,
            data,
            now,
        )
        .await?;
        self.infra()
            .outbox
            .enqueue(txn, topics::RECEIVED, &json!({"sub_order_id": sub.id}))
            .await?;
        Ok(true)
    }
}
