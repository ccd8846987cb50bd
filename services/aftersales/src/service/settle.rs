//! The two ways a claim moves on, shared by every deciding use case: `move_to` (between open
//! states) and `resolve` (the refund through the orders ledger, the liability, a carrier
//! recourse). Both move the claim once: the status it was read in is the update's condition.

use super::{Basis, ClaimRecord, Role, topics};
use crate::Aftersales;
use crate::domain::{self, ClaimStatus, ClaimedLine, EventKind, RecourseStatus, Share};
use crate::error::{AftersalesError, Missing, Result};
use crate::store::queries::claims::{self, Change};
use crate::store::recourse;
use farmgate_infra::db::begin_write;
use farmgate_kernel::id::{AccountId, ClaimId, SubOrderId};
use farmgate_kernel::{FieldError, Money};
use farmgate_orders::read::aftersales as orders_read;
use serde_json::{Value, json};
use uuid::Uuid;

/// One step on a claim: who took it and what its log entry says.
pub(super) struct Step {
    pub actor: Option<AccountId>,
    pub role: Role,
    pub kind: EventKind,
    pub data: Value,
}

impl Aftersales {
    /// What is left of the sub-order's payment, read afresh.
    pub(super) async fn refundable(&self, r: &ClaimRecord) -> Result<Money> {
        orders_read::refundable(&self.infra().db, r.sub.id)
            .await?
            .ok_or(AftersalesError::NotFound(Missing::SubOrder))
    }

    /// The amount a partial refund comes to; a field error when the basis names lines or
    /// quantities the claim does not.
    pub(super) fn amount_by(r: &ClaimRecord, basis: &Basis) -> Result<Money, FieldError> {
        let claimed = |l: &super::ClaimLine, q: i64| ClaimedLine {
            unit_price: l.line.unit_price,
            quantity: q,
        };
        match basis {
            Basis::Agreed { amount } => Ok(Money::from_fen(*amount)),
            Basis::DamageLevel { percent } => domain::by_damage_level(
                &r.lines
                    .iter()
                    .map(|l| claimed(l, l.claimed.quantity))
                    .collect::<Vec<_>>(),
                r.sub.goods,
                r.sub.shipping,
                *percent,
            ),
            Basis::Quantity { lines } => {
                let mut out = Vec::new();
                for lq in lines {
                    match r.lines.iter().find(|l| l.line.id == lq.line_id) {
                        Some(l) if (1..=l.claimed.quantity).contains(&lq.quantity) => {
                            out.push(claimed(l, lq.quantity));
                        }
                        _ => {
                            return Err(FieldError::new(
                                "basis",
                                "invalid",
                                "按数量退款只能针对申请中的商品，且不超过申请数量",
                                "a refund by quantity names claimed lines, up to the claimed quantity",
                            ));
                        }
                    }
                }
                Ok(domain::by_quantity(&out))
            }
        }
    }

    /// Moves a claim between open states, once.
    pub(super) async fn move_to(
        &self,
        r: &ClaimRecord,
        (from, to): (ClaimStatus, ClaimStatus),
        offered: i64,
        escalate: bool,
        step: Step,
    ) -> Result<ClaimRecord> {
        let now = self.now();
        let id = ClaimId(r.claim.id);
        // The next party's deadline: the buyer's answer to the offer, or the operator's
        // decision.
        let answer_by =
            (to == ClaimStatus::AwaitingBuyer).then(|| now + self.config().answer_within);
        let arbitrate_by =
            (to == ClaimStatus::InArbitration).then(|| now + self.config().arbitrate_within);
        let change = Change {
            offered_fen: Some(offered),
            escalated: escalate,
            first_response_at: (step.role == Role::Seller && r.claim.first_response_at.is_none())
                .then_some(now),
            answer_by,
            arbitrate_by,
            ..Change::to(to)
        };
        let txn = begin_write(&self.infra().db).await?;
        if !claims::move_on(&txn, id, from, change).await? {
            return Err(AftersalesError::NotYourTurn);
        }
        claims::append_event(&txn, id, step.kind, step.actor, step.role, step.data, now).await?;
        let outbox = &self.infra().outbox;
        let this = json!({"claim_id": id});
        if let Some(due) = answer_by {
            outbox
                .enqueue_at(&txn, topics::OFFER_DUE, &this, due)
                .await?;
            outbox.enqueue(&txn, topics::ANSWERED, &this).await?;
            self.remind(&txn, id, Role::Buyer, due, now).await?;
        }
        if arbitrate_by.is_some() {
            outbox.enqueue(&txn, topics::ESCALATED, &this).await?;
        }
        txn.commit().await?;
        outbox.wake();
        self.existing(id).await
    }

    /// Settles a claim: moves it to resolved and, in the same transaction, refunds `amount`
    /// through the orders ledger (keyed by the claim, so it is paid once whatever happens),
    /// records the liability, and opens a carrier recourse when the carrier has a share.
    pub(super) async fn resolve(
        &self,
        r: &ClaimRecord,
        from: ClaimStatus,
        amount: i64,
        shares: &[Share],
        step: Step,
    ) -> Result<ClaimRecord> {
        let id = ClaimId(r.claim.id);
        let now = self.now();
        let db = &self.infra().db;
        let waybill = orders_read::waybill(db, SubOrderId(r.claim.sub_order_id)).await?;
        let change = Change {
            refunded_fen: Some(amount),
            resolved_at: Some(now),
            liability: Some(json!(shares)),
            first_response_at: (step.role == Role::Seller && r.claim.first_response_at.is_none())
                .then_some(now),
            ..Change::to(ClaimStatus::Resolved)
        };
        // The claim moves and the refund is recorded in one transaction: a step that lost
        // the race to another (the seller answering at the deadline, the buyer escalating
        // while accepting) moves nothing and refunds nothing. Refunding first, as before, paid
        // out for a move that then failed.
        let txn = begin_write(db).await?;
        if !claims::move_on(&txn, id, from, change).await? {
            return Err(AftersalesError::NotYourTurn);
        }
        let liability = domain::refund_liability(shares, waybill.is_some());
        let refund = if amount > 0 {
            Some(
                self.orders()
                    .refund_sub_order_in(
                        &txn,
                        SubOrderId(r.claim.sub_order_id),
                        amount,
                        liability,
                        &format!("售后 {}", r.claim.number),
                        &format!("claim:{id}"),
                        step.actor,
                    )
                    .await?,
            )
        } else {
            None
        };
        let (who, role) = (step.actor, step.role);
        claims::append_event(&txn, id, step.kind, who, role, step.data, now).await?;
        if let Some(refund) = &refund {
            claims::append_event(
                &txn,
                id,
                EventKind::Refunded,
                who,
                role,
                json!({"refund_id": refund.id, "amount_fen": refund.amount_fen}),
                now,
            )
            .await?;
        }
        // The recourse is exactly the carrier's part of the refund as the ledger charged it.
        let carrier = Money::from_fen(refund.as_ref().map_or(0, |r| r.carrier_fen));
        if let (Some(waybill), true) = (&waybill, carrier.fen() > 0) {
            let rid = Uuid::now_v7();
            claims::insert_recourse(
                &txn,
                recourse::Model {
                    id: rid,
                    claim_id: id.0,
                    seller_org_id: r.claim.seller_org_id,
                    carrier: waybill.carrier.clone(),
                    tracking_no: waybill.tracking_no.clone(),
                    amount_fen: carrier.fen(),
                    evidence: json!(
                        r.evidence
                            .iter()
                            .map(|e| json!({"id": e.id, "sha256": e.sha256}))
                            .collect::<Vec<_>>()
                    ),
                    status: RecourseStatus::Open,
                    created_at: now,
                    collected_fen: 0,
                    written_off_fen: 0,
                    write_off_reason: None,
                    written_off_by: None,
                    closed_at: None,
                },
            )
            .await?;
            claims::append_event(
                &txn,
                id,
                EventKind::RecourseOpened,
                who,
                role,
                json!({"recourse_id": rid, "carrier": waybill.carrier, "amount_fen": carrier.fen()}),
                now,
            )
            .await?;
        }
        // A parcel that never came: settled with money left on it (rejected, a partial
        // refund, a reship), it counts as received again after the usual days; refunded in
        // full it closes as undelivered and settles with its seller at once, by the
        // refunds' liability (docs/MONEY.md).
        if r.claim.kind.before_receipt() {
            self.orders()
                .release_receipt_in(&txn, SubOrderId(r.claim.sub_order_id))
                .await?;
        }
        self.infra()
            .outbox
            .enqueue(&txn, topics::RESOLVED, &json!({"claim_id": id}))
            .await?;
        txn.commit().await?;
        self.infra().outbox.wake();
        self.existing(id).await
    }
}
