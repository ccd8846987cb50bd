//! Handlers: purchase approvals of a business buyer (issue #22) — the managers' queue, and
//! approving or rejecting one order.

use crate::Orders;
use crate::domain::OrderStatus;
use crate::domain::approval::{ApprovalStatus, Decision};
use crate::service::approval::ApprovalEntry;
use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use farmgate_identity::{Actor, AuthUser};
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiJson, ApiPath, ApiQuery, ApiResult};
use farmgate_kernel::id::{OrderId, OrgId};
use farmgate_kernel::{Page, Paged};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ApprovalsQuery {
    /// Only approvals in this state (`pending`: the queue).
    pub status: Option<ApprovalStatus>,
    pub limit: Option<farmgate_kernel::Limit>,
    pub offset: Option<farmgate_kernel::Offset>,
}

/// One line of an order waiting for approval, as the manager sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApprovalLine {
    pub title: String,
    pub sku_name: String,
    pub unit: String,
    pub quantity: i64,
    pub unit_price_fen: i64,
    pub line_fen: i64,
}

/// An order of a purchaser above the buyer's limit, and its decision.
#[derive(Debug, Serialize, ToSchema)]
pub struct ApprovalEntryView {
    pub order_id: OrderId,
    pub order_number: String,
    pub order_status: OrderStatus,
    pub status: ApprovalStatus,
    pub total_fen: i64,
    pub limit_fen: i64,
    pub requested_by: Uuid,
    pub requested_by_name: String,
    pub requested_at: DateTime<Utc>,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub reason: Option<String>,
    pub lines: Vec<ApprovalLine>,
}

impl ApprovalEntryView {
    fn of(e: &ApprovalEntry) -> Self {
        let a = &e.approval;
        Self {
            order_id: OrderId(a.order_id),
            order_number: e.order.order.number.clone(),
            order_status: e.order.order.status,
            status: a.status,
            total_fen: a.total_fen,
            limit_fen: a.limit_fen,
            requested_by: a.requested_by,
            requested_by_name: e.requested_by_name.clone(),
            requested_at: a.created_at,
            decided_by_name: e.decided_by_name.clone(),
            decided_at: a.decided_at,
            reason: a.reason.clone(),
            lines: e
                .order
                .lines
                .iter()
                .map(|l| ApprovalLine {
                    title: l.title.clone(),
                    sku_name: l.sku_name.clone(),
                    unit: l.unit.clone(),
                    quantity: l.quantity,
                    unit_price_fen: l.unit_price_fen,
                    line_fen: l.line_fen,
                })
                .collect(),
        }
    }
}

/// A business buyer's purchase approvals, newest first (its managers and owners).
#[utoipa::path(get, path = "/api/v1/orgs/{id}/approvals", tag = "orders", params(("id" = Uuid, Path), ApprovalsQuery),
    responses(
        (status = 200, description = "A page of approvals", body = Paged<ApprovalEntryView>),
        (status = 400, description = "`invalid_query`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "A purchaser or staff, who does not approve: `forbidden`", body = ErrorBody),
        (status = 404, description = "Not a member of this organisation: `not_found`", body = ErrorBody),
    ))]
pub async fn org_approvals(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<OrgId>,
    ApiQuery(q): ApiQuery<ApprovalsQuery>,
) -> ApiResult<Json<Paged<ApprovalEntryView>>> {
    let page = Page {
        limit: q.limit,
        offset: q.offset,
    };
    let list = orders.approvals(&actor, id, q.status, page).await?;
    Ok(Json(list.map(|e| ApprovalEntryView::of(&e))))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    /// Why (at most 200 characters); shown to the purchaser.
    #[serde(default)]
    pub reason: Option<String>,
}

/// The decision made, answered with the approval and its order.
async fn decided(
    orders: &Orders,
    actor: &Actor,
    id: OrderId,
    decision: Decision,
    req: DecisionRequest,
) -> ApiResult<Json<ApprovalEntryView>> {
    let entry = orders
        .decide_approval(actor, id, decision, req.reason.as_deref())
        .await?;
    Ok(Json(ApprovalEntryView::of(&entry)))
}

/// Approve a purchaser's order above the limit (a manager or the owner): it can be paid now.
#[utoipa::path(post, path = "/api/v1/orders/{id}/approve", tag = "orders", params(("id" = Uuid, Path)),
    request_body = DecisionRequest,
    responses(
        (status = 200, description = "Approved: the approval with its order", body = ApprovalEntryView),
        (status = 400, description = "`malformed_json`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "A purchaser or staff of the buyer: `forbidden`, `cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "No approval of an organisation you belong to: `not_found`", body = ErrorBody),
        (status = 409, description = "`already_decided`; `order_closed`: the order was cancelled or expired meanwhile", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "`validation_failed`", body = ErrorBody),
    ))]
pub async fn approve_order(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<OrderId>,
    ApiJson(req): ApiJson<DecisionRequest>,
) -> ApiResult<Json<ApprovalEntryView>> {
    decided(&orders, &actor, id, Decision::Approve, req).await
}

/// Reject a purchaser's order above the limit (a manager or the owner): the order is cancelled
/// and its stock returned.
#[utoipa::path(post, path = "/api/v1/orders/{id}/reject", tag = "orders", params(("id" = Uuid, Path)),
    request_body = DecisionRequest,
    responses(
        (status = 200, description = "Rejected: the approval with its order, now cancelled", body = ApprovalEntryView),
        (status = 400, description = "`malformed_json`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "A purchaser or staff of the buyer: `forbidden`, `cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "No approval of an organisation you belong to: `not_found`", body = ErrorBody),
        (status = 409, description = "`already_decided`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "`validation_failed`", body = ErrorBody),
    ))]
pub async fn reject_order(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<OrderId>,
    ApiJson(req): ApiJson<DecisionRequest>,
) -> ApiResult<Json<ApprovalEntryView>> {
    decided(&orders, &actor, id, Decision::Reject, req).await
}
