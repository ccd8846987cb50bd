//! Filing: the buyer claims damage on a received sub-order, inside its after-sales window,
//! with photos; or, before receipt, a parcel that has not come ("not received": tracking
//! stalled or the parcel overdue; "lost": the carrier said so), which holds its automatic
//! receipt while the claim is handled. The answer says by when the seller must respond.

use super::evidence::attach_all;
use super::{ClaimRecord, Role, topics};
use crate::Aftersales;
use crate::domain::{self, ClaimKind, ClaimStatus, ClaimedLine, EventKind, EvidenceId};
use crate::error::{AftersalesError, Missing, Result};
use crate::store::queries::claims;
use crate::store::{claim, claim_line};
use farmgate_identity::Actor;
use farmgate_infra::db::{begin_write, serialise};
use farmgate_kernel::id::{ClaimId, OrderLineId, SubOrderId};
use farmgate_kernel::text::clean_text;
use farmgate_kernel::{FieldError, Phone, ValidationErrors};
use farmgate_orders::read::aftersales::{self as orders_read, ClaimableLine};
use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;

#[derive(Clone, Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LineQuantity {
    #[schema(value_type = Uuid)]
    pub line_id: OrderLineId,
    pub quantity: i64,
}

/// A claim as the buyer files it.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FileClaim {
    pub kind: ClaimKind,
    /// What happened (5–1000 characters).
    pub description: String,
    /// The lines and quantities affected. For `not_received` and `lost` it may be empty:
    /// everything not claimed yet.
    pub lines: Vec<LineQuantity>,
    /// Evidence ids from `POST /api/v1/claim-evidence`: at least one (the parcel and the
    /// waybill, please); none needed for `not_received` and `lost`.
    #[schema(value_type = Vec<Uuid>)]
    pub photos: Vec<EvidenceId>,
    /// A phone to reach the buyer, when not the delivery phone.
    #[serde(default)]
    pub contact_phone: Option<String>,
    /// Which of `photos` shows the waybill (快递面单). Required of an account the operator
    /// restricted (`claim_needs_waybill_photo`, asked of identity).
    #[serde(default)]
    #[schema(value_type = Option<Uuid>)]
    pub waybill_photo: Option<EvidenceId>,
}

impl Aftersales {
    /// The buyer files a claim on a received sub-order, inside its after-sales window, or a
    /// claim before receipt on a parcel that has not come.
    #[tracing::instrument(skip_all, fields(sub_order.id = %sub_id, claim.id))]
    pub async fn file(
        &self,
        actor: &Actor,
        sub_id: SubOrderId,
        req: &FileClaim,
    ) -> Result<ClaimRecord> {
        let db = &self.infra().db;
        let sub = orders_read::claimable_sub_order(db, sub_id)
            .await?
            .filter(|s| s.buyer == actor.account_id)
            .ok_or(AftersalesError::NotFound(Missing::SubOrder))?;
        let now = self.now();
        // Refunded in full already (a parcel closed as undelivered, a recall, a cancellation):
        // there is nothing a claim could give back, whatever its kind.
        if sub.refundable().fen() < 1 {
            return Err(AftersalesError::NothingToRefund);
        }
        let before_receipt = req.kind.before_receipt();
        if before_receipt {
            self.check_before_receipt(sub.id, req.kind, now).await?;
        } else {
            if !sub.received {
                return Err(AftersalesError::NotReceived);
            }
            let closes = sub.window_closes_at.unwrap_or(now);
            if now > closes {
                return Err(AftersalesError::WindowClosed { closes });
            }
        }
        let mut errs = ValidationErrors::new();
        let description = errs.check("description", clean_text(&req.description, 5, 1000, true));
        let phone = match req.contact_phone.as_deref().map(str::trim) {
            Some(p) if !p.is_empty() => errs
                .check("contact_phone", Phone::parse(p))
                .map(|p| p.as_str().to_owned()),
            _ => None,
        };
        // A parcel that never came cannot be photographed.
        if req.photos.is_empty() && !before_receipt {
            errs.push(FieldError::new(
                "photos",
                "required",
                "请至少上传一张照片（包裹外观和快递面单）",
                "add at least one photo (the parcel and the waybill)",
            ));
        }
        let photos = self
            .own_unused_evidence(actor, &req.photos, "photos", None, &mut errs)
            .await?;
        self.check_waybill_photo(actor, req, &mut errs).await?;
        if req.lines.is_empty() && !before_receipt {
            errs.push(FieldError::new(
                "lines",
                "required",
                "请选择有问题的商品和数量",
                "choose the lines and quantities affected",
            ));
        }
        // The remaining quantity is read and the claim written in one turn: claims on the
        // same sub-order filed at the same moment wait for each other here, so two cannot
        // both take the last units (the second is told how many are left, as if it came
        // later). Nothing below reads through another connection until the commit.
        let txn = begin_write(db).await?;
        serialise(&txn, "aftersales.claims", sub.id).await?;
        if before_receipt && claims::open_before_receipt(&txn, sub.id).await? {
            return Err(AftersalesError::ClaimOpen);
        }
        let mut claimed: Vec<(&ClaimableLine, i64)> = Vec::new();
        // A parcel that did not come is claimed whole (what is left unclaimed of it) unless
        // the buyer names lines.
        let whole;
        let asked = if before_receipt && req.lines.is_empty() {
            let mut all = Vec::new();
            for l in &sub.lines {
                let left = l.quantity - claims::claimed_so_far(&txn, l.id).await?;
                if left > 0 {
                    all.push(LineQuantity {
                        line_id: l.id,
                        quantity: left,
                    });
                }
            }
            whole = all;
            &whole
        } else {
            &req.lines
        };
        for (i, lq) in asked.iter().enumerate() {
            let Some(l) = sub.lines.iter().find(|l| l.id == lq.line_id) else {
                errs.push(FieldError::new(
                    format!("lines[{i}].line_id"),
                    "not_in_order",
                    "这件商品不在该订单中",
                    "this line is not part of the order",
                ));
                continue;
            };
            if claimed.iter().any(|(c, _)| c.id == l.id) {
                errs.push(FieldError::new(
                    format!("lines[{i}].line_id"),
                    "duplicate",
                    "同一商品只能出现一次",
                    "name each line once",
                ));
                continue;
            }
            let before = claims::claimed_so_far(&txn, l.id).await?;
            let left = l.quantity - before;
            if lq.quantity < 1 || lq.quantity > left {
                errs.push(FieldError::new(
                    format!("lines[{i}].quantity"),
                    "out_of_range",
                    format!(
                        "可申请 1 到 {left} 件（共买 {}，已申请 {before}）",
                        l.quantity
                    ),
                    format!(
                        "1 to {left} can be claimed ({} bought, {before} already claimed)",
                        l.quantity
                    ),
                ));
                continue;
            }
            claimed.push((l, lq.quantity));
        }
        if claimed.is_empty() && before_receipt && req.lines.is_empty() {
            return Err(AftersalesError::NothingToRefund);
        }
        errs.finish()?;
        let Some(description) = description else {
            return Err(AftersalesError::Invalid(ValidationErrors::new()));
        };
        let by_qty = domain::by_quantity(
            &claimed
                .iter()
                .map(|(l, q)| ClaimedLine {
                    unit_price: l.unit_price,
                    quantity: *q,
                })
                .collect::<Vec<_>>(),
        )
        .fen();
        // A parcel that never came, claimed whole, is the whole payment left (its shipping
        // too); otherwise what the claimed units cost.
        let whole_parcel = before_receipt && req.lines.is_empty();
        let amount = if whole_parcel {
            sub.refundable().fen()
        } else {
            std::cmp::min(by_qty, sub.refundable().fen())
        };
        if amount < 1 {
            return Err(AftersalesError::NothingToRefund);
        }
        let id = ClaimId::new();
        tracing::Span::current().record("claim.id", tracing::field::display(id));
        let respond_by = now + self.config().respond_within;
        let number = format!(
            "SH{}",
            farmgate_orders::domain::order_number(now, rand::rng().random_range(0..100_000_000))
        );
        let lines = claimed
            .iter()
            .map(|(l, q)| claim_line::Model {
                claim_id: id.0,
                line_id: l.id.0,
                quantity: *q,
                amount_fen: l.unit_price.fen().saturating_mul(*q),
            })
            .collect();
        claims::insert(
            &txn,
            claim::Model {
                id: id.0,
                number,
                order_id: sub.order_id.0,
                sub_order_id: sub.id.0,
                buyer_account_id: sub.buyer.0,
                seller_org_id: sub.seller.0,
                kind: req.kind,
                description: description.clone(),
                contact_name: sub.contact_name.clone(),
                contact_phone: phone.unwrap_or_else(|| sub.contact_phone.clone()),
                status: ClaimStatus::AwaitingSeller,
                claimed_fen: amount,
                offered_fen: 0,
                refunded_fen: 0,
                respond_by,
                first_response_at: None,
                resolved_at: None,
                escalated: false,
                liability: None,
                satisfaction: None,
                satisfaction_comment: None,
                created_at: now,
                answer_by: None,
                arbitrate_by: None,
            },
            lines,
        )
        .await?;
        attach_all(&txn, &photos, id, "photos").await?;
        // The parcel is not received while its claim is handled: the scheduler must not
        // count it received (and payable) behind the claim's back. Received a moment ago:
        // claim what is wrong with it instead.
        if before_receipt && !self.orders().hold_receipt_in(&txn, sub.id).await? {
            return Err(AftersalesError::AlreadyReceived);
        }
        claims::append_event(
            &txn,
            id,
            EventKind::Filed,
            Some(actor.account_id),
            Role::Buyer,
            json!({
                "kind": req.kind, "description": description, "claimed_fen": amount,
                "lines": claimed.iter().map(|(l, q)| json!({"line_id": l.id, "quantity": q})).collect::<Vec<_>>(),
                "respond_by": respond_by, "waybill_photo": req.waybill_photo,
            }),
            now,
        )
        .await?;
        let outbox = &self.infra().outbox;
        outbox
            .enqueue_at(
                &txn,
                topics::RESPONSE_DUE,
                &json!({"claim_id": id}),
                respond_by,
            )
            .await?;
        self.remind(&txn, id, Role::Seller, respond_by, now).await?;
        outbox
            .enqueue(&txn, topics::FILED, &json!({"claim_id": id}))
            .await?;
        txn.commit().await?;
        outbox.wake();
        self.existing(id).await
    }
}

impl Aftersales {
    /// A restricted account (劣质客户, asked of identity) must say which photo shows the
    /// waybill; anyone who names one must name one of the claim's photos.
    async fn check_waybill_photo(
        &self,
        actor: &Actor,
        req: &FileClaim,
        errs: &mut ValidationErrors,
    ) -> Result<()> {
        match req.waybill_photo {
            Some(w) if !req.photos.contains(&w) => errs.push(FieldError::new(
                "waybill_photo",
                "not_in_photos",
                "快递面单照片须是本次上传的照片之一",
                "the waybill photo must be one of the claim's photos",
            )),
            Some(_) => {}
            None => {
                let restricted = farmgate_identity::read::restrictions::is_restricted(
                    &self.infra().db,
                    actor.account_id,
                    farmgate_identity::read::restrictions::RestrictionKind::ClaimNeedsWaybillPhoto,
                )
                .await?;
                if restricted {
                    errs.push(FieldError::new(
                        "waybill_photo",
                        "required",
                        "该账号申请售后须附快递面单照片，请上传并标明面单照片",
                        "this account must add a photo of the waybill to a claim: upload it and mark it",
                    ));
                }
            }
        }
        Ok(())
    }
}
