//! A refund's outcome at the provider: WeChat Pay takes a refund (`PROCESSING`) and later
//! notifies `REFUND.SUCCESS`, `REFUND.ABNORMAL` or `REFUND.CLOSED`; the ledger row becomes
//! `succeeded` or `failed` from that notification, once. A notification is checked like a
//! payment's (signature, key, freshness by the provider; here: the refund is ours and by that
//! provider, the amount is the refund's, an event id seen before says the same). A refund
//! whose notification does not come is asked about at the provider (the refund query job,
//! `orders.refund_query`), again every `payment_query_after` for a week.

use crate::Orders;
use crate::domain::{RefundStatus, WebhookResult};
use crate::error::{Missing, OrdersError, Result};
use crate::payment::RefundNotice;
use crate::service::WebhookAck;
use crate::service::topics;
use crate::store::queries::payments;
use chrono::Duration;
use farmgate_kernel::id::RefundId;
use serde_json::json;

/// How long a refund is asked about before it is left to finance (WeChat settles within days).
const REFUND_QUERY_DAYS: i64 = 7;

impl Orders {
    /// Settles the refund a verified refund notification names.
    #[tracing::instrument(skip_all, fields(provider = provider_name, refund.id = %n.refund_id))]
    pub(crate) async fn apply_refund_notice(
        &self,
        provider_name: &'static str,
        n: &RefundNotice,
    ) -> Result<WebhookAck> {
        let db = &self.infra().db;
        let digest = n.digest();
        if let Some(prior) = payments::webhook_receipt(db, provider_name, &n.event_id).await? {
            if prior.event_digest.as_deref() != Some(digest.as_str()) {
                tracing::warn!(event_id = %n.event_id, "a refund notification replayed its event id with other content; refused");
                return Err(OrdersError::NotificationMismatch);
            }
            return Ok(WebhookAck {
                result: WebhookResult::Duplicate,
            });
        }
        // Not ours, or not by this provider: refused, so a stranger's notice settles nothing
        // (the provider retries a real one we do not know yet).
        let r = payments::refund(db, n.refund_id)
            .await?
            .filter(|r| r.provider == provider_name)
            .ok_or(OrdersError::NotFound(Missing::Refund))?;
        if n.amount_fen.is_some_and(|a| a != r.amount_fen) {
            tracing::warn!(notified = ?n.amount_fen, expected = r.amount_fen, "refund amount mismatch");
            return Err(OrdersError::AmountMismatch);
        }
        let now = self.now();
        let result = if n.succeeded {
            let reference = n
                .reference
                .clone()
                .or_else(|| r.provider_ref.clone())
                .unwrap_or_else(|| r.id.simple().to_string());
            payments::settle_refund(db, r.id, &reference, now).await?;
            WebhookResult::RefundSucceeded
        } else {
            if payments::fail_refund(db, r.id, &n.provider_state, now).await? {
                tracing::warn!(
                    state = %n.provider_state,
                    amount_fen = r.amount_fen,
                    "a refund did not reach the buyer: finance pays it back by hand"
                );
            }
            WebhookResult::RefundFailed
        };
        // What the ledger says now (a refund settled before stays as it was).
        let now_status = payments::refund(db, r.id).await?.map(|r| r.status);
        let result = match now_status {
            Some(RefundStatus::Succeeded) => WebhookResult::RefundSucceeded,
            Some(RefundStatus::Failed) => WebhookResult::RefundFailed,
            _ => result,
        };
        self.keep_receipt(provider_name, &n.event_id, n.intent_id, result, digest)
            .await?;
        Ok(WebhookAck { result })
    }

    /// Asks the provider where a pending refund stands and settles it (the refund query job).
    #[tracing::instrument(skip_all, fields(refund.id = %id))]
    pub async fn query_refund(&self, id: RefundId) -> Result<()> {
        let db = &self.infra().db;
        let Some(r) = payments::refund(db, id.0).await? else {
            return Ok(());
        };
        if r.status != RefundStatus::Pending {
            return Ok(());
        }
        let Some(provider) = self.provider_named(&r.provider) else {
            return Ok(());
        };
        let now = self.now();
        match provider
            .refund_outcome(r.id)
            .await
            .map_err(OrdersError::ProviderUnavailable)?
        {
            Some((true, _)) => {
                let reference = r
                    .provider_ref
                    .clone()
                    .unwrap_or_else(|| r.id.simple().to_string());
                payments::settle_refund(db, r.id, &reference, now).await?;
            }
            Some((false, why)) => {
                if payments::fail_refund(db, r.id, &why, now).await? {
                    tracing::warn!(state = %why, amount_fen = r.amount_fen, "a refund did not reach the buyer: finance pays it back by hand");
                }
            }
            None if now - r.created_at < Duration::days(REFUND_QUERY_DAYS) => {
                self.infra()
                    .outbox
                    .enqueue_at(
                        db,
                        topics::REFUND_QUERY,
                        &json!({"refund_id": r.id}),
                        now + self.config().payment_query_after,
                    )
                    .await?;
            }
            None => {
                tracing::warn!(
                    "a refund is still not settled by its provider after a week: finance looks into it"
                );
            }
        }
        Ok(())
    }
}
