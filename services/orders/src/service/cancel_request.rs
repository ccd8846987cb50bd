//! The buyer's request to cancel a paid, unshipped sub-order (issue #18): the seller accepts
//! it (the part is cancelled and refunded in full) or refuses it with a reason before its
//! limit; unanswered by then, it is accepted by the scheduled job. One request per part.
//! Shipping while it is open refuses it (see `domain::deadlines` for why).

use crate::Orders;
use crate::domain::{
    CancelCause, CancelRequestStatus, EventKind, MoveRefused, RequestMove, SubOrderMove,
    may_refuse, request_transition, sub_order_transition, unanswered,
};
use crate::error::{OrdersError, Result};
use crate::service::{OrderRecord, append, topics};
use crate::store::queries::{deadlines as dq, orders as q};
use chrono::{DateTime, Utc};
use farmgate_identity::Actor;
use farmgate_infra::db::begin_write;
use farmgate_kernel::id::{OrderId, SubOrderId};
use farmgate_kernel::text::clean_text;
use sea_orm::ConnectionTrait;
use serde_json::json;
use uuid::Uuid;

/// What the seller's refusal of a shipped part records.
const REFUSED_BY_SHIPPING: &str = "卖家已发货 / the seller has shipped";

impl Orders {
    /// The buyer asks to cancel a paid part that has not shipped; the seller's members hear
    /// of it and answer within `cancel_answer_hours`.
    #[tracing::instrument(skip_all, fields(sub_order.id = %id))]
    pub async fn request_cancel(
        &self,
        actor: &Actor,
        id: SubOrderId,
        reason: &str,
    ) -> Result<OrderRecord> {
        let sub = self.sub_of_buyer(actor, id).await?;
        let reason = clean_text(reason, 2, 200, true).map_err(|e| e.at("reason"))?;
        if request_transition(sub.cancel_request, RequestMove::Open).is_err() {
            return Err(OrdersError::CancelAlreadyRequested);
        }
        if sub_order_transition(sub.status, SubOrderMove::CancelPaid).is_err() {
            return Err(OrdersError::CannotCancelPart);
        }
        let now = self.now();
        let answer_by = now + self.config().cancel_answer_within;
        let txn = begin_write(&self.infra().db).await?;
        let from = SubOrderMove::CancelPaid.from_states();
        if !dq::open_cancel_request(&txn, sub.id, &from, &reason, now, answer_by).await? {
            drop(txn);
            // Asked a moment ago (a second click), or shipped or cancelled meanwhile.
            let again = q::sub_order(&self.infra().db, sub.id).await?;
            return Err(match again.and_then(|s| s.cancel_request) {
                Some(_) => OrdersError::CancelAlreadyRequested,
                None => OrdersError::CannotCancelPart,
            });
        }
        append(
            &txn,
            sub.order_id,
            Some(sub.id),
            EventKind::CancelRequested,
            Some(actor.account_id.as_uuid()),
            json!({ "reason": reason, "answer_by": answer_by }),
            now,
        )
        .await?;
        let outbox = &self.infra().outbox;
        let payload = json!({ "sub_order_id": sub.id });
        outbox
            .enqueue(&txn, topics::CANCEL_REQUESTED, &payload)
            .await?;
        outbox
            .enqueue_at(&txn, topics::CANCEL_ANSWER_DUE, &payload, answer_by)
            .await?;
        txn.commit().await?;
        outbox.wake();
        self.existing(OrderId(sub.order_id)).await
    }

    /// The seller accepts the buyer's request: the part is cancelled and refunded in full.
    /// Also after the limit (the outcome the scheduler would reach). Again: the order as it is.
    #[tracing::instrument(skip_all, fields(sub_order.id = %id))]
    pub async fn accept_cancel(&self, actor: &Actor, id: SubOrderId) -> Result<OrderRecord> {
        let sub = self.sub_of_seller(actor, id).await?;
        let order_id = OrderId(sub.order_id);
        match request_transition(sub.cancel_request, RequestMove::Accept) {
            Ok(_) => {}
            Err(MoveRefused::AlreadyDone) => return self.existing(order_id).await,
            Err(MoveRefused::NotAllowed) => return Err(OrdersError::CancelRequestClosed),
        }
        let cause = CancelCause::RequestAccepted;
        if !self
            .cancel_paid(sub.id, cause, Some(actor.account_id), None)
            .await?
        {
            // Cancelled a moment ago (the scheduler, the buyer): the request went with it.
            let again = q::sub_order(&self.infra().db, sub.id).await?;
            if again.and_then(|s| s.cancel_request) != Some(CancelRequestStatus::Accepted) {
                return Err(OrdersError::CancelRequestClosed);
            }
        }
        self.existing(order_id).await
    }

    /// The seller refuses the buyer's request, with a reason, before its limit.
    #[tracing::instrument(skip_all, fields(sub_order.id = %id))]
    pub async fn refuse_cancel(
        &self,
        actor: &Actor,
        id: SubOrderId,
        reason: &str,
    ) -> Result<OrderRecord> {
        let sub = self.sub_of_seller(actor, id).await?;
        let reason = clean_text(reason, 2, 200, true).map_err(|e| e.at("reason"))?;
        let order_id = OrderId(sub.order_id);
        match request_transition(sub.cancel_request, RequestMove::Refuse) {
            Ok(_) => {}
            Err(MoveRefused::AlreadyDone) => return self.existing(order_id).await,
            Err(MoveRefused::NotAllowed) => return Err(OrdersError::CancelRequestClosed),
        }
        let now = self.now();
        if !may_refuse(sub.cancel_answer_by, now) {
            return Err(OrdersError::AnswerTooLate);
        }
        let txn = begin_write(&self.infra().db).await?;
        let actor = Some(actor.account_id.as_uuid());
        if !self
            .close_request_refused(&txn, sub.order_id, sub.id, &reason, actor, now)
            .await?
        {
            return Err(OrdersError::CancelRequestClosed);
        }
        txn.commit().await?;
        self.infra().outbox.wake();
        self.existing(order_id).await
    }

    /// The scheduled acceptance of a request nobody answered in time (`false`: answered, or
    /// not due).
    #[tracing::instrument(skip_all, fields(sub_order.id = %id))]
    pub async fn accept_unanswered_cancel(&self, id: SubOrderId) -> Result<bool> {
        let Some(sub) = q::sub_order(&self.infra().db, id.0).await? else {
            return Ok(false);
        };
        let open = sub.cancel_request == Some(CancelRequestStatus::Open);
        if !open || !unanswered(sub.cancel_answer_by, self.now()) {
            return Ok(false);
        }
        self.cancel_paid(sub.id, CancelCause::RequestUnanswered, None, None)
            .await
    }

    /// Inside a shipment's transaction: an open request is refused by the parcel (the buyer
    /// hears of it). Nothing when none is open.
    pub(crate) async fn refuse_request_by_shipping(
        &self,
        txn: &impl ConnectionTrait,
        order_id: Uuid,
        sub_order_id: Uuid,
        actor: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.close_request_refused(txn, order_id, sub_order_id, REFUSED_BY_SHIPPING, actor, now)
            .await?;
        Ok(())
    }

    /// Closes the open request as refused, with its event and the buyer's notification.
    async fn close_request_refused(
        &self,
        txn: &impl ConnectionTrait,
        order_id: Uuid,
        sub_order_id: Uuid,
        reason: &str,
        actor: Option<Uuid>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let refused = CancelRequestStatus::Refused;
        if !dq::close_cancel_request(txn, sub_order_id, refused, Some(reason), now).await? {
            return Ok(false);
        }
        append(
            txn,
            order_id,
            Some(sub_order_id),
            EventKind::CancelRefused,
            actor,
            json!({ "reason": reason }),
            now,
        )
        .await?;
        self.infra()
            .outbox
            .enqueue(
                txn,
                topics::CANCEL_REFUSED,
                &json!({ "sub_order_id": sub_order_id }),
            )
            .await?;
        Ok(true)
    }
}
