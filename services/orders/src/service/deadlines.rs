//! A paid sub-order's ship-by deadline (issue #18): scheduled at payment, a reminder to the
//! seller before it; after it the buyer may cancel the part at once for a full refund; a grace
//! period later it is cancelled and refunded automatically. Every way a paid part is called
//! off (also the buyer's request accepted, see `cancel_request`) goes through
//! [`Orders::cancel_paid`]: once, whoever asks and however often.

use crate::Orders;
use crate::domain::{
    CancelCause, CancelRequestStatus, EventKind, Liability, MoveRefused, SubOrderMove,
    SubOrderStatus, lapsed, lapses_at, overdue, reminder_at, sub_order_transition,
};
use crate::error::{Missing, OrdersError, Result};
use crate::service::{OrderRecord, append, topics};
use crate::store::queries::{deadlines as dq, orders as q};
use chrono::{DateTime, Duration, Utc};
use farmgate_identity::Actor;
use farmgate_infra::db::{begin_write, serialise};
use farmgate_kernel::id::{AccountId, OrderId, OrgId, SkuId, SubOrderId};
use farmgate_kernel::text::clean_optional_text;
use sea_orm::ConnectionTrait;
use serde_json::json;
use uuid::Uuid;

impl Orders {
    /// The handling time a part was sold with (fixed at checkout from its lines' categories);
    /// the configured default for parts sold before categories could promise one.
    pub(crate) fn ship_within_of(&self, sub: &crate::store::sub_order::Model) -> Duration {
        sub.ship_within_hours
            .map_or(self.config().ship_within, |h| Duration::hours(i64::from(h)))
    }

    /// Schedules a part's reminder and automatic cancellation, inside the transaction that
    /// paid it (the times are outbox rows: they survive restarts and run once across workers).
    pub(crate) async fn schedule_ship_by(
        &self,
        txn: &impl ConnectionTrait,
        sub_order_id: Uuid,
        paid_at: DateTime<Utc>,
        ship_by: DateTime<Utc>,
    ) -> Result<()> {
        let outbox = &self.infra().outbox;
        let payload = json!({ "sub_order_id": sub_order_id });
        let cfg = self.config();
        if let Some(at) = reminder_at(ship_by, cfg.ship_by_remind_before, paid_at) {
            outbox
                .enqueue_at(txn, topics::SHIP_BY_REMIND, &payload, at)
                .await?;
        }
        outbox
            .enqueue_at(
                txn,
                topics::SHIP_BY_LAPSE,
                &payload,
                lapses_at(ship_by, cfg.ship_by_grace),
            )
            .await?;
        Ok(())
    }

    /// The scheduled reminder: the seller's members hear that the deadline is near, once, and
    /// only while the part still waits to ship (`false`: nothing to remind of).
    #[tracing::instrument(skip_all, fields(sub_order.id = %id))]
    pub async fn remind_ship_by_if_due(&self, id: SubOrderId) -> Result<bool> {
        let db = &self.infra().db;
        let Some(sub) = q::sub_order(db, id.0).await? else {
            return Ok(false);
        };
        let Some(ship_by) = sub.ship_by else {
            return Ok(false);
        };
        let now = self.now();
        let due = reminder_at(ship_by, self.config().ship_by_remind_before, now).is_none();
        if !due || sub_order_transition(sub.status, SubOrderMove::Ship).is_err() {
            return Ok(false);
        }
        let txn = begin_write(db).await?;
        if !dq::mark_reminded(&txn, sub.id, &SubOrderMove::Ship.from_states(), now).await? {
            return Ok(false);
        }
        append(
            &txn,
            sub.order_id,
            Some(sub.id),
            EventKind::ShipByReminded,
            None,
            json!({ "ship_by": ship_by }),
            now,
        )
        .await?;
        self.infra()
            .outbox
            .enqueue(
                &txn,
                topics::SHIP_BY_NEAR,
                &json!({ "sub_order_id": sub.id }),
            )
            .await?;
        txn.commit().await?;
        self.infra().outbox.wake();
        Ok(true)
    }

    /// The buyer cancels a part the seller did not ship by its deadline: cancelled at once,
    /// fully refunded, stock back. Again (or after the scheduler did it): the order as it is.
    #[tracing::instrument(skip_all, fields(sub_order.id = %id))]
    pub async fn cancel_overdue(
        &self,
        actor: &Actor,
        id: SubOrderId,
        reason: Option<&str>,
    ) -> Result<OrderRecord> {
        let sub = self.sub_of_buyer(actor, id).await?;
        let reason = clean_optional_text(reason, 200, true).map_err(OrdersError::field)?;
        let order_id = OrderId(sub.order_id);
        match sub_order_transition(sub.status, SubOrderMove::CancelPaid) {
            Ok(_) => {}
            Err(MoveRefused::AlreadyDone) => return self.existing(order_id).await,
            Err(MoveRefused::NotAllowed) => return Err(OrdersError::CannotCancelPart),
        }
        if !overdue(sub.ship_by, self.now()) {
            return Err(OrdersError::NotOverdue);
        }
        let cause = CancelCause::Overdue;
        let actor_id = Some(actor.account_id);
        if !self.cancel_paid(sub.id, cause, actor_id, reason).await? {
            self.cancelled_meanwhile(sub.id).await?;
        }
        self.existing(order_id).await
    }

    /// The scheduled cancellation of a part still unshipped a grace period after its deadline
    /// (`false`: shipped, cancelled already, or not due).
    #[tracing::instrument(skip_all, fields(sub_order.id = %id))]
    pub async fn auto_cancel_if_lapsed(&self, id: SubOrderId) -> Result<bool> {
        let Some(sub) = q::sub_order(&self.infra().db, id.0).await? else {
            return Ok(false);
        };
        let due = lapsed(sub.ship_by, self.config().ship_by_grace, self.now());
        if !due || sub_order_transition(sub.status, SubOrderMove::CancelPaid).is_err() {
            return Ok(false);
        }
        self.cancel_paid(sub.id, CancelCause::Lapsed, None, None)
            .await
    }

    /// A sub-order the caller bought (anyone else: the seller's members and the platform
    /// staff, who may see it, are refused; others are told it does not exist).
    pub(crate) async fn sub_of_buyer(
        &self,
        actor: &Actor,
        id: SubOrderId,
    ) -> Result<crate::store::sub_order::Model> {
        let db = &self.infra().db;
        let not_found = || OrdersError::NotFound(Missing::SubOrder);
        let sub = q::sub_order(db, id.0).await?.ok_or_else(not_found)?;
        let o = q::order(db, sub.order_id).await?.ok_or_else(not_found)?;
        if o.buyer_account_id == actor.account_id.as_uuid() {
            return Ok(sub);
        }
        let sees =
            actor.membership(OrgId(sub.seller_org_id)).is_some() || actor.is_platform_staff();
        Err(if sees {
            OrdersError::Forbidden
        } else {
            not_found()
        })
    }

    /// After a cancellation that changed nothing: fine if the part is cancelled (someone
    /// else did it a moment ago), `cannot_cancel` if it shipped meanwhile.
    pub(crate) async fn cancelled_meanwhile(&self, id: Uuid) -> Result<()> {
        let now = q::sub_order(&self.infra().db, id)
            .await?
            .ok_or(OrdersError::NotFound(Missing::SubOrder))?;
        if now.status == SubOrderStatus::Cancelled {
            Ok(())
        } else {
            Err(OrdersError::CannotCancelPart)
        }
    }

    /// Calls off a paid part that has not shipped, once: in one transaction its remaining
    /// payment is refunded (charged to the seller, under the key `cancel:{id}`, which every
    /// cause shares), it moves to `cancelled` (a conditional update from paid/acknowledged),
    /// its stock goes back, an open cancel request is closed as accepted, and the event that
    /// tells the people is written. The sub-order's refunds take turns (the refund ledger's
    /// lock, taken first), so the buyer, the scheduler and a second worker at the same moment
    /// make one cancellation and one refund; a shipment at the same moment wins or loses
    /// whole. `false`: it had shipped or was cancelled already, and nothing was written.
    pub(crate) async fn cancel_paid(
        &self,
        id: Uuid,
        cause: CancelCause,
        actor: Option<AccountId>,
        reason: Option<String>,
    ) -> Result<bool> {
        let txn = begin_write(&self.infra().db).await?;
        serialise(&txn, "orders.refund", SubOrderId(id)).await?;
        let sub = q::sub_order(&txn, id)
            .await?
            .ok_or(OrdersError::NotFound(Missing::SubOrder))?;
        if sub_order_transition(sub.status, SubOrderMove::CancelPaid).is_err() {
            return Ok(false);
        }
        let now = self.now();
        // Everything paid for the part: an extra charge paid at weighing goes back too.
        let left = sub.total_fen + sub.extra_fen - sub.refunded_fen;
        let refund = if left > 0 {
            let r = self
                .refund_sub_order_in(
                    &txn,
                    SubOrderId(id),
                    left,
                    Liability::SELLER,
                    cause.label_zh(),
                    &format!("cancel:{id}"),
                    actor,
                )
                .await?;
            Some(r.id)
        } else {
            None
        };
        if !dq::cancel_paid_sub_order(&txn, id, &SubOrderMove::CancelPaid.from_states()).await? {
            // Shipped a moment ago: the refund above goes with the transaction.
            return Ok(false);
        }
        // Its delivery window's place goes back with it (issue #22).
        crate::service::delivery::release_delivery(&txn, id).await?;
        // A pre-sale's balance took no stock; its deposit comes back too.
        if !self.presale_part_cancelled(&txn, sub.order_id).await? {
            for l in q::lines_of_sub_order(&txn, id).await? {
                self.catalog()
                    .return_stock(&txn, SkuId(l.sku_id), l.quantity)
                    .await?;
            }
        }
        dq::close_cancel_request(&txn, id, CancelRequestStatus::Accepted, None, now).await?;
        let actor = actor.map(|a| a.as_uuid());
        append(
            &txn,
            sub.order_id,
            Some(id),
            EventKind::Cancelled,
            actor,
            json!({ "cause": cause, "reason": reason, "refunded_fen": left, "refund_id": refund }),
            now,
        )
        .await?;
        let topic = if cause.answers_request() {
            topics::CANCEL_ACCEPTED
        } else {
            topics::CANCELLED_LATE
        };
        let outbox = &self.infra().outbox;
        outbox
            .enqueue(&txn, topic, &json!({ "sub_order_id": id, "cause": cause }))
            .await?;
        // A replacement was free: nothing came back above. After-sales refunds what it stood
        // for, in this same commit (the event is written once, with the cancellation).
        if let Some(made) = dq::replacement_event(&txn, id).await? {
            outbox
                .enqueue(
                    &txn,
                    topics::REPLACEMENT_CANCELLED,
                    &json!({ "sub_order_id": id, "replaces": made.data["replaces"],
                             "key": made.data["key"], "cause": cause }),
                )
                .await?;
        }
        txn.commit().await?;
        self.infra().outbox.wake();
        Ok(true)
    }
}
