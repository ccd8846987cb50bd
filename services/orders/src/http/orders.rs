//! Orders: checkout, the buyer's orders, one order, cancelling, and the operator's list.

use super::header;
use super::views::OrderView;
use crate::Orders;
use crate::domain::{OrderStatus, OrderTab, PaymentMethod, PlatformOrderFilter, ShipByFilter};
use crate::service::CheckoutRequest;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use chrono::NaiveDate;
use farmgate_identity::AuthUser;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiJson, ApiPath, ApiQuery, ApiResult};
use farmgate_kernel::id::OrderId;
use farmgate_kernel::{Page, Paged};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

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

/// A page of the buyer's orders, in one tab of "我的订单" if asked.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MyOrdersQuery {
    pub limit: Option<farmgate_kernel::Limit>,
    pub offset: Option<farmgate_kernel::Offset>,
    /// 全部 (`all`, the default), 待付款, 待发货, 待收货 or 待评价.
    #[param(inline)]
    pub tab: Option<OrderTab>,
}

/// The caller's orders, newest first; `tab` keeps those of one tab of "我的订单".
#[utoipa::path(get, path = "/api/v1/orders", tag = "orders", params(MyOrdersQuery),
    responses(
        (status = 200, description = "A page of orders", body = Paged<OrderView>),
        (status = 400, description = "`invalid_query`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
    ))]
pub async fn my_orders(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<MyOrdersQuery>,
) -> ApiResult<Json<Paged<OrderView>>> {
    let page = Page {
        limit: q.limit,
        offset: q.offset,
    };
    let list = match q.tab {
        None | Some(OrderTab::All) => orders.my_orders(&actor, page).await?,
        Some(tab) => orders.my_orders_in(&actor, tab, page).await?,
    };
    Ok(Json(list.map(|r| OrderView::of(&r, &actor))))
}

/// How many of the caller's own orders each tab of "我的订单" holds. An order with two
/// sellers may be in two tabs at once (one parcel on its way, the other received).
#[derive(Debug, Serialize, ToSchema)]
pub struct OrderTabCounts {
    pub all: u64,
    pub pending_payment: u64,
    pub to_ship: u64,
    pub to_receive: u64,
    pub to_review: u64,
}

/// The counts on the tabs of "我的订单" (全部, 待付款, 待发货, 待收货, 待评价), for the caller's
/// own orders only.
#[utoipa::path(get, path = "/api/v1/orders/counts", tag = "orders",
    responses(
        (status = 200, description = "Orders per tab", body = OrderTabCounts),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
    ))]
pub async fn my_order_counts(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
) -> ApiResult<Json<OrderTabCounts>> {
    let mut out = OrderTabCounts {
        all: 0,
        pending_payment: 0,
        to_ship: 0,
        to_receive: 0,
        to_review: 0,
    };
    for (tab, n) in orders.my_order_counts(&actor).await? {
        match tab {
            OrderTab::All => out.all = n,
            OrderTab::PendingPayment => out.pending_payment = n,
            OrderTab::ToShip => out.to_ship = n,
            OrderTab::ToReceive => out.to_receive = n,
            OrderTab::ToReview => out.to_review = n,
        }
    }
    Ok(Json(out))
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
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct OpsOrdersQuery {
    pub status: Option<OrderStatus>,
    /// `offline`: the orders platform finance confirms (with `status=pending_payment`, those
    /// waiting for their money).
    pub payment_method: Option<PaymentMethod>,
    /// An order number (or a sub-order number).
    pub number: Option<String>,
    /// Orders with a part sold by this organisation.
    pub seller: Option<Uuid>,
    /// `overdue`: with a part paid or acknowledged past its ship-by deadline; `soon`: due
    /// within 12 hours.
    #[param(inline)]
    pub ship_by: Option<ShipByFilter>,
    /// 1–40 characters: the beginning of the order's (or a part's) number, a product or SKU
    /// name, the recipient's name, or 4 or more digits of the recipient's phone.
    pub q: Option<String>,
    /// Placed on or after this day (China time).
    pub from: Option<NaiveDate>,
    /// Placed on or before this day (China time); at most 366 days after `from`.
    pub to: Option<NaiveDate>,
    pub limit: Option<farmgate_kernel::Limit>,
    pub offset: Option<farmgate_kernel::Offset>,
}

/// Every order, newest first (operator, after-sales agents, platform finance), narrowed by
/// status, payment method, number, seller, ship-by state, placing days and a search text.
#[utoipa::path(get, path = "/api/v1/ops/orders", tag = "orders", params(OpsOrdersQuery),
    responses(
        (status = 200, description = "A page of orders", body = Paged<OrderView>),
        (status = 400, description = "`invalid_query`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`", body = ErrorBody),
        (status = 422, description = "A search over 40 characters or with control characters, or a period ending before it starts or longer than 366 days: `validation_failed` (fields q, to)", body = ErrorBody),
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
    let filter = PlatformOrderFilter::parse(
        q.status,
        q.payment_method,
        q.number.as_deref(),
        q.seller,
        q.ship_by,
        q.q.as_deref(),
        q.from,
        q.to,
    )
    .map_err(crate::error::OrdersError::field)?;
    let list = orders.all_orders(&actor, &filter, page).await?;
    Ok(Json(list.map(|r| OrderView::of(&r, &actor))))
}
