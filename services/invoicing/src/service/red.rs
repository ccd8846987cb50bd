//! A refund after an invoice was issued: the invoice overstates what was paid, so it needs a
//! red (红冲) reversal and a new invoice for the rest. Recorded on the invoice (when, and how
//! much was refunded since issue) and shown to both parties; the reversal itself is made at
//! the issuer (by hand for local invoices today; see the README).

use crate::Invoicing;
use crate::domain::{EventKind, InvoiceId};
use crate::error::Result;
use crate::store::queries;
use farmgate_kernel::id::RefundId;
use farmgate_orders::read::invoicing::{refund_order, refunded_of};
use serde_json::json;

impl Invoicing {
    /// Marks the issued invoices of the order a refund touched whose sub-order has been
    /// refunded since issue. Idempotent: a repeated delivery changes nothing.
    #[tracing::instrument(skip_all, fields(refund.id = %refund))]
    pub async fn refund_recorded(&self, refund: RefundId) -> Result<usize> {
        let db = &self.infra().db;
        let Some((order, sub)) = refund_order(db, refund).await? else {
            return Ok(0);
        };
        let issued: Vec<_> = queries::of_order(db, order)
            .await?
            .into_iter()
            .filter(|i| i.status == crate::domain::InvoiceStatus::Issued)
            .filter(|i| sub.is_none_or(|s| s.0 == i.sub_order_id))
            .collect();
        if issued.is_empty() {
            return Ok(0);
        }
        let now_refunded = refunded_of(db, &queries::sub_orders_of(&issued)).await?;
        let mut marked = 0;
        for inv in issued {
            let now = now_refunded
                .get(&farmgate_kernel::id::SubOrderId(inv.sub_order_id))
                .map_or(0, |m| m.fen());
            let since = now - inv.refunded_at_issue_fen.unwrap_or(0);
            if since <= 0 {
                continue;
            }
            let at = self.now();
            let txn = farmgate_infra::db::begin_write(db).await?;
            if queries::mark_red_needed(&txn, InvoiceId(inv.id), since, at).await? {
                queries::add_event(
                    &txn,
                    InvoiceId(inv.id),
                    EventKind::RedNeeded,
                    None,
                    json!({"refund_id": refund, "refunded_since_issue_fen": since}),
                    at,
                )
                .await?;
                marked += 1;
            }
            txn.commit().await?;
        }
        Ok(marked)
    }
}
