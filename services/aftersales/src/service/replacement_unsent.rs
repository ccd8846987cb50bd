//! A replacement (补发) the seller never sent (issue #18): a reship accepted on a claim makes a
//! zero-price replacement part with its own ship-by deadline. When it is called off unsent —
//! its deadline lapsed, the buyer cancelled it overdue, or a cancel request was accepted —
//! there is nothing to refund on it, so what the buyer expects instead is the money for the
//! units that never came: the reshipped units at the price paid, refunded on the part they
//! replace, charged to the seller. Once, whoever asks and however often (the ledger key
//! `claim:{id}:unsent`, under the claim's turn).

use super::{LineQuantity, Role};
use crate::Aftersales;
use crate::domain::{self, ClaimedLine, EventKind};
use crate::error::Result;
use crate::store::queries::claims;
use farmgate_infra::db::{begin_write, serialise};
use farmgate_kernel::id::{ClaimId, SubOrderId};
use farmgate_orders::domain::Liability;
use farmgate_orders::read::aftersales as orders_read;
use serde_json::json;
use uuid::Uuid;

/// The claim a replacement's remedy key names (`claim:{id}:reship`).
pub fn claim_of_key(key: &str) -> Option<ClaimId> {
    let id = key.strip_prefix("claim:")?.strip_suffix(":reship")?;
    Uuid::parse_str(id).ok().map(ClaimId)
}

impl Aftersales {
    /// Refunds the units of an unsent replacement on the part it replaces (`false`: not a
    /// claim's replacement, nothing left to refund, or refunded already).
    #[tracing::instrument(skip_all, fields(sub_order.id = %replacement))]
    pub async fn refund_unsent_replacement(
        &self,
        replacement: SubOrderId,
        key: &str,
    ) -> Result<bool> {
        let Some(id) = claim_of_key(key) else {
            return Ok(false);
        };
        let Some(r) = self.record(id).await? else {
            return Ok(false);
        };
        // The units the seller offered to send again, at the price paid for them.
        let offer = r
            .events
            .iter()
            .rev()
            .find(|e| e.kind == EventKind::Offered && e.data["decision"] == "reship");
        let lines: Vec<LineQuantity> = offer
            .and_then(|e| serde_json::from_value(e.data["lines"].clone()).ok())
            .unwrap_or_default();
        let owed: Vec<ClaimedLine> = lines
            .iter()
            .filter_map(|lq| {
                r.lines
                    .iter()
                    .find(|l| l.line.id == lq.line_id)
                    .map(|l| ClaimedLine {
                        unit_price: l.line.unit_price,
                        quantity: lq.quantity,
                    })
            })
            .collect();
        let txn = begin_write(&self.infra().db).await?;
        // One at a time per claim, and the check below reads what the previous one wrote.
        serialise(&txn, "aftersales.claim", id).await?;
        let done = claims::events_of(&txn, id).await?.iter().any(|e| {
            e.kind == EventKind::Refunded && e.data["unsent_replacement"] == json!(replacement.0)
        });
        if done {
            return Ok(false);
        }
        // What is left of the replaced part's payment, read in this turn.
        let left = orders_read::refundable(&txn, SubOrderId(r.claim.sub_order_id))
            .await?
            .unwrap_or_default();
        let amount = std::cmp::min(domain::by_quantity(&owed), left).fen();
        if amount <= 0 {
            return Ok(false);
        }
        let refund = self
            .orders()
            .refund_sub_order_in(
                &txn,
                SubOrderId(r.claim.sub_order_id),
                amount,
                Liability::SELLER,
                &format!("售后 {} 补发未发出", r.claim.number),
                &format!("claim:{id}:unsent"),
                None,
            )
            .await?;
        claims::append_event(
            &txn,
            id,
            EventKind::Refunded,
            None,
            Role::System,
            json!({"refund_id": refund.id, "amount_fen": refund.amount_fen,
                   "unsent_replacement": replacement.0}),
            self.now(),
        )
        .await?;
        // The claim's refunded total is what the buyer got back for it, this included.
        claims::add_refunded(&txn, id, refund.amount_fen).await?;
        // A parcel claimed as never come whose reship never left either: refunded in full
        // now, it closes as undelivered like any other (docs/MONEY.md).
        if r.claim.kind.before_receipt() && amount >= left.fen() {
            self.orders()
                .release_receipt_in(&txn, SubOrderId(r.claim.sub_order_id))
                .await?;
        }
        txn.commit().await?;
        self.infra().outbox.wake();
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_claims_reship_key_names_a_claim() {
        let id = Uuid::now_v7();
        assert_eq!(
            claim_of_key(&format!("claim:{id}:reship")),
            Some(ClaimId(id))
        );
        assert_eq!(claim_of_key(&format!("claim:{id}")), None);
        assert_eq!(claim_of_key(&format!("recall:{id}:reship")), None);
        assert_eq!(claim_of_key("claim:not-a-uuid:reship"), None);
    }
}
