//! What the API returns about a claim, and what the viewer may do next.

use crate::domain::ClaimStatus;
use crate::service::{ClaimRecord, Role};
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
    pub fn of(e: &crate::store::evidence::Model) -> Self {
        Self {
            id: e.id,
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
        let status = ClaimStatus::parse(&c.status);
        Self {
            id: c.id,
            number: c.number.clone(),
            order_id: c.order_id,
            order_number: r.order_number.clone(),
            sub_order_id: c.sub_order_id,
            seller_id: c.seller_org_id,
            seller_name: r.seller_name.clone(),
            kind: c.kind.clone(),
            description: c.description.clone(),
            contact_name: c.contact_name.clone(),
            contact_phone: c.contact_phone.clone(),
            status: c.status.clone(),
            claimed: c.claimed_fen,
            offered: c.offered_fen,
            refunded: c.refunded_fen,
            refundable: r.sub.total_fen - r.sub.refunded_fen,
            sub_goods: r.sub.goods_fen,
            sub_shipping: r.sub.shipping_fen,
            respond_by: c.respond_by,
            first_response_at: c.first_response_at,
            resolved_at: c.resolved_at,
            escalated: c.escalated,
            liability: c.liability.clone(),
            satisfaction: c.satisfaction,
            satisfaction_comment: c.satisfaction_comment.clone(),
            created_at: c.created_at,
            lines: r
                .lines
                .iter()
                .map(|(cl, l)| ClaimLineView {
                    line_id: l.id,
                    title: l.title.clone(),
                    sku_name: l.sku_name.clone(),
                    unit: l.unit.clone(),
                    quantity: cl.quantity,
                    bought: l.quantity,
                    unit_price: l.unit_price_fen,
                    amount: cl.amount_fen,
                })
                .collect(),
            evidence: r.evidence.iter().map(EvidenceView::of).collect(),
            events: r
                .events
                .iter()
                .map(|e| ClaimEventView {
                    kind: e.kind.clone(),
                    actor_role: e.actor_role.clone(),
                    data: e.data.clone(),
                    at: e.at,
                })
                .collect(),
            messages: r
                .messages
                .iter()
                .map(|m| MessageView {
                    author_role: m.author_role.clone(),
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
                status: x.status.clone(),
                created_at: x.created_at,
            }),
            role,
            can: Actions {
                respond: role == Role::Seller && status == Some(ClaimStatus::AwaitingSeller),
                accept: role == Role::Buyer && status == Some(ClaimStatus::AwaitingBuyer),
                escalate: role == Role::Buyer && status == Some(ClaimStatus::AwaitingBuyer),
                decide: role == Role::Operator
                    && matches!(
                        status,
                        Some(ClaimStatus::InArbitration | ClaimStatus::AwaitingSeller)
                    ),
                rate: role == Role::Buyer
                    && status == Some(ClaimStatus::Resolved)
                    && c.satisfaction.is_none(),
            },
        }
    }
}
