//! Deciding: the seller's answer, the buyer's acceptance or escalation, the operator's decision.

use super::claim_view;
use crate::Aftersales;
use crate::http::views::ClaimView;
use crate::service::{Decision, Escalation, SellerAnswer};
use axum::Json;
use axum::extract::State;
use farmgate_identity::AuthUser;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiJson, ApiPath, ApiResult};
use farmgate_kernel::id::ClaimId;

/// The seller answers: `{"decision": "full_refund"}`, `{"decision": "partial_refund", "basis":
/// {"by": "quantity" | "damage_level" | "agreed", ...}}` or `{"decision": "reject", "reason"}`.
#[utoipa::path(post, path = "/api/v1/claims/{id}/respond", tag = "aftersales", params(("id" = Uuid, Path)),
    request_body = SellerAnswer,
    responses(
        (status = 200, description = "The claim, answered (resolved at once on a full refund)", body = ClaimView),
        (status = 400, description = "Unreadable body: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the claim's seller: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such claim the caller is party to: `not_found`", body = ErrorBody),
        (status = 409, description = "Not now: `not_your_turn`, `org_not_verified`; the refund refused: `refund_exceeds_paid`, `not_paid`, `idempotency_key_reused`", body = ErrorBody),
        (status = 413, description = "Body too large: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "Field errors (basis, amount, liability, reason): `validation_failed`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn respond(
    State(svc): State<Aftersales>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<ClaimId>,
    ApiJson(req): ApiJson<SellerAnswer>,
) -> ApiResult<Json<ClaimView>> {
    let r = svc.respond(&actor, id, &req).await?;
    Ok(Json(claim_view(&r, &actor)))
}

/// The buyer accepts the seller's offer (refunded at once) or rejection.
#[utoipa::path(post, path = "/api/v1/claims/{id}/accept", tag = "aftersales", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The claim, resolved (with the replacement sub-order for a reship)", body = ClaimView),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the claim's buyer: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such claim the caller is party to: `not_found`", body = ErrorBody),
        (status = 409, description = "Not now: `not_your_turn`; the reship or refund refused: `sold_out`, `refund_exceeds_paid`, `not_paid`, `idempotency_key_reused`", body = ErrorBody),
        (status = 422, description = "The offer no longer fits the order: `validation_failed`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn accept(
    State(svc): State<Aftersales>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<ClaimId>,
) -> ApiResult<Json<ClaimView>> {
    let r = svc.accept(&actor, id).await?;
    Ok(Json(claim_view(&r, &actor)))
}

/// The buyer asks the platform to step in (平台介入).
#[utoipa::path(post, path = "/api/v1/claims/{id}/escalate", tag = "aftersales", params(("id" = Uuid, Path)),
    request_body = Escalation,
    responses(
        (status = 200, description = "The claim, in arbitration", body = ClaimView),
        (status = 400, description = "Unreadable body: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the claim's buyer: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such claim the caller is party to: `not_found`", body = ErrorBody),
        (status = 409, description = "Not now: `not_your_turn`", body = ErrorBody),
        (status = 413, description = "Body too large: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "Field errors (reason): `validation_failed`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn escalate(
    State(svc): State<Aftersales>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<ClaimId>,
    ApiJson(req): ApiJson<Escalation>,
) -> ApiResult<Json<ClaimView>> {
    let r = svc.escalate(&actor, id, &req).await?;
    Ok(Json(claim_view(&r, &actor)))
}

/// The operator's final decision: amount (0 upholds a rejection), liability shares, reasoning.
#[utoipa::path(post, path = "/api/v1/claims/{id}/decide", tag = "aftersales", params(("id" = Uuid, Path)),
    request_body = Decision,
    responses(
        (status = 200, description = "The claim, resolved", body = ClaimView),
        (status = 400, description = "Unreadable body: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the operator or an after-sales agent: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such claim: `not_found`", body = ErrorBody),
        (status = 409, description = "Settled already: `already_decided`, `not_your_turn`; the refund refused: `refund_exceeds_paid`, `not_paid`, `idempotency_key_reused`", body = ErrorBody),
        (status = 413, description = "Body too large: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "Field errors (amount, liability, note): `validation_failed`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn decide(
    State(svc): State<Aftersales>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<ClaimId>,
    ApiJson(req): ApiJson<Decision>,
) -> ApiResult<Json<ClaimView>> {
    let r = svc.decide(&actor, id, &req).await?;
    Ok(Json(claim_view(&r, &actor)))
}
