//! What the API returns about a claim and a recall notice, and what the viewer may do next.

use crate::domain::{ClaimMove, Role, transition};
use crate::service::recall::RecallNotice;
use crate::service::{ClaimRecord, Evidence};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
pub struct EvidenceView {
    pub id: Uuid,
    /// The re-encoded copy (no EXIF), for the parties.
    pub url: String,
    pub sha256: String,
    pub size_bytes: i64,
    pub uploaded_at: DateTime<Utc>,
}

impl EvidenceView {
    pub fn of(e: &Evidence) -> Self {
        Self {
            id: e.id.0,
            url: format!("/api/v1/claim-evidence/{}", e.id),
            sha256: e.sha256.clone(),
            size_bytes: e.size_bytes,
            uploaded_at: e.uploaded_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClaimLineView {
    pub line_id: Uuid,
    pub title: String,
    pub sku_name: String,
    pub unit: String,
    pub quantity: i64,
    pub bought: i64,
    pub unit_price: i64,
    pub amount: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClaimEventView {
    pub kind: String,
    pub actor_role: String,
    pub data: Value,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MessageView {
    pub author_role: String,
    pub mine: bool,
    pub body: String,
    pub attachments: Vec<String>,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecourseView {
    pub carrier: String,
    pub tracking_no: String,
    pub amount: i64,
    pub status: String,
    pub created_at: DateTime<Utc>,
}

/// What the viewer may do now.
#[derive(Debug, Serialize, ToSchema)]
pub struct Actions {
    pub respond: bool,
    pub accept: bool,
    pub escalate: bool,
    pub decide: bool,
    pub rate: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClaimView {
    pub id: Uuid,
    pub number: String,
    pub order_id: Uuid,
    pub order_number: String,
    pub sub_order_id: Uuid,
    pub seller_id: Uuid,
    pub seller_name: String,
    pub kind: String,
    pub description: String,
    pub contact_name: String,
    /// Only parties see a claim; the seller needs the phone to settle it.
    pub contact_phone: String,
    /// `awaiting_seller`, `awaiting_buyer`, `in_arbitration`, `resolved`.
    pub status: String,
    /// Fen.
    pub claimed: i64,
    pub offered: i64,
    pub refunded: i64,
    /// What is left of the sub-order's payment: the most any answer can refund.
    pub refundable: i64,
    /// The sub-order's goods and shipping (a damage level prices the shipping share).
    pub sub_goods: i64,
    pub sub_shipping: i64,
    /// By when the seller must answer (told to the buyer at once).
    pub respond_by: DateTime<Utc>,
    pub first_response_at: Option<DateTime<Utc>>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub escalated: bool,
    /// While the buyer is to answer the seller's offer: by when (unanswered, it is accepted).
    pub answer_by: Option<DateTime<Utc>>,
    /// Once escalated: by when the operator should decide.
    pub arbitrate_by: Option<DateTime<Utc>>,
    /// In arbitration past `arbitrate_by` (listed first in the operator's queue).
    pub arbitration_overdue: bool,
    pub liability: Option<Value>,
    pub satisfaction: Option<i16>,
    pub satisfaction_comment: Option<String>,
    pub created_at: DateTime<Utc>,
    pub lines: Vec<ClaimLineView>,
    pub evidence: Vec<EvidenceView>,
    pub events: Vec<ClaimEventView>,
    pub messages: Vec<MessageView>,
    pub recourse: Option<RecourseView>,
    /// The viewer's role on the claim.
    pub role: Role,
    pub can: Actions,
}

impl ClaimView {
    pub fn of(r: &ClaimRecord, role: Role, viewer: Uuid) -> Self {
        let c = &r.claim;
        let may = |m: ClaimMove| transition(c.status, m).is_ok();
        Self {
            id: c.id,
            number: c.number.clone(),
            order_id: c.order_id,
            order_number: r.sub.order_number.clone(),
            sub_order_id: c.sub_order_id,
            seller_id: c.seller_org_id,
            seller_name: r.seller_name.clone(),
            kind: c.kind.as_str().to_owned(),
            description: c.description.clone(),
            contact_name: c.contact_name.clone(),
            contact_phone: c.contact_phone.clone(),
            status: c.status.as_str().to_owned(),
            claimed: c.claimed_fen,
            offered: c.offered_fen,
            refunded: c.refunded_fen,
            refundable: r.sub.refundable().fen(),
            sub_goods: r.sub.goods.fen(),
            sub_shipping: r.sub.shipping.fen(),
            respond_by: c.respond_by,
            first_response_at: c.first_response_at,
            resolved_at: c.resolved_at,
            escalated: c.escalated,
            answer_by: c.answer_by,
            arbitrate_by: c.arbitrate_by,
            arbitration_overdue: r.arbitration_overdue,
            liability: c.liability.clone(),
            satisfaction: c.satisfaction,
            satisfaction_comment: c.satisfaction_comment.clone(),
            created_at: c.created_at,
            lines: r
                .lines
                .iter()
                .map(|l| ClaimLineView {
                    line_id: l.line.id.0,
                    title: l.line.title.clone(),
                    sku_name: l.line.sku_name.clone(),
                    unit: l.line.unit.clone(),
                    quantity: l.claimed.quantity,
                    bought: l.line.quantity,
                    unit_price: l.line.unit_price.fen(),
                    amount: l.claimed.amount_fen,
                })
                .collect(),
            evidence: r.evidence.iter().map(EvidenceView::of).collect(),
            events: r
                .events
                .iter()
                .map(|e| ClaimEventView {
                    kind: e.kind.as_str().to_owned(),
                    actor_role: e.actor_role.as_str().to_owned(),
                    data: e.data.clone(),
                    at: e.at,
                })
                .collect(),
            messages: r
                .messages
                .iter()
                .map(|m| MessageView {
                    author_role: m.author_role.as_str().to_owned(),
                    mine: m.author_id == viewer,
                    body: m.body.clone(),
                    attachments: m
                        .attachments
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .filter_map(Value::as_str)
                                .map(|id| format!("/api/v1/claim-evidence/{id}"))
                                .collect()
                        })
                        .unwrap_or_default(),
                    at: m.at,
                })
                .collect(),
            recourse: r.recourse.as_ref().map(|x| RecourseView {
                carrier: x.carrier.clone(),
                tracking_no: x.tracking_no.clone(),
                amount: x.amount_fen,
                status: x.status.as_str().to_owned(),
                created_at: x.created_at,
            }),
            role,
            can: Actions {
                respond: role == Role::Seller && may(ClaimMove::SellerAnswers),
                accept: role == Role::Buyer && may(ClaimMove::BuyerAccepts),
                escalate: role == Role::Buyer && may(ClaimMove::BuyerEscalates),
                decide: role == Role::Operator && may(ClaimMove::OperatorDecides),
                rate: role == Role::Buyer && may(ClaimMove::BuyerRates) && c.satisfaction.is_none(),
            },
        }
    }
}

/// What a buyer of a recalled batch sees.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct NoticeView {
    pub id: Uuid,
    pub recall_id: Uuid,
    pub code: String,
    pub lot: String,
    pub reason: String,
    pub order_id: Uuid,
    pub sub_order_id: Uuid,
    pub lines: Value,
    pub offered: i64,
    /// `offered`, `refunded`, or `nothing_due` (the sub-order was already refunded in full).
    pub status: String,
    pub instructions_zh: String,
    pub instructions_en: String,
    pub created_at: DateTime<Utc>,
}

impl NoticeView {
    pub fn of(x: &RecallNotice) -> Self {
        let (n, r) = (&x.notice, &x.recall);
        Self {
            id: n.id,
            recall_id: r.id,
            code: r.code.clone(),
            lot: r.lot.clone(),
            reason: r.reason.clone(),
            order_id: n.order_id,
            sub_order_id: n.sub_order_id,
            lines: n.lines.clone(),
            offered: n.offered_fen,
            status: n.status.as_str().to_owned(),
            instructions_zh: "请立即停止食用该批次产品，妥善保存包装与剩余产品以备核查；点击“申请退款”即可全额退回该批次商品的货款，无需退回商品。如有不适请及时就医并联系平台客服。".to_owned(),
            instructions_en: "Stop eating this batch at once and keep the packaging and what is left for checks; \"Refund\" returns what you paid for it, no need to send it back. If unwell, see a doctor and contact the platform.".to_owned(),
            created_at: n.created_at,
        }
    }
}
