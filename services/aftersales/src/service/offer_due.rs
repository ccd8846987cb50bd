//! Taking the seller's offer: by the buyer (`accept`), or by the scheduler at the buyer's
//! answer deadline (`offer_due`: an offer left unanswered is accepted as it is, exactly once —
//! the claim's status is the condition of the move, so the buyer answering at the same moment
//! and the deadline cannot both settle it).

use super::decide::seller_bears_it_all;
use super::settle::Step;
use super::{ClaimRecord, LineQuantity, Role};
use crate::Aftersales;
use crate::domain::{self, ClaimMove, ClaimStatus, EventKind, Share};
use crate::error::Result;
use farmgate_kernel::id::{AccountId, ClaimId, SubOrderId};
use serde_json::json;

impl Aftersales {
    /// Settles the seller's last offer (a refund, a reship, or the rejection) as accepted, by
    /// the buyer (`BuyerAccepts`) or at the answer deadline (`AnswerDeadlineAccepts`).
    pub(super) async fn take_offer(
        &self,
        r: &ClaimRecord,
        actor: Option<AccountId>,
        m: ClaimMove,
    ) -> Result<ClaimRecord> {
        let id = ClaimId(r.claim.id);
        let from = r.claim.status;
        domain::transition(from, m)?;
        let automatic = m == ClaimMove::AnswerDeadlineAccepts;
        let offer = r
            .events
            .iter()
            .rev()
            .find(|e| e.kind == EventKind::Offered || e.kind == EventKind::Rejected);
        let shares: Vec<Share> = offer
            .and_then(|e| serde_json::from_value(e.data["liability"].clone()).ok())
            .unwrap_or_else(seller_bears_it_all);
        let mut data = json!({"amount_fen": r.claim.offered_fen, "automatic": automatic});
        if let Some(e) = offer.filter(|e| e.data["decision"] == "reship") {
            let lines: Vec<LineQuantity> =
                serde_json::from_value(e.data["lines"].clone()).unwrap_or_default();
            // Keyed by the claim: the buyer and the deadline racing make one replacement.
            let made = self
                .orders()
                .create_replacement(
                    SubOrderId(r.claim.sub_order_id),
                    &lines
                        .iter()
                        .map(|l| (l.line_id, l.quantity))
                        .collect::<Vec<_>>(),
                    &format!("claim:{id}:reship"),
                    actor,
                )
                .await?;
            data = json!({"reship": true, "replacement_sub_order_id": made.id,
                          "number": made.number, "automatic": automatic});
        }
        self.resolve(
            r,
            from,
            r.claim.offered_fen,
            &shares,
            Step {
                actor,
                role: if automatic { Role::System } else { Role::Buyer },
                kind: EventKind::Accepted,
                data,
            },
        )
        .await
    }

    /// The scheduler at the buyer's answer deadline: an offer still unanswered is accepted.
    /// Early, repeated or late calls (the buyer answered) change nothing.
    #[tracing::instrument(skip_all, fields(claim.id = %id))]
    pub async fn offer_due(&self, id: ClaimId) -> Result<bool> {
        let Some(r) = self.record(id).await? else {
            return Ok(false);
        };
        let due = r.claim.answer_by.is_some_and(|t| t <= self.now());
        if r.claim.status != ClaimStatus::AwaitingBuyer || !due {
            return Ok(false);
        }
        match self
            .take_offer(&r, None, ClaimMove::AnswerDeadlineAccepts)
            .await
        {
            Ok(_) => Ok(true),
            // The buyer answered a moment ago.
            Err(crate::AftersalesError::NotYourTurn) => Ok(false),
            Err(e) => Err(e),
        }
    }
}
