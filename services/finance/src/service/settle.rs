//! What happened at the bank: a payout paid, with the bank's reference (the same reference
//! again changes nothing; another one is refused), or failed with a reason (its sub-orders are
//! let go in the same transaction, so the next batch pays them, and what was taken back for
//! them is voided or reversed: `clawback::undo_for_failed`).

use super::{PayoutLine, PayoutRecord, require_finance};
use crate::Finance;
use crate::domain::{
    Outcome, PayoutId, PayoutStatus, Settle, parse_reason, parse_reference, settle,
};
use crate::error::{FinanceError, Missing, Result};
use crate::store::queries::payouts as q;
use farmgate_identity::Actor;
use farmgate_infra::db::{begin_write, serialise};
use serde::Deserialize;
use utoipa::ToSchema;

/// The bank's reference for the transfer (流水号), 1–64 characters without spaces.
#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct PaidInput {
    pub reference: String,
}

/// Why the transfer failed (户名不符, 账户冻结 …), 2–200 characters.
#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct FailedInput {
    pub reason: String,
}

impl Finance {
    /// Marks a payout paid with the bank's reference: platform finance.
    #[tracing::instrument(skip_all, fields(payout.id = %id))]
    pub async fn mark_paid(
        &self,
        actor: &Actor,
        id: PayoutId,
        input: &PaidInput,
    ) -> Result<PayoutRecord> {
        require_finance(actor)?;
        let reference = parse_reference(&input.reference)?;
        self.settle_payout(actor, id, Outcome::Paid { reference })
            .await
    }

    /// Marks a payout failed with a reason; its sub-orders are payable again: platform finance.
    #[tracing::instrument(skip_all, fields(payout.id = %id))]
    pub async fn mark_failed(
        &self,
        actor: &Actor,
        id: PayoutId,
        input: &FailedInput,
    ) -> Result<PayoutRecord> {
        require_finance(actor)?;
        let reason = parse_reason(&input.reason)?;
        self.settle_payout(actor, id, Outcome::Failed { reason })
            .await
    }

    async fn settle_payout(
        &self,
        actor: &Actor,
        id: PayoutId,
        outcome: Outcome,
    ) -> Result<PayoutRecord> {
        let db = &self.infra().db;
        let txn = begin_write(db).await?;
        if matches!(outcome, Outcome::Failed { .. }) {
            // A failure undoes adjustments: it takes its turn with batches and refunds.
            serialise(&txn, "payout_batch", "all").await?;
        }
        let current = q::payout(&txn, id.as_uuid())
            .await?
            .ok_or(FinanceError::NotFound(Missing::Payout))?;
        let step = settle(
            current.status,
            current.bank_reference.as_deref(),
            current.failure_reason.as_deref(),
            &outcome,
        )?;
        if let Settle::Apply(to) = step {
            let (reference, reason) = match &outcome {
                Outcome::Paid { reference } => (Some(reference.clone()), None),
                Outcome::Failed { reason } => (None, Some(reason.clone())),
            };
            let moved = q::settle(
                &txn,
                current.id,
                to,
                reference,
                reason,
                actor.account_id.as_uuid(),
                self.now(),
            )
            .await?;
            if !moved {
                // Another request settled it between our read and our write (PostgreSQL):
                // answer as if it had been first.
                drop(txn);
                return Box::pin(self.settle_payout(actor, id, outcome)).await;
            }
            if to == PayoutStatus::Failed {
                q::release_lines(&txn, current.id).await?;
                // Refunds on its own sub-orders since the batch: the next batch pays those at
                // their new value, so what was taken back for them is voided or reversed.
                super::clawback::undo_for_failed(&txn, current.id, self.now()).await?;
                // Adjustments of earlier payouts it was to take back (or give back): open again.
                crate::store::queries::adjustments::release(&txn, current.id).await?;
            }
            if to == PayoutStatus::Paid {
                // The seller hears of the money in the same transaction that records it.
                self.infra()
                    .outbox
                    .enqueue(
                        &txn,
                        super::topics::PAYOUT_PAID,
                        &serde_json::json!({ "payout_id": current.id, "org_id": current.org_id }),
                    )
                    .await?;
            }
            tracing::info!(status = %to, "payout settled");
        }
        let updated = q::payout(&txn, current.id)
            .await?
            .ok_or(FinanceError::NotFound(Missing::Payout))?;
        let batch = q::batch(&txn, updated.batch_id).await?;
        let lines = q::lines(&txn, updated.id).await?;
        let mut one = [PayoutRecord::of(
            updated,
            batch.map(|b| b.number).unwrap_or_default(),
            lines.into_iter().map(PayoutLine::from).collect(),
        )];
        super::read::with_adjustments(&txn, &mut one).await?;
        txn.commit().await?;
        self.infra().outbox.wake();
        let [one] = one;
        Ok(one)
    }
}
