//! Settlement accounts: the owner registers or changes one (a change with a phone code);
//! members, finance and the operator read it; finance's queue, verify and reject.

use super::views::{AccountChangeView, BankAccountView, OrgAccountView};
use crate::Finance;
use crate::domain::{AccountStatus, BankAccountId, Review};
use crate::service::{AccountInput, ReviewInput};
use axum::Json;
use axum::extract::State;
use farmgate_identity::AuthUser;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiJson, ApiPath, ApiQuery, ApiResult};
use farmgate_kernel::id::OrgId;
use farmgate_kernel::{Page, Paged};
use serde::Deserialize;
use utoipa::IntoParams;

/// An organisation's settlement account and its history (number masked but for finance).
#[utoipa::path(get, path = "/api/v1/orgs/{id}/bank-account", tag = "finance", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The account (`null` before one is registered) and its history", body = OrgAccountView),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not a member, finance or the operator: `forbidden`", body = ErrorBody),
        (status = 404, description = "Not an id: `not_found`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn org_account(
    State(svc): State<Finance>,
    AuthUser(actor): AuthUser,
    ApiPath(org): ApiPath<OrgId>,
) -> ApiResult<Json<OrgAccountView>> {
    let account = svc.account_of(&actor, org).await?;
    let history = svc.account_history(&actor, org).await?;
    Ok(Json(OrgAccountView {
        account: account.as_ref().map(|a| BankAccountView::of(a, &actor)),
        history: history
            .iter()
            .map(|c| AccountChangeView::of(c, &actor))
            .collect(),
    }))
}

/// Register or change the organisation's settlement account (its owner). A change needs
/// `code`, sent to the owner's own phone by `POST /api/v1/auth/codes` with purpose
/// `bank_account`; the account is pending until finance verifies it, and the seller is not
/// paid meanwhile. The same details again change nothing.
#[utoipa::path(put, path = "/api/v1/orgs/{id}/bank-account", tag = "finance", params(("id" = Uuid, Path)),
    request_body = AccountInput,
    responses(
        (status = 200, description = "The account, pending review (or unchanged)", body = BankAccountView),
        (status = 400, description = "Unreadable body: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the organisation's owner: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "Not an id: `not_found`", body = ErrorBody),
        (status = 409, description = "Not a seller, or changed meanwhile: `not_a_seller`, `account_changed`", body = ErrorBody),
        (status = 413, description = "Body too large: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "Field errors, or the phone code missing, wrong or used up: `validation_failed`, `code_required`, `invalid_code`, `code_expired`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn submit_account(
    State(svc): State<Finance>,
    AuthUser(actor): AuthUser,
    ApiPath(org): ApiPath<OrgId>,
    ApiJson(req): ApiJson<AccountInput>,
) -> ApiResult<Json<BankAccountView>> {
    let a = svc.submit_account(&actor, org, &req).await?;
    Ok(Json(BankAccountView::of(&a, &actor)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccountsQuery {
    /// Only accounts in this state (`pending`: the review queue).
    #[param(inline)]
    pub status: Option<AccountStatus>,
    pub limit: Option<farmgate_kernel::Limit>,
    pub offset: Option<farmgate_kernel::Offset>,
}

/// Settlement accounts for platform finance, oldest submission first (numbers whole).
#[utoipa::path(get, path = "/api/v1/finance/bank-accounts", tag = "finance", params(AccountsQuery),
    responses(
        (status = 200, description = "One page of accounts", body = Paged<BankAccountView>),
        (status = 400, description = "Bad query: `invalid_query`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not platform finance: `forbidden`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn account_queue(
    State(svc): State<Finance>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<AccountsQuery>,
) -> ApiResult<Json<Paged<BankAccountView>>> {
    let page = Page {
        limit: q.limit,
        offset: q.offset,
    };
    let list = svc.accounts(&actor, q.status, page).await?;
    Ok(Json(list.map(|a| BankAccountView::of(&a, &actor))))
}

/// Platform finance verifies the version of a pending account it read: the seller is paid to
/// it from the next batch on.
#[utoipa::path(post, path = "/api/v1/finance/bank-accounts/{id}/verify", tag = "finance", params(("id" = Uuid, Path)),
    request_body = ReviewInput,
    responses(
        (status = 200, description = "The account, verified", body = BankAccountView),
        (status = 400, description = "Unreadable body: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not platform finance: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such account: `not_found`", body = ErrorBody),
        (status = 409, description = "Not pending, or changed since read: `not_pending`, `account_changed`", body = ErrorBody),
        (status = 413, description = "Body too large: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "Field errors: `validation_failed`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn verify_account(
    State(svc): State<Finance>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<BankAccountId>,
    ApiJson(req): ApiJson<ReviewInput>,
) -> ApiResult<Json<BankAccountView>> {
    let a = svc.review_account(&actor, id, Review::Verify, &req).await?;
    Ok(Json(BankAccountView::of(&a, &actor)))
}

/// Platform finance rejects a pending account with a reason; the owner corrects it.
#[utoipa::path(post, path = "/api/v1/finance/bank-accounts/{id}/reject", tag = "finance", params(("id" = Uuid, Path)),
    request_body = ReviewInput,
    responses(
        (status = 200, description = "The account, rejected", body = BankAccountView),
        (status = 400, description = "Unreadable body: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not platform finance: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such account: `not_found`", body = ErrorBody),
        (status = 409, description = "Not pending, or changed since read: `not_pending`, `account_changed`", body = ErrorBody),
        (status = 413, description = "Body too large: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "Field errors (reason): `validation_failed`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn reject_account(
    State(svc): State<Finance>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<BankAccountId>,
    ApiJson(req): ApiJson<ReviewInput>,
) -> ApiResult<Json<BankAccountView>> {
    let a = svc.review_account(&actor, id, Review::Reject, &req).await?;
    Ok(Json(BankAccountView::of(&a, &actor)))
}
