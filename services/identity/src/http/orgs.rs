//! Handlers: registering, reading and editing organisations, and their verification history.

use super::views::{
    CreateOrgRequest, OrgView, PurchasingRequest, PurchasingView, ReviewView, UpdateOrgRequest,
};
use crate::auth::AuthUser;
use crate::domain::{OrgFacts, OrgFactsInput, OrgRole};
use crate::service::OrgPatch;
use crate::{Identity, IdentityError};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiJson, ApiPath, ApiResult, RequestMeta};
use farmgate_kernel::id::OrgId;

/// Register an organisation; you become its owner and it waits for the operator's review.
#[utoipa::path(post, path = "/api/v1/orgs", tag = "orgs", request_body = CreateOrgRequest,
    responses(
        (status = 201, description = "Registered, pending review; you are its owner", body = OrgView),
        (status = 400, description = "Unreadable body: `malformed_json`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not allowed (only the operator registers the platform store): `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 409, description = "Licence number already registered: `conflict`", body = ErrorBody),
        (status = 422, description = "Invalid fields: `validation_failed`", body = ErrorBody),
    ))]
pub async fn create_org(
    State(identity): State<Identity>,
    AuthUser(actor): AuthUser,
    meta: RequestMeta,
    ApiJson(req): ApiJson<CreateOrgRequest>,
) -> ApiResult<(StatusCode, Json<OrgView>)> {
    let facts = OrgFacts::parse(&OrgFactsInput {
        name: &req.name,
        licence_no: &req.licence_no,
        region: Some(&req.region),
        address: req.address.as_deref(),
        contact_name: &req.contact_name,
        contact_phone: &req.contact_phone,
    })
    .map_err(IdentityError::from)?;
    let org = identity
        .create_org_accredited(
            &actor,
            req.kind,
            facts,
            req.accreditation_no.as_deref(),
            &meta,
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(OrgView::of(&org, Some(OrgRole::Owner))),
    ))
}

/// The organisations I belong to.
#[utoipa::path(get, path = "/api/v1/orgs/mine", tag = "orgs",
    responses(
        (status = 200, description = "My organisations, with my role in each", body = Vec<OrgView>),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
    ))]
pub async fn my_orgs(
    State(identity): State<Identity>,
    AuthUser(actor): AuthUser,
) -> ApiResult<Json<Vec<OrgView>>> {
    let list = identity.my_orgs(&actor).await?;
    Ok(Json(
        list.iter().map(|(o, r)| OrgView::of(o, Some(*r))).collect(),
    ))
}

/// One organisation (its members and the operator).
#[utoipa::path(get, path = "/api/v1/orgs/{id}", tag = "orgs", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The organisation", body = OrgView),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not a member: `forbidden`", body = ErrorBody),
        (status = 404, description = "No such organisation: `not_found`", body = ErrorBody),
    ))]
pub async fn get_org(
    State(identity): State<Identity>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<OrgId>,
) -> ApiResult<Json<OrgView>> {
    let org = identity.org_for(&actor, id).await?;
    Ok(Json(OrgView::of(
        &org,
        actor.membership(id).map(|m| m.role),
    )))
}

/// Edit an organisation (owner). Changing name, licence or region sends it back to review; so
/// does editing a rejected one (that is how it is resubmitted).
#[utoipa::path(patch, path = "/api/v1/orgs/{id}", tag = "orgs", params(("id" = Uuid, Path)), request_body = UpdateOrgRequest,
    responses(
        (status = 200, description = "The organisation as it now is", body = OrgView),
        (status = 400, description = "Unreadable body: `malformed_json`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not its owner: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such organisation: `not_found`", body = ErrorBody),
        (status = 409, description = "Licence number already registered: `conflict`", body = ErrorBody),
        (status = 422, description = "Invalid fields: `validation_failed`", body = ErrorBody),
    ))]
pub async fn update_org(
    State(identity): State<Identity>,
    AuthUser(actor): AuthUser,
    meta: RequestMeta,
    ApiPath(id): ApiPath<OrgId>,
    ApiJson(req): ApiJson<UpdateOrgRequest>,
) -> ApiResult<Json<OrgView>> {
    let patch = OrgPatch {
        name: req.name,
        licence_no: req.licence_no,
        region: req.region,
        address: req
            .address
            .map(|a| Some(a).filter(|a| !a.trim().is_empty())),
        contact_name: req.contact_name,
        contact_phone: req.contact_phone,
        accreditation_no: req.accreditation_no,
    };
    let org = identity.update_org(&actor, id, patch, &meta).await?;
    Ok(Json(OrgView::of(
        &org,
        actor.membership(id).map(|m| m.role),
    )))
}

/// An organisation's verification history (members and the operator).
#[utoipa::path(get, path = "/api/v1/orgs/{id}/history", tag = "orgs", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "Submissions, verifications and rejections, oldest first", body = Vec<ReviewView>),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not a member: `forbidden`", body = ErrorBody),
        (status = 404, description = "No such organisation: `not_found`", body = ErrorBody),
    ))]
pub async fn org_history(
    State(identity): State<Identity>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<OrgId>,
) -> ApiResult<Json<Vec<ReviewView>>> {
    let list = identity.org_history(&actor, id).await?;
    Ok(Json(list.iter().map(ReviewView::of).collect()))
}

/// A business buyer's purchasing settings: its kind and approval limit (members, operator).
#[utoipa::path(get, path = "/api/v1/orgs/{id}/purchasing", tag = "orgs", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The settings (`null` where the owner said nothing)", body = PurchasingView),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not a member, or not a business buyer: `forbidden`", body = ErrorBody),
        (status = 404, description = "No such organisation: `not_found`", body = ErrorBody),
    ))]
pub async fn get_purchasing(
    State(identity): State<Identity>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<OrgId>,
) -> ApiResult<Json<PurchasingView>> {
    let p = identity.purchasing(&actor, id).await?;
    Ok(Json(PurchasingView::of(&p)))
}

/// Set a business buyer's kind and approval limit (owner): a purchaser's order above the limit
/// waits for a manager's or the owner's approval before it can be paid.
#[utoipa::path(put, path = "/api/v1/orgs/{id}/purchasing", tag = "orgs", params(("id" = Uuid, Path)), request_body = PurchasingRequest,
    responses(
        (status = 200, description = "The settings as they now are", body = PurchasingView),
        (status = 400, description = "Unreadable body: `malformed_json`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not its owner, or not a business buyer: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such organisation: `not_found`", body = ErrorBody),
        (status = 422, description = "Invalid fields: `validation_failed`", body = ErrorBody),
    ))]
pub async fn put_purchasing(
    State(identity): State<Identity>,
    AuthUser(actor): AuthUser,
    meta: RequestMeta,
    ApiPath(id): ApiPath<OrgId>,
    ApiJson(req): ApiJson<PurchasingRequest>,
) -> ApiResult<Json<PurchasingView>> {
    let p = identity
        .set_purchasing(&actor, id, req.buyer_kind, req.approval_limit_fen, &meta)
        .await?;
    Ok(Json(PurchasingView::of(&p)))
}
