//! A paid sub-order's deadlines over HTTP (issue #18): the buyer cancels a part not shipped by
//! its ship-by deadline, or asks the seller to cancel one that has not shipped; the seller
//! accepts or refuses the request.

use super::orders::CancelRequest;
use super::views::OrderView;
use crate::Orders;
use axum::Json;
use axum::extract::State;
use farmgate_identity::AuthUser;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiJson, ApiPath, ApiResult};
use farmgate_kernel::id::SubOrderId;
use serde::Deserialize;
use utoipa::ToSchema;

/// Why: the buyer's reason to ask, or the seller's to refuse (2–200 characters).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelReason {
    pub reason: String,
}

/// The buyer cancels a part its seller did not ship by its `ship_by` deadline: cancelled at
/// once and refunded in full (charged to the seller), its stock back; the seller hears of it.
/// Again, or after the automatic cancellation: the order as it is, with one refund.
#[utoipa::path(post, path = "/api/v1/sub-orders/{id}/cancel", tag = "orders", params(("id" = Uuid, Path)),
    request_body = CancelRequest,
    responses(
        (status = 200, description = "Cancelled and refunded (or it was already)", body = OrderView),
        (status = 400, description = "`malformed_json`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden` (the seller or the platform: only the buyer cancels), `cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "Conflict: `not_overdue` (the deadline has not passed: ask the seller), `cannot_cancel` (shipped or closed)", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "`validation_failed`", body = ErrorBody),
    ))]
pub async fn cancel_overdue(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<SubOrderId>,
    ApiJson(req): ApiJson<CancelRequest>,
) -> ApiResult<Json<OrderView>> {
    let record = orders
        .cancel_overdue(&actor, id, req.reason.as_deref())
        .await?;
    Ok(Json(OrderView::of(&record, &actor)))
}

/// The buyer asks the seller to cancel a paid part that has not shipped (once per part). The
/// seller answers within `cancel_answer_hours`; unanswered, it is accepted. Shipping the part
/// refuses it.
#[utoipa::path(post, path = "/api/v1/sub-orders/{id}/cancel-request", tag = "orders", params(("id" = Uuid, Path)),
    request_body = CancelReason,
    responses(
        (status = 200, description = "Asked; the seller's members are told", body = OrderView),
        (status = 400, description = "`malformed_json`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden` (only the buyer asks), `cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "Conflict: `cancel_already_requested`, `cannot_cancel` (shipped or closed)", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "`validation_failed`", body = ErrorBody),
    ))]
pub async fn request_cancel(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<SubOrderId>,
    ApiJson(req): ApiJson<CancelReason>,
) -> ApiResult<Json<OrderView>> {
    let record = orders.request_cancel(&actor, id, &req.reason).await?;
    Ok(Json(OrderView::of(&record, &actor)))
}

/// The seller accepts the buyer's request: the part is cancelled and refunded in full, its
/// stock back. Also after the answer limit. Again: the order as it is.
#[utoipa::path(post, path = "/api/v1/sub-orders/{id}/cancel-request/accept", tag = "orders", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "Accepted: cancelled and refunded (or it was already)", body = OrderView),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden` (a member who may not sell), `org_not_verified`, `cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found` (not a part this seller sells)", body = ErrorBody),
        (status = 409, description = "Conflict: `cancel_request_closed` (none open: never asked, refused, or the part shipped)", body = ErrorBody),
    ))]
pub async fn accept_cancel(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<SubOrderId>,
) -> ApiResult<Json<OrderView>> {
    let record = orders.accept_cancel(&actor, id).await?;
    Ok(Json(OrderView::of(&record, &actor)))
}

/// The seller refuses the buyer's request, with a reason, before its answer limit; the buyer
/// is told. Again: the order as it is.
#[utoipa::path(post, path = "/api/v1/sub-orders/{id}/cancel-request/refuse", tag = "orders", params(("id" = Uuid, Path)),
    request_body = CancelReason,
    responses(
        (status = 200, description = "Refused (or it was already)", body = OrderView),
        (status = 400, description = "`malformed_json`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden` (a member who may not sell), `org_not_verified`, `cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found` (not a part this seller sells)", body = ErrorBody),
        (status = 409, description = "Conflict: `cancel_request_closed` (none open), `answer_too_late` (the limit passed: the request counts as accepted)", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "`validation_failed`", body = ErrorBody),
    ))]
pub async fn refuse_cancel(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<SubOrderId>,
    ApiJson(req): ApiJson<CancelReason>,
) -> ApiResult<Json<OrderView>> {
    let record = orders.refuse_cancel(&actor, id, &req.reason).await?;
    Ok(Json(OrderView::of(&record, &actor)))
}
