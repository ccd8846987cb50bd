//! Handlers: registering, logging in and out, who am I, my sessions. The session token is set
//! as an HttpOnly cookie for pages and returned in the body for other clients.

use super::views::{
    AccountView, AuthView, LoginRequest, MeView, MembershipView, OrgView, RegisterRequest,
    SessionIssuedView, SessionView,
};
use crate::auth::{AuthUser, SESSION_COOKIE};
use crate::domain::{NewAccount, SessionId};
use crate::service::IssuedSession;
use crate::{Identity, IdentityError};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiError, ApiJson, ApiPath, ApiResult, RequestMeta};

/// An HttpOnly, SameSite=Lax cookie of ours (`Secure` behind HTTPS); `max_age` 0 clears it.
pub(super) fn set_cookie(
    identity: &Identity,
    name: &str,
    value: &str,
    path: &str,
    max_age: i64,
) -> String {
    let secure = if identity.config().cookie_secure {
        "; Secure"
    } else {
        ""
    };
    format!("{name}={value}; Path={path}; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")
}

fn session_cookie(identity: &Identity, issued: &IssuedSession) -> String {
    let max_age = (issued.expires_at - identity.infra().clock.now())
        .num_seconds()
        .max(0);
    set_cookie(identity, SESSION_COOKIE, &issued.token, "/", max_age)
}

pub(super) fn clear_cookie(identity: &Identity) -> String {
    set_cookie(identity, SESSION_COOKIE, "", "/", 0)
}

pub(super) fn with_cookie(
    status: StatusCode,
    cookie: String,
    body: impl IntoResponse,
) -> ApiResult<Response> {
    let mut headers = HeaderMap::new();
    let value = HeaderValue::from_str(&cookie).map_err(ApiError::internal)?;
    headers.insert(header::SET_COOKIE, value);
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok((status, headers, body).into_response())
}

fn issued_view(issued: IssuedSession) -> SessionIssuedView {
    SessionIssuedView {
        token: issued.token,
        expires_at: issued.expires_at,
    }
}

/// Register with a phone proven by a code, and log in.
///
/// Ask for the code first (`POST /api/v1/auth/codes`, purpose `register`). A phone that already
/// has an account answers `phone_registered` — only after the code proved the caller holds it.
#[utoipa::path(post, path = "/api/v1/auth/register", tag = "auth", request_body = RegisterRequest,
    responses(
        (status = 201, description = "Registered and logged in; the session cookie is set", body = AuthView),
        (status = 400, description = "Unreadable body: `malformed_json`", body = ErrorBody),
        (status = 409, description = "The proven phone already has an account, or (with bind_wechat) no live WeChat ticket, or the WeChat is bound to another account: `phone_registered`, `wechat_bind_expired`, `wechat_already_bound`", body = ErrorBody),
        (status = 422, description = "Invalid fields (a weak *password* has the field code too_common), a wrong or dead code: `validation_failed`, `invalid_code`, `code_expired`", body = ErrorBody),
        (status = 429, description = "Too many registrations from this address (see `Retry-After`): `too_many_attempts`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody),
        (status = 503, description = "Password hashing is saturated, or the cache is down (see `Retry-After`): `server_busy`, `unavailable`", body = ErrorBody),
    ))]
pub async fn register(
    State(identity): State<Identity>,
    meta: RequestMeta,
    headers: HeaderMap,
    ApiJson(req): ApiJson<RegisterRequest>,
) -> ApiResult<Response> {
    let input = NewAccount::parse(&req.display_name, &req.phone, &req.password)
        .map_err(IdentityError::from)?;
    let ticket = super::wechat::ticket_for(req.bind_wechat, &headers)?;
    let (account, issued) = identity
        .register(input, &req.code, ticket.as_deref(), &meta)
        .await?;
    let r = logged_in(&identity, StatusCode::CREATED, &account, issued)?;
    super::wechat::ticket_spent(&identity, r, ticket.is_some())
}

/// The answer of every way to log in: the account, the session, the cookie.
pub(super) fn logged_in(
    identity: &Identity,
    status: StatusCode,
    account: &crate::store::account::Model,
    issued: IssuedSession,
) -> ApiResult<Response> {
    let cookie = session_cookie(identity, &issued);
    let body = AuthView {
        account: AccountView::of(account, true),
        session: issued_view(issued),
    };
    with_cookie(status, cookie, Json(body))
}

/// Log in with a phone number (or an older account's e-mail address) and password.
///
/// Attempts are limited per (login, address), per login from anywhere (then password log-in
/// pauses for the account: its owner logs in with a code), and per address.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses(
        (status = 200, description = "Logged in; the session cookie is set", body = AuthView),
        (status = 400, description = "Unreadable body: `malformed_json`", body = ErrorBody),
        (status = 401, description = "Wrong login or password: `invalid_credentials`", body = ErrorBody),
        (status = 403, description = "The account is disabled: `account_disabled`", body = ErrorBody),
        (status = 422, description = "Invalid fields: `validation_failed`", body = ErrorBody),
        (status = 429, description = "Too many attempts (see `Retry-After`): `too_many_attempts`, `password_login_paused`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody),
        (status = 503, description = "The database is out of reach (see `Retry-After`), or hashing is saturated: `unavailable`, `server_busy`", body = ErrorBody),
    ))]
pub async fn login(
    State(identity): State<Identity>,
    meta: RequestMeta,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<Response> {
    if req.password.len() > 1024 {
        return Err(IdentityError::InvalidCredentials.into());
    }
    let (account, issued) = identity.login(&req.login, &req.password, &meta).await?;
    logged_in(&identity, StatusCode::OK, &account, issued)
}

/// End this session.
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "auth",
    responses(
        (status = 204, description = "Logged out; the cookie is cleared (the revocation holds even when the session cache is down)"),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "A cookie write from another site: `cross_site_request`", body = ErrorBody),
    ))]
pub async fn logout(
    State(identity): State<Identity>,
    AuthUser(actor): AuthUser,
) -> ApiResult<Response> {
    identity.logout(&actor).await?;
    with_cookie(StatusCode::NO_CONTENT, clear_cookie(&identity), ())
}

/// Who am I, and which organisations do I belong to?
#[utoipa::path(get, path = "/api/v1/auth/me", tag = "auth",
    responses(
        (status = 200, description = "My account and memberships", body = MeView),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
    ))]
pub async fn me(
    State(identity): State<Identity>,
    AuthUser(actor): AuthUser,
) -> ApiResult<Json<MeView>> {
    let account = identity.account(actor.account_id).await?;
    let memberships = identity
        .memberships(&actor)
        .await?
        .iter()
        .map(|(m, o)| MembershipView {
            org: OrgView::of(o, Some(m.role)),
            role: m.role,
        })
        .collect();
    Ok(Json(MeView {
        account: AccountView::of(&account, true),
        memberships,
    }))
}

/// My live sessions (devices).
#[utoipa::path(get, path = "/api/v1/auth/sessions", tag = "auth",
    responses(
        (status = 200, description = "My live sessions, newest first", body = Vec<SessionView>),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
    ))]
pub async fn sessions(
    State(identity): State<Identity>,
    AuthUser(actor): AuthUser,
) -> ApiResult<Json<Vec<SessionView>>> {
    let list = identity.sessions(&actor).await?;
    Ok(Json(
        list.iter()
            .map(|s| SessionView::of(s, actor.session_id))
            .collect(),
    ))
}

/// End one of my sessions (e.g. a lost phone).
#[utoipa::path(delete, path = "/api/v1/auth/sessions/{id}", tag = "auth", params(("id" = Uuid, Path)),
    responses(
        (status = 204, description = "The session is ended"),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "A cookie write from another site: `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such session of mine: `not_found`", body = ErrorBody),
    ))]
pub async fn revoke_session(
    State(identity): State<Identity>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<SessionId>,
) -> ApiResult<StatusCode> {
    identity.revoke_session(&actor, id).await?;
    Ok(StatusCode::NO_CONTENT)
}
