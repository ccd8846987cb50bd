//! Handlers: members of an organisation and invitations to join one.

use super::views::{
    AcceptRequest, AcceptedView, InvitationView, InviteRequest, MemberView, OrgView, RoleRequest,
};
use crate::Identity;
use crate::auth::AuthUser;
use crate::domain::InvitationId;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiJson, ApiPath, ApiResult, RequestMeta};
use farmgate_kernel::id::{AccountId, OrgId};

/// Members of an organisation.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/members", tag = "orgs", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "Its members, oldest first", body = Vec<MemberView>),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not a member: `forbidden`", body = ErrorBody),
        (status = 404, description = "No such organisation: `not_found`", body = ErrorBody),
    ))]
pub async fn members(
    State(identity): State<Identity>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<OrgId>,
) -> ApiResult<Json<Vec<MemberView>>> {
    let list = identity.members(&actor, id).await?;
    Ok(Json(
        list.iter().map(|m| MemberView::of(m, &actor)).collect(),
    ))
}

/// Change a member's role (owner).
#[utoipa::path(patch, path = "/api/v1/orgs/{id}/members/{account_id}", tag = "orgs",
    params(("id" = Uuid, Path), ("account_id" = Uuid, Path)), request_body = RoleRequest,
    responses(
        (status = 200, description = "The member with the new role", body = MemberView),
        (status = 400, description = "Unreadable body: `malformed_json`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not its owner: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such member: `not_found`", body = ErrorBody),
        (status = 409, description = "The last owner cannot step down: `last_owner`", body = ErrorBody),
        (status = 422, description = "Invalid fields: `validation_failed`", body = ErrorBody),
    ))]
pub async fn set_member_role(
    State(identity): State<Identity>,
    AuthUser(actor): AuthUser,
    meta: RequestMeta,
    ApiPath((id, account_id)): ApiPath<(OrgId, AccountId)>,
    ApiJson(req): ApiJson<RoleRequest>,
) -> ApiResult<Json<MemberView>> {
    let m = identity
        .set_member_role(&actor, id, account_id, req.role, &meta)
        .await?;
    Ok(Json(MemberView::of(&m, &actor)))
}

/// Remove a member (owner), or leave (yourself).
#[utoipa::path(delete, path = "/api/v1/orgs/{id}/members/{account_id}", tag = "orgs",
    params(("id" = Uuid, Path), ("account_id" = Uuid, Path)),
    responses(
        (status = 204, description = "Removed (or left)"),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not its owner: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such member: `not_found`", body = ErrorBody),
        (status = 409, description = "The last owner cannot leave: `last_owner`", body = ErrorBody),
    ))]
pub async fn remove_member(
    State(identity): State<Identity>,
    AuthUser(actor): AuthUser,
    meta: RequestMeta,
    ApiPath((id, account_id)): ApiPath<(OrgId, AccountId)>,
) -> ApiResult<StatusCode> {
    identity
        .remove_member(&actor, id, account_id, &meta)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Invite someone by phone number (owner). They accept with a code sent to that phone.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/invitations", tag = "orgs", params(("id" = Uuid, Path)),
    request_body = InviteRequest,
    responses(
        (status = 201, description = "The invitation, waiting for an answer", body = InvitationView),
        (status = 400, description = "Unreadable body: `malformed_json`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not its owner: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such organisation: `not_found`", body = ErrorBody),
        (status = 409, description = "Already a member, or already invited: `conflict`", body = ErrorBody),
        (status = 422, description = "Invalid fields: `validation_failed`", body = ErrorBody),
    ))]
pub async fn invite(
    State(identity): State<Identity>,
    AuthUser(actor): AuthUser,
    meta: RequestMeta,
    ApiPath(id): ApiPath<OrgId>,
    ApiJson(req): ApiJson<InviteRequest>,
) -> ApiResult<(StatusCode, Json<InvitationView>)> {
    let inv = identity
        .invite(&actor, id, &req.login, req.role, &meta)
        .await?;
    Ok((StatusCode::CREATED, Json(InvitationView::of(&inv))))
}

/// Invitations sent by an organisation (owner).
#[utoipa::path(get, path = "/api/v1/orgs/{id}/invitations", tag = "orgs", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "Its invitations, newest first", body = Vec<InvitationView>),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not its owner: `forbidden`", body = ErrorBody),
        (status = 404, description = "Malformed organisation id: `not_found`", body = ErrorBody),
    ))]
pub async fn org_invitations(
    State(identity): State<Identity>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<OrgId>,
) -> ApiResult<Json<Vec<InvitationView>>> {
    let list = identity.org_invitations(&actor, id).await?;
    Ok(Json(list.iter().map(InvitationView::of).collect()))
}

/// Withdraw a pending invitation (owner).
#[utoipa::path(delete, path = "/api/v1/orgs/{id}/invitations/{invitation_id}", tag = "orgs",
    params(("id" = Uuid, Path), ("invitation_id" = Uuid, Path)),
    responses(
        (status = 204, description = "Withdrawn"),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not its owner: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No pending invitation of this organisation: `not_found`", body = ErrorBody),
    ))]
pub async fn revoke_invitation(
    State(identity): State<Identity>,
    AuthUser(actor): AuthUser,
    meta: RequestMeta,
    ApiPath((id, invitation_id)): ApiPath<(OrgId, InvitationId)>,
) -> ApiResult<StatusCode> {
    identity
        .revoke_invitation(&actor, id, invitation_id, &meta)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Invitations waiting for me.
#[utoipa::path(get, path = "/api/v1/me/invitations", tag = "orgs",
    responses(
        (status = 200, description = "Pending invitations to my phone, newest first (empty until the phone is verified)", body = Vec<InvitationView>),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
    ))]
pub async fn my_invitations(
    State(identity): State<Identity>,
    AuthUser(actor): AuthUser,
) -> ApiResult<Json<Vec<InvitationView>>> {
    let list = identity.my_invitations(&actor).await?;
    Ok(Json(list.iter().map(InvitationView::of).collect()))
}

/// Accept an invitation addressed to my phone, with a code just sent to it (purpose
/// `accept_invitation`).
#[utoipa::path(post, path = "/api/v1/invitations/{id}/accept", tag = "orgs", params(("id" = Uuid, Path)),
    request_body = AcceptRequest,
    responses(
        (status = 200, description = "Joined: the organisation and my role in it", body = AcceptedView),
        (status = 400, description = "Unreadable body: `malformed_json`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not allowed: `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No pending invitation to my phone: `not_found`", body = ErrorBody),
        (status = 422, description = "A wrong or dead code: `validation_failed`, `invalid_code`, `code_expired`", body = ErrorBody),
        (status = 503, description = "The cache is down: `unavailable`", body = ErrorBody),
    ))]
pub async fn accept_invitation(
    State(identity): State<Identity>,
    AuthUser(actor): AuthUser,
    meta: RequestMeta,
    ApiPath(id): ApiPath<InvitationId>,
    ApiJson(req): ApiJson<AcceptRequest>,
) -> ApiResult<Json<AcceptedView>> {
    let (org, role) = identity
        .accept_invitation(&actor, id, &req.code, &meta)
        .await?;
    Ok(Json(AcceptedView {
        org: OrgView::of(&org, Some(role)),
        role,
    }))
}

/// Decline an invitation addressed to me (my phone must be verified).
#[utoipa::path(post, path = "/api/v1/invitations/{id}/decline", tag = "orgs", params(("id" = Uuid, Path)),
    responses(
        (status = 204, description = "Declined"),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not allowed: `read_only`, `cross_site_request`, `phone_not_verified`", body = ErrorBody),
        (status = 404, description = "No pending invitation to me: `not_found`", body = ErrorBody),
    ))]
pub async fn decline_invitation(
    State(identity): State<Identity>,
    AuthUser(actor): AuthUser,
    meta: RequestMeta,
    ApiPath(id): ApiPath<InvitationId>,
) -> ApiResult<StatusCode> {
    identity.decline_invitation(&actor, id, &meta).await?;
    Ok(StatusCode::NO_CONTENT)
}
