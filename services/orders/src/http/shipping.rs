//! Shipping and receipt: the seller ships and records logistics, a carrier calls back, the
//! buyer confirms receipt.

use super::header;
use super::views::OrderView;
use crate::Orders;
use crate::payment::SIGNATURE_HEADER;
use crate::service::{CarrierAck, LogisticsRequest, ShipRequest};
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use bytes::Bytes;
use farmgate_identity::AuthUser;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiJson, ApiPath, ApiResult};
use farmgate_kernel::id::SubOrderId;

/// Ship a sub-order with carrier, waybill and the batch(es) each line was packed from (each
/// must be of that line's listing, with a passed inspection); the shipment is appended to
/// those batches' trace records. The same carrier and waybill again returns the order as is.
#[utoipa::path(post, path = "/api/v1/sub-orders/{id}/ship", tag = "orders", params(("id" = Uuid, Path)),
    request_body = ShipRequest,
    responses(
        (status = 200, description = "Shipped", body = OrderView),
        (status = 400, description = "`malformed_json`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`, `cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "Conflict: `cannot_ship`, `concurrent_update`, `org_not_verified`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "`validation_failed`; a batch that may not ship is named in *fields* with why: `not_found`, `wrong_listing`, `batch_recalled`, `batch_blocked`, `not_inspected`, `chain_broken`", body = ErrorBody),
    ))]
pub async fn ship(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<SubOrderId>,
    ApiJson(req): ApiJson<ShipRequest>,
) -> ApiResult<Json<OrderView>> {
    let record = orders.ship(&actor, id, &req).await?;
    Ok(Json(OrderView::of(&record, &actor)))
}

/// The seller records a logistics event on a shipped parcel.
#[utoipa::path(post, path = "/api/v1/sub-orders/{id}/logistics", tag = "orders", params(("id" = Uuid, Path)),
    request_body = LogisticsRequest,
    responses(
        (status = 200, description = "Recorded", body = OrderView),
        (status = 400, description = "`malformed_json`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`, `cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "Conflict: `not_shipped`, `org_not_verified`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "`validation_failed`", body = ErrorBody),
    ))]
pub async fn logistics(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<SubOrderId>,
    ApiJson(req): ApiJson<LogisticsRequest>,
) -> ApiResult<Json<OrderView>> {
    let record = orders.add_logistics(&actor, id, &req).await?;
    Ok(Json(OrderView::of(&record, &actor)))
}

/// A carrier's callback about a waybill, signed like a payment notification with the carrier
/// secret (`Farmgate-Signature`). A redelivered event is recorded once.
#[utoipa::path(post, path = "/api/v1/logistics/callback", tag = "orders",
    request_body(content = crate::service::CarrierEvent, content_type = "application/json"),
    responses(
        (status = 200, description = "Recorded (or a redelivery)", body = CarrierAck),
        (status = 400, description = "Refused: `bad_signature`, `stale_notification`, `malformed_notification`", body = ErrorBody),
        (status = 404, description = "`not_found`: no such waybill", body = ErrorBody),
        (status = 422, description = "`validation_failed`", body = ErrorBody),
    ))]
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
    responses(
        (status = 200, description = "Received (or it was already)", body = OrderView),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "Conflict: `not_shipped`", body = ErrorBody),
    ))]
pub async fn receive(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<SubOrderId>,
) -> ApiResult<Json<OrderView>> {
    let record = orders.receive(&actor, id).await?;
    Ok(Json(OrderView::of(&record, &actor)))
}
