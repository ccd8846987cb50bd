//! Buying over HTTP: addresses, the cart, checkout, the buyer's orders, cancelling, offline
//! payment confirmation, and the seller's order console.

use crate::Orders;
use crate::domain::{AddressInput, SubOrderStatus};
use crate::service::CheckoutRequest;
use crate::views::{AddressView, CartView, OrderView};
use axum::Json;
use axum::extract::{FromRef, State};
use axum::http::{HeaderMap, StatusCode};
use farmgate_identity::{AuthUser, Identity};
use farmgate_infra::http::{ApiJson, ApiPath, ApiQuery, ApiResult};
use farmgate_kernel::id::OrgId;
use farmgate_kernel::{Page, Paged};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

// ---------------------------------------------------------------------------------------------
// Addresses

/// The caller's saved delivery addresses, the default first.
#[utoipa::path(get, path = "/api/v1/me/addresses", tag = "orders",
    responses((status = 200, body = Vec<AddressView>), (status = 401)))]
pub async fn list_addresses(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
) -> ApiResult<Json<Vec<AddressView>>> {
    let list = orders.addresses(&actor).await?;
    Ok(Json(list.iter().map(AddressView::of).collect()))
}

/// Save a delivery address.
#[utoipa::path(post, path = "/api/v1/me/addresses", tag = "orders", request_body = AddressInput,
    responses((status = 201, body = AddressView), (status = 422)))]
pub async fn add_address(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiJson(input): ApiJson<AddressInput>,
) -> ApiResult<(StatusCode, Json<AddressView>)> {
    let a = orders.add_address(&actor, &input).await?;
    Ok((StatusCode::CREATED, Json(AddressView::of(&a))))
}

/// Change a saved address (orders already placed keep the address they were placed with).
#[utoipa::path(put, path = "/api/v1/me/addresses/{id}", tag = "orders", params(("id" = Uuid, Path)),
    request_body = AddressInput, responses((status = 200, body = AddressView), (status = 404), (status = 422)))]
pub async fn update_address(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(input): ApiJson<AddressInput>,
) -> ApiResult<Json<AddressView>> {
    let a = orders.update_address(&actor, id, &input).await?;
    Ok(Json(AddressView::of(&a)))
}

/// Forget a saved address.
#[utoipa::path(delete, path = "/api/v1/me/addresses/{id}", tag = "orders", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404)))]
pub async fn delete_address(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    orders.delete_address(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------------------------------------
// Cart

/// The cart, every line re-checked against today's price and stock.
#[utoipa::path(get, path = "/api/v1/cart", tag = "orders",
    responses((status = 200, body = CartView), (status = 401)))]
pub async fn get_cart(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
) -> ApiResult<Json<CartView>> {
    let lines = orders.cart(&actor).await?;
    Ok(Json(CartView::of(
        &lines,
        actor.wholesale_buyer_org().is_some(),
    )))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddToCart {
    pub sku_id: Uuid,
    pub quantity: i64,
}

/// Put a SKU in the cart (adds to a line already there).
#[utoipa::path(post, path = "/api/v1/cart/items", tag = "orders", request_body = AddToCart,
    responses((status = 200, body = CartView), (status = 404), (status = 409), (status = 422)))]
pub async fn add_to_cart(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiJson(req): ApiJson<AddToCart>,
) -> ApiResult<Json<CartView>> {
    orders.add_to_cart(&actor, req.sku_id, req.quantity).await?;
    let lines = orders.cart(&actor).await?;
    Ok(Json(CartView::of(
        &lines,
        actor.wholesale_buyer_org().is_some(),
    )))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetQuantity {
    pub quantity: i64,
}

/// Change how many of a cart line.
#[utoipa::path(put, path = "/api/v1/cart/items/{sku_id}", tag = "orders", params(("sku_id" = Uuid, Path)),
    request_body = SetQuantity, responses((status = 200, body = CartView), (status = 404), (status = 422)))]
pub async fn set_cart_quantity(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(sku): ApiPath<Uuid>,
    ApiJson(req): ApiJson<SetQuantity>,
) -> ApiResult<Json<CartView>> {
    orders.set_cart_quantity(&actor, sku, req.quantity).await?;
    let lines = orders.cart(&actor).await?;
    Ok(Json(CartView::of(
        &lines,
        actor.wholesale_buyer_org().is_some(),
    )))
}

/// Take a line out of the cart.
#[utoipa::path(delete, path = "/api/v1/cart/items/{sku_id}", tag = "orders", params(("sku_id" = Uuid, Path)),
    responses((status = 200, body = CartView)))]
pub async fn remove_from_cart(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(sku): ApiPath<Uuid>,
) -> ApiResult<Json<CartView>> {
    orders.remove_from_cart(&actor, sku).await?;
    let lines = orders.cart(&actor).await?;
    Ok(Json(CartView::of(
        &lines,
        actor.wholesale_buyer_org().is_some(),
    )))
}

// ---------------------------------------------------------------------------------------------
// Orders

/// Place an order: from the cart, or from `items`. One sub-order per seller; stock is reserved
/// at once and goes back if the order is not paid in time. Send an `Idempotency-Key` header:
/// a retry with the same key and body returns the same order (200) instead of a second one.
#[utoipa::path(post, path = "/api/v1/orders", tag = "orders", request_body = CheckoutRequest,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses((status = 201, body = OrderView), (status = 200, body = OrderView, description = "a retry of an order already placed"),
        (status = 409, description = "sold_out, unavailable, price_changed, idempotency_key_reused"), (status = 422)))]
pub async fn checkout(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    headers: HeaderMap,
    ApiJson(req): ApiJson<CheckoutRequest>,
) -> ApiResult<(StatusCode, Json<OrderView>)> {
    let key = headers
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (record, created) = orders.checkout(&actor, req, key.as_deref()).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(OrderView::of(&record, &actor))))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct PageQuery {
    pub limit: Option<u64>,
    pub offset: Option<u64>,
}

/// The caller's orders, newest first.
#[utoipa::path(get, path = "/api/v1/orders", tag = "orders", params(PageQuery),
    responses((status = 200, body = Paged<OrderView>), (status = 401)))]
pub async fn my_orders(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<Paged<OrderView>>> {
    let page = Page {
        limit: q.limit,
        offset: q.offset,
    };
    let list = orders.my_orders(&actor, page).await?;
    Ok(Json(list.map(|r| OrderView::of(&r, &actor))))
}

/// One order: the buyer, a seller in it (its own part) or the operator.
#[utoipa::path(get, path = "/api/v1/orders/{id}", tag = "orders", params(("id" = Uuid, Path)),
    responses((status = 200, body = OrderView), (status = 404)))]
pub async fn get_order(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
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
    request_body = CancelRequest, responses((status = 200, body = OrderView), (status = 404), (status = 409)))]
pub async fn cancel(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<CancelRequest>,
) -> ApiResult<Json<OrderView>> {
    let record = orders.cancel(&actor, id, req.reason.as_deref()).await?;
    Ok(Json(OrderView::of(&record, &actor)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OfflinePayment {
    /// The bank transfer's serial number, or the receipt number for cash.
    pub reference: String,
}

/// Confirm a bank transfer or cash payment (the operator, or the seller of an order that is
/// all theirs). Confirming a paid order again changes nothing (200).
#[utoipa::path(post, path = "/api/v1/orders/{id}/offline-payment", tag = "orders", params(("id" = Uuid, Path)),
    request_body = OfflinePayment, responses((status = 200, body = OrderView), (status = 403), (status = 404), (status = 409)))]
pub async fn confirm_offline_payment(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<OfflinePayment>,
) -> ApiResult<Json<OrderView>> {
    let (record, _) = orders
        .confirm_offline_payment(&actor, id, &req.reference)
        .await?;
    Ok(Json(OrderView::of(&record, &actor)))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct SubOrderQuery {
    pub status: Option<SubOrderStatus>,
    pub limit: Option<u64>,
    pub offset: Option<u64>,
}

/// A seller's paid sub-orders, newest first (members and the operator).
#[utoipa::path(get, path = "/api/v1/orgs/{id}/sub-orders", tag = "orders", params(("id" = Uuid, Path), SubOrderQuery),
    responses((status = 200, body = Paged<OrderView>), (status = 403)))]
pub async fn seller_sub_orders(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(org): ApiPath<OrgId>,
    ApiQuery(q): ApiQuery<SubOrderQuery>,
) -> ApiResult<Json<Paged<OrderView>>> {
    let page = Page {
        limit: q.limit,
        offset: q.offset,
    };
    let list = orders
        .seller_sub_orders(&actor, org, q.status, page)
        .await?;
    Ok(Json(list.map(|(_, r)| OrderView::of(&r, &actor))))
}

/// The seller has seen a paid sub-order and is preparing it (the time it took is recorded).
#[utoipa::path(post, path = "/api/v1/sub-orders/{id}/acknowledge", tag = "orders", params(("id" = Uuid, Path)),
    responses((status = 200, body = OrderView), (status = 404), (status = 409)))]
pub async fn acknowledge(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<OrderView>> {
    let record = orders.acknowledge(&actor, id).await?;
    Ok(Json(OrderView::of(&record, &actor)))
}

pub fn router<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Orders: FromRef<S>,
    Identity: FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(list_addresses, add_address))
        .routes(routes!(update_address, delete_address))
        .routes(routes!(get_cart))
        .routes(routes!(add_to_cart))
        .routes(routes!(set_cart_quantity, remove_from_cart))
        .routes(routes!(checkout, my_orders))
        .routes(routes!(get_order))
        .routes(routes!(cancel))
        .routes(routes!(confirm_offline_payment))
        .routes(routes!(seller_sub_orders))
        .routes(routes!(acknowledge))
}
