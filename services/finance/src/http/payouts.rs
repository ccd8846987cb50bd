//! One payout: paid or failed (platform finance), read with its sub-orders; a seller's list.

use super::views::{PayoutAdjustmentView, PayoutView};
use crate::Finance;
use crate::domain::PayoutId;
use crate::service::{FailedInput, PaidInput};
use axum::Json;
use axum::extract::State;
use farmgate_identity::AuthUser;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiJson, ApiPath, ApiQuery, ApiResult};
use farmgate_kernel::id::OrgId;
use farmgate_kernel::{Page, Paged};

/// Platform finance marks a payout paid with the bank's reference. The same reference again
/// answers the payout as it is; another reference is refused.
#[utoipa::path(post, path = "/api/v1/finance/payouts/{id}/paid", tag = "finance", params(("id" = Uuid, Path)),
    request_body = PaidInput,
    responses(
        (status = 200, description = "The payout, paid", body = PayoutView),
        (status = 400, description = "Unreadable body: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not platform finance: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such payout: `not_found`", body = ErrorBody),
        (status = 409, description = "Paid with another reference, or failed: `already_paid`, `already_failed`", body = ErrorBody),
        (status = 413, description = "Body too large: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "Field errors (reference): `validation_failed`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn mark_paid(
    State(svc): State<Finance>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<PayoutId>,
    ApiJson(req): ApiJson<PaidInput>,
) -> ApiResult<Json<PayoutView>> {
    let p = svc.mark_paid(&actor, id, &req).await?;
    Ok(Json(PayoutView::of(&p, &actor)))
}

/// Platform finance marks a payout failed with a reason: its sub-orders are payable again and
/// join the next batch.
#[utoipa::path(post, path = "/api/v1/finance/payouts/{id}/failed", tag = "finance", params(("id" = Uuid, Path)),
    request_body = FailedInput,
    responses(
        (status = 200, description = "The payout, failed", body = PayoutView),
        (status = 400, description = "Unreadable body: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not platform finance: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such payout: `not_found`", body = ErrorBody),
        (status = 409, description = "Paid, or failed for another reason: `already_paid`, `already_failed`", body = ErrorBody),
        (status = 413, description = "Body too large: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "Field errors (reason): `validation_failed`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn mark_failed(
    State(svc): State<Finance>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<PayoutId>,
    ApiJson(req): ApiJson<FailedInput>,
) -> ApiResult<Json<PayoutView>> {
    let p = svc.mark_failed(&actor, id, &req).await?;
    Ok(Json(PayoutView::of(&p, &actor)))
}

/// One payout with the sub-orders it pays: finance, or the seller's members and the operator.
#[utoipa::path(get, path = "/api/v1/payouts/{id}", tag = "finance", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The payout with its sub-orders", body = PayoutView),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 404, description = "No such payout the caller may see: `not_found`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn get_payout(
    State(svc): State<Finance>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<PayoutId>,
) -> ApiResult<Json<PayoutView>> {
    let p = svc.payout(&actor, id).await?;
    Ok(Json(PayoutView::of(&p, &actor)))
}

/// A seller's payouts, newest first: status, amount, the bank's reference (account number
/// masked but for finance).
#[utoipa::path(get, path = "/api/v1/orgs/{id}/payouts", tag = "finance", params(("id" = Uuid, Path), Page),
    responses(
        (status = 200, description = "One page of the seller's payouts", body = Paged<PayoutView>),
        (status = 400, description = "Bad query: `invalid_query`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not a member, finance or the operator: `forbidden`", body = ErrorBody),
        (status = 404, description = "Not an id: `not_found`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn org_payouts(
    State(svc): State<Finance>,
    AuthUser(actor): AuthUser,
    ApiPath(org): ApiPath<OrgId>,
    ApiQuery(page): ApiQuery<Page>,
) -> ApiResult<Json<Paged<PayoutView>>> {
    let list = svc.org_payouts(&actor, org, page).await?;
    Ok(Json(list.map(|p| PayoutView::of(&p, &actor))))
}

/// The refunds a seller's next payout will take back (charged to it after the sub-orders were
/// paid out, netted into no payout yet; a failed payout's are here again) and the reversals it
/// will give back (`kind` `reversal`: a payout failed after its sub-order's refund had been
/// taken back elsewhere). Oldest first.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/payout-adjustments", tag = "finance", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "What the next payout takes back or gives back", body = Vec<PayoutAdjustmentView>),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not a member, finance or the operator: `forbidden`", body = ErrorBody),
        (status = 404, description = "Not an id, or no such organisation: `not_found`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn open_adjustments(
    State(svc): State<Finance>,
    AuthUser(actor): AuthUser,
    ApiPath(org): ApiPath<OrgId>,
) -> ApiResult<Json<Vec<PayoutAdjustmentView>>> {
    let list = svc.open_adjustments(&actor, org).await?;
    Ok(Json(list.iter().map(PayoutAdjustmentView::from).collect()))
}
