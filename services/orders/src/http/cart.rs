//! The cart: every answer is the whole cart as it stands now.

use super::views::CartView;
use crate::Orders;
use crate::domain;
use crate::service::QuoteRequest;
use axum::Json;
use axum::extract::State;
use farmgate_identity::{Actor, AuthUser, MaybeAuthUser};
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiJson, ApiPath, ApiResult};
use farmgate_kernel::id::SkuId;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

async fn cart_of(orders: &Orders, actor: &Actor) -> ApiResult<Json<CartView>> {
    let lines = orders.cart(actor).await?;
    Ok(Json(CartView::of(
        &lines,
        actor.wholesale_buyer_org().is_some(),
    )))
}

/// The cart, every line re-checked against today's price and stock.
#[utoipa::path(get, path = "/api/v1/cart", tag = "orders",
    responses(
        (status = 200, description = "The cart", body = CartView),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
    ))]
pub async fn get_cart(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
) -> ApiResult<Json<CartView>> {
    cart_of(&orders, &actor).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddToCart {
    pub sku_id: SkuId,
    pub quantity: i64,
}

/// Put a SKU in the cart (adds to a line already there).
#[utoipa::path(post, path = "/api/v1/cart/items", tag = "orders", request_body = AddToCart,
    responses(
        (status = 200, description = "The cart", body = CartView),
        (status = 400, description = "`malformed_json`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found`: no such SKU", body = ErrorBody),
        (status = 409, description = "Conflict: `sold_out`, `unavailable`, `cart_full`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "`validation_failed`", body = ErrorBody),
    ))]
pub async fn add_to_cart(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiJson(req): ApiJson<AddToCart>,
) -> ApiResult<Json<CartView>> {
    orders.add_to_cart(&actor, req.sku_id, req.quantity).await?;
    cart_of(&orders, &actor).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetQuantity {
    pub quantity: i64,
}

/// Change how many of a cart line.
#[utoipa::path(put, path = "/api/v1/cart/items/{sku_id}", tag = "orders", params(("sku_id" = Uuid, Path)),
    request_body = SetQuantity,
    responses(
        (status = 200, description = "The cart", body = CartView),
        (status = 400, description = "`malformed_json`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found`: not in the cart", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "`validation_failed`", body = ErrorBody),
    ))]
pub async fn set_cart_quantity(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(sku): ApiPath<SkuId>,
    ApiJson(req): ApiJson<SetQuantity>,
) -> ApiResult<Json<CartView>> {
    orders.set_cart_quantity(&actor, sku, req.quantity).await?;
    cart_of(&orders, &actor).await
}

/// Take a line out of the cart.
#[utoipa::path(delete, path = "/api/v1/cart/items/{sku_id}", tag = "orders", params(("sku_id" = Uuid, Path)),
    responses(
        (status = 200, description = "The cart", body = CartView),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found`: not an id", body = ErrorBody),
    ))]
pub async fn remove_from_cart(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(sku): ApiPath<SkuId>,
) -> ApiResult<Json<CartView>> {
    orders.remove_from_cart(&actor, sku).await?;
    cart_of(&orders, &actor).await
}

/// What checkout would charge for SKUs outside the cart (buy now from a listing): the answer
/// has the cart's shape (lines with today's price, tier, stock and photo; each seller's parcel
/// with its shipping fee), and nothing is written — the cart stays as it is. Place the order
/// with `POST /orders` and the same `items`.
#[utoipa::path(post, path = "/api/v1/cart/quote", tag = "orders", request_body = QuoteRequest,
    responses(
        (status = 200, description = "The quote, shaped like the cart", body = CartView),
        (status = 400, description = "`malformed_json`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`cross_site_request`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "`validation_failed`: no items, more than 50, a quantity out of range, or a wrongly typed body", body = ErrorBody),
    ))]
pub async fn quote(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiJson(req): ApiJson<QuoteRequest>,
) -> ApiResult<Json<CartView>> {
    let lines = orders.quote(&actor, &req).await?;
    Ok(Json(CartView::of(
        &lines,
        actor.wholesale_buyer_org().is_some(),
    )))
}

/// What shipping costs, for cards and the listing page (the viewer's terms: a verified business
/// buyer's threshold is higher).
#[derive(Debug, Serialize, ToSchema)]
pub struct ShippingTerms {
    /// One seller's parcel ships free from this much of its goods (fen): 满 X 包邮.
    pub free_from: i64,
    /// The lightest parcel's fee (fen, up to 3 kg); heavier parcels cost more.
    pub fee_from: i64,
    /// The terms are a business buyer's.
    pub wholesale: bool,
}

/// The shipping terms the viewer buys on (anyone; a business buyer gets its own).
#[utoipa::path(get, path = "/api/v1/shipping/terms", tag = "orders",
    responses(
        (status = 200, description = "The viewer's shipping terms", body = ShippingTerms),
    ))]
pub async fn shipping_terms(MaybeAuthUser(actor): MaybeAuthUser) -> Json<ShippingTerms> {
    let wholesale = actor.is_some_and(|a| a.wholesale_buyer_org().is_some());
    Json(ShippingTerms {
        free_from: domain::free_shipping_from(wholesale).fen(),
        fee_from: domain::SHIPPING_FROM_FEN,
        wholesale,
    })
}
