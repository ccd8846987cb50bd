//! Gateway notifications: verified (signature, freshness), matched to their intent and amount,
//! applied once, with money that pays for nothing given back; and the sandbox gateway's own
//! page, which posts its signed notification to the same handler a real gateway reaches.

use crate::Orders;
use crate::domain::{EventKind, IntentStatus, PaymentIntentId, RefundStatus, WebhookResult};
use crate::error::{Missing, OrdersError, Result};
use crate::payment::{Notice, Outcome, SIGNATURE_HEADER, Verified, WebhookError, WebhookEvent};
use crate::service::{SANDBOX, append, topics};
use crate::store::queries::{orders as q, payments};
use crate::store::{intent, order, refund, webhook_receipt};
use axum::http::{HeaderMap, HeaderValue};
use farmgate_identity::Actor;
use farmgate_infra::db::{begin_write, unique_violation};
use farmgate_kernel::id::OrderId;
use sea_orm::{ActiveModelTrait, EntityTrait, Set};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

/// The sandbox gateway's page: what the buyer is about to pay.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SandboxIntentView {
    pub id: PaymentIntentId,
    pub order_id: OrderId,
    pub order_number: String,
    pub merchant: String,
    pub amount: i64,
    pub status: IntentStatus,
}

/// What became of a notification.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct WebhookAck {
    pub result: WebhookResult,
}

/// How a notification that does not verify is answered (carrier callbacks too).
pub(crate) fn refused(e: &WebhookError) -> OrdersError {
    match e {
        WebhookError::MissingSignature
        | WebhookError::BadSignature
        | WebhookError::UnknownKey(_)
        | WebhookError::WrongRecipient => OrdersError::BadSignature,
        WebhookError::Stale => OrdersError::StaleNotification,
        WebhookError::Malformed(_) => OrdersError::MalformedNotification,
        WebhookError::NotSupported => OrdersError::NotFound(Missing::PaymentProvider),
    }
}

impl Orders {
    /// An intent of the caller's own order, for the sandbox gateway's page.
    async fn own_sandbox_intent(
        &self,
        actor: &Actor,
        id: PaymentIntentId,
    ) -> Result<(intent::Model, order::Model)> {
        let db = &self.infra().db;
        let not_found = || OrdersError::NotFound(Missing::Payment);
        if !self.config().sandbox {
            return Err(not_found());
        }
        let it = payments::intent(db, id.0)
            .await?
            .filter(|i| i.provider == self.sandbox_name())
            .ok_or_else(not_found)?;
        let o = q::order(db, it.order_id)
            .await?
            .filter(|o| o.buyer_account_id == actor.account_id.as_uuid())
            .ok_or_else(not_found)?;
        Ok((it, o))
    }

    fn sandbox_name(&self) -> &'static str {
        SANDBOX
    }

    /// What the sandbox gateway's page shows.
    #[tracing::instrument(skip_all, fields(intent.id = %id))]
    pub async fn sandbox_intent(
        &self,
        actor: &Actor,
        id: PaymentIntentId,
    ) -> Result<SandboxIntentView> {
        let (it, o) = self.own_sandbox_intent(actor, id).await?;
        Ok(SandboxIntentView {
            id: PaymentIntentId(it.id),
            order_id: OrderId(o.id),
            order_number: o.number,
            merchant: "农源直供（模拟支付）".to_owned(),
            amount: it.amount_fen,
            status: it.status,
        })
    }

    /// The buyer finishes (or fails) on the sandbox gateway's page: the gateway signs its
    /// notification and posts it to the webhook handler, exactly as a remote one would.
    /// Answers what the handler made of it, the order, and the extra charge the intent was for
    /// (if it was for one).
    #[tracing::instrument(skip_all, fields(intent.id = %id))]
    pub async fn sandbox_complete(
        &self,
        actor: &Actor,
        id: PaymentIntentId,
        outcome: Outcome,
    ) -> Result<(WebhookAck, OrderId, Option<Uuid>)> {
        let (it, o) = self.own_sandbox_intent(actor, id).await?;
        if it.status != IntentStatus::Pending {
            return Err(OrdersError::IntentClosed);
        }
        let event = WebhookEvent {
            event_id: format!("evt_{}", Uuid::now_v7().simple()),
            intent_id: it.id,
            outcome,
            amount_fen: it.amount_fen,
            transaction_id: format!("SBX{}", Uuid::now_v7().simple()),
        };
        let (body, header) = self.sandbox().notification(&event, self.now());
        let mut headers = HeaderMap::new();
        headers.insert(
            SIGNATURE_HEADER,
            HeaderValue::from_str(&header).map_err(|e| OrdersError::Internal(e.to_string()))?,
        );
        let ack = self
            .handle_webhook(self.sandbox_name(), &headers, &body)
            .await?;
        Ok((ack, OrderId(o.id), it.extra_charge_id))
    }

    /// A gateway's notification: verified (signature, freshness), matched to its intent and
    /// amount, and applied once. A second delivery of the same event changes nothing; money
    /// that arrives for an order already paid or closed goes back automatically.
    #[tracing::instrument(skip_all, fields(provider = provider_name, intent.id))]
    pub async fn handle_webhook(
        &self,
        provider_name: &str,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<WebhookAck> {
        let provider = self
            .provider_named(provider_name)
            .ok_or(OrdersError::NotFound(Missing::PaymentProvider))?;
        let now = self.now();
        let verified = provider
            .verify_webhook(&Notice { headers, body, now })
            .map_err(|e| {
                if !matches!(e, WebhookError::Stale | WebhookError::Malformed(_) | WebhookError::NotSupported) {
                    tracing::warn!(provider = provider_name, error = %e, "refused a payment notification");
                }
                refused(&e)
            })?;
        let ev = match verified {
            Verified::Payment(ev) => ev,
            Verified::Refund(notice) => {
                return self.apply_refund_notice(provider.name(), &notice).await;
            }
            // Changes nothing of ours (a trade still unpaid): acknowledged so the provider
            // stops sending it.
            Verified::Noted {
                event_id,
                what,
                alert,
            } => {
                if alert {
                    tracing::warn!(provider = provider_name, event_id = %event_id, "{what}");
                } else {
                    tracing::info!(provider = provider_name, event_id = %event_id, "{what}");
                }
                return Ok(WebhookAck {
                    result: WebhookResult::Noted,
                });
            }
        };
        self.apply_payment(provider.name(), &ev).await
    }

    /// A payment event, verified: from a notification, or from asking the provider (the
    /// query job, whose events are named `query:<transaction>`). Matched to its intent and
    /// amount and applied once; the same event again changes nothing.
    #[tracing::instrument(skip_all, fields(provider = provider_name, intent.id = %ev.intent_id))]
    pub(crate) async fn apply_payment(
        &self,
        provider_name: &'static str,
        ev: &WebhookEvent,
    ) -> Result<WebhookAck> {
        let db = &self.infra().db;
        let digest = ev.digest();
        if let Some(prior) = payments::webhook_receipt(db, provider_name, &ev.event_id).await? {
            // A redelivery says exactly what the first one said; anything else under the same
            // id (another amount, outcome, payment or transaction) is not a duplicate to
            // acknowledge but a notification to refuse and look into.
            let same = match &prior.event_digest {
                Some(d) => *d == digest,
                None => prior.intent_id.is_none_or(|i| i == ev.intent_id),
            };
            if !same {
                tracing::warn!(
                    provider = provider_name,
                    event_id = %ev.event_id,
                    notified_amount = ev.amount_fen,
                    "a payment notification replayed its event id with other content; refused"
                );
                return Err(OrdersError::NotificationMismatch);
            }
            return Ok(WebhookAck {
                result: WebhookResult::Duplicate,
            });
        }
        let it = payments::intent(db, ev.intent_id)
            .await?
            .filter(|i| i.provider == provider_name)
            .ok_or(OrdersError::NotFound(Missing::Payment))?;
        if ev.amount_fen != it.amount_fen {
            tracing::warn!(intent = %it.id, notified = ev.amount_fen, expected = it.amount_fen, "payment amount mismatch");
            return Err(OrdersError::AmountMismatch);
        }
        let result = match ev.outcome {
            Outcome::Failed => self.payment_failed(&it, ev).await?,
            Outcome::Succeeded => self.payment_succeeded(&it, ev).await?,
        };
        self.keep_receipt(provider_name, &ev.event_id, Some(it.id), result, digest)
            .await?;
        Ok(WebhookAck { result })
    }

    /// Remembers a notification handled, so its redelivery is recognised.
    pub(crate) async fn keep_receipt(
        &self,
        provider: &str,
        event_id: &str,
        intent_id: Option<Uuid>,
        result: WebhookResult,
        digest: String,
    ) -> Result<()> {
        let receipt = webhook_receipt::ActiveModel {
            provider: Set(provider.to_owned()),
            event_id: Set(event_id.to_owned()),
            intent_id: Set(intent_id),
            outcome: Set(result),
            received_at: Set(self.now()),
            event_digest: Set(Some(digest)),
        };
        if let Err(e) = webhook_receipt::Entity::insert(receipt)
            .exec_without_returning(&self.infra().db)
            .await
            && unique_violation(&e).is_none()
        {
            return Err(e.into());
        }
        Ok(())
    }

    async fn payment_failed(&self, it: &intent::Model, ev: &WebhookEvent) -> Result<WebhookResult> {
        let now = self.now();
        let txn = begin_write(&self.infra().db).await?;
        if payments::fail_intent(&txn, it.id, now).await? {
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
        Ok(WebhookResult::FailedRecorded)
    }

    async fn payment_succeeded(
        &self,
        it: &intent::Model,
        ev: &WebhookEvent,
    ) -> Result<WebhookResult> {
        if let Some(charge) = it.extra_charge_id {
            return self.extra_payment_succeeded(it, charge, ev).await;
        }
        let db = &self.infra().db;
        payments::succeed_intent(db, it.id, &ev.transaction_id, self.now()).await?;
        let record = self.existing(OrderId(it.order_id)).await?;
        match self
            .mark_paid(
                &record,
                &it.provider,
                &it.provider,
                &ev.transaction_id,
                None,
            )
            .await
        {
            Ok(true) => Ok(WebhookResult::Paid),
            Ok(false) => {
                let paid_by_this =
                    payments::payment_by_reference(db, it.order_id, &ev.transaction_id)
                        .await?
                        .is_some();
                if paid_by_this {
                    Ok(WebhookResult::AlreadyPaid)
                } else {
                    // Paid twice (two intents, two gateway payments): give the second back.
                    self.refund_stray(it, &ev.transaction_id, "重复支付，自动退回")
                        .await?;
                    Ok(WebhookResult::RefundedDuplicate)
                }
            }
            Err(OrdersError::OrderClosed) => {
                // The money arrived after the order expired or was cancelled.
                self.refund_stray(it, &ev.transaction_id, "订单已关闭，自动退回")
                    .await?;
                Ok(WebhookResult::RefundedClosed)
            }
            Err(e) => Err(e),
        }
    }

    /// Gives back a gateway payment that pays for nothing (a duplicate, or an order closed
    /// before the money arrived). Not part of any sub-order's refunded total.
    pub(crate) async fn refund_stray(
        &self,
        it: &intent::Model,
        transaction_id: &str,
        reason: &str,
    ) -> Result<()> {
        let key = format!("stray:{transaction_id}");
        if payments::refund_by_key(&self.infra().db, it.order_id, &key)
            .await?
            .is_some()
        {
            return Ok(());
        }
        let now = self.now();
        let txn = begin_write(&self.infra().db).await?;
        let id = Uuid::now_v7();
        refund::ActiveModel {
            id: Set(id),
            order_id: Set(it.order_id),
            sub_order_id: Set(None),
            amount_fen: Set(it.amount_fen),
            reason: Set(reason.to_owned()),
            provider: Set(it.provider.clone()),
            status: Set(RefundStatus::Pending),
            provider_ref: Set(Some(transaction_id.to_owned())),
            idempotency_key: Set(key),
            actor_id: Set(None),
            created_at: Set(now),
            settled_at: Set(None),
            // Gives back money that paid for nothing: no sale, nobody's liability.
            seller_fen: Set(0),
            platform_fen: Set(0),
            carrier_fen: Set(0),
            failure: Set(None),
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
}
