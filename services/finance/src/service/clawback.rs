//! A refund charged to a seller after its sub-order was paid out (a recall, a late operator
//! refund): what the sub-order is worth to the seller has dropped below what its payout holds,
//! and the difference is taken back from the seller's next payout. Orders publish every refund
//! (`orders.refunded`); this records one adjustment per refund (its unique index makes a
//! redelivery count once), under a per-sub-order lock so two refunds at once are both counted
//! against the right base. A sub-order in no active payout needs nothing: the next batch pays
//! it at its new, lower payable.

use crate::Finance;
use crate::error::Result;
use crate::store::payout_adjustment;
use crate::store::queries::adjustments as q;
use farmgate_infra::db::{begin_write, serialise, violates};
use farmgate_kernel::id::RefundId;
use farmgate_orders::read::payouts::{refund_sub_order, sub_orders_by_id};
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
            amount_fen: delta,
            payout_id: None,
            created_at: now,
        };
        match q::insert(&txn, row).await {
            Ok(()) => {}
            // This refund was counted already (a redelivered event).
            Err(e) if violates(&e, &q::ONE_PER_REFUND) => return Ok(None),
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
