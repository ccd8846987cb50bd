//! Orders: checkout, the buyer's orders, one order, cancelling, and the operator's list.

use super::views::OrderView;
use super::{PageQuery, header};
use crate::Orders;
use crate::domain::{OrderStatus, PaymentMethod};
use crate::service::CheckoutRequest;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use farmgate_identity::AuthUser;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiJson, ApiPath, ApiQuery, ApiResult};
use farmgate_kernel::id::OrderId;
use farmgate_kernel::{Page, Paged};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

/// Place an order: from the cart, or from `items`. One sub-order per seller; stock is reserved
/// at once and goes back if the order is not paid in time. Send an `Idempotency-Key` header:
/// a retry with the same key and body returns the same order (200) instead of a second one.
#[utoipa::path(post, path = "/api/v1/orders", tag = "orders", request_body = CheckoutRequest,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses(
        (status = 201, description = "Placed", body = OrderView),
        (status = 200, description = "A retry of an order already placed", body = OrderView),
        (status = 400, description = "`malformed_json`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`cross_site_request`, `read_only`", body = ErrorBody),
        (status = 409, description = "Conflict (*fields* name the lines): `sold_out`, `unavailable`, `price_changed`, `idempotency_key_reused`, `online_payment_unavailable`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "`validation_failed`", body = ErrorBody),
    ))]
pub async fn checkout(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    headers: HeaderMap,
    ApiJson(req): ApiJson<CheckoutRequest>,
) -> ApiResult<(StatusCode, Json<OrderView>)> {
    let key = header(&headers, "idempotency-key");
    let (record, created) = orders.checkout(&actor, req, key).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(OrderView::of(&record, &actor))))
}

/// The caller's orders, newest first.
#[utoipa::path(get, path = "/api/v1/orders", tag = "orders", params(PageQuery),
    responses(
        (status = 200, description = "A page of orders", body = Paged<OrderView>),
        (status = 400, description = "`invalid_query`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
    ))]
pub async fn my_orders(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<Paged<OrderView>>> {
    let list = orders.my_orders(&actor, q.page()).await?;
    Ok(Json(list.map(|r| OrderView::of(&r, &actor))))
}

/// One order: the buyer, a seller in it (its own part) or the operator.
#[utoipa::path(get, path = "/api/v1/orders/{id}", tag = "orders", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The order", body = OrderView),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
    ))]
pub async fn get_order(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<OrderId>,
) -> ApiResult<Json<OrderView>> {
    let record = orders.order_for(&actor, id).await?;
    Ok(Json(OrderView::of(&record, &actor)))
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelRequest {
    #[serde(default)]
    pub reason: Option<String>,
}

/// Cancel an unpaid order (buyer or operator); its stock goes back.
#[utoipa::path(post, path = "/api/v1/orders/{id}/cancel", tag = "orders", params(("id" = Uuid, Path)),
    request_body = CancelRequest,
    responses(
        (status = 200, description = "Cancelled", body = OrderView),
        (status = 400, description = "`malformed_json`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`, `cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "Conflict: `cannot_cancel` (also when the gateway says it was paid a moment ago)", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "`validation_failed`", body = ErrorBody),
        (status = 503, description = "`payment_provider_unavailable`: the gateway's trade could not be closed; try again", body = ErrorBody),
    ))]
pub async fn cancel(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<OrderId>,
    ApiJson(req): ApiJson<CancelRequest>,
) -> ApiResult<Json<OrderView>> {
    let record = orders.cancel(&actor, id, req.reason.as_deref()).await?;
    Ok(Json(OrderView::of(&record, &actor)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OpsOrdersQuery {
    pub status: Option<OrderStatus>,
    /// `offline`: the orders platform finance confirms (with `status=pending_payment`, those
    /// waiting for their money).
    pub payment_method: Option<PaymentMethod>,
    /// An order number (or a sub-order number).
    pub number: Option<String>,
    pub limit: Option<farmgate_kernel::Limit>,
    pub offset: Option<farmgate_kernel::Offset>,
}

/// Every order, newest first (operator, after-sales agents, platform finance).
#[utoipa::path(get, path = "/api/v1/ops/orders", tag = "orders", params(OpsOrdersQuery),
    responses(
        (status = 200, description = "A page of orders", body = Paged<OrderView>),
        (status = 400, description = "`invalid_query`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`", body = ErrorBody),
    ))]
pub async fn ops_orders(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<OpsOrdersQuery>,
) -> ApiResult<Json<Paged<OrderView>>> {
    let page = Page {
        limit: q.limit,
        offset: q.offset,
    };
    let list = orders
        .all_orders(
            &actor,
            q.status,
            q.payment_method,
            q.number.as_deref(),
            page,
        )
        .await?;
    Ok(Json(list.map(|r| OrderView::of(&r, &actor))))
}
