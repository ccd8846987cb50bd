//! Saved delivery addresses.

use super::views::AddressView;
use crate::Orders;
use crate::domain::AddressInput;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use farmgate_identity::AuthUser;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiJson, ApiPath, ApiResult};
use farmgate_kernel::id::AddressId;

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
