//! Late notifications: a provider's notification may come late or never (our server was down,
//! their delivery gave up). Minutes after a gateway payment starts, and again until the order
//! lapses, the provider is asked about the trade (the query job, topic
//! `orders.payment_query`); a trade paid there is applied exactly as its notification would
//! be (the same idempotent path, event `query:<transaction>`). Before an unpaid order closes
//! (expiry or cancellation) every pending trade is asked about once more — paid there means
//! the order is paid, not closed — and otherwise closed at the provider, so it can no longer
//! take the money. A provider that cannot be reached fails the job, which the outbox retries:
//! the order stays as it is (payable until its deadline) until the provider answers.

use crate::Orders;
use crate::domain::{IntentStatus, PaymentIntentId};
use crate::error::{OrdersError, Result};
use crate::payment::{Outcome, ProviderPayment, WebhookEvent};
use crate::service::topics;
use crate::store::intent;
use crate::store::queries::payments;
use farmgate_kernel::id::OrderId;
use serde_json::json;

/// What asking the provider found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Queried {
    /// Nothing to ask (not pending any more, or a provider that cannot be asked).
    Nothing,
    /// Paid there, and now here.
    Paid,
    /// Closed there without payment: the intent failed.
    Closed,
    /// Still unpaid there; asked again later while the order may be paid.
    Unpaid,
}

impl Orders {
    /// Asks the provider about a pending intent and applies what it says (the query job).
    #[tracing::instrument(skip_all, fields(intent.id = %id))]
    pub async fn query_intent(&self, id: PaymentIntentId) -> Result<Queried> {
        let db = &self.infra().db;
        let Some(it) = payments::intent(db, id.0).await? else {
            return Ok(Queried::Nothing);
        };
        if it.status != IntentStatus::Pending {
            return Ok(Queried::Nothing);
        }
        let found = self.ask_provider(&it).await?;
        if found == Queried::Unpaid {
            let next = self.now() + self.config().payment_query_after;
            if next < it.expires_at {
                self.infra()
                    .outbox
                    .enqueue_at(
                        db,
                        topics::PAYMENT_QUERY,
                        &json!({"intent_id": it.id}),
                        next,
                    )
                    .await?;
            }
        }
        Ok(found)
    }

    /// Before an unpaid order closes: each pending trade is asked about (paid there → the
    /// order is paid: `true`, do not close it) and otherwise closed at its provider.
    pub(crate) async fn close_provider_trades(&self, order: OrderId) -> Result<bool> {
        let pending = payments::pending_intents_of_order(&self.infra().db, order.0).await?;
        self.close_trades(pending).await
    }

    /// Each pending trade asked about at its provider (paid there → `true`, applied as its
    /// notification would be) and otherwise closed there.
    pub(crate) async fn close_trades(&self, pending: Vec<intent::Model>) -> Result<bool> {
        for it in pending {
            if !self.is_real_gateway(&it.provider) {
                continue;
            }
            match self.ask_provider(&it).await? {
                Queried::Paid => return Ok(true),
                Queried::Unpaid => {
                    let Some(provider) = self.provider_named(&it.provider) else {
                        continue;
                    };
                    provider.close(it.id).await.map_err(|e| {
                        tracing::warn!(provider = %it.provider, error = %e, "could not close the trade at the provider");
                        OrdersError::ProviderUnavailable(e)
                    })?;
                }
                Queried::Closed | Queried::Nothing => {}
            }
        }
        Ok(false)
    }

    /// One question to the intent's provider, and its answer applied.
    async fn ask_provider(&self, it: &intent::Model) -> Result<Queried> {
        let Some(provider) = self.provider_named(&it.provider) else {
            return Ok(Queried::Nothing);
        };
        let answer = provider.query(it.id).await.map_err(|e| {
            tracing::warn!(provider = %it.provider, error = %e, "could not ask the provider about a payment");
            OrdersError::ProviderUnavailable(e)
        })?;
        let (outcome, transaction_id, amount_fen) = match answer {
            ProviderPayment::Unknown => return Ok(Queried::Nothing),
            ProviderPayment::Unpaid => return Ok(Queried::Unpaid),
            ProviderPayment::Closed => (
                Outcome::Failed,
                format!("closed:{}", it.id.simple()),
                it.amount_fen,
            ),
            ProviderPayment::Paid {
                transaction_id,
                amount_fen,
            } => (Outcome::Succeeded, transaction_id, amount_fen),
        };
        let ev = WebhookEvent {
            event_id: format!("query:{transaction_id}"),
            intent_id: it.id,
            outcome,
            amount_fen,
            transaction_id,
        };
        self.apply_payment(provider.name(), &ev).await?;
        Ok(match outcome {
            Outcome::Succeeded => Queried::Paid,
            Outcome::Failed => Queried::Closed,
        })
    }
}
