//! Paying and refunding: payment intents, gateway notifications (verified, replay-safe,
//! idempotent), the sandbox gateway's own page, and the refund ledger.

use crate::Orders;
use crate::domain::{EventKind, OrderStatus, PaymentMethod, SubOrderStatus};
use crate::error::{OrdersError, Result};
use crate::payment::{IntentRequest, Outcome, WebhookError, WebhookEvent};
use crate::service::{OrderRecord, append, topics};
use crate::store::{intent, order, payment, refund, sub_order, webhook_receipt};
use farmgate_identity::{Actor, PlatformRole};
use farmgate_infra::db::{begin_write, unique_violation};
use farmgate_kernel::text::clean_text;
use farmgate_kernel::{FieldError, Money};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

/// How the buyer pays an order.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct IntentView {
    pub id: Uuid,
    pub order_id: Uuid,
    pub provider: String,
    /// Fen.
    pub amount: i64,
    /// `pending`, `succeeded`, `failed`.
    pub status: String,
    /// The gateway's page, for online payment.
    pub pay_url: Option<String>,
    pub instructions_zh: String,
    pub instructions_en: String,
    pub expires_at: chrono::DateTime<chrono::Utc>,
}

/// The sandbox gateway's page: what the buyer is about to pay.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SandboxIntentView {
    pub id: Uuid,
    pub order_id: Uuid,
    pub order_number: String,
    pub merchant: String,
    pub amount: i64,
    pub status: String,
}

/// What became of a notification.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct WebhookAck {
    /// `paid`, `already_paid`, `failed_recorded`, `refunded_duplicate`, `refunded_closed`,
    /// `duplicate` (this event id was handled before).
    pub result: String,
}

/// A refund an operator (or, later, an after-sales decision) orders.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RefundRequest {
    /// Fen; at most what is left of the sub-order's payment.
    pub amount: i64,
    pub reason: String,
}

impl Orders {
    /// Starts (or resumes) paying an order: the buyer only, while it is unpaid. One pending
    /// intent per order, so a retried request never asks for the money twice.
    pub async fn pay(&self, actor: &Actor, order_id: Uuid) -> Result<IntentView> {
        let record = self.order_for(actor, order_id).await?;
        if record.order.buyer_account_id != actor.account_id.as_uuid() {
            return Err(OrdersError::Forbidden);
        }
        self.ensure_payable(&record)?;
        let method = PaymentMethod::parse(&record.order.payment_method)
            .ok_or_else(|| OrdersError::Internal("unknown payment method".into()))?;
        let provider = self.provider(method);
        let db = &self.infra().db;
        let now = self.infra().clock.now();
        let existing = intent::Entity::find()
            .filter(intent::Column::OrderId.eq(order_id))
            .filter(intent::Column::Status.eq("pending"))
            .filter(intent::Column::ExpiresAt.gt(now))
            .order_by_desc(intent::Column::CreatedAt)
            .one(db)
            .await?;
        let it = match existing {
            Some(it) => it,
            None => {
                intent::ActiveModel {
                    id: Set(Uuid::now_v7()),
                    order_id: Set(order_id),
                    provider: Set(provider.name().to_owned()),
                    amount_fen: Set(record.order.total_fen),
                    status: Set("pending".to_owned()),
                    transaction_id: Set(None),
                    created_at: Set(now),
                    expires_at: Set(record.order.pay_by),
                    completed_at: Set(None),
                }
                .insert(db)
                .await?
            }
        };
        let shown = provider
            .create_intent(&IntentRequest {
                intent_id: it.id,
                order_number: &record.order.number,
                amount_fen: it.amount_fen,
                expires_at: it.expires_at,
            })
            .await
            .map_err(OrdersError::Internal)?;
        Ok(IntentView {
            id: it.id,
            order_id,
            provider: it.provider,
            amount: it.amount_fen,
            status: it.status,
            pay_url: shown.pay_url,
            instructions_zh: shown.instructions_zh,
            instructions_en: shown.instructions_en,
            expires_at: it.expires_at,
        })
    }

    fn ensure_payable(&self, record: &OrderRecord) -> Result<()> {
        match OrderStatus::parse(&record.order.status) {
            Some(OrderStatus::PendingPayment) if self.infra().clock.now() < record.order.pay_by => {
                Ok(())
            }
            Some(OrderStatus::Paid) => Err(OrdersError::conflict(
                "already_paid",
                "订单已付款",
                "the order is already paid",
            )),
            _ => Err(OrdersError::conflict(
                "order_closed",
                "订单已取消或已超时关闭，不能再付款",
                "the order was cancelled or expired and can no longer be paid",
            )),
        }
    }

    /// An intent of the caller's own order, for the sandbox gateway's page.
    async fn own_sandbox_intent(
        &self,
        actor: &Actor,
        intent_id: Uuid,
    ) -> Result<(intent::Model, order::Model)> {
        let db = &self.infra().db;
        let not_found = || OrdersError::not_found("支付单", "payment");
        let it = intent::Entity::find_by_id(intent_id)
            .one(db)
            .await?
            .filter(|i| i.provider == self.sandbox_name())
            .ok_or_else(not_found)?;
        let o = order::Entity::find_by_id(it.order_id)
            .one(db)
            .await?
            .filter(|o| o.buyer_account_id == actor.account_id.as_uuid())
            .ok_or_else(not_found)?;
        Ok((it, o))
    }

    fn sandbox_name(&self) -> &'static str {
        self.provider(PaymentMethod::Gateway).name()
    }

    /// What the sandbox gateway's page shows.
    pub async fn sandbox_intent(
        &self,
        actor: &Actor,
        intent_id: Uuid,
    ) -> Result<SandboxIntentView> {
        let (it, o) = self.own_sandbox_intent(actor, intent_id).await?;
        Ok(SandboxIntentView {
            id: it.id,
            order_id: o.id,
            order_number: o.number,
            merchant: "农源直供（沙箱）".to_owned(),
            amount: it.amount_fen,
            status: it.status,
        })
    }

    /// The buyer finishes (or fails) on the sandbox gateway's page: the gateway signs its
    /// notification and posts it to the webhook handler, exactly as a remote one would.
    pub async fn sandbox_complete(
        &self,
        actor: &Actor,
        intent_id: Uuid,
        outcome: Outcome,
    ) -> Result<(WebhookAck, Uuid)> {
        let (it, o) = self.own_sandbox_intent(actor, intent_id).await?;
        if it.status != "pending" {
            return Err(OrdersError::conflict(
                "intent_closed",
                "这笔支付已经完成或失败，请回到订单重新发起",
                "this payment is already finished; start again from the order",
            ));
        }
        let event = WebhookEvent {
            event_id: format!("evt_{}", Uuid::now_v7().simple()),
            intent_id: it.id,
            outcome,
            amount_fen: it.amount_fen,
            transaction_id: format!("SBX{}", Uuid::now_v7().simple()),
        };
        let (body, header) = self
            .sandbox()
            .notification(&event, self.infra().clock.now());
        let ack = self
            .handle_webhook(self.sandbox_name(), Some(&header), &body)
            .await?;
        Ok((ack, o.id))
    }

    /// A gateway's notification: verified (signature, freshness), matched to its intent and
    /// amount, and applied once. A second delivery of the same event changes nothing; money
    /// that arrives for an order already paid or closed goes back automatically.
    pub async fn handle_webhook(
        &self,
        provider_name: &str,
        signature: Option<&str>,
        body: &[u8],
    ) -> Result<WebhookAck> {
        let provider = self
            .provider_named(provider_name)
            .ok_or(OrdersError::not_found("支付渠道", "payment provider"))?;
        let now = self.infra().clock.now();
        let ev = provider
            .verify_webhook(signature, body, now)
            .map_err(|e| match e {
                WebhookError::MissingSignature | WebhookError::BadSignature => {
                    tracing::warn!(provider = provider_name, error = %e, "refused a payment notification");
                    OrdersError::rejected("bad_signature", "签名校验失败", "the signature does not verify")
                }
                WebhookError::Stale => OrdersError::rejected(
                    "stale_notification",
                    "通知已过期（时间戳超出 5 分钟）",
                    "the notification is older than five minutes",
                ),
                WebhookError::Malformed(_) => OrdersError::rejected(
                    "malformed_notification",
                    "通知内容无法解析",
                    "the notification cannot be read",
                ),
                WebhookError::NotSupported => OrdersError::not_found("支付渠道", "payment provider"),
            })?;
        let db = &self.infra().db;
        let seen =
            webhook_receipt::Entity::find_by_id((provider.name().to_owned(), ev.event_id.clone()))
                .one(db)
                .await?;
        if seen.is_some() {
            return Ok(WebhookAck {
                result: "duplicate".into(),
            });
        }
        let it = intent::Entity::find_by_id(ev.intent_id)
            .one(db)
            .await?
            .filter(|i| i.provider == provider.name())
            .ok_or(OrdersError::not_found("支付单", "payment"))?;
        if ev.amount_fen != it.amount_fen {
            tracing::warn!(intent = %it.id, notified = ev.amount_fen, expected = it.amount_fen, "payment amount mismatch");
            return Err(OrdersError::rejected(
                "amount_mismatch",
                "通知金额与订单金额不符",
                "the notified amount differs from the order's",
            ));
        }
        let result = match ev.outcome {
            Outcome::Failed => self.payment_failed(&it, &ev).await?,
            Outcome::Succeeded => self.payment_succeeded(&it, &ev).await?,
        };
        let receipt = webhook_receipt::ActiveModel {
            provider: Set(provider.name().to_owned()),
            event_id: Set(ev.event_id.clone()),
            intent_id: Set(Some(it.id)),
            outcome: Set(result.clone()),
            received_at: Set(now),
        };
        if let Err(e) = webhook_receipt::Entity::insert(receipt)
            .exec_without_returning(db)
            .await
            && unique_violation(&e).is_none()
        {
            return Err(e.into());
        }
        Ok(WebhookAck { result })
    }

    async fn payment_failed(&self, it: &intent::Model, ev: &WebhookEvent) -> Result<String> {
        let now = self.infra().clock.now();
        let txn = begin_write(&self.infra().db).await?;
        let done = intent::Entity::update_many()
            .col_expr(intent::Column::Status, Expr::value("failed"))
            .col_expr(intent::Column::CompletedAt, Expr::value(now))
            .filter(intent::Column::Id.eq(it.id))
            .filter(intent::Column::Status.eq("pending"))
            .exec(&txn)
            .await?;
        if done.rows_affected == 1 {
            append(
                &txn,
                it.order_id,
                None,
                EventKind::PaymentFailed,
                None,
                json!({"provider": it.provider, "transaction_id": ev.transaction_id}),
                now,
            )
            .await?;
        }
        txn.commit().await?;
        Ok("failed_recorded".into())
    }

    async fn payment_succeeded(&self, it: &intent::Model, ev: &WebhookEvent) -> Result<String> {
        let now = self.infra().clock.now();
        intent::Entity::update_many()
            .col_expr(intent::Column::Status, Expr::value("succeeded"))
            .col_expr(
                intent::Column::TransactionId,
                Expr::value(ev.transaction_id.clone()),
            )
            .col_expr(intent::Column::CompletedAt, Expr::value(now))
            .filter(intent::Column::Id.eq(it.id))
            .filter(intent::Column::Status.is_in(["pending", "failed"]))
            .exec(&self.infra().db)
            .await?;
        let record = self.existing(it.order_id).await?;
        match self
            .mark_paid(&record, PaymentMethod::Gateway, &ev.transaction_id, None)
            .await
        {
            Ok(true) => Ok("paid".into()),
            Ok(false) => {
                let paid_by_this = payment::Entity::find()
                    .filter(payment::Column::OrderId.eq(it.order_id))
                    .filter(payment::Column::Reference.eq(ev.transaction_id.clone()))
                    .one(&self.infra().db)
                    .await?
                    .is_some();
                if paid_by_this {
                    Ok("already_paid".into())
                } else {
                    // Paid twice (two intents, two gateway payments): give the second back.
                    self.refund_stray(it, &ev.transaction_id, "重复支付，自动退回")
                        .await?;
                    Ok("refunded_duplicate".into())
                }
            }
            Err(OrdersError::Conflict {
                code: "order_closed",
                ..
            }) => {
                // The money arrived after the order expired or was cancelled.
                self.refund_stray(it, &ev.transaction_id, "订单已关闭，自动退回")
                    .await?;
                Ok("refunded_closed".into())
            }
            Err(e) => Err(e),
        }
    }

    /// Gives back a gateway payment that pays for nothing (a duplicate, or an order closed
    /// before the money arrived). Not part of any sub-order's refunded total.
    async fn refund_stray(
        &self,
        it: &intent::Model,
        transaction_id: &str,
        reason: &str,
    ) -> Result<()> {
        let key = format!("stray:{transaction_id}");
        let exists = refund::Entity::find()
            .filter(refund::Column::OrderId.eq(it.order_id))
            .filter(refund::Column::IdempotencyKey.eq(key.clone()))
            .one(&self.infra().db)
            .await?;
        if exists.is_some() {
            return Ok(());
        }
        let now = self.infra().clock.now();
        let txn = begin_write(&self.infra().db).await?;
        let id = Uuid::now_v7();
        refund::ActiveModel {
            id: Set(id),
            order_id: Set(it.order_id),
            sub_order_id: Set(None),
            amount_fen: Set(it.amount_fen),
            reason: Set(reason.to_owned()),
            provider: Set(it.provider.clone()),
            status: Set("pending".into()),
            provider_ref: Set(Some(transaction_id.to_owned())),
            idempotency_key: Set(key),
            actor_id: Set(None),
            created_at: Set(now),
            settled_at: Set(None),
        }
        .insert(&txn)
        .await?;
        self.infra()
            .outbox
            .enqueue(&txn, topics::REFUNDED, &json!({"refund_id": id}))
            .await?;
        txn.commit().await?;
        self.infra().outbox.wake();
        Ok(())
    }

    /// The operator refunds part or all of a sub-order. Idempotent by `Idempotency-Key`.
    pub async fn refund_by_operator(
        &self,
        actor: &Actor,
        sub_id: Uuid,
        req: &RefundRequest,
        key: Option<&str>,
    ) -> Result<OrderRecord> {
        actor.require_platform(&[PlatformRole::Operator, PlatformRole::AfterSalesAgent])?;
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
        let reason = clean_text(&req.reason, 2, 200, true).map_err(|e| e.at("reason"))?;
        let r = self
            .refund_sub_order(
                sub_id,
                req.amount,
                &reason,
                key,
                Some(actor.account_id.as_uuid()),
            )
            .await?;
        self.existing(r.order_id).await
    }

    /// Records a refund of `amount` fen on a sub-order and has the order's payment provider
    /// pay it back (the outbox job does that, at least once, with the refund id as the
    /// merchant refund number). The total refunded never exceeds what was paid: the check is
    /// a conditional update, so two refunds at once cannot both pass it. A repeated
    /// `key` returns the refund it made the first time.
    pub async fn refund_sub_order(
        &self,
        sub_id: Uuid,
        amount: i64,
        reason: &str,
        key: &str,
        actor: Option<Uuid>,
    ) -> Result<refund::Model> {
        let db = &self.infra().db;
        let sub = sub_order::Entity::find_by_id(sub_id)
            .one(db)
            .await?
            .ok_or(OrdersError::not_found("子订单", "sub-order"))?;
        if key.chars().count() > 80 {
            return Err(OrdersError::field(FieldError::new(
                "Idempotency-Key",
                "too_long",
                "Idempotency-Key 最长 80 个字符",
                "an Idempotency-Key is at most 80 characters",
            )));
        }
        if let Some(prior) = refund::Entity::find()
            .filter(refund::Column::OrderId.eq(sub.order_id))
            .filter(refund::Column::IdempotencyKey.eq(key))
            .one(db)
            .await?
        {
            if prior.sub_order_id == Some(sub.id) && prior.amount_fen == amount {
                return Ok(prior);
            }
            return Err(OrdersError::conflict(
                "idempotency_key_reused",
                "这个 Idempotency-Key 已用于另一笔退款",
                "this Idempotency-Key was used for a different refund",
            ));
        }
        let paid = matches!(
            SubOrderStatus::parse(&sub.status),
            Some(
                SubOrderStatus::Paid
                    | SubOrderStatus::Acknowledged
                    | SubOrderStatus::Shipped
                    | SubOrderStatus::Received
            )
        );
        if !paid {
            return Err(OrdersError::conflict(
                "not_paid",
                "订单未付款，无需退款",
                "the sub-order was not paid; there is nothing to refund",
            ));
        }
        let left = sub.total_fen - sub.refunded_fen;
        if amount < 1 || amount > left {
            return Err(OrdersError::field(FieldError::new(
                "amount",
                "out_of_range",
                format!("退款金额应在 ¥0.01 到 ¥{} 之间", Money::from_fen(left)),
                format!("a refund is from ¥0.01 to ¥{}", Money::from_fen(left)),
            )));
        }
        let o = order::Entity::find_by_id(sub.order_id)
            .one(db)
            .await?
            .ok_or(OrdersError::not_found("订单", "order"))?;
        let provider = PaymentMethod::parse(&o.payment_method)
            .map_or(o.payment_method.clone(), |m| {
                self.provider(m).name().to_owned()
            });
        let now = self.infra().clock.now();
        let txn = begin_write(db).await?;
        let done = sub_order::Entity::update_many()
            .col_expr(
                sub_order::Column::RefundedFen,
                Expr::col(sub_order::Column::RefundedFen).add(amount),
            )
            .filter(sub_order::Column::Id.eq(sub.id))
            .filter(
                Expr::col(sub_order::Column::RefundedFen)
                    .add(amount)
                    .lte(Expr::col(sub_order::Column::TotalFen)),
            )
            .exec(&txn)
            .await?;
        if done.rows_affected != 1 {
            return Err(OrdersError::conflict(
                "refund_exceeds_paid",
                "退款总额不能超过实付金额",
                "refunds cannot exceed what was paid",
            ));
        }
        order::Entity::update_many()
            .col_expr(
                order::Column::RefundedFen,
                Expr::col(order::Column::RefundedFen).add(amount),
            )
            .filter(order::Column::Id.eq(o.id))
            .exec(&txn)
            .await?;
        let id = Uuid::now_v7();
        let row = refund::ActiveModel {
            id: Set(id),
            order_id: Set(o.id),
            sub_order_id: Set(Some(sub.id)),
            amount_fen: Set(amount),
            reason: Set(reason.to_owned()),
            provider: Set(provider),
            status: Set("pending".into()),
            provider_ref: Set(None),
            idempotency_key: Set(key.to_owned()),
            actor_id: Set(actor),
            created_at: Set(now),
            settled_at: Set(None),
        }
        .insert(&txn)
        .await
        .map_err(|e| match unique_violation(&e) {
            Some(_) => OrdersError::conflict(
                "concurrent_update",
                "同一退款请求正在处理，请稍后查看",
                "the same refund is being made; look again in a moment",
            ),
            None => e.into(),
        })?;
        append(
            &txn,
            o.id,
            Some(sub.id),
            EventKind::Refunded,
            actor,
            json!({"refund_id": id, "amount_fen": amount, "reason": reason}),
            now,
        )
        .await?;
        self.infra()
            .outbox
            .enqueue(&txn, topics::REFUNDED, &json!({"refund_id": id}))
            .await?;
        txn.commit().await?;
        self.infra().outbox.wake();
        Ok(row)
    }

    /// Has the provider pay a recorded refund back, once: the outbox job calls this.
    pub async fn issue_refund(&self, refund_id: Uuid) -> Result<()> {
        let db = &self.infra().db;
        let Some(r) = refund::Entity::find_by_id(refund_id).one(db).await? else {
            return Ok(());
        };
        if r.status == "succeeded" {
            return Ok(());
        }
        let provider = self
            .provider_named(&r.provider)
            .ok_or_else(|| OrdersError::Internal(format!("no provider {}", r.provider)))?;
        let transaction = match &r.provider_ref {
            Some(t) => Some(t.clone()),
            None => payment::Entity::find()
                .filter(payment::Column::OrderId.eq(r.order_id))
                .one(db)
                .await?
                .and_then(|p| p.reference),
        };
        let receipt = provider
            .refund(r.id, transaction.as_deref(), r.amount_fen)
            .await
            .map_err(OrdersError::Internal)?;
        refund::Entity::update_many()
            .col_expr(refund::Column::Status, Expr::value("succeeded"))
            .col_expr(refund::Column::ProviderRef, Expr::value(receipt.reference))
            .col_expr(
                refund::Column::SettledAt,
                Expr::value(self.infra().clock.now()),
            )
            .filter(refund::Column::Id.eq(r.id))
            .filter(refund::Column::Status.eq("pending"))
            .exec(db)
            .await?;
        Ok(())
    }
}
