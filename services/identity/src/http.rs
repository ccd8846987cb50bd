//! Identity over HTTP: request and response types, thin handlers, and the router (which also
//! yields the OpenAPI description of every route).

use crate::auth::{AuthUser, SESSION_COOKIE};
use crate::domain::{
    InvitationStatus, NewAccount, OrgFacts, OrgFactsInput, OrgKind, OrgRole, OrgStatus,
    PlatformRole, Review, ReviewAction,
};
use crate::service::{
    InvitationDetail, IssuedSession, Member, OrgFilter, OrgPatch, OrgWithOwner, ReviewEntry,
    parse_rejection,
};
use crate::store::queries;
use crate::store::{account, audit, organisation, session};
use crate::{Actor, Identity, IdentityError};
use axum::Json;
use axum::extract::{FromRef, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use farmgate_infra::http::{ApiError, ApiJson, ApiPath, ApiQuery, ApiResult, RequestMeta};
use farmgate_kernel::id::{AccountId, OrgId};
use farmgate_kernel::region::RegionInput;
use farmgate_kernel::{Page, Paged, Phone, Region};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

// ---------------------------------------------------------------------------------------------
// Views. Personal data is masked unless the viewer is its owner or needs it (the operator).

/// An account as others see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountView {
    pub id: Uuid,
    pub display_name: String,
    /// Full for yourself and the operator, masked (`138****8000`) for everyone else.
    pub phone: Option<String>,
    pub email: Option<String>,
    pub platform_role: Option<PlatformRole>,
    pub status: String,
    pub created_at: DateTime<Utc>,
}

fn mask_phone(p: &str) -> String {
    Phone::mask(p).unwrap_or_else(|| "***".to_owned())
}

fn mask_email(e: &str) -> String {
    farmgate_kernel::Email::parse(e)
        .map(|e| e.masked())
        .unwrap_or_else(|_| "***".to_owned())
}

impl AccountView {
    pub fn of(a: &account::Model, full: bool) -> Self {
        Self {
            id: a.id,
            display_name: a.display_name.clone(),
            phone: a
                .phone
                .as_deref()
                .map(|p| if full { p.to_owned() } else { mask_phone(p) }),
            email: a
                .email
                .as_deref()
                .map(|e| if full { e.to_owned() } else { mask_email(e) }),
            platform_role: a.platform_role.as_deref().and_then(PlatformRole::parse),
            status: a.status.clone(),
            created_at: a.created_at,
        }
    }
}

/// An organisation, as its members and the operator see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgView {
    pub id: Uuid,
    pub kind: OrgKind,
    pub name: String,
    /// Unified social credit code (统一社会信用代码).
    pub licence_no: String,
    pub region: Region,
    pub address: Option<String>,
    pub contact_name: String,
    pub contact_phone: String,
    pub status: OrgStatus,
    /// Why it was rejected, for the seller to fix.
    pub status_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub verified_at: Option<DateTime<Utc>>,
    /// Your role in it, if you are a member.
    pub my_role: Option<OrgRole>,
}

impl OrgView {
    pub fn of(o: &organisation::Model, my_role: Option<OrgRole>) -> Result<Self, ApiError> {
        Ok(Self {
            id: o.id,
            kind: queries::org_kind(o)?,
            name: o.name.clone(),
            licence_no: o.licence_no.clone(),
            region: crate::service::org_region(o),
            address: o.address.clone(),
            contact_name: o.contact_name.clone(),
            contact_phone: o.contact_phone.clone(),
            status: queries::org_status(o)?,
            status_reason: o.status_reason.clone(),
            created_at: o.created_at,
            verified_at: o.verified_at,
            my_role,
        })
    }
}

/// An organisation in the operator's queue, with its owner.
#[derive(Debug, Serialize, ToSchema)]
pub struct AdminOrgView {
    #[serde(flatten)]
    pub org: OrgView,
    pub owner: Option<AccountView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MembershipView {
    pub org: OrgView,
    pub role: OrgRole,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeView {
    pub account: AccountView,
    pub memberships: Vec<MembershipView>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionIssuedView {
    /// Send as `Authorization: Bearer <token>`; pages use the cookie instead.
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuthView {
    pub account: AccountView,
    pub session: SessionIssuedView,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionView {
    pub id: Uuid,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    pub user_agent: Option<String>,
    pub ip: Option<String>,
    /// The session this request was made with.
    pub current: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberView {
    pub account_id: Uuid,
    pub display_name: String,
    /// Masked, except for yourself and the operator.
    pub phone: Option<String>,
    pub role: OrgRole,
    pub joined_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrgRef {
    pub id: Uuid,
    pub name: String,
    pub kind: OrgKind,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationView {
    pub id: Uuid,
    pub org: OrgRef,
    /// The invitee's phone or e-mail, masked.
    pub login: String,
    pub role: OrgRole,
    pub status: InvitationStatus,
    pub created_at: DateTime<Utc>,
    pub invited_by: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AcceptedView {
    pub org: OrgView,
    pub role: OrgRole,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewView {
    pub at: DateTime<Utc>,
    pub action: ReviewAction,
    pub actor: Option<String>,
    pub reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditView {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    pub actor_name: Option<String>,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<String>,
    pub ip: Option<String>,
    pub request_id: Option<String>,
    pub details: serde_json::Value,
}

fn member_view(m: &Member, viewer: &Actor) -> Result<MemberView, ApiError> {
    let full = viewer.is_operator() || viewer.account_id.as_uuid() == m.account.id;
    Ok(MemberView {
        account_id: m.account.id,
        display_name: m.account.display_name.clone(),
        phone: m
            .account
            .phone
            .as_deref()
            .map(|p| if full { p.to_owned() } else { mask_phone(p) }),
        role: queries::member_role(&m.membership)?,
        joined_at: m.membership.created_at,
    })
}

fn invitation_view(d: &InvitationDetail) -> Result<InvitationView, ApiError> {
    let login = &d.invitation.login;
    Ok(InvitationView {
        id: d.invitation.id,
        org: OrgRef {
            id: d.org.id,
            name: d.org.name.clone(),
            kind: queries::org_kind(&d.org)?,
        },
        login: if login.contains('@') {
            mask_email(login)
        } else {
            mask_phone(login)
        },
        role: queries::stored(&d.invitation.role, OrgRole::parse, "invitations.role")?,
        status: queries::stored(
            &d.invitation.status,
            InvitationStatus::parse,
            "invitations.status",
        )?,
        created_at: d.invitation.created_at,
        invited_by: d.invited_by.as_ref().map(|a| a.display_name.clone()),
    })
}

fn review_view(e: &ReviewEntry) -> Result<ReviewView, ApiError> {
    Ok(ReviewView {
        at: e.review.at,
        action: queries::stored(&e.review.action, ReviewAction::parse, "org_reviews.action")?,
        actor: e.actor.as_ref().map(|a| a.display_name.clone()),
        reason: e.review.reason.clone(),
    })
}

fn admin_org_view(o: &OrgWithOwner) -> Result<AdminOrgView, ApiError> {
    Ok(AdminOrgView {
        org: OrgView::of(&o.org, None)?,
        owner: o.owner.as_ref().map(|a| AccountView::of(a, true)),
    })
}

fn audit_view((row, actor): &(audit::Model, Option<account::Model>)) -> AuditView {
    AuditView {
        id: row.id,
        at: row.at,
        actor_id: row.actor_id,
        actor_name: actor.as_ref().map(|a| a.display_name.clone()),
        action: row.action.clone(),
        target_type: row.target_type.clone(),
        target_id: row.target_id.clone(),
        ip: row.ip.clone(),
        request_id: row.request_id.clone(),
        details: row.details.clone(),
    }
}

fn session_view(s: &session::Model, current: Uuid) -> SessionView {
    SessionView {
        id: s.id,
        created_at: s.created_at,
        expires_at: s.expires_at,
        last_seen_at: s.last_seen_at,
        user_agent: s.user_agent.clone(),
        ip: s.ip.clone(),
        current: s.id == current,
    }
}

// ---------------------------------------------------------------------------------------------
// Requests

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RegisterRequest {
    pub display_name: String,
    #[serde(default)]
    pub phone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    /// Phone number or e-mail address.
    pub login: String,
    pub password: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateOrgRequest {
    pub kind: OrgKind,
    pub name: String,
    pub licence_no: String,
    pub region: RegionInput,
    #[serde(default)]
    pub address: Option<String>,
    pub contact_name: String,
    pub contact_phone: String,
}

#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateOrgRequest {
    pub name: Option<String>,
    pub licence_no: Option<String>,
    pub region: Option<RegionInput>,
    /// Send `""` to clear.
    pub address: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleRequest {
    pub role: OrgRole,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InviteRequest {
    /// Phone number or e-mail address of the person to invite.
    pub login: String,
    pub role: OrgRole,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RejectRequest {
    /// Shown to the seller: say what to fix (2–500 characters).
    pub reason: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlatformRoleRequest {
    /// `null` removes the platform role.
    pub role: Option<PlatformRole>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AdminOrgQuery {
    pub status: Option<OrgStatus>,
    pub kind: Option<OrgKind>,
    /// Part of the name or licence number.
    pub q: Option<String>,
    pub limit: Option<u64>,
    pub offset: Option<u64>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccountQuery {
    /// Part of the phone, e-mail or name.
    pub q: Option<String>,
    pub limit: Option<u64>,
    pub offset: Option<u64>,
}

// ---------------------------------------------------------------------------------------------
// Cookies

fn session_cookie(identity: &Identity, issued: &IssuedSession) -> String {
    let max_age = (issued.expires_at - identity.infra().clock.now())
        .num_seconds()
        .max(0);
    let secure = if identity.config().cookie_secure {
        "; Secure"
    } else {
        ""
    };
    format!(
        "{SESSION_COOKIE}={}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}",
        issued.token
    )
}

fn clear_cookie(identity: &Identity) -> String {
    let secure = if identity.config().cookie_secure {
        "; Secure"
    } else {
        ""
    };
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}")
}

fn with_cookie(status: StatusCode, cookie: String, body: impl IntoResponse) -> ApiResult<Response> {
    let mut headers = HeaderMap::new();
    let value = HeaderValue::from_str(&cookie).map_err(ApiError::internal)?;
    headers.insert(header::SET_COOKIE, value);
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok((status, headers, body).into_response())
}

// ---------------------------------------------------------------------------------------------
// Handlers: authentication

/// Register an account (phone or e-mail, and a password) and log in.
#[utoipa::path(post, path = "/api/v1/auth/register", tag = "auth", request_body = RegisterRequest,
    responses((status = 201, body = AuthView), (status = 409, description = "phone or e-mail taken"), (status = 422, description = "invalid fields")))]
pub async fn register(
    State(identity): State<Identity>,
    meta: RequestMeta,
    ApiJson(req): ApiJson<RegisterRequest>,
) -> ApiResult<Response> {
    let input = NewAccount::parse(
        &req.display_name,
        req.phone.as_deref(),
        req.email.as_deref(),
        &req.password,
    )
    .map_err(IdentityError::from)?;
    let (account, issued) = identity.register(input, &meta).await?;
    let cookie = session_cookie(&identity, &issued);
    let body = AuthView {
        account: AccountView::of(&account, true),
        session: SessionIssuedView {
            token: issued.token,
            expires_at: issued.expires_at,
        },
    };
    with_cookie(StatusCode::CREATED, cookie, Json(body))
}

/// Log in with a phone number or e-mail address.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = AuthView), (status = 401, description = "wrong login or password"), (status = 429, description = "too many attempts")))]
pub async fn login(
    State(identity): State<Identity>,
    meta: RequestMeta,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<Response> {
    if req.password.len() > 1024 {
        return Err(IdentityError::InvalidCredentials.into());
    }
    let (account, issued) = identity.login(&req.login, &req.password, &meta).await?;
    let cookie = session_cookie(&identity, &issued);
    let body = AuthView {
        account: AccountView::of(&account, true),
        session: SessionIssuedView {
            token: issued.token,
            expires_at: issued.expires_at,
        },
    };
    with_cookie(StatusCode::OK, cookie, Json(body))
}

/// End this session.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth", responses((status = 204)))]
pub async fn logout(
    State(identity): State<Identity>,
    AuthUser(actor): AuthUser,
) -> ApiResult<Response> {
    identity.logout(&actor).await?;
    with_cookie(StatusCode::NO_CONTENT, clear_cookie(&identity), ())
}

/// Who am I, and which organisations do I belong to?
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth", responses((status = 200, body = MeView), (status = 401)))]
pub async fn me(
    State(identity): State<Identity>,
    AuthUser(actor): AuthUser,
) -> ApiResult<Json<MeView>> {
    let account = identity.account(actor.account_id).await?;
    let memberships = identity
        .memberships(&actor)
        .await?
        .iter()
        .map(|(m, o)| {
            let role = queries::member_role(m)?;
            Ok(MembershipView {
                org: OrgView::of(o, Some(role))?,
                role,
            })
        })
        .collect::<Result<Vec<_>, ApiError>>()?;
    Ok(Json(MeView {
        account: AccountView::of(&account, true),
        memberships,
    }))
}

/// My live sessions (devices).
#[utoipa::path(get, path = "/api/v1/auth/sessions", tag = "auth", responses((status = 200, body = Vec<SessionView>)))]
pub async fn sessions(
    State(identity): State<Identity>,
    AuthUser(actor): AuthUser,
) -> ApiResult<Json<Vec<SessionView>>> {
    let list = identity.sessions(&actor).await?;
    Ok(Json(
        list.iter()
            .map(|s| session_view(s, actor.session_id))
            .collect(),
    ))
}

/// End one of my sessions (e.g. a lost phone).
#[utoipa::path(delete, path = "/api/v1/auth/sessions/{id}", tag = "auth", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404)))]
pub async fn revoke_session(
    State(identity): State<Identity>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    identity.revoke_session(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------------------------------------
// Handlers: organisations

fn parse_facts(
    name: &str,
    licence_no: &str,
    region: &RegionInput,
    address: Option<&str>,
    contact_name: &str,
    contact_phone: &str,
) -> Result<OrgFacts, IdentityError> {
    Ok(OrgFacts::parse(&OrgFactsInput {
        name,
        licence_no,
        region: Some(region),
        address,
        contact_name,
        contact_phone,
    })?)
}

/// Register an organisation; you become its owner and it waits for the operator's review.
#[utoipa::path(post, path = "/api/v1/orgs", tag = "orgs", request_body = CreateOrgRequest,
    responses((status = 201, body = OrgView), (status = 409, description = "licence already registered"), (status = 422)))]
pub async fn create_org(
    State(identity): State<Identity>,
    AuthUser(actor): AuthUser,
    meta: RequestMeta,
    ApiJson(req): ApiJson<CreateOrgRequest>,
) -> ApiResult<(StatusCode, Json<OrgView>)> {
    let facts = parse_facts(
        &req.name,
        &req.licence_no,
        &req.region,
        req.address.as_deref(),
        &req.contact_name,
        &req.contact_phone,
    )?;
    let org = identity.create_org(&actor, req.kind, facts, &meta).await?;
    Ok((
        StatusCode::CREATED,
        Json(OrgView::of(&org, Some(OrgRole::Owner))?),
    ))
}

/// The organisations I belong to.
#[utoipa::path(get, path = "/api/v1/orgs/mine", tag = "orgs", responses((status = 200, body = Vec<OrgView>)))]
pub async fn my_orgs(
    State(identity): State<Identity>,
    AuthUser(actor): AuthUser,
) -> ApiResult<Json<Vec<OrgView>>> {
    let list = identity.my_orgs(&actor).await?;
    Ok(Json(
        list.iter()
            .map(|(o, r)| OrgView::of(o, Some(*r)))
            .collect::<Result<_, _>>()?,
    ))
}

/// One organisation (its members and the operator).
#[utoipa::path(get, path = "/api/v1/orgs/{id}", tag = "orgs", params(("id" = Uuid, Path)),
    responses((status = 200, body = OrgView), (status = 403), (status = 404)))]
pub async fn get_org(
    State(identity): State<Identity>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<OrgId>,
) -> ApiResult<Json<OrgView>> {
    let org = identity.org_for(&actor, id).await?;
    Ok(Json(OrgView::of(
        &org,
        actor.membership(id).map(|m| m.role),
    )?))
}

/// Edit an organisation (owner). Changing name, licence or region sends it back to review; so
/// does editing a rejected one (that is how it is resubmitted).
#[utoipa::path(patch, path = "/api/v1/orgs/{id}", tag = "orgs", params(("id" = Uuid, Path)), request_body = UpdateOrgRequest,
    responses((status = 200, body = OrgView), (status = 403), (status = 409), (status = 422)))]
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
    };
    let org = identity.update_org(&actor, id, patch, &meta).await?;
    Ok(Json(OrgView::of(
        &org,
        actor.membership(id).map(|m| m.role),
    )?))
}

/// Members of an organisation.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/members", tag = "orgs", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<MemberView>), (status = 403)))]
pub async fn members(
    State(identity): State<Identity>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<OrgId>,
) -> ApiResult<Json<Vec<MemberView>>> {
    let list = identity.members(&actor, id).await?;
    Ok(Json(
        list.iter()
            .map(|m| member_view(m, &actor))
            .collect::<Result<_, _>>()?,
    ))
}

/// Change a member's role (owner).
#[utoipa::path(patch, path = "/api/v1/orgs/{id}/members/{account_id}", tag = "orgs",
    params(("id" = Uuid, Path), ("account_id" = Uuid, Path)), request_body = RoleRequest,
    responses((status = 200, body = MemberView), (status = 403), (status = 409, description = "last owner")))]
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
    Ok(Json(member_view(&m, &actor)?))
}

/// Remove a member (owner), or leave (yourself).
#[utoipa::path(delete, path = "/api/v1/orgs/{id}/members/{account_id}", tag = "orgs",
    params(("id" = Uuid, Path), ("account_id" = Uuid, Path)),
    responses((status = 204), (status = 403), (status = 409, description = "last owner")))]
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

/// Invite someone by phone or e-mail (owner).
#[utoipa::path(post, path = "/api/v1/orgs/{id}/invitations", tag = "orgs", params(("id" = Uuid, Path)),
    request_body = InviteRequest, responses((status = 201, body = InvitationView), (status = 403), (status = 409)))]
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
    Ok((StatusCode::CREATED, Json(invitation_view(&inv)?)))
}

/// Invitations sent by an organisation (owner).
#[utoipa::path(get, path = "/api/v1/orgs/{id}/invitations", tag = "orgs", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<InvitationView>), (status = 403)))]
pub async fn org_invitations(
    State(identity): State<Identity>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<OrgId>,
) -> ApiResult<Json<Vec<InvitationView>>> {
    let list = identity.org_invitations(&actor, id).await?;
    Ok(Json(
        list.iter().map(invitation_view).collect::<Result<_, _>>()?,
    ))
}

/// Withdraw a pending invitation (owner).
#[utoipa::path(delete, path = "/api/v1/orgs/{id}/invitations/{invitation_id}", tag = "orgs",
    params(("id" = Uuid, Path), ("invitation_id" = Uuid, Path)), responses((status = 204), (status = 404)))]
pub async fn revoke_invitation(
    State(identity): State<Identity>,
    AuthUser(actor): AuthUser,
    meta: RequestMeta,
    ApiPath((id, invitation_id)): ApiPath<(OrgId, Uuid)>,
) -> ApiResult<StatusCode> {
    identity
        .revoke_invitation(&actor, id, invitation_id, &meta)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Invitations waiting for me.
#[utoipa::path(get, path = "/api/v1/me/invitations", tag = "orgs", responses((status = 200, body = Vec<InvitationView>)))]
pub async fn my_invitations(
    State(identity): State<Identity>,
    AuthUser(actor): AuthUser,
) -> ApiResult<Json<Vec<InvitationView>>> {
    let list = identity.my_invitations(&actor).await?;
    Ok(Json(
        list.iter().map(invitation_view).collect::<Result<_, _>>()?,
    ))
}

/// Accept an invitation addressed to me.
#[utoipa::path(post, path = "/api/v1/invitations/{id}/accept", tag = "orgs", params(("id" = Uuid, Path)),
    responses((status = 200, body = AcceptedView), (status = 404)))]
pub async fn accept_invitation(
    State(identity): State<Identity>,
    AuthUser(actor): AuthUser,
    meta: RequestMeta,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<AcceptedView>> {
    let (org, role) = identity
        .respond_to_invitation(&actor, id, true, &meta)
        .await?
        .ok_or_else(|| {
            ApiError::internal(std::io::Error::other(
                "accepted invitation without organisation",
            ))
        })?;
    Ok(Json(AcceptedView {
        org: OrgView::of(&org, Some(role))?,
        role,
    }))
}

/// Decline an invitation addressed to me.
#[utoipa::path(post, path = "/api/v1/invitations/{id}/decline", tag = "orgs", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404)))]
pub async fn decline_invitation(
    State(identity): State<Identity>,
    AuthUser(actor): AuthUser,
    meta: RequestMeta,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    identity
        .respond_to_invitation(&actor, id, false, &meta)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------------------------------------
// Handlers: the operator

/// The verification queue and organisation directory (operator).
#[utoipa::path(get, path = "/api/v1/admin/orgs", tag = "admin", params(AdminOrgQuery),
    responses((status = 200, body = Paged<AdminOrgView>), (status = 403)))]
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
    let items = list
        .items
        .iter()
        .map(admin_org_view)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Json(Paged {
        items,
        total: list.total,
        limit: list.limit,
        offset: list.offset,
    }))
}

/// Verify an organisation (operator).
#[utoipa::path(post, path = "/api/v1/admin/orgs/{id}/verify", tag = "admin", params(("id" = Uuid, Path)),
    responses((status = 200, body = OrgView), (status = 403), (status = 409, description = "already verified")))]
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
    )?))
}

/// Reject an organisation with a reason the seller sees (operator).
#[utoipa::path(post, path = "/api/v1/admin/orgs/{id}/reject", tag = "admin", params(("id" = Uuid, Path)),
    request_body = RejectRequest, responses((status = 200, body = OrgView), (status = 403), (status = 409), (status = 422)))]
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
    )?))
}

/// An organisation's verification history (members and the operator).
#[utoipa::path(get, path = "/api/v1/orgs/{id}/history", tag = "orgs", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<ReviewView>), (status = 403)))]
pub async fn org_history(
    State(identity): State<Identity>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<OrgId>,
) -> ApiResult<Json<Vec<ReviewView>>> {
    let list = identity.org_history(&actor, id).await?;
    Ok(Json(
        list.iter().map(review_view).collect::<Result<_, _>>()?,
    ))
}

/// The audit log of privileged actions (operator).
#[utoipa::path(get, path = "/api/v1/admin/audit", tag = "admin", params(Page),
    responses((status = 200, body = Paged<AuditView>), (status = 403)))]
pub async fn audit_log(
    State(identity): State<Identity>,
    AuthUser(actor): AuthUser,
    ApiQuery(page): ApiQuery<Page>,
) -> ApiResult<Json<Paged<AuditView>>> {
    let list = identity.audit_log(&actor, page).await?;
    Ok(Json(list.map(|row| audit_view(&row))))
}

/// Accounts (operator).
#[utoipa::path(get, path = "/api/v1/admin/accounts", tag = "admin", params(AccountQuery),
    responses((status = 200, body = Paged<AccountView>), (status = 403)))]
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
    request_body = PlatformRoleRequest, responses((status = 200, body = AccountView), (status = 403), (status = 404)))]
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
    responses((status = 200, body = AccountView), (status = 403), (status = 404)))]
pub async fn disable_account(
    State(identity): State<Identity>,
    AuthUser(actor): AuthUser,
    meta: RequestMeta,
    ApiPath(id): ApiPath<AccountId>,
) -> ApiResult<Json<AccountView>> {
    let account = identity.disable_account(&actor, id, &meta).await?;
    Ok(Json(AccountView::of(&account, true)))
}

/// Every identity route, with its OpenAPI description.
pub fn router<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Identity: FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(register))
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(sessions))
        .routes(routes!(revoke_session))
        .routes(routes!(create_org))
        .routes(routes!(my_orgs))
        .routes(routes!(get_org, update_org))
        .routes(routes!(members))
        .routes(routes!(set_member_role, remove_member))
        .routes(routes!(invite, org_invitations))
        .routes(routes!(revoke_invitation))
        .routes(routes!(org_history))
        .routes(routes!(my_invitations))
        .routes(routes!(accept_invitation))
        .routes(routes!(decline_invitation))
        .routes(routes!(admin_orgs))
        .routes(routes!(verify_org))
        .routes(routes!(reject_org))
        .routes(routes!(audit_log))
        .routes(routes!(admin_accounts))
        .routes(routes!(set_platform_role))
        .routes(routes!(disable_account))
}
