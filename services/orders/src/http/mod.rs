//! Buying over HTTP: addresses, the cart, checkout, the buyer's orders, cancelling, offline
//! payment confirmation, and the seller's order console.

use crate::Orders;
use crate::domain::{AddressInput, OrderStatus, SubOrderStatus};
use crate::fulfilment::{CarrierAck, LogisticsRequest, ShipRequest};
use crate::pay::{IntentView, RefundRequest, SandboxIntentView, WebhookAck};
use crate::payment::{Outcome, SIGNATURE_HEADER};
use crate::reviews::{ListingReviews, PhotoView, ReviewRequest, ReviewView};
use crate::service::CheckoutRequest;
use crate::settlement::Statement;
use crate::views::{AddressView, CartView, OrderView};
use axum::Json;
use axum::extract::{DefaultBodyLimit, FromRef, Multipart, State};
use axum::http::{HeaderMap, StatusCode};
use bytes::Bytes;
use chrono::NaiveDate;
use farmgate_catalog::http::read_image_upload;
use farmgate_catalog::images::MAX_UPLOAD_BYTES;
use farmgate_identity::{AuthUser, Identity};
use farmgate_infra::http::{ApiJson, ApiPath, ApiQuery, ApiResult};
use farmgate_kernel::id::OrgId;
use farmgate_kernel::{Page, Paged};
use serde::{Deserialize, Serialize};
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

// ---------------------------------------------------------------------------------------------
// Paying

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// Pay an unpaid order (the buyer): online, the answer's `pay_url` is the gateway's page;
/// offline, `instructions_zh`/`instructions_en` say where to transfer. Calling it again while
/// the order is unpaid returns the same pending payment, so a retry never charges twice
/// (`Idempotency-Key` is accepted for clients that always send one).
#[utoipa::path(post, path = "/api/v1/orders/{id}/pay", tag = "payments", params(("id" = Uuid, Path),
    ("Idempotency-Key" = Option<String>, Header)),
    responses((status = 200, body = IntentView), (status = 403), (status = 404), (status = 409)))]
pub async fn pay(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<IntentView>> {
    Ok(Json(orders.pay(&actor, id).await?))
}

/// The sandbox gateway's page: what the buyer is about to pay.
#[utoipa::path(get, path = "/api/v1/payments/sandbox/{id}", tag = "payments", params(("id" = Uuid, Path)),
    responses((status = 200, body = SandboxIntentView), (status = 404)))]
pub async fn sandbox_intent(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<SandboxIntentView>> {
    Ok(Json(orders.sandbox_intent(&actor, id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SandboxComplete {
    pub outcome: Outcome,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SandboxResult {
    /// What the webhook handler made of the gateway's signed notification.
    pub status: String,
    /// Where the gateway sends the buyer back to.
    pub return_url: String,
}

/// Finish on the sandbox gateway's page: the gateway signs a notification and posts it to
/// the webhook handler, as a real gateway would.
#[utoipa::path(post, path = "/api/v1/payments/sandbox/{id}/complete", tag = "payments", params(("id" = Uuid, Path)),
    request_body = SandboxComplete, responses((status = 200, body = SandboxResult), (status = 404), (status = 409)))]
pub async fn sandbox_complete(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<SandboxComplete>,
) -> ApiResult<Json<SandboxResult>> {
    let (ack, order_id) = orders.sandbox_complete(&actor, id, req.outcome).await?;
    Ok(Json(SandboxResult {
        status: ack.result,
        return_url: format!("/order.html?id={order_id}"),
    }))
}

/// A payment gateway's notification. Signed: header `Farmgate-Signature: t=<unix>,v1=<hex
/// HMAC-SHA256 of "t.body">`; refused when the signature is wrong (400 `bad_signature`), older
/// than five minutes (400 `stale_notification`) or the amount differs; an event id seen before
/// is acknowledged without effect.
#[utoipa::path(post, path = "/api/v1/payments/webhook/{provider}", tag = "payments", params(("provider" = String, Path)),
    request_body(content = crate::payment::WebhookEvent, content_type = "application/json"),
    responses((status = 200, body = WebhookAck), (status = 400), (status = 404)))]
pub async fn webhook(
    State(orders): State<Orders>,
    ApiPath(provider): ApiPath<String>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<WebhookAck>> {
    let ack = orders
        .handle_webhook(&provider, header(&headers, SIGNATURE_HEADER), &body)
        .await?;
    Ok(Json(ack))
}

/// Refund part or all of a sub-order (operator or after-sales agent). Needs an
/// `Idempotency-Key`: the same key again returns the refund made the first time. The money
/// goes back through the order's payment provider.
#[utoipa::path(post, path = "/api/v1/sub-orders/{id}/refunds", tag = "payments", params(("id" = Uuid, Path),
    ("Idempotency-Key" = String, Header)), request_body = RefundRequest,
    responses((status = 200, body = OrderView), (status = 403), (status = 404), (status = 409), (status = 422)))]
pub async fn refund(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<RefundRequest>,
) -> ApiResult<Json<OrderView>> {
    let record = orders
        .refund_by_operator(&actor, id, &req, header(&headers, "idempotency-key"))
        .await?;
    Ok(Json(OrderView::of(&record, &actor)))
}

// ---------------------------------------------------------------------------------------------
// Shipping and receipt

/// Ship a sub-order with carrier, waybill and the batch(es) each line was packed from (each
/// must be of that line's listing, with a passed inspection); the shipment is appended to
/// those batches' trace records. The same carrier and waybill again returns the order as is.
#[utoipa::path(post, path = "/api/v1/sub-orders/{id}/ship", tag = "orders", params(("id" = Uuid, Path)),
    request_body = ShipRequest, responses((status = 200, body = OrderView), (status = 404), (status = 409), (status = 422)))]
pub async fn ship(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<ShipRequest>,
) -> ApiResult<Json<OrderView>> {
    let record = orders.ship(&actor, id, &req).await?;
    Ok(Json(OrderView::of(&record, &actor)))
}

/// The seller records a logistics event on a shipped parcel.
#[utoipa::path(post, path = "/api/v1/sub-orders/{id}/logistics", tag = "orders", params(("id" = Uuid, Path)),
    request_body = LogisticsRequest, responses((status = 200, body = OrderView), (status = 404), (status = 409), (status = 422)))]
pub async fn logistics(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<LogisticsRequest>,
) -> ApiResult<Json<OrderView>> {
    let record = orders.add_logistics(&actor, id, &req).await?;
    Ok(Json(OrderView::of(&record, &actor)))
}

/// A carrier's callback about a waybill, signed like a payment notification with the carrier
/// secret (`Farmgate-Signature`). A redelivered event is recorded once.
#[utoipa::path(post, path = "/api/v1/logistics/callback", tag = "orders",
    request_body(content = crate::fulfilment::CarrierEvent, content_type = "application/json"),
    responses((status = 200, body = CarrierAck), (status = 400), (status = 404)))]
pub async fn carrier_callback(
    State(orders): State<Orders>,
    headers: HeaderMap,
    body: Bytes,
) -> ApiResult<Json<CarrierAck>> {
    let ack = orders
        .carrier_callback(header(&headers, SIGNATURE_HEADER), &body)
        .await?;
    Ok(Json(ack))
}

/// The buyer confirms a parcel arrived; the after-sales window starts.
#[utoipa::path(post, path = "/api/v1/sub-orders/{id}/receive", tag = "orders", params(("id" = Uuid, Path)),
    responses((status = 200, body = OrderView), (status = 404), (status = 409)))]
pub async fn receive(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<OrderView>> {
    let record = orders.receive(&actor, id).await?;
    Ok(Json(OrderView::of(&record, &actor)))
}

// ---------------------------------------------------------------------------------------------
// Reviews

#[derive(ToSchema)]
#[expect(
    dead_code,
    reason = "describes the multipart body for the OpenAPI document"
)]
pub struct PhotoUpload {
    /// JPEG, PNG or WebP, at most 8 MB.
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    file: String,
}

/// Upload a photo for a review (multipart field `file`); send its id with the review.
#[utoipa::path(post, path = "/api/v1/review-photos", tag = "reviews",
    request_body(content = PhotoUpload, content_type = "multipart/form-data"),
    responses((status = 201, body = PhotoView), (status = 413), (status = 415)))]
pub async fn upload_review_photo(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    multipart: Multipart,
) -> ApiResult<(StatusCode, Json<PhotoView>)> {
    let bytes = read_image_upload(multipart).await?;
    let photo = orders.upload_review_photo(&actor, bytes).await?;
    Ok((StatusCode::CREATED, Json(photo)))
}

/// Review a line of a received sub-order, once (1–5 stars, text, up to 9 photos).
#[utoipa::path(post, path = "/api/v1/order-lines/{id}/review", tag = "reviews", params(("id" = Uuid, Path)),
    request_body = ReviewRequest, responses((status = 201, body = ReviewView), (status = 404), (status = 409), (status = 422)))]
pub async fn review(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<ReviewRequest>,
) -> ApiResult<(StatusCode, Json<ReviewView>)> {
    let r = orders.review(&actor, id, &req).await?;
    Ok((StatusCode::CREATED, Json(ReviewView::of(&r))))
}

/// A listing's reviews, newest first, with star counts and the average (public).
#[utoipa::path(get, path = "/api/v1/listings/{id}/reviews", tag = "reviews", params(("id" = Uuid, Path), PageQuery),
    responses((status = 200, body = ListingReviews)))]
pub async fn listing_reviews(
    State(orders): State<Orders>,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<ListingReviews>> {
    let page = Page {
        limit: q.limit,
        offset: q.offset,
    };
    Ok(Json(orders.listing_reviews(id, page).await?))
}

// ---------------------------------------------------------------------------------------------
// Settlement and the operator's view

#[derive(Debug, Deserialize, IntoParams)]
pub struct SettlementQuery {
    /// First day (Asia/Shanghai), `YYYY-MM-DD`.
    pub from: NaiveDate,
    /// Last day, inclusive.
    pub to: NaiveDate,
    pub limit: Option<u64>,
    pub offset: Option<u64>,
}

/// A seller's settlement statement for sub-orders paid in the period: sales, commission,
/// refunds, payable (after-sales window closed) and pending (members and the operator).
#[utoipa::path(get, path = "/api/v1/orgs/{id}/settlement", tag = "payments", params(("id" = Uuid, Path), SettlementQuery),
    responses((status = 200, body = Statement), (status = 403), (status = 422)))]
pub async fn settlement(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(org): ApiPath<OrgId>,
    ApiQuery(q): ApiQuery<SettlementQuery>,
) -> ApiResult<Json<Statement>> {
    let page = Page {
        limit: q.limit,
        offset: q.offset,
    };
    Ok(Json(
        orders.settlement(&actor, org, q.from, q.to, page).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct PeriodQuery {
    /// First day (Asia/Shanghai), `YYYY-MM-DD`.
    pub from: NaiveDate,
    /// Last day, inclusive.
    pub to: NaiveDate,
}

/// How fast a seller acknowledges and ships paid orders (p50/p90, and the share acknowledged
/// within 10 minutes): members and the operator.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/fulfilment", tag = "orders", params(("id" = Uuid, Path), PeriodQuery),
    responses((status = 200, body = crate::report::FulfilmentReport), (status = 403), (status = 422)))]
pub async fn fulfilment(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(org): ApiPath<OrgId>,
    ApiQuery(q): ApiQuery<PeriodQuery>,
) -> ApiResult<Json<crate::report::FulfilmentReport>> {
    Ok(Json(
        orders.fulfilment_report(&actor, org, q.from, q.to).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
pub struct OpsOrdersQuery {
    pub status: Option<OrderStatus>,
    /// An order number (or a sub-order number).
    pub number: Option<String>,
    pub limit: Option<u64>,
    pub offset: Option<u64>,
}

/// Every order, newest first (operator and after-sales agents).
#[utoipa::path(get, path = "/api/v1/ops/orders", tag = "orders", params(OpsOrdersQuery),
    responses((status = 200, body = Paged<OrderView>), (status = 403)))]
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
        .all_orders(&actor, q.status, q.number.as_deref(), page)
        .await?;
    Ok(Json(list.map(|r| OrderView::of(&r, &actor))))
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
        .routes(routes!(pay))
        .routes(routes!(sandbox_intent))
        .routes(routes!(sandbox_complete))
        .routes(routes!(webhook))
        .routes(routes!(refund))
        .routes(routes!(ship))
        .routes(routes!(logistics))
        .routes(routes!(carrier_callback))
        .routes(routes!(receive))
        .routes(routes!(review))
        .routes(routes!(listing_reviews))
        .routes(routes!(settlement))
        .routes(routes!(ops_orders))
        .routes(routes!(fulfilment))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(upload_review_photo))
                .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES + 64 * 1024)),
        )
}
