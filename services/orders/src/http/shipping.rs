//! Shipping and receipt: the seller ships and records logistics, a carrier calls back, the
//! buyer confirms receipt.

use super::header;
use super::views::OrderView;
use crate::Orders;
use crate::payment::SIGNATURE_HEADER;
use crate::service::tracking::{MAX_PUSH_BYTES, PushOutcome};
use crate::service::{CarrierAck, LogisticsRequest, ShipRequest, WaybillRequest, WeighRequest};
use axum::Json;
use axum::extract::State;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use farmgate_identity::AuthUser;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiJson, ApiPath, ApiResult};
use farmgate_kernel::id::{OrderLineId, SubOrderId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

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
        (status = 409, description = "Conflict: `cannot_ship`, `concurrent_update`, `org_not_verified`, `batch_recalled` (recalled while this shipment was being written)", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "`validation_failed`; a batch that may not ship is named in *fields* with why: `not_found`, `wrong_listing`, `batch_recalled`, `batch_blocked`, `not_inspected`, `chain_broken`; a line sold by catch weight that is not weighed yet, under *weights* (weight_required)", body = ErrorBody),
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

/// Correct the waybill (number and/or carrier) of a shipped parcel that has not been signed
/// for (签收) or received. The order keeps the old and the new waybill (a `waybill_corrected`
/// event); the buyer sees the new one; a carrier of the list is subscribed for tracking once,
/// and pushes for the old waybill are refused from then on. The same waybill again returns
/// the order as is.
#[utoipa::path(put, path = "/api/v1/sub-orders/{id}/shipment", tag = "orders", params(("id" = Uuid, Path)),
    request_body = WaybillRequest,
    responses(
        (status = 200, description = "Corrected (or already this waybill)", body = OrderView),
        (status = 400, description = "`malformed_json`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`, `cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "Conflict: `not_shipped`, `cannot_correct_waybill` (signed for, received or closed), `concurrent_update` (corrected by another request a moment ago), `org_not_verified`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "`validation_failed`: the carrier (not on the list, or other without its name) or the waybill number, as when shipping", body = ErrorBody),
    ))]
pub async fn correct_waybill(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<SubOrderId>,
    ApiJson(req): ApiJson<WaybillRequest>,
) -> ApiResult<Json<OrderView>> {
    let record = orders.correct_waybill(&actor, id, &req).await?;
    Ok(Json(OrderView::of(&record, &actor)))
}

/// The seller weighs a line sold by catch weight (多退少补) at packing, once, before the part
/// ships: the line's actual net weight in all. Lighter than nominal, the difference is refunded
/// at once (rounded up to the fen, the seller bears it); within the tolerance above, nothing
/// changes; above it, what the part above the tolerance is worth is asked of the buyer as an
/// extra charge (补差价, `catch_weight.extra_charge`), charged only if the buyer pays it. The
/// part may ship at once either way. The same weight again returns the order as is.
#[utoipa::path(post, path = "/api/v1/order-lines/{id}/weight", tag = "orders", params(("id" = Uuid, Path)),
    request_body = WeighRequest,
    responses(
        (status = 200, description = "Weighed", body = OrderView),
        (status = 400, description = "`malformed_json`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`, `cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found`: no such line, or another seller's", body = ErrorBody),
        (status = 409, description = "Conflict: `not_sold_by_weight`, `cannot_weigh` (not paid, or shipped), `already_weighed` (with another weight), `concurrent_update`, `org_not_verified`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "`validation_failed`: *actual_grams* out of range (1 g to twice the nominal weight)", body = ErrorBody),
    ))]
pub async fn weigh_line(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<OrderLineId>,
    ApiJson(req): ApiJson<WeighRequest>,
) -> ApiResult<Json<OrderView>> {
    let record = orders.weigh_line(&actor, id, &req).await?;
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
/// secret (`Farmgate-Signature`). A redelivered event is recorded once; an event id sent
/// again with other content is refused.
#[utoipa::path(post, path = "/api/v1/logistics/callback", tag = "orders",
    request_body(content = crate::service::CarrierEvent, content_type = "application/json"),
    responses(
        (status = 200, description = "Recorded (or a redelivery)", body = CarrierAck),
        (status = 400, description = "Refused: `bad_signature`, `stale_notification`, `malformed_notification`", body = ErrorBody),
        (status = 404, description = "`not_found`: no such waybill", body = ErrorBody),
        (status = 409, description = "Conflict: `notification_mismatch` (the event id came before with other content)", body = ErrorBody),
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

/// A carrier of the list.
#[derive(Debug, Serialize, ToSchema)]
pub struct CarrierView {
    /// What a ship request sends as `carrier` (the tracking aggregator's company code).
    pub code: &'static str,
    pub name: &'static str,
    pub name_en: &'static str,
}

/// The carriers a seller picks from.
#[derive(Debug, Serialize, ToSchema)]
pub struct CarrierList {
    pub carriers: Vec<CarrierView>,
    /// The code for a carrier not on the list (sent with `carrier_name`; never tracked
    /// automatically).
    pub other: &'static str,
    /// Whether parcels of a listed carrier fill their timeline by themselves here (a tracking
    /// aggregator is configured); otherwise the seller enters logistics by hand.
    pub tracking: bool,
}

/// The carrier list for the seller's ship forms: code, Chinese and English name. Public.
#[utoipa::path(get, path = "/api/v1/carriers", tag = "orders",
    responses(
        (status = 200, description = "The carriers, most used first", body = CarrierList),
    ))]
pub async fn carriers(State(orders): State<Orders>) -> Response {
    let list = CarrierList {
        carriers: crate::domain::carriers::CARRIERS
            .iter()
            .map(|c| CarrierView {
                code: c.code,
                name: c.name_zh,
                name_en: c.name_en,
            })
            .collect(),
        other: crate::domain::carriers::OTHER,
        tracking: orders.config().tracking.is_some(),
    };
    ([(CACHE_CONTROL, "public, max-age=300")], Json(list)).into_response()
}

/// A push as 快递100 posts it (`application/x-www-form-urlencoded`).
#[derive(Debug, Deserialize, ToSchema)]
pub struct Kuaidi100Push {
    /// JSON: `{status, message, lastResult: {state, com, nu, data: [{time, context, areaName,
    /// status, statusCode}]}}`.
    pub param: String,
    /// Upper-case hex MD5 of `param` + the waybill's salt.
    pub sign: Option<String>,
}

/// Our answer to a push, in 快递100's words.
#[derive(Debug, Serialize, ToSchema)]
pub struct Kuaidi100Answer {
    pub result: bool,
    #[serde(rename = "returnCode")]
    pub return_code: String,
    pub message: String,
}

fn kuaidi100_answer(status: StatusCode, accepted: bool, code: &str, message: &str) -> Response {
    (
        status,
        [(CONTENT_TYPE, "application/json")],
        farmgate_infra::tracking::kuaidi100::push_answer(accepted, code, message),
    )
        .into_response()
}

/// 快递100 pushes a subscribed parcel's track (issue #19). Trusted only when `sign` is the
/// upper-case MD5 of `param` and the waybill's salt, and only for a parcel subscribed with
/// that carrier; each new track line becomes a carrier logistics event (a line pushed again
/// records nothing). Answered in 快递100's words, refusals too.
#[utoipa::path(post, path = "/api/v1/logistics/kuaidi100", tag = "orders",
    request_body(content = Kuaidi100Push, content_type = "application/x-www-form-urlencoded"),
    responses(
        (status = 200, description = "Accepted: {\"result\": true, \"returnCode\": \"200\"}, also when every line was recorded before", body = Kuaidi100Answer),
        (status = 400, description = "Refused in the provider's own words: returnCode 400 (not its format) or 401 (unsigned, or not signed with the waybill's salt)", body = Kuaidi100Answer),
        (status = 404, description = "Refused in the provider's own words: returnCode 404 (no parcel subscribed with this carrier and waybill, or no aggregator configured)", body = Kuaidi100Answer),
        (status = 413, description = "Refused in the provider's own words: returnCode 413 (larger than 256 KiB)", body = Kuaidi100Answer),
    ))]
pub async fn kuaidi100_push(State(orders): State<Orders>, body: axum::body::Body) -> Response {
    let Ok(bytes) = axum::body::to_bytes(body, MAX_PUSH_BYTES).await else {
        return kuaidi100_answer(
            StatusCode::PAYLOAD_TOO_LARGE,
            false,
            "413",
            "报文过大 body too large",
        );
    };
    match orders.tracking_push(&bytes).await {
        Ok(PushOutcome::Accepted { .. }) => kuaidi100_answer(StatusCode::OK, true, "200", "成功"),
        Ok(PushOutcome::Malformed) => kuaidi100_answer(
            StatusCode::BAD_REQUEST,
            false,
            "400",
            "报文格式错误 malformed push",
        ),
        Ok(PushOutcome::BadSignature) => kuaidi100_answer(
            StatusCode::BAD_REQUEST,
            false,
            "401",
            "签名错误 bad signature",
        ),
        Ok(PushOutcome::UnknownWaybill | PushOutcome::NotConfigured) => kuaidi100_answer(
            StatusCode::NOT_FOUND,
            false,
            "404",
            "未订阅的运单 unknown waybill",
        ),
        Err(e) => {
            tracing::error!(error = %e, "a tracking push could not be recorded");
            kuaidi100_answer(
                StatusCode::INTERNAL_SERVER_ERROR,
                false,
                "500",
                "服务器错误 server error",
            )
        }
    }
}
