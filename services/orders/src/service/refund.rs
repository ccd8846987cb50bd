//! The refund ledger: refunds of a sub-order (the operator's, an after-sales decision's, a
//! recall's), never above what was paid, and the provider paying them back once.

use crate::Orders;
use crate::domain::extra_charge::draw_refund;
use crate::domain::{
    EventKind, Liability, LiabilitySplit, LiableParty, PaymentMethod, RefundShare, RefundStatus,
    SubOrderMove, sub_order_transition,
};
use crate::error::{Missing, OrdersError, Result};
use crate::payment::RefundCall;
use crate::service::{OrderRecord, append, topics};
use crate::store::queries::{extra_charges as xq, orders as q, payments};
use crate::store::refund;
use farmgate_identity::Actor;
use farmgate_infra::db::{begin_write, serialise, violates};
use farmgate_kernel::id::{AccountId, OrderId, RefundId, SubOrderId};
use farmgate_kernel::text::clean_text;
use farmgate_kernel::{FieldError, Money, ValidationErrors};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

/// A refund the operator orders.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundRequest {
    /// Fen; at most what is left of the sub-order's payment.
    pub amount: i64,
    pub reason: String,
    /// Who bears it, in whole percent adding up to 100, each party once; absent: the seller.
    /// The carrier is charged only through an after-sales claim, which holds the waybill and
    /// the photos its recourse needs.
    #[serde(default)]
    pub liability: Option<Vec<RefundShare>>,
}

/// The liability a refund request states: the seller when absent; the carrier refused.
fn liability_of(req: &RefundRequest) -> Result<Liability, FieldError> {
    let Some(shares) = &req.liability else {
        return Ok(Liability::SELLER);
    };
    let l = Liability::from_shares(shares)?;
    if l.percent_of(LiableParty::Carrier) > 0 {
        return Err(FieldError::new(
            "liability",
            "carrier_needs_claim",
            "承运商的责任须通过售后申请认定（需运单与照片）",
            "a carrier is charged through an after-sales claim, with its waybill and photos",
        ));
    }
    Ok(l)
}

impl Orders {
    /// The operator refunds part or all of a sub-order. Idempotent by `Idempotency-Key`.
    #[tracing::instrument(skip_all, fields(sub_order.id = %id))]
    pub async fn refund_by_operator(
        &self,
        actor: &Actor,
        id: SubOrderId,
        req: &RefundRequest,
        key: Option<&str>,
    ) -> Result<OrderRecord> {
        actor.require_platform_staff()?;
        let key = key
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .ok_or_else(|| {
                OrdersError::field(FieldError::new(
                    "Idempotency-Key",
                    "required",
                    "退款请求需要 Idempotency-Key 请求头",
                    "a refund needs an Idempotency-Key header",
                ))
            })?;
        let mut errs = ValidationErrors::new();
        let reason = errs.check("reason", clean_text(&req.reason, 2, 200, true));
        let liability = errs.check("liability", liability_of(req));
        let (Some(reason), Some(liability)) = (reason, liability) else {
            return Err(OrdersError::Invalid(errs));
        };
        let r = self
            .refund_sub_order(
                id,
                req.amount,
                liability,
                &reason,
                key,
                Some(actor.account_id),
            )
            .await?;
        self.existing(OrderId(r.order_id)).await
    }

    /// Records a refund of `amount` fen on a sub-order, charged by `liability` (its parts in
    /// fen are stored with it and added to the sub-order's running totals), and has the order's payment provider
    /// pay it back (the outbox job does that, at least once, with the refund id as the
    /// merchant refund number). The total refunded never exceeds what was paid: the check is
    /// a conditional update, so two refunds at once cannot both pass it. A repeated
    /// `key` returns the refund it made the first time, also when both arrive at once: the
    /// refunds of one sub-order take turns, and the key is looked up in that turn.
    #[tracing::instrument(skip_all, fields(sub_order.id = %id, refund.id))]
    pub async fn refund_sub_order(
        &self,
        id: SubOrderId,
        amount: i64,
        liability: Liability,
        reason: &str,
        key: &str,
        actor: Option<AccountId>,
    ) -> Result<refund::Model> {
        match self
            .write_refund(id, amount, liability, reason, key, actor)
            .await
        {
            // The same key for another sub-order of the order, committed a moment ago.
            Err(OrdersError::Db(e)) if violates(&e, &payments::REFUND_IDEMPOTENCY) => {
                let db = &self.infra().db;
                let sub = q::sub_order(db, id.0)
                    .await?
                    .ok_or(OrdersError::NotFound(Missing::SubOrder))?;
                match payments::refund_by_key(db, sub.order_id, key).await? {
                    Some(prior) => replay(prior, sub.id, amount, liability),
                    None => Err(OrdersError::RefundInProgress),
                }
            }
            other => other,
        }
    }

    async fn write_refund(
        &self,
        id: SubOrderId,
        amount: i64,
        liability: Liability,
        reason: &str,
        key: &str,
        actor: Option<AccountId>,
    ) -> Result<refund::Model> {
        let txn = begin_write(&self.infra().db).await?;
        let row = self
            .refund_sub_order_in(&txn, id, amount, liability, reason, key, actor)
            .await?;
        txn.commit().await?;
        self.infra().outbox.wake();
        Ok(row)
    }

    /// [`Self::refund_sub_order`] inside the caller's `begin_write` transaction, so a use case
    /// that settles something by a refund (after-sales resolving a claim) moves its own state
    /// and records the refund together: both or neither. The provider pays it back after the
    /// caller commits (the outbox job); wake the outbox then.
    #[expect(
        clippy::too_many_arguments,
        reason = "the ledger's one write: every argument is a fact of the refund its caller decides"
    )]
    #[tracing::instrument(skip_all, fields(sub_order.id = %id, refund.id))]
    pub async fn refund_sub_order_in(
        &self,
        txn: &impl ConnectionTrait,
        id: SubOrderId,
        amount: i64,
        liability: Liability,
        reason: &str,
        key: &str,
        actor: Option<AccountId>,
    ) -> Result<refund::Model> {
        if key.chars().count() > 80 {
            return Err(OrdersError::field(FieldError::new(
                "Idempotency-Key",
                "too_long",
                "Idempotency-Key 最长 80 个字符",
                "an Idempotency-Key is at most 80 characters",
            )));
        }
        // From here the sub-order's other refunds wait: the key and what is left are read
        // after the previous one committed.
        serialise(txn, "orders.refund", id).await?;
        let sub = q::sub_order(txn, id.0)
            .await?
            .ok_or(OrdersError::NotFound(Missing::SubOrder))?;
        if let Some(prior) = payments::refund_by_key(txn, sub.order_id, key).await? {
            return replay(with_parts(txn, prior).await?, sub.id, amount, liability);
        }
        if sub_order_transition(sub.status, SubOrderMove::Refund).is_err() {
            return Err(OrdersError::NotPaid);
        }
        // Everything paid for the part: its share of the order's payment and any extra
        // charge (补差价) paid on it.
        let left = sub.total_fen + sub.extra_fen - sub.refunded_fen;
        if amount < 1 || amount > left {
            return Err(OrdersError::field(FieldError::new(
                "amount",
                "out_of_range",
                format!("退款金额应在 ¥0.01 到 {} 之间", Money::from_fen(left)),
                format!("a refund is from ¥0.01 to {}", Money::from_fen(left)),
            )));
        }
        let o = q::order(txn, sub.order_id)
            .await?
            .ok_or(OrdersError::NotFound(Missing::Order))?;
        // Back the way it came: the gateway whose intent was paid, or offline.
        let provider = match o.payment_method {
            PaymentMethod::Gateway => payments::paid_intent(txn, o.id).await?.map(|i| i.provider),
            PaymentMethod::Offline => None,
        }
        .unwrap_or_else(|| self.provider(o.payment_method).name().to_owned());
        // An order paid on credit is refunded by owing less, not by money back.
        let provider = crate::service::credit::refund_provider(txn, o.id, provider).await?;
        // A provider refunds a transaction, never more than it took: the order's payment
        // first, then each extra charge's own payment (`domain/extra_charge.rs`).
        let extras = xq::paid_of_sub_order(txn, sub.id).await?;
        let extra_refunded: i64 = extras.iter().map(|c| c.refunded_fen).sum();
        let main_left = sub.total_fen - (sub.refunded_fen - extra_refunded);
        let extra_left: Vec<i64> = extras
            .iter()
            .map(|c| c.amount_fen - c.refunded_fen)
            .collect();
        let (from_main, from_extras) =
            draw_refund(amount, main_left, &extra_left).ok_or(OrdersError::RefundExceedsPaid)?;
        let now = self.now();
        let split = liability.split(Money::from_fen(amount));
        if !q::add_sub_order_refunded(txn, sub.id, &split).await? {
            return Err(OrdersError::RefundExceedsPaid);
        }
        q::add_order_refunded(txn, o.id, amount).await?;
        let mut portions: Vec<(i64, String, Option<String>)> = Vec::new();
        if from_main > 0 {
            portions.push((from_main, provider, None));
        }
        for (c, take) in extras.iter().zip(from_extras) {
            if take == 0 {
                continue;
            }
            if !xq::add_refunded(txn, c.id, take).await? {
                return Err(OrdersError::RefundExceedsPaid);
            }
            let paid = match c.payment_id {
                Some(p) => payments::payment(txn, p).await?,
                None => None,
            }
            .ok_or_else(|| {
                OrdersError::Internal(format!("extra charge {} has no payment", c.id))
            })?;
            let via = paid
                .channel
                .unwrap_or_else(|| PaymentMethod::Gateway.as_str().to_owned());
            portions.push((take, via, paid.reference));
        }
        let actor = actor.map(|a| a.as_uuid());
        let mut rows: Vec<refund::Model> = Vec::with_capacity(portions.len());
        let mut split_left = split;
        let last = portions.len().saturating_sub(1);
        for (n, (part, via, transaction)) in portions.into_iter().enumerate() {
            // Each row carries its share of the liability; the last one what is left, so the
            // rows add up to the split recorded on the sub-order.
            let share = if n == last {
                split_left
            } else {
                liability.split(Money::from_fen(part))
            };
            split_left = LiabilitySplit {
                seller: split_left.seller - share.seller,
                platform: split_left.platform - share.platform,
                carrier: split_left.carrier - share.carrier,
            };
            let refund_id = Uuid::now_v7();
            let row_key = match rows.first() {
                None => key.to_owned(),
                Some(first) => format!("x{n}:{}", first.id),
            };
            if n == 0 {
                tracing::Span::current().record("refund.id", tracing::field::display(refund_id));
            }
            let row = refund::ActiveModel {
                id: Set(refund_id),
                order_id: Set(o.id),
                sub_order_id: Set(Some(sub.id)),
                amount_fen: Set(part),
                reason: Set(reason.to_owned()),
                provider: Set(via),
                status: Set(RefundStatus::Pending),
                provider_ref: Set(transaction),
                idempotency_key: Set(row_key),
                actor_id: Set(actor),
                created_at: Set(now),
                settled_at: Set(None),
                seller_fen: Set(share.seller),
                platform_fen: Set(share.platform),
                carrier_fen: Set(share.carrier),
                failure: Set(None),
            }
            .insert(txn)
            .await?;
            crate::service::credit::refund_in(txn, &row).await?;
            append(
                txn,
                o.id,
                Some(sub.id),
                EventKind::Refunded,
                actor,
                json!({"refund_id": refund_id, "amount_fen": part, "reason": reason,
                       "liability": share}),
                now,
            )
            .await?;
            self.infra()
                .outbox
                .enqueue(txn, topics::REFUNDED, &json!({"refund_id": refund_id}))
                .await?;
            rows.push(row);
        }
        whole(rows)
    }

    /// Has the provider pay a recorded refund back, once: the outbox job calls this.
    #[tracing::instrument(skip_all, fields(refund.id = %id))]
    pub async fn issue_refund(&self, id: RefundId) -> Result<()> {
        let db = &self.infra().db;
        let Some(r) = payments::refund(db, id.0).await? else {
            return Ok(());
        };
        if r.status != RefundStatus::Pending {
            return Ok(());
        }
        if crate::service::credit::settles_itself(&r) {
            payments::settle_refund(db, r.id, crate::service::credit::PROVIDER, self.now()).await?;
            return Ok(());
        }
        let provider = self
            .provider_named(&r.provider)
            .ok_or_else(|| OrdersError::Internal(format!("no provider {}", r.provider)))?;
        // The payment the refund goes back against: an extra charge's (or a stray one's) by
        // its transaction, else the order's own.
        let payment = match &r.provider_ref {
            Some(t) => payments::payment_by_reference(db, r.order_id, t).await?,
            None => payments::a_payment_of_order(db, r.order_id).await?,
        };
        let transaction = match &r.provider_ref {
            Some(t) => Some(t.clone()),
            None => payment.as_ref().and_then(|p| p.reference.clone()),
        };
        // What the transaction paid in all (WeChat Pay wants it beside the refund); a refund
        // of a transaction we hold no payment row for (a duplicate) gives back all of it.
        let paid_fen = payment
            .as_ref()
            .filter(|p| p.reference == transaction)
            .map_or(r.amount_fen, |p| p.amount_fen);
        let receipt = provider
            .refund(&RefundCall {
                refund_id: r.id,
                transaction_id: transaction.as_deref(),
                amount_fen: r.amount_fen,
                paid_fen,
            })
            .await
            .map_err(OrdersError::ProviderUnavailable)?;
        if receipt.settled {
            payments::settle_refund(db, r.id, &receipt.reference, self.now()).await?;
        } else {
            // Taken, and on its way (WeChat `PROCESSING`): the provider's refund notification
            // settles the row.
            tracing::info!(reference = %receipt.reference, "refund accepted by the provider, awaiting its result");
            // Asked about later, in case the notification never comes.
            self.infra()
                .outbox
                .enqueue_at(
                    db,
                    topics::REFUND_QUERY,
                    &json!({"refund_id": r.id}),
                    self.now() + self.config().payment_query_after,
                )
                .await?;
        }
        Ok(())
    }
}

/// A refund drawn from more than one payment is one ledger row per payment: the first under the
/// caller's key, the others under `x{n}:{first id}`. Read back whole for a replay.
async fn with_parts(conn: &impl ConnectionTrait, first: refund::Model) -> Result<refund::Model> {
    let mut rows = vec![first];
    for n in 1.. {
        let Some(first) = rows.first() else { break };
        let key = format!("x{n}:{}", first.id);
        match payments::refund_by_key(conn, first.order_id, &key).await? {
            Some(r) => rows.push(r),
            None => break,
        }
    }
    whole(rows)
}

/// The rows of one refund as the caller asked for it: the first row's id, the whole amount
/// and liability.
fn whole(rows: Vec<refund::Model>) -> Result<refund::Model> {
    let mut it = rows.into_iter();
    let mut first = it
        .next()
        .ok_or_else(|| OrdersError::Internal("a refund without a ledger row".to_owned()))?;
    for r in it {
        first.amount_fen += r.amount_fen;
        first.seller_fen += r.seller_fen;
        first.platform_fen += r.platform_fen;
        first.carrier_fen += r.carrier_fen;
    }
    Ok(first)
}

/// A refund asked for again with its key: the same one is answered with what it made; a
/// different one (another sub-order, amount or liability) is refused.
fn replay(
    prior: refund::Model,
    sub: Uuid,
    amount: i64,
    liability: Liability,
) -> Result<refund::Model> {
    let split = liability.split(Money::from_fen(amount));
    let made = LiabilitySplit {
        seller: prior.seller_fen,
        platform: prior.platform_fen,
        carrier: prior.carrier_fen,
    };
    if prior.sub_order_id == Some(sub) && prior.amount_fen == amount && made == split {
        Ok(prior)
    } else {
        Err(OrdersError::RefundKeyReused)
    }
}
