//! Saved delivery addresses, the 省/市/区 picker's divisions (GB/T 2260) and paste-to-recognise.

use super::views::AddressView;
use crate::Orders;
use crate::domain::AddressInput;
use crate::domain::divisions::{self, Division, Divisions};
use crate::domain::recognise::{Recognised, recognise};
use crate::error::{Missing, OrdersError};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use farmgate_identity::AuthUser;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiJson, ApiPath, ApiResult};
use farmgate_kernel::id::AddressId;
use farmgate_kernel::{FieldError, ValidationErrors};
use serde::Deserialize;
use utoipa::ToSchema;

/// The caller's saved delivery addresses, the default first.
#[utoipa::path(get, path = "/api/v1/me/addresses", tag = "orders",
    responses(
        (status = 200, description = "The addresses", body = Vec<AddressView>),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
    ))]
pub async fn list_addresses(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
) -> ApiResult<Json<Vec<AddressView>>> {
    let list = orders.addresses(&actor).await?;
    Ok(Json(list.iter().map(AddressView::of).collect()))
}

/// Save a delivery address.
#[utoipa::path(post, path = "/api/v1/me/addresses", tag = "orders", request_body = AddressInput,
    responses(
        (status = 201, description = "Saved", body = AddressView),
        (status = 400, description = "`malformed_json`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`cross_site_request`, `read_only`", body = ErrorBody),
        (status = 409, description = "Conflict: `too_many_addresses`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "`validation_failed`", body = ErrorBody),
    ))]
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
    request_body = AddressInput,
    responses(
        (status = 200, description = "Saved", body = AddressView),
        (status = 400, description = "`malformed_json`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "`validation_failed`", body = ErrorBody),
    ))]
pub async fn update_address(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<AddressId>,
    ApiJson(input): ApiJson<AddressInput>,
) -> ApiResult<Json<AddressView>> {
    let a = orders.update_address(&actor, id, &input).await?;
    Ok(Json(AddressView::of(&a)))
}

/// Forget a saved address.
#[utoipa::path(delete, path = "/api/v1/me/addresses/{id}", tag = "orders", params(("id" = Uuid, Path)),
    responses(
        (status = 204, description = "Forgotten"),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
    ))]
pub async fn delete_address(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<AddressId>,
) -> ApiResult<StatusCode> {
    orders.delete_address(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The divisions change once a release: a day in any cache, revalidated by the revision.
const REGIONS_CACHE: &str = "public, max-age=86400";

fn cached<T: serde::Serialize>(headers: &HeaderMap, body: T) -> Response {
    let etag = format!("\"gb2260-{}\"", divisions::REVISION);
    let mut h = HeaderMap::new();
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(REGIONS_CACHE),
    );
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    if fresh {
        return (StatusCode::NOT_MODIFIED, h).into_response();
    }
    (h, Json(body)).into_response()
}

/// The provinces, autonomous regions, municipalities and special administrative regions, in
/// code order: the first column of the address picker. Public, cacheable.
#[utoipa::path(get, path = "/api/v1/regions", tag = "orders",
    responses(
        (status = 200, description = "The provinces (GB/T 2260 codes)", body = Vec<Division>),
        (status = 304, description = "Not modified (the `ETag` given in `If-None-Match`)"),
    ))]
pub async fn regions(headers: HeaderMap) -> Response {
    cached(&headers, Divisions::get().provinces())
}

/// The divisions directly below one: a province's cities, a city's districts and counties
/// (empty below a district, and below a county-level city under its province, which is its own
/// district). Public, cacheable.
#[utoipa::path(get, path = "/api/v1/regions/{code}", tag = "orders",
    params(("code" = String, Path, description = "A GB/T 2260 code from this list or `GET /api/v1/regions`")),
    responses(
        (status = 200, description = "The divisions below it", body = Vec<Division>),
        (status = 304, description = "Not modified (the `ETag` given in `If-None-Match`)"),
        (status = 404, description = "No such division: `not_found`", body = ErrorBody),
    ))]
pub async fn region_children(
    headers: HeaderMap,
    axum::extract::Path(code): axum::extract::Path<String>,
) -> ApiResult<Response> {
    let children = Divisions::get()
        .children(&code)
        .ok_or(OrdersError::NotFound(Missing::Region))?;
    Ok(cached(&headers, children))
}

/// The longest text paste-to-recognise reads.
pub const RECOGNISE_MAX_CHARS: usize = 300;

/// What the buyer pasted.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecogniseRequest {
    /// The pasted text, at most 300 characters: a name, a mobile number and an address in any
    /// order, with or without labels (收货人：…).
    pub text: String,
}

/// Paste-to-recognise (智能识别): reads a pasted name, mobile number and address into the
/// address form's fields (nothing is saved; a field not found is absent). Logged-in buyers.
#[utoipa::path(post, path = "/api/v1/addresses/recognise", tag = "orders", request_body = RecogniseRequest,
    responses(
        (status = 200, description = "What was found", body = Recognised),
        (status = 400, description = "`malformed_json`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`cross_site_request`, `read_only`", body = ErrorBody),
        (status = 413, description = "Body too large: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "Empty or longer than 300 characters: `validation_failed`", body = ErrorBody),
    ))]
pub async fn recognise_address(
    AuthUser(_actor): AuthUser,
    ApiJson(req): ApiJson<RecogniseRequest>,
) -> ApiResult<Json<Recognised>> {
    let n = req.text.chars().count();
    if req.text.trim().is_empty() || n > RECOGNISE_MAX_CHARS {
        let mut errs = ValidationErrors::new();
        errs.push(if n > RECOGNISE_MAX_CHARS {
            FieldError::new(
                "text",
                "too_long",
                format!("最多 {RECOGNISE_MAX_CHARS} 个字"),
                format!("at most {RECOGNISE_MAX_CHARS} characters"),
            )
        } else {
            FieldError::new("text", "required", "请粘贴地址", "paste an address")
        });
        return Err(OrdersError::Invalid(errs).into());
    }
    let text = req.text;
    let found = tokio::task::spawn_blocking(move || recognise(&text, Divisions::get()))
        .await
        .map_err(|e| OrdersError::Internal(format!("recognising an address: {e}")))?;
    Ok(Json(found))
}
