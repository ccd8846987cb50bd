//! Filing a claim, one claim, and the buyer's, the seller's and the operator's lists.

use super::claim_view;
use crate::Aftersales;
use crate::domain::ClaimStatus;
use crate::http::views::ClaimView;
use crate::service::{ClaimOptions, FileClaim};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use farmgate_identity::AuthUser;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiJson, ApiPath, ApiQuery, ApiResult};
use farmgate_kernel::id::{ClaimId, OrderId, OrgId, SubOrderId};
use farmgate_kernel::{Page, Paged};
use serde::Deserialize;
use utoipa::IntoParams;

/// File a claim on a received sub-order (the buyer, within the after-sales window), or before
/// receipt: `not_received` once tracking has not moved for the set days or the parcel is
/// overdue, `lost` once the carrier reported it lost (no photos needed; `lines` may be empty:
/// the whole parcel). The answer says by when the seller must respond (`respond_by`).
#[utoipa::path(post, path = "/api/v1/sub-orders/{id}/claims", tag = "aftersales", params(("id" = Uuid, Path)),
    request_body = FileClaim,
    responses(
        (status = 201, description = "The claim, with the seller's deadline (respond_by)", body = ClaimView),
        (status = 400, description = "Unreadable body: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not allowed: `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such sub-order of the caller's: `not_found`", body = ErrorBody),
        (status = 409, description = "Not claimable now: `not_received`, `window_closed`, `nothing_to_refund`; before receipt `not_shipped`, `already_received`, `too_early`, `not_reported_lost`, `claim_open`", body = ErrorBody),
        (status = 413, description = "Body too large: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "Field errors (lines, quantities, photos, description): `validation_failed`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn file_claim(
    State(svc): State<Aftersales>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<SubOrderId>,
    ApiJson(req): ApiJson<FileClaim>,
) -> ApiResult<(StatusCode, Json<ClaimView>)> {
    let r = svc.file(&actor, id, &req).await?;
    Ok((StatusCode::CREATED, Json(claim_view(&r, &actor))))
}

/// What the buyer may claim on their sub-order now: the damage kinds once received (inside
/// the window), `not_received` / `lost` before receipt when the rule allows (the claim form's
/// choices).
#[utoipa::path(get, path = "/api/v1/sub-orders/{id}/claim-options", tag = "aftersales", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The kinds that may be filed now", body = ClaimOptions),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 404, description = "No such sub-order of the caller's: `not_found`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn claim_options(
    State(svc): State<Aftersales>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<SubOrderId>,
) -> ApiResult<Json<ClaimOptions>> {
    Ok(Json(svc.claim_options(&actor, id).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClaimsQuery {
    #[param(inline)]
    pub status: Option<ClaimStatus>,
    /// One order's claims.
    #[param(value_type = Option<Uuid>)]
    pub order_id: Option<OrderId>,
    pub limit: Option<farmgate_kernel::Limit>,
    pub offset: Option<farmgate_kernel::Offset>,
}

impl ClaimsQuery {
    fn page(&self) -> Page {
        Page {
            limit: self.limit,
            offset: self.offset,
        }
    }
}

/// The caller's claims, newest first.
#[utoipa::path(get, path = "/api/v1/claims", tag = "aftersales", params(ClaimsQuery),
    responses(
        (status = 200, description = "One page of the caller's claims", body = Paged<ClaimView>),
        (status = 400, description = "Bad query: `invalid_query`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn my_claims(
    State(svc): State<Aftersales>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<ClaimsQuery>,
) -> ApiResult<Json<Paged<ClaimView>>> {
    let list = svc.my_claims(&actor, q.order_id, q.page()).await?;
    Ok(Json(list.map(|r| claim_view(&r, &actor))))
}

/// A seller's claims, the nearest deadline first (members and the operator).
#[utoipa::path(get, path = "/api/v1/orgs/{id}/claims", tag = "aftersales", params(("id" = Uuid, Path), ClaimsQuery),
    responses(
        (status = 200, description = "One page of the seller's claims", body = Paged<ClaimView>),
        (status = 400, description = "Bad query: `invalid_query`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not a member of this seller: `forbidden`", body = ErrorBody),
        (status = 404, description = "Malformed id: `not_found`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn seller_claims(
    State(svc): State<Aftersales>,
    AuthUser(actor): AuthUser,
    ApiPath(org): ApiPath<OrgId>,
    ApiQuery(q): ApiQuery<ClaimsQuery>,
) -> ApiResult<Json<Paged<ClaimView>>> {
    let list = svc
        .seller_claims(&actor, org, q.status, q.order_id, q.page())
        .await?;
    Ok(Json(list.map(|r| claim_view(&r, &actor))))
}

/// The operator's queue: claims in arbitration by default; arbitrations past their deadline
/// first (`arbitration_overdue`), then oldest first.
#[utoipa::path(get, path = "/api/v1/ops/claims", tag = "aftersales", params(ClaimsQuery),
    responses(
        (status = 200, description = "One page of the queue", body = Paged<ClaimView>),
        (status = 400, description = "Bad query: `invalid_query`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the operator or an after-sales agent: `forbidden`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn ops_claims(
    State(svc): State<Aftersales>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<ClaimsQuery>,
) -> ApiResult<Json<Paged<ClaimView>>> {
    let list = svc
        .ops_claims(&actor, q.status, q.order_id, q.page())
        .await?;
    Ok(Json(list.map(|r| claim_view(&r, &actor))))
}

/// One claim, for its buyer, its seller or the operator.
#[utoipa::path(get, path = "/api/v1/claims/{id}", tag = "aftersales", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The claim and what the caller may do with it", body = ClaimView),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 404, description = "No such claim the caller is party to: `not_found`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn get_claim(
    State(svc): State<Aftersales>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<ClaimId>,
) -> ApiResult<Json<ClaimView>> {
    let (r, role) = svc.claim_for(&actor, id).await?;
    Ok(Json(ClaimView::of(&r, role, actor.account_id.as_uuid())))
}
