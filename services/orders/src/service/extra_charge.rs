//! Catch weight's consented extra charge (补差价, issue #22): a line weighed above its tolerance
//! asks its buyer for the part above it, in the weighing's transaction. The buyer pays it
//! through a gateway with an intent of its own (`payment_intents.extra_charge_id`: the same
//! notification handler and query job as an order's payment settle it, once), or declines;
//! unanswered by `answer_by` (`extra_charge_answer_within`, 24 h) the scheduled job declines it.
//! Paid, the extra joins its part's money (`sub_orders.extra_fen`, the commission on it at the
//! line's rate), so statements, the platform's identity and later refunds count it. The part
//! ships whatever the answer. Rules: `domain/extra_charge.rs`.

use crate::Orders;
use crate::domain::extra_charge::{ExtraChargeStatus, ExtraMove, ExtraRefused, extra_transition};
use crate::domain::{
    Device, EventKind, PaymentMethod, PaymentStatus, SubOrderMove, SubOrderStatus, WebhookResult,
    commission, sub_order_transition,
};
use crate::error::{Missing, OrdersError, Result};
use crate::payment::WebhookEvent;
use crate::service::pay::NewIntent;
use crate::service::{IntentView, OrderRecord, Payer, append, topics};
use crate::store::queries::{extra_charges as xq, orders as q, payments};
use crate::store::{extra_charge, intent, line, payment};
use chrono::{DateTime, Utc};
use farmgate_identity::Actor;
use farmgate_infra::db::{begin_write, serialise};
use farmgate_kernel::Money;
use farmgate_kernel::id::{OrderId, SubOrderId};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde_json::json;
use uuid::Uuid;

/// The part is still on its way to the buyer (paid, acknowledged or shipped): an extra is
/// taken only then, so it is in the part's money before its after-sales window opens and
/// long before any payout counts it.
fn part_open(status: SubOrderStatus) -> bool {
    sub_order_transition(status, SubOrderMove::Ship).is_ok()
        || sub_order_transition(status, SubOrderMove::Receive).is_ok()
}

/// Why an extra charge closed without payment, as its event records it.
const DECLINED: &str = "declined";
const LAPSED: &str = "lapsed";

impl Orders {
    /// Asks the buyer for `amount` fen above a line's tolerance, inside the weighing's
    /// transaction: the request and its lapse (an outbox row at `answer_by`) commit with the
    /// weight or not at all. Returns the charge's id.
    pub(crate) async fn request_extra_in(
        &self,
        txn: &impl ConnectionTrait,
        l: &line::Model,
        buyer: Uuid,
        amount: i64,
        now: DateTime<Utc>,
    ) -> Result<Uuid> {
        let id = Uuid::now_v7();
        let answer_by = now + self.config().extra_charge_answer_within;
        xq::insert(
            txn,
            extra_charge::Model {
                id,
                line_id: l.id,
                order_id: l.order_id,
                sub_order_id: l.sub_order_id,
                buyer_account_id: buyer,
                amount_fen: amount,
                commission_fen: commission(Money::from_fen(amount), l.commission_bp).fen(),
                status: ExtraChargeStatus::Requested,
                requested_at: now,
                answer_by,
                answered_at: None,
                payment_id: None,
                refunded_fen: 0,
            },
        )
        .await?;
        self.infra()
            .outbox
            .enqueue_at(
                txn,
                topics::EXTRA_CHARGE_DUE,
                &json!({"sub_order_id": l.sub_order_id, "extra_charge_id": id}),
                answer_by,
            )
            .await?;
        // The buyer is asked at once: unanswered, the charge lapses as declined.
        self.infra()
            .outbox
            .enqueue(
                txn,
                topics::EXTRA_CHARGE_REQUESTED,
                &json!({"sub_order_id": l.sub_order_id, "extra_charge_id": id}),
            )
            .await?;
        Ok(id)
    }

    /// The buyer's own extra charge; anyone else's is not found.
    async fn own_extra(&self, actor: &Actor, id: Uuid) -> Result<extra_charge::Model> {
        xq::get(&self.infra().db, id)
            .await?
            .filter(|c| c.buyer_account_id == actor.account_id.as_uuid())
            .ok_or(OrdersError::NotFound(Missing::ExtraCharge))
    }

    /// Why a charge cannot be paid or declined now, if it cannot.
    fn ensure_open(&self, c: &extra_charge::Model, m: ExtraMove) -> Result<()> {
        match extra_transition(c.status, m) {
            Ok(_) if self.now() < c.answer_by => Ok(()),
            Ok(_) => Err(OrdersError::ExtraChargeClosed),
            Err(_) if c.status == ExtraChargeStatus::Paid => Err(OrdersError::ExtraChargePaid),
            Err(ExtraRefused::AlreadyDone | ExtraRefused::Closed) => {
                Err(OrdersError::ExtraChargeClosed)
            }
        }
    }

    /// The buyer consents and starts (or resumes) paying an extra charge through a gateway:
    /// one pending intent per charge and gateway, for exactly the charge, expiring at the
    /// earlier of the online payment window and the charge's `answer_by`.
    #[tracing::instrument(skip_all, fields(extra_charge.id = %id))]
    pub async fn pay_extra(&self, actor: &Actor, id: Uuid, payer: &Payer) -> Result<IntentView> {
        let c = self.own_extra(actor, id).await?;
        self.ensure_open(&c, ExtraMove::Pay)?;
        let db = &self.infra().db;
        let o = q::order(db, c.order_id)
            .await?
            .ok_or(OrdersError::NotFound(Missing::Order))?;
        let sub = q::sub_order(db, c.sub_order_id)
            .await?
            .ok_or(OrdersError::NotFound(Missing::SubOrder))?;
        if !part_open(sub.status) {
            return Err(OrdersError::ExtraChargeClosed);
        }
        let device = Device::from_user_agent(payer.user_agent.as_deref());
        // Always online: an order paid by bank transfer still pays its small extra at a gateway.
        let provider = self.choose_provider(PaymentMethod::Gateway, payer, device)?;
        let openid = self.payer_openid(actor, provider, device).await?;
        let now = self.now();
        let txn = begin_write(&self.infra().db).await?;
        serialise(&txn, "orders.pay_extra", c.id).await?;
        let it = match payments::pending_extra_intent(&txn, c.id, provider.name(), now).await? {
            Some(it) => it,
            None => {
                let intent = NewIntent {
                    order_id: c.order_id,
                    amount_fen: c.amount_fen,
                    expires_at: c.answer_by.min(now + self.config().gateway_pay_within),
                    extra_charge_id: Some(c.id),
                };
                self.new_intent(&txn, provider, intent, now).await?
            }
        };
        txn.commit().await?;
        let number = format!("{} 补差价", o.number);
        self.start_at_provider(provider, &it, &number, openid, payer, device)
            .await
    }

    /// The buyer declines an extra charge: nothing is charged, the part ships as it is. A trade
    /// started for it is asked about first (paid there: it is paid, `extra_charge_paid`) and
    /// otherwise closed at its provider. Declining again answers the order as it is.
    #[tracing::instrument(skip_all, fields(extra_charge.id = %id))]
    pub async fn decline_extra(&self, actor: &Actor, id: Uuid) -> Result<OrderRecord> {
        let c = self.own_extra(actor, id).await?;
        let order_id = OrderId(c.order_id);
        if c.status == ExtraChargeStatus::Declined {
            return self.existing(order_id).await;
        }
        self.ensure_open(&c, ExtraMove::Decline)?;
        let pending = payments::pending_intents_of_extra(&self.infra().db, c.id).await?;
        if self.close_trades(pending).await? {
            return Err(OrdersError::ExtraChargePaid);
        }
        if !self
            .close_extra(&c, ExtraChargeStatus::Declined, DECLINED, Some(actor))
            .await?
        {
            // Answered a moment ago (paid by a notification, or lapsed).
            let now = xq::get(&self.infra().db, c.id)
                .await?
                .ok_or(OrdersError::NotFound(Missing::ExtraCharge))?;
            return match now.status {
                ExtraChargeStatus::Declined => self.existing(order_id).await,
                ExtraChargeStatus::Paid => Err(OrdersError::ExtraChargePaid),
                _ => Err(OrdersError::ExtraChargeClosed),
            };
        }
        self.existing(order_id).await
    }

    /// The scheduled lapse at `answer_by`: a charge still unanswered is declined (`false`:
    /// answered already, or paid at its provider a moment ago).
    #[tracing::instrument(skip_all, fields(extra_charge.id = %id))]
    pub async fn expire_extra_if_due(&self, id: Uuid) -> Result<bool> {
        let Some(c) = xq::get(&self.infra().db, id).await? else {
            return Ok(false);
        };
        if c.status != ExtraChargeStatus::Requested || self.now() < c.answer_by {
            return Ok(false);
        }
        let pending = payments::pending_intents_of_extra(&self.infra().db, c.id).await?;
        if self.close_trades(pending).await? {
            return Ok(false);
        }
        self.close_extra(&c, ExtraChargeStatus::Expired, LAPSED, None)
            .await
    }

    /// Closes a requested charge without payment, with its event; `false` when it had moved.
    async fn close_extra(
        &self,
        c: &extra_charge::Model,
        to: ExtraChargeStatus,
        why: &str,
        actor: Option<&Actor>,
    ) -> Result<bool> {
        let now = self.now();
        let txn = begin_write(&self.infra().db).await?;
        if !xq::answer(&txn, c.id, to, None, now).await? {
            return Ok(false);
        }
        append(
            &txn,
            c.order_id,
            Some(c.sub_order_id),
            EventKind::ExtraDeclined,
            actor.map(|a| a.account_id.as_uuid()),
            json!({"extra_charge_id": c.id, "line_id": c.line_id, "amount_fen": c.amount_fen, "why": why}),
            now,
        )
        .await?;
        txn.commit().await?;
        Ok(true)
    }

    /// A gateway says an extra charge's intent was paid (notification or query): the charge is
    /// paid once, its money joins the part; money for a charge already paid by another
    /// payment, declined or lapsed goes back whole.
    pub(crate) async fn extra_payment_succeeded(
        &self,
        it: &intent::Model,
        charge: Uuid,
        ev: &WebhookEvent,
    ) -> Result<WebhookResult> {
        let db = &self.infra().db;
        payments::succeed_intent(db, it.id, &ev.transaction_id, self.now()).await?;
        let c = xq::get(db, charge)
            .await?
            .ok_or(OrdersError::NotFound(Missing::ExtraCharge))?;
        let now = self.now();
        let txn = begin_write(db).await?;
        // The part's refunds read what was paid for it: they wait for this to commit.
        serialise(&txn, "orders.refund", SubOrderId(c.sub_order_id)).await?;
        let payment_id = Uuid::now_v7();
        let sub_open = q::sub_order(&txn, c.sub_order_id)
            .await?
            .is_some_and(|s| part_open(s.status));
        if !sub_open
            || !xq::answer(&txn, c.id, ExtraChargeStatus::Paid, Some(payment_id), now).await?
        {
            drop(txn);
            if payments::payment_by_reference(db, c.order_id, &ev.transaction_id)
                .await?
                .is_some()
            {
                return Ok(WebhookResult::AlreadyPaid);
            }
            self.refund_stray(it, &ev.transaction_id, "补差价已关闭或已支付，自动退回")
                .await?;
            return Ok(WebhookResult::RefundedExtra);
        }
        payment::ActiveModel {
            id: Set(payment_id),
            order_id: Set(c.order_id),
            provider: Set(PaymentMethod::Gateway.as_str().to_owned()),
            amount_fen: Set(c.amount_fen),
            status: Set(PaymentStatus::Succeeded),
            reference: Set(Some(ev.transaction_id.clone())),
            confirmed_by: Set(None),
            created_at: Set(now),
            settled_at: Set(Some(now)),
            channel: Set(Some(it.provider.clone())),
            extra_charge_id: Set(Some(c.id)),
        }
        .insert(&txn)
        .await?;
        xq::add_to_sub_order(&txn, c.sub_order_id, c.amount_fen, c.commission_fen).await?;
        append(
            &txn,
            c.order_id,
            Some(c.sub_order_id),
            EventKind::ExtraPaid,
            None,
            json!({"extra_charge_id": c.id, "line_id": c.line_id, "amount_fen": c.amount_fen,
                   "provider": it.provider, "reference": ev.transaction_id}),
            now,
        )
        .await?;
        txn.commit().await?;
        Ok(WebhookResult::ExtraPaid)
    }
}
