//! Handlers: restrictions on problem customers (劣质客户) — platform staff read them, the
//! operator applies and lifts them.

use crate::Identity;
use crate::auth::AuthUser;
use crate::domain::RestrictionKind;
use crate::service::RestrictionRecord;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiJson, ApiPath, ApiQuery, ApiResult, RequestMeta};
use farmgate_kernel::id::AccountId;
use farmgate_kernel::{Limit, Offset, Page, Paged};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A restriction on an account, active or lifted.
#[derive(Debug, Serialize, ToSchema)]
pub struct RestrictionView {
    pub id: Uuid,
    pub account_id: Uuid,
    pub kind: RestrictionKind,
    /// Still in force (not lifted).
    pub active: bool,
    pub reason: String,
    pub applied_by: Uuid,
    pub applied_at: DateTime<Utc>,
    pub lifted_by: Option<Uuid>,
    pub lift_reason: Option<String>,
    pub lifted_at: Option<DateTime<Utc>>,
    /// The restricted account's display name.
    pub account_name: Option<String>,
    /// The restricted account's phone, in full: the operator only (absent for agents).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_phone: Option<String>,
    /// Who applied it (display name).
    pub applied_by_name: Option<String>,
    /// Who lifted it (display name).
    pub lifted_by_name: Option<String>,
}

impl RestrictionView {
    pub fn of(rec: &RestrictionRecord) -> Self {
        let r = &rec.restriction;
        Self {
            id: r.id,
            account_id: r.account_id,
            kind: r.kind,
            active: r.active_kind.is_some(),
            reason: r.reason.clone(),
            applied_by: r.applied_by,
            applied_at: r.applied_at,
            lifted_by: r.lifted_by,
            lift_reason: r.lift_reason.clone(),
            lifted_at: r.lifted_at,
            account_name: rec.account_name.clone(),
            account_phone: rec.account_phone.clone(),
            applied_by_name: rec.applied_by_name.clone(),
            lifted_by_name: rec.lifted_by_name.clone(),
        }
    }
}

/// What the operator restricts, and why (2–500 characters, kept in the audit log).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ApplyRestriction {
    pub kind: RestrictionKind,
    pub reason: String,
}

/// Why the restriction is lifted (2–500 characters).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LiftRestriction {
    pub reason: String,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RestrictionListQuery {
    /// Only those in force (default `true`); `false` lists lifted ones too.
    pub active: Option<bool>,
    pub limit: Option<Limit>,
    pub offset: Option<Offset>,
}

/// Every account's restrictions, newest first: those in force (the default) or all (operator).
#[utoipa::path(get, path = "/api/v1/admin/restrictions", tag = "admin", params(RestrictionListQuery),
    responses(
        (status = 200, description = "A page of restrictions with the accounts' names and phones", body = Paged<RestrictionView>),
        (status = 400, description = "Bad query: `invalid_query`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the operator: `forbidden`", body = ErrorBody),
    ))]
pub async fn restrictions_list(
    State(identity): State<Identity>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<RestrictionListQuery>,
) -> ApiResult<Json<Paged<RestrictionView>>> {
    let page = Page {
        limit: q.limit,
        offset: q.offset,
    };
    let list = identity
        .restrictions(&actor, q.active.unwrap_or(true), page)
        .await?;
    Ok(Json(list.map(|r| RestrictionView::of(&r))))
}

/// An account's restrictions, active and lifted, newest first (operator, after-sales agents).
#[utoipa::path(get, path = "/api/v1/admin/accounts/{id}/restrictions", tag = "admin", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The account's restrictions", body = Vec<RestrictionView>),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not platform staff: `forbidden`", body = ErrorBody),
        (status = 404, description = "No such account (or not an id): `not_found`", body = ErrorBody),
    ))]
pub async fn account_restrictions(
    State(identity): State<Identity>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<AccountId>,
) -> ApiResult<Json<Vec<RestrictionView>>> {
    let list = identity.account_restrictions(&actor, id).await?;
    Ok(Json(list.iter().map(RestrictionView::of).collect()))
}

/// Restrict an account (operator): `claim_needs_waybill_photo` (its claims must name a photo
/// of the waybill), `no_offline_payment` (no bank transfer or cash on delivery at checkout).
/// Audited. A restriction already in force is answered as it is (200).
#[utoipa::path(post, path = "/api/v1/admin/accounts/{id}/restrictions", tag = "admin", params(("id" = Uuid, Path)),
    request_body = ApplyRestriction,
    responses(
        (status = 201, description = "Applied", body = RestrictionView),
        (status = 200, description = "Already in force: nothing changed", body = RestrictionView),
        (status = 400, description = "Unreadable body: `malformed_json`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the operator: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such account: `not_found`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "Unknown kind, wrongly typed body, reason missing or too long: `validation_failed`", body = ErrorBody),
    ))]
pub async fn apply_restriction(
    State(identity): State<Identity>,
    AuthUser(actor): AuthUser,
    meta: RequestMeta,
    ApiPath(id): ApiPath<AccountId>,
    ApiJson(req): ApiJson<ApplyRestriction>,
) -> ApiResult<(StatusCode, Json<RestrictionView>)> {
    let (r, created) = identity
        .apply_restriction(&actor, id, req.kind, &req.reason, &meta)
        .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let r = identity.restriction_record(&actor, r).await?;
    Ok((status, Json(RestrictionView::of(&r))))
}

/// Lift an account's restriction of a kind (operator). Audited; the record is kept.
#[utoipa::path(post, path = "/api/v1/admin/accounts/{id}/restrictions/{kind}/lift", tag = "admin",
    params(("id" = Uuid, Path), ("kind" = RestrictionKind, Path)),
    request_body = LiftRestriction,
    responses(
        (status = 200, description = "Lifted", body = RestrictionView),
        (status = 400, description = "Unreadable body: `malformed_json`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the operator: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such restriction in force (or no such kind): `not_found`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "Wrongly typed body, reason missing or too long: `validation_failed`", body = ErrorBody),
    ))]
pub async fn lift_restriction(
    State(identity): State<Identity>,
    AuthUser(actor): AuthUser,
    meta: RequestMeta,
    ApiPath((id, kind)): ApiPath<(AccountId, RestrictionKind)>,
    ApiJson(req): ApiJson<LiftRestriction>,
) -> ApiResult<Json<RestrictionView>> {
    let r = identity
        .lift_restriction(&actor, id, kind, &req.reason, &meta)
        .await?;
    let r = identity.restriction_record(&actor, r).await?;
    Ok(Json(RestrictionView::of(&r)))
}
