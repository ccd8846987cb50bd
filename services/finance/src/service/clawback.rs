//! A refund charged to a seller after its sub-order was paid out (a recall, a late operator
//! refund): what the sub-order is worth to the seller has dropped below what its payout holds,
//! and the difference is taken back from the seller's next payout. Orders publish every refund
//! (`orders.refunded`); this records one adjustment per refund (its unique index makes a
//! redelivery count once), under a per-sub-order lock so two refunds at once are both counted
//! against the right base. A sub-order in no active payout needs nothing: the next batch pays
//! it at its new, lower payable.
//!
//! When the payout holding such a sub-order fails, its sub-orders go back to payable at their
//! new value, so what was taken back for them is undone (`domain::adjustment`): voided while
//! open, reversed (credited by the next payout) once netted into another payout.
//!
//! Recording, batching and failing take turns (`db::serialise` on `payout_batch`; SQLite's
//! write lock): a refund recorded while a batch takes its sub-order, or a batch netting an
//! adjustment the failure is undoing, would otherwise count it twice or not at all.

use crate::Finance;
use crate::domain::{AdjustmentKind, Held, OnFailure, on_failure};
use crate::error::{FinanceError, Result};
use crate::store::payout_adjustment;
use crate::store::queries::adjustments as q;
use chrono::{DateTime, Utc};
use farmgate_infra::db::{begin_write, serialise, violates};
use farmgate_kernel::id::RefundId;
use farmgate_orders::read::payouts::{refund_sub_order, sub_orders_by_id};
use sea_orm::DatabaseTransaction;
use std::collections::HashSet;
use uuid::Uuid;

impl Finance {
    /// Takes back from the seller's next payout what a refund removed from a sub-order that a
    /// payout already holds. Returns the adjustment (negative fen), if any.
    #[tracing::instrument(skip_all, fields(refund.id = %refund))]
    pub async fn refund_recorded(&self, refund: RefundId) -> Result<Option<i64>> {
        let db = &self.infra().db;
        let Some(sub) = refund_sub_order(db, refund).await? else {
            return Ok(None);
        };
        let txn = begin_write(db).await?;
        serialise(&txn, "payout_batch", "all").await?;
        serialise(&txn, "payout_adjustment", &sub.as_uuid().to_string()).await?;
        let Some((line, payout)) = q::active_line(&txn, sub.as_uuid()).await? else {
            return Ok(None);
        };
        let now = self.now();
        let Some(current) = sub_orders_by_id(&txn, &[sub], now).await?.pop() else {
            return Ok(None);
        };
        let held = line.payable_fen + q::taken_back(&txn, sub.as_uuid()).await?;
        let delta = current.payable.fen() - held;
        if delta >= 0 {
            return Ok(None);
        }
        let row = payout_adjustment::Model {
            id: Uuid::now_v7(),
            org_id: payout.org_id,
            sub_order_id: sub.as_uuid(),
            refund_id: refund.0,
            kind: AdjustmentKind::Refund,
            amount_fen: delta,
            payout_id: None,
            failed_payout_id: None,
            created_at: now,
        };
        match q::insert(&txn, row).await {
            Ok(()) => {}
            // This refund was counted already (a redelivered event).
            Err(e) if violates(&e, &q::ONE_PER_REFUND_AND_KIND) => return Ok(None),
            Err(e) => return Err(e.into()),
        }
        txn.commit().await?;
        tracing::info!(
            amount_fen = delta,
            "a refund after payout is taken back from the next payout"
        );
        Ok(Some(delta))
    }
}

/// What a failed payout does to the adjustments recorded against its sub-orders, in the
/// transaction that marks it failed (which holds the `payout_batch` turn): open refunds are
/// voided, refunds netted into another payout are reversed once. Returns (voided, reversed).
pub(super) async fn undo_for_failed(
    txn: &DatabaseTransaction,
    payout: Uuid,
    now: DateTime<Utc>,
) -> Result<(u64, usize)> {
    let rows = q::of_lines_of(txn, payout).await?;
    let reversed: HashSet<Uuid> = rows
        .iter()
        .filter(|a| a.kind == AdjustmentKind::Reversal)
        .map(|a| a.refund_id)
        .collect();
    let mut void = Vec::new();
    let mut reversals = Vec::new();
    for a in rows {
        let held = Held {
            kind: a.kind,
            netted: a.payout_id.is_some(),
            reversed: reversed.contains(&a.refund_id),
        };
        match on_failure(held) {
            OnFailure::Keep => {}
            OnFailure::Void => void.push(a.id),
            OnFailure::Reverse => reversals.push(payout_adjustment::Model {
                id: Uuid::now_v7(),
                org_id: a.org_id,
                sub_order_id: a.sub_order_id,
                refund_id: a.refund_id,
                kind: AdjustmentKind::Reversal,
                amount_fen: a.amount_fen.checked_neg().ok_or_else(|| {
                    FinanceError::Internal("adjustment amount overflows".to_owned())
                })?,
                payout_id: None,
                failed_payout_id: Some(payout),
                created_at: now,
            }),
        }
    }
    let voided = q::void_open(txn, &void).await?;
    let made = reversals.len();
    for r in reversals {
        q::insert(txn, r).await.map_err(|e| {
            // Only a second failure of the same hold could reverse it again, and the
            // conditional status update lets one failure through: say so rather than panic.
            if violates(&e, &q::ONE_PER_REFUND_AND_KIND) {
                FinanceError::ConcurrentBatch
            } else {
                e.into()
            }
        })?;
    }
    if made > 0 || voided > 0 {
        tracing::info!(
            voided,
            reversed = made,
            "a failed payout undid what was taken back for its sub-orders"
        );
    }
    Ok((voided, made))
}
