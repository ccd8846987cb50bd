//! Handlers: the operator's verification queue, the audit log and the account tools.

use super::views::{
    AccountQuery, AccountView, AdminOrgQuery, AdminOrgView, AuditView, OrgView,
    PlatformRoleRequest, RejectRequest, SmsOutboxView, SmsView,
};
use crate::Identity;
use crate::auth::AuthUser;
use crate::domain::{OrgFilter, Review};
use crate::service::parse_rejection;
use axum::Json;
use axum::extract::State;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiJson, ApiPath, ApiQuery, ApiResult, RequestMeta};
use farmgate_kernel::id::{AccountId, OrgId};
use farmgate_kernel::{Page, Paged};

/// The verification queue and organisation directory (operator).
#[utoipa::path(get, path = "/api/v1/admin/orgs", tag = "admin", params(AdminOrgQuery),
    responses(
        (status = 200, description = "A page of organisations with their owners", body = Paged<AdminOrgView>),
        (status = 400, description = "Bad filters: `invalid_query`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the operator: `forbidden`", body = ErrorBody),
    ))]
pub async fn admin_orgs(
    State(identity): State<Identity>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<AdminOrgQuery>,
) -> ApiResult<Json<Paged<AdminOrgView>>> {
    let page = Page {
        limit: q.limit,
        offset: q.offset,
    };
    let filter = OrgFilter {
        status: q.status,
        kind: q.kind,
        q: q.q,
    };
    let list = identity.admin_orgs(&actor, &filter, page).await?;
    Ok(Json(list.map(|o| AdminOrgView::of(&o))))
}

/// Verify an organisation (operator).
#[utoipa::path(post, path = "/api/v1/admin/orgs/{id}/verify", tag = "admin", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The organisation, verified", body = OrgView),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the operator: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such organisation: `not_found`", body = ErrorBody),
        (status = 409, description = "Already verified: `invalid_state`", body = ErrorBody),
    ))]
pub async fn verify_org(
    State(identity): State<Identity>,
    AuthUser(actor): AuthUser,
    meta: RequestMeta,
    ApiPath(id): ApiPath<OrgId>,
) -> ApiResult<Json<OrgView>> {
    let org = identity
        .review_org(&actor, id, Review::Verify, &meta)
        .await?;
    Ok(Json(OrgView::of(
        &org,
        actor.membership(id).map(|m| m.role),
    )))
}

/// Reject an organisation with a reason the seller sees (operator).
#[utoipa::path(post, path = "/api/v1/admin/orgs/{id}/reject", tag = "admin", params(("id" = Uuid, Path)),
    request_body = RejectRequest,
    responses(
        (status = 200, description = "The organisation, rejected", body = OrgView),
        (status = 400, description = "Unreadable body: `malformed_json`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the operator: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such organisation: `not_found`", body = ErrorBody),
        (status = 409, description = "Already rejected: `invalid_state`", body = ErrorBody),
        (status = 422, description = "The reason is missing or too long: `validation_failed`", body = ErrorBody),
    ))]
pub async fn reject_org(
    State(identity): State<Identity>,
    AuthUser(actor): AuthUser,
    meta: RequestMeta,
    ApiPath(id): ApiPath<OrgId>,
    ApiJson(req): ApiJson<RejectRequest>,
) -> ApiResult<Json<OrgView>> {
    let review = parse_rejection(&req.reason)?;
    let org = identity.review_org(&actor, id, review, &meta).await?;
    Ok(Json(OrgView::of(
        &org,
        actor.membership(id).map(|m| m.role),
    )))
}

/// The audit log of privileged actions (operator).
#[utoipa::path(get, path = "/api/v1/admin/audit", tag = "admin", params(Page),
    responses(
        (status = 200, description = "A page of the log, newest first", body = Paged<AuditView>),
        (status = 400, description = "Bad paging: `invalid_query`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the operator: `forbidden`", body = ErrorBody),
    ))]
pub async fn audit_log(
    State(identity): State<Identity>,
    AuthUser(actor): AuthUser,
    ApiQuery(page): ApiQuery<Page>,
) -> ApiResult<Json<Paged<AuditView>>> {
    let list = identity.audit_log(&actor, page).await?;
    Ok(Json(list.map(|row| AuditView::of(&row))))
}

/// Accounts (operator).
#[utoipa::path(get, path = "/api/v1/admin/accounts", tag = "admin", params(AccountQuery),
    responses(
        (status = 200, description = "A page of accounts, newest first", body = Paged<AccountView>),
        (status = 400, description = "Bad filters: `invalid_query`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the operator: `forbidden`", body = ErrorBody),
    ))]
pub async fn admin_accounts(
    State(identity): State<Identity>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<AccountQuery>,
) -> ApiResult<Json<Paged<AccountView>>> {
    let page = Page {
        limit: q.limit,
        offset: q.offset,
    };
    let list = identity
        .admin_accounts(&actor, q.q.as_deref(), page)
        .await?;
    Ok(Json(list.map(|a| AccountView::of(&a, true))))
}

/// Grant or remove a platform role (operator).
#[utoipa::path(put, path = "/api/v1/admin/accounts/{id}/platform-role", tag = "admin", params(("id" = Uuid, Path)),
    request_body = PlatformRoleRequest,
    responses(
        (status = 200, description = "The account with its new role", body = AccountView),
        (status = 400, description = "Unreadable body: `malformed_json`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the operator: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such account: `not_found`", body = ErrorBody),
        (status = 409, description = "An operator cannot demote themself: `cannot_demote_self`", body = ErrorBody),
        (status = 422, description = "Invalid fields: `validation_failed`", body = ErrorBody),
    ))]
pub async fn set_platform_role(
    State(identity): State<Identity>,
    AuthUser(actor): AuthUser,
    meta: RequestMeta,
    ApiPath(id): ApiPath<AccountId>,
    ApiJson(req): ApiJson<PlatformRoleRequest>,
) -> ApiResult<Json<AccountView>> {
    let account = identity
        .set_platform_role(&actor, id, req.role, &meta)
        .await?;
    Ok(Json(AccountView::of(&account, true)))
}

/// Disable an account; its sessions end at once (operator).
#[utoipa::path(post, path = "/api/v1/admin/accounts/{id}/disable", tag = "admin", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The account, disabled", body = AccountView),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the operator: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such account: `not_found`", body = ErrorBody),
        (status = 409, description = "An operator cannot disable themself: `cannot_disable_self`", body = ErrorBody),
        (status = 503, description = "The session cache is down: `unavailable`", body = ErrorBody),
    ))]
pub async fn disable_account(
    State(identity): State<Identity>,
    AuthUser(actor): AuthUser,
    meta: RequestMeta,
    ApiPath(id): ApiPath<AccountId>,
) -> ApiResult<Json<AccountView>> {
    let account = identity.disable_account(&actor, id, &meta).await?;
    Ok(Json(AccountView::of(&account, true)))
}

/// Recent text messages of the embedded SMS backend, newest first (operator: they hold
/// one-time codes). With a real provider nothing is kept here and the list is empty.
#[utoipa::path(get, path = "/api/v1/admin/sms", tag = "admin", params(Page),
    responses(
        (status = 200, description = "A page of messages and the backend that sends", body = SmsOutboxView),
        (status = 400, description = "Bad paging: `invalid_query`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the operator: `forbidden`", body = ErrorBody),
    ))]
pub async fn sms_outbox(
    State(identity): State<Identity>,
    AuthUser(actor): AuthUser,
    ApiQuery(page): ApiQuery<Page>,
) -> ApiResult<Json<SmsOutboxView>> {
    let out = identity.sms_outbox(&actor, page).await?;
    let m = out.messages;
    Ok(Json(SmsOutboxView {
        backend: out.backend.to_owned(),
        items: m.items.iter().map(SmsView::of).collect(),
        total: m.total,
        limit: m.limit,
        offset: m.offset,
    }))
}
