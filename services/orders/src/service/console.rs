//! The seller's console: which sub-orders the caller may handle as their seller, and
//! acknowledging a paid one (the time it took is recorded; the seed practice is to contact the
//! buyer within ten minutes). The seller's list of sub-orders is in `read`.

use crate::Orders;
use crate::domain::{EventKind, MoveRefused, SubOrderMove, sub_order_transition};
use crate::error::{Missing, OrdersError, Result};
use crate::service::{OrderRecord, append};
use crate::store::queries::orders as q;
use crate::store::sub_order;
use farmgate_identity::Actor;
use farmgate_infra::db::begin_write;
use farmgate_kernel::id::{OrderId, OrgId, SubOrderId};
use serde_json::json;

impl Orders {
    /// A sub-order the caller sells (members of the seller; others are told it does not exist).
    pub(crate) async fn sub_of_seller(
        &self,
        actor: &Actor,
        id: SubOrderId,
    ) -> Result<sub_order::Model> {
        let sub = q::sub_order(&self.infra().db, id.0)
            .await?
            .ok_or(OrdersError::NotFound(Missing::SubOrder))?;
        let org = OrgId(sub.seller_org_id);
        if actor.membership(org).is_none() {
            return Err(OrdersError::NotFound(Missing::SubOrder));
        }
        actor.require_selling_member(org)?;
        Ok(sub)
    }

    /// The seller has seen a paid sub-order; the time it took is recorded. Again: nothing
    /// changes.
    #[tracing::instrument(skip_all, fields(sub_order.id = %id))]
    pub async fn acknowledge(&self, actor: &Actor, id: SubOrderId) -> Result<OrderRecord> {
        let sub = self.sub_of_seller(actor, id).await?;
        let order_id = OrderId(sub.order_id);
        match sub_order_transition(sub.status, SubOrderMove::Acknowledge) {
            Ok(_) => {}
            Err(MoveRefused::AlreadyDone) => return self.existing(order_id).await,
            Err(MoveRefused::NotAllowed) => return Err(OrdersError::CannotAcknowledge),
        }
        let now = self.now();
        let waited = sub
            .paid_at
            .map(|p| std::cmp::max((now - p).num_seconds(), 0))
            .unwrap_or(0);
        let txn = begin_write(&self.infra().db).await?;
        let from = SubOrderMove::Acknowledge.from_states();
        if q::acknowledge_sub_order(&txn, sub.id, &from, now).await? {
            append(
                &txn,
                sub.order_id,
                Some(sub.id),
                EventKind::Acknowledged,
                Some(actor.account_id.as_uuid()),
                json!({"seconds_since_paid": waited}),
                now,
            )
            .await?;
        }
        txn.commit().await?;
        self.existing(order_id).await
    }
}
