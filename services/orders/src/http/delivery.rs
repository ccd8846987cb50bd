//! Delivery windows and signed delivery notes (送货时段, 签收单, issue #22): sellers publish
//! weekly windows per area; anyone reads the dated windows with places left; whoever orders for
//! a business buyer books one for a sub-order; after shipping the driver photographs the goods
//! and the receiver signs, which is the receipt.

use crate::Orders;
use crate::domain::delivery::WindowInput;
use crate::service::{
    BookSlotRequest, DeliveryRow, DeliveryView, SignNoteRequest, SlotView, WindowView,
};
use axum::Json;
use axum::body::Body;
use axum::extract::{Multipart, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use chrono::NaiveDate;
use farmgate_catalog::http::read_image_upload;
use farmgate_identity::AuthUser;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiJson, ApiPath, ApiQuery, ApiResult};
use farmgate_kernel::id::{OrgId, SubOrderId};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

#[derive(ToSchema)]
#[expect(
    dead_code,
    reason = "describes the multipart body for the OpenAPI document"
)]
pub struct DeliveryPhotoUpload {
    /// JPEG, PNG or WebP from the phone's camera, at most 8 MB.
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    file: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SlotQuery {
    /// Only the windows serving this 6-digit area code (a delivery address's district).
    pub region: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DayQuery {
    /// A Shanghai date (`YYYY-MM-DD`).
    pub date: NaiveDate,
}

/// A seller's weekly delivery windows (public).
#[utoipa::path(get, path = "/api/v1/orgs/{id}/delivery-windows", tag = "delivery", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The windows, by weekday and start", body = Vec<WindowView>),
        (status = 404, description = "`not_found`: not an id", body = ErrorBody),
    ))]
pub async fn delivery_windows(
    State(orders): State<Orders>,
    ApiPath(org): ApiPath<OrgId>,
) -> ApiResult<Json<Vec<WindowView>>> {
    Ok(Json(orders.delivery_windows(org).await?))
}

/// Publish a weekly delivery window: a member of the verified seller.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/delivery-windows", tag = "delivery", params(("id" = Uuid, Path)),
    request_body = WindowInput,
    responses(
        (status = 201, description = "Published", body = WindowView),
        (status = 400, description = "`malformed_json`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden` (not a member of this seller), `cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found`: not an id", body = ErrorBody),
        (status = 409, description = "Conflict: `org_not_verified`, `too_many_delivery_windows`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "`validation_failed`: *region_code*, *weekday* (1–7), *start*, *end* (`HH:MM`, after the start), *capacity* (1–500), *cutoff_hours* (0–168)", body = ErrorBody),
    ))]
pub async fn create_delivery_window(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(org): ApiPath<OrgId>,
    ApiJson(req): ApiJson<WindowInput>,
) -> ApiResult<(StatusCode, Json<WindowView>)> {
    let w = orders.create_delivery_window(&actor, org, &req).await?;
    Ok((StatusCode::CREATED, Json(w)))
}

/// Change a delivery window (the whole of it): booked dates keep their bookings.
#[utoipa::path(put, path = "/api/v1/delivery-windows/{id}", tag = "delivery", params(("id" = Uuid, Path)),
    request_body = WindowInput,
    responses(
        (status = 200, description = "Changed", body = WindowView),
        (status = 400, description = "`malformed_json`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`, `cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found`: no such window of the caller's seller", body = ErrorBody),
        (status = 409, description = "Conflict: `org_not_verified`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "`validation_failed`: as when published", body = ErrorBody),
    ))]
pub async fn change_delivery_window(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<WindowInput>,
) -> ApiResult<Json<WindowView>> {
    Ok(Json(orders.change_delivery_window(&actor, id, &req).await?))
}

/// Withdraw a delivery window: nobody books it any more; bookings made stay.
#[utoipa::path(delete, path = "/api/v1/delivery-windows/{id}", tag = "delivery", params(("id" = Uuid, Path)),
    responses(
        (status = 204, description = "Withdrawn"),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`, `cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found`: no such window of the caller's seller", body = ErrorBody),
        (status = 409, description = "Conflict: `org_not_verified`", body = ErrorBody),
    ))]
pub async fn delete_delivery_window(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    orders.delete_delivery_window(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A seller's dated delivery windows of the next 14 days still open for booking, with the
/// places left (public).
#[utoipa::path(get, path = "/api/v1/orgs/{id}/delivery-slots", tag = "delivery", params(("id" = Uuid, Path), SlotQuery),
    responses(
        (status = 200, description = "Dated windows, earliest first", body = Vec<SlotView>),
        (status = 400, description = "`invalid_query`", body = ErrorBody),
        (status = 404, description = "`not_found`: not an id", body = ErrorBody),
        (status = 422, description = "`validation_failed`: *region* (6 digits)", body = ErrorBody),
    ))]
pub async fn delivery_slots(
    State(orders): State<Orders>,
    ApiPath(org): ApiPath<OrgId>,
    ApiQuery(q): ApiQuery<SlotQuery>,
) -> ApiResult<Json<Vec<SlotView>>> {
    Ok(Json(orders.delivery_slots(org, q.region.as_deref()).await?))
}

/// A seller's booked deliveries on a date (today's round): its members and platform staff.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/deliveries", tag = "delivery", params(("id" = Uuid, Path), DayQuery),
    responses(
        (status = 200, description = "Bookings, earliest first", body = Vec<DeliveryRow>),
        (status = 400, description = "`invalid_query`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`", body = ErrorBody),
        (status = 404, description = "`not_found`: not an id", body = ErrorBody),
        (status = 409, description = "Conflict: `org_not_verified`", body = ErrorBody),
    ))]
pub async fn deliveries(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(org): ApiPath<OrgId>,
    ApiQuery(q): ApiQuery<DayQuery>,
) -> ApiResult<Json<Vec<DeliveryRow>>> {
    Ok(Json(orders.deliveries_on(&actor, org, q.date).await?))
}

/// A sub-order's delivery: its window, its note, and to the buyer's side the delivery code
/// once it has shipped.
#[utoipa::path(get, path = "/api/v1/sub-orders/{id}/delivery", tag = "delivery", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The delivery", body = DeliveryView),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 404, description = "`not_found`: no such sub-order the caller is party to", body = ErrorBody),
    ))]
pub async fn sub_order_delivery(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<SubOrderId>,
) -> ApiResult<Json<DeliveryView>> {
    Ok(Json(orders.delivery(&actor, id).await?))
}

/// Book (or move) the delivery window of a business buyer's sub-order before it ships: the
/// order's buyer, or the buyer's owner, manager or purchaser.
#[utoipa::path(put, path = "/api/v1/sub-orders/{id}/delivery-slot", tag = "delivery", params(("id" = Uuid, Path)),
    request_body = BookSlotRequest,
    responses(
        (status = 200, description = "Booked", body = DeliveryView),
        (status = 400, description = "`malformed_json`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden` (not one who orders for the buyer), `cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "Conflict: `delivery_slot_full`, `delivery_closed` (shipped or cancelled), `not_business_buyer`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "`validation_failed`: *window_id* (`not_found`: not the seller's; out of the order's area), *date* (not a date of the window within 14 days; past its cut-off)", body = ErrorBody),
    ))]
pub async fn book_delivery_slot(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<SubOrderId>,
    ApiJson(req): ApiJson<BookSlotRequest>,
) -> ApiResult<Json<DeliveryView>> {
    Ok(Json(orders.book_delivery(&actor, id, &req).await?))
}

/// Cancel the sub-order's delivery window before it ships (its place goes back).
#[utoipa::path(delete, path = "/api/v1/sub-orders/{id}/delivery-slot", tag = "delivery", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "No window booked", body = DeliveryView),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`, `cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "Conflict: `delivery_closed`, `not_business_buyer`", body = ErrorBody),
    ))]
pub async fn cancel_delivery_slot(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<SubOrderId>,
) -> ApiResult<Json<DeliveryView>> {
    Ok(Json(orders.cancel_delivery_booking(&actor, id).await?))
}

/// The driver photographs the goods at the door (multipart field `file`): the note opens; a
/// new photo replaces the last until it is signed. A member of the seller, after shipping.
#[utoipa::path(post, path = "/api/v1/sub-orders/{id}/delivery-note/photo", tag = "delivery", params(("id" = Uuid, Path)),
    request_body(content = DeliveryPhotoUpload, content_type = "multipart/form-data"),
    responses(
        (status = 200, description = "Stored; the note is open", body = DeliveryView),
        (status = 400, description = "`malformed_multipart`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`, `cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "Conflict: `not_shipped`, `delivery_note_signed`, `org_not_verified`", body = ErrorBody),
        (status = 413, description = "`payload_too_large`", body = ErrorBody),
        (status = 415, description = "`unsupported_image`", body = ErrorBody),
        (status = 422, description = "`validation_failed`: no *file* field", body = ErrorBody),
    ))]
pub async fn upload_delivery_photo(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<SubOrderId>,
    multipart: Multipart,
) -> ApiResult<Json<DeliveryView>> {
    let bytes = read_image_upload(multipart).await?;
    Ok(Json(orders.upload_delivery_photo(&actor, id, bytes).await?))
}

/// The goods' photo of the note, for the parties (re-encoded without EXIF; private cache).
#[utoipa::path(get, path = "/api/v1/sub-orders/{id}/delivery-note/photo", tag = "delivery", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The photo", content(("image/jpeg"))),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 404, description = "`not_found`: no photo the caller may see", body = ErrorBody),
    ))]
pub async fn delivery_photo(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<SubOrderId>,
) -> ApiResult<Response> {
    let (bytes, content_type) = orders.delivery_photo(&actor, id).await?;
    let mut resp = Response::new(Body::from(bytes));
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=3600"),
    );
    Ok(resp)
}

/// The receiver signs the note (name, remarks, quantities received; the server's time): a
/// member of the buyer logged in, or the driver's phone with the buyer's code. The signed
/// note is the receipt, recorded once.
#[utoipa::path(post, path = "/api/v1/sub-orders/{id}/delivery-note/sign", tag = "delivery", params(("id" = Uuid, Path)),
    request_body = SignNoteRequest,
    responses(
        (status = 200, description = "Signed; the sub-order is received", body = DeliveryView),
        (status = 400, description = "`malformed_json`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden` (a seller's member without a code, platform staff), `cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "Conflict: `not_shipped`, `delivery_photo_missing`, `delivery_note_signed`, `delivery_code_wrong`, `delivery_code_locked`, `org_not_verified`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "`validation_failed`: *signer_name* (1–40), *remarks* (≤200), *lines[i].line_id*, *lines[i].quantity* (0 to ordered), *code* (6 digits)", body = ErrorBody),
    ))]
pub async fn sign_delivery_note(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<SubOrderId>,
    ApiJson(req): ApiJson<SignNoteRequest>,
) -> ApiResult<Json<DeliveryView>> {
    Ok(Json(orders.sign_delivery_note(&actor, id, &req).await?))
}
