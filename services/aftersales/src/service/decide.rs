//! Deciding: the seller's answer (full or partial refund, reship, rejection), the buyer's
//! acceptance or escalation (平台介入), the operator's final decision, and the response deadline.
//! Every move goes through `domain::transition`; `settle` writes it.

use super::settle::Step;
use super::{ClaimRecord, LineQuantity, Role};
use crate::Aftersales;
use crate::domain::{self, ClaimMove, EventKind, OnDeadline, Party, Share};
use crate::error::{AftersalesError, Result};
use farmgate_identity::Actor;
use farmgate_kernel::id::{ClaimId, OrgId};
use farmgate_kernel::text::{clean_optional_text, clean_text};
use farmgate_kernel::{FieldError, Money, ValidationErrors};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

/// How a partial refund is computed.
#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(tag = "by", rename_all = "snake_case", deny_unknown_fields)]
pub enum Basis {
    /// Damaged quantity × the price paid.
    Quantity { lines: Vec<LineQuantity> },
    /// 10, 30, 50, 80 or 100 % of each claimed line with its share of shipping.
    DamageLevel { percent: u8 },
    /// An amount agreed with the buyer (fen).
    Agreed { amount: i64 },
}

/// The seller's answer.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(tag = "decision", rename_all = "snake_case", deny_unknown_fields)]
pub enum SellerAnswer {
    /// Refund what was claimed, at once.
    FullRefund {
        #[serde(default)]
        liability: Option<Vec<Share>>,
    },
    /// Offer less; the buyer accepts or escalates.
    PartialRefund {
        basis: Basis,
        #[serde(default)]
        liability: Option<Vec<Share>>,
        #[serde(default)]
        note: Option<String>,
    },
    /// Send the damaged units again (补发) at no charge; the buyer accepts (the replacement
    /// sub-order is created and shipped like any other) or escalates. Without `lines`, the
    /// claimed lines and quantities.
    Reship {
        #[serde(default)]
        lines: Option<Vec<LineQuantity>>,
        #[serde(default)]
        liability: Option<Vec<Share>>,
        #[serde(default)]
        note: Option<String>,
    },
    /// Refuse, with a reason the buyer sees; the buyer accepts or escalates.
    Reject { reason: String },
}

/// The operator's final decision.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    /// Fen to refund; 0 upholds a rejection.
    pub amount: i64,
    pub liability: Vec<Share>,
    /// The reasoning, shown to both parties.
    pub note: String,
}

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Escalation {
    /// Why the buyer asks the platform to step in.
    pub reason: String,
}

/// The seller bears it all unless the answer says otherwise.
pub(super) fn seller_bears_it_all() -> Vec<Share> {
    vec![Share {
        party: Party::Seller,
        percent: 100,
    }]
}

impl Aftersales {
    /// The seller's answer, while it is their turn.
    #[tracing::instrument(skip_all, fields(claim.id = %id))]
    pub async fn respond(
        &self,
        actor: &Actor,
        id: ClaimId,
        answer: &SellerAnswer,
    ) -> Result<ClaimRecord> {
        let r = self.claim_as(actor, id, Role::Seller).await?;
        actor.require_selling_member(OrgId(r.claim.seller_org_id))?;
        let from = r.claim.status;
        let to = domain::transition(
            from,
            match answer {
                SellerAnswer::FullRefund { .. } => ClaimMove::SellerRefundsInFull,
                _ => ClaimMove::SellerAnswers,
            },
        )?;
        let refundable = self.refundable(&r).await?;
        let step = |kind, data| Step {
            actor: Some(actor.account_id),
            role: Role::Seller,
            kind,
            data,
        };
        let liability = |given: &Option<Vec<Share>>| {
            domain::check_seller_liability(given.as_deref().unwrap_or(&seller_bears_it_all()))
        };
        match answer {
            SellerAnswer::FullRefund { liability: given } => {
                let shares = liability(given)?;
                let amount = std::cmp::min(r.claim.claimed_fen, refundable.fen());
                self.resolve(
                    &r,
                    from,
                    amount,
                    &shares,
                    step(
                        EventKind::Offered,
                        json!({"decision": "full_refund", "amount_fen": amount}),
                    ),
                )
                .await
            }
            SellerAnswer::PartialRefund {
                basis,
                liability: given,
                note,
            } => {
                let mut errs = ValidationErrors::new();
                let shares = errs.check("liability", liability(given));
                let note = errs.check("note", clean_optional_text(note.as_deref(), 500, true));
                let amount = errs
                    .check("basis", Self::amount_by(&r, basis))
                    .and_then(|a| {
                        errs.check("amount", domain::check_amount("amount", a, refundable))
                    });
                errs.finish()?;
                let (Some(shares), Some(amount)) = (shares, amount) else {
                    return Err(AftersalesError::Invalid(ValidationErrors::new()));
                };
                self.move_to(
                    &r,
                    (from, to),
                    amount.fen(),
                    false,
                    step(
                        EventKind::Offered,
                        json!({"decision": "partial_refund", "basis": basis, "amount_fen": amount.fen(),
                               "liability": shares, "note": note.flatten()}),
                    ),
                )
                .await
            }
            SellerAnswer::Reship {
                lines,
                liability: given,
                note,
            } => {
                let mut errs = ValidationErrors::new();
                let shares = errs.check("liability", liability(given));
                let note = errs.check("note", clean_optional_text(note.as_deref(), 500, true));
                let picked: Vec<LineQuantity> = match lines {
                    Some(ls) => ls.clone(),
                    None => r
                        .lines
                        .iter()
                        .map(|l| LineQuantity {
                            line_id: l.line.id,
                            quantity: l.claimed.quantity,
                        })
                        .collect(),
                };
                let fits = !picked.is_empty()
                    && picked.iter().all(|p| {
                        r.lines.iter().any(|l| {
                            l.line.id == p.line_id && (1..=l.claimed.quantity).contains(&p.quantity)
                        })
                    });
                if !fits {
                    errs.push(FieldError::new(
                        "lines",
                        "invalid",
                        "补发只能针对申请中的商品，且不超过申请数量",
                        "a reship names claimed lines, up to the claimed quantity",
                    ));
                }
                errs.finish()?;
                self.move_to(
                    &r,
                    (from, to),
                    0,
                    false,
                    step(
                        EventKind::Offered,
                        json!({"decision": "reship", "lines": picked, "liability": shares,
                               "note": note.flatten()}),
                    ),
                )
                .await
            }
            SellerAnswer::Reject { reason } => {
                let reason = clean_text(reason, 5, 500, true).map_err(|e| e.at("reason"))?;
                self.move_to(
                    &r,
                    (from, to),
                    0,
                    false,
                    step(EventKind::Rejected, json!({"reason": reason})),
                )
                .await
            }
        }
    }

    /// The buyer accepts the seller's offer (refunded at once, or the replacement sent) or
    /// rejection (closed).
    #[tracing::instrument(skip_all, fields(claim.id = %id))]
    pub async fn accept(&self, actor: &Actor, id: ClaimId) -> Result<ClaimRecord> {
        let r = self.claim_as(actor, id, Role::Buyer).await?;
        self.take_offer(&r, Some(actor.account_id), ClaimMove::BuyerAccepts)
            .await
    }

    /// The buyer asks the platform to step in (平台介入) on a rejection or a low offer.
    #[tracing::instrument(skip_all, fields(claim.id = %id))]
    pub async fn escalate(
        &self,
        actor: &Actor,
        id: ClaimId,
        req: &Escalation,
    ) -> Result<ClaimRecord> {
        let r = self.claim_as(actor, id, Role::Buyer).await?;
        let from = r.claim.status;
        let to = domain::transition(from, ClaimMove::BuyerEscalates)?;
        let reason = clean_text(&req.reason, 2, 500, true).map_err(|e| e.at("reason"))?;
        self.move_to(
            &r,
            (from, to),
            r.claim.offered_fen,
            true,
            Step {
                actor: Some(actor.account_id),
                role: Role::Buyer,
                kind: EventKind::Escalated,
                data: json!({"reason": reason}),
            },
        )
        .await
    }

    /// The operator's final decision, with the liability split.
    #[tracing::instrument(skip_all, fields(claim.id = %id))]
    pub async fn decide(&self, actor: &Actor, id: ClaimId, d: &Decision) -> Result<ClaimRecord> {
        let r = self.claim_as(actor, id, Role::Operator).await?;
        let from = r.claim.status;
        domain::transition(from, ClaimMove::OperatorDecides)?;
        let refundable = self.refundable(&r).await?;
        let mut errs = ValidationErrors::new();
        let shares = errs.check("liability", domain::check_liability(&d.liability));
        let note = errs.check("note", clean_text(&d.note, 2, 500, true));
        if d.amount != 0 {
            errs.check(
                "amount",
                domain::check_amount("amount", Money::from_fen(d.amount), refundable),
            );
        }
        errs.finish()?;
        let (Some(shares), Some(note)) = (shares, note) else {
            return Err(AftersalesError::Invalid(ValidationErrors::new()));
        };
        self.resolve(
            &r,
            from,
            d.amount,
            &shares,
            Step {
                actor: Some(actor.account_id),
                role: Role::Operator,
                kind: EventKind::Decided,
                data: json!({"amount_fen": d.amount, "liability": shares, "note": note}),
            },
        )
        .await
    }

    /// The scheduler at the response deadline: a claim the seller has not answered is
    /// refunded at once when small, and goes to the operator otherwise. Early or repeated
    /// calls change nothing.
    #[tracing::instrument(skip_all, fields(claim.id = %id))]
    pub async fn response_due(&self, id: ClaimId) -> Result<bool> {
        let Some(r) = self.record(id).await? else {
            return Ok(false);
        };
        let on_deadline = domain::on_deadline(
            Money::from_fen(r.claim.claimed_fen),
            self.config().auto_approve_up_to,
        );
        let from = r.claim.status;
        let m = match on_deadline {
            OnDeadline::AutoApprove => ClaimMove::DeadlineRefunds,
            OnDeadline::Escalate => ClaimMove::DeadlineEscalates,
        };
        let Ok(to) = domain::transition(from, m) else {
            return Ok(false);
        };
        if self.now() < r.claim.respond_by {
            return Ok(false);
        }
        let step = |kind, data| Step {
            actor: None,
            role: Role::System,
            kind,
            data,
        };
        match on_deadline {
            OnDeadline::AutoApprove => {
                let amount = std::cmp::min(r.claim.claimed_fen, self.refundable(&r).await?.fen());
                self.resolve(
                    &r,
                    from,
                    amount,
                    &[Share {
                        party: Party::Platform,
                        percent: 100,
                    }],
                    step(
                        EventKind::AutoApproved,
                        json!({"reason": "seller_missed_deadline", "amount_fen": amount}),
                    ),
                )
                .await?;
            }
            OnDeadline::Escalate => {
                self.move_to(
                    &r,
                    (from, to),
                    0,
                    true,
                    step(
                        EventKind::Escalated,
                        json!({"reason": "seller_missed_deadline"}),
                    ),
                )
                .await?;
            }
        }
        Ok(true)
    }
}
