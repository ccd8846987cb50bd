//! The thread and the survey.

use super::claim_view;
use crate::Aftersales;
use crate::http::views::ClaimView;
use crate::service::{NewMessage, Satisfaction};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use farmgate_identity::AuthUser;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiJson, ApiPath, ApiResult};
use farmgate_kernel::id::ClaimId;

/// A message on the claim's thread, with photos.
#[utoipa::path(post, path = "/api/v1/claims/{id}/messages", tag = "aftersales", params(("id" = Uuid, Path)),
    request_body = NewMessage,
    responses(
        (status = 201, description = "The claim with the message on its thread", body = ClaimView),
        (status = 400, description = "Unreadable body: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not allowed: `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such claim the caller is party to: `not_found`", body = ErrorBody),
        (status = 413, description = "Body too large: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "Field errors (body, attachments): `validation_failed`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn post_message(
    State(svc): State<Aftersales>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<ClaimId>,
    ApiJson(req): ApiJson<NewMessage>,
) -> ApiResult<(StatusCode, Json<ClaimView>)> {
    let r = svc.post_message(&actor, id, &req).await?;
    Ok((StatusCode::CREATED, Json(claim_view(&r, &actor))))
}

/// The buyer rates the handling (1–5 and a comment), once, after resolution.
#[utoipa::path(post, path = "/api/v1/claims/{id}/satisfaction", tag = "aftersales", params(("id" = Uuid, Path)),
    request_body = Satisfaction,
    responses(
        (status = 200, description = "The claim, rated", body = ClaimView),
        (status = 400, description = "Unreadable body: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the claim's buyer: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such claim the caller is party to: `not_found`", body = ErrorBody),
        (status = 409, description = "Not now: `not_resolved`, `already_rated`", body = ErrorBody),
        (status = 413, description = "Body too large: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "Field errors (rating, comment): `validation_failed`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn rate(
    State(svc): State<Aftersales>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<ClaimId>,
    ApiJson(req): ApiJson<Satisfaction>,
) -> ApiResult<Json<ClaimView>> {
    let r = svc.rate(&actor, id, &req).await?;
    Ok(Json(claim_view(&r, &actor)))
}
