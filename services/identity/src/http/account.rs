//! Handlers: phone codes, logging in by code, resetting and setting a password, and one's own
//! account (profile, password, phone, data download, erasure).

use super::sessions::{clear_cookie, logged_in, with_cookie};
use super::views::{
    AccountView, AuthView, ChangePasswordRequest, ChangePhoneRequest, CodeLoginRequest,
    CodeRequest, CodeSentView, EraseRequest, ProfileRequest, ResetPasswordRequest, SetupRequest,
};
use crate::Identity;
use crate::auth::{AuthUser, MaybeAuthUser};
use crate::service::ProfilePatch;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiJson, ApiResult, RequestMeta};

/// Send a one-time code to a phone.
///
/// The answer is the same whether or not the phone has an account. Limits: one code per phone
/// per minute, a few per hour and per day, so many per client address per hour, and a daily
/// ceiling for the platform. Purposes `change_phone`, `accept_invitation` and `bank_account`
/// need a session; `accept_invitation` and `bank_account` codes go to one's own phone only.
#[utoipa::path(post, path = "/api/v1/auth/codes", tag = "auth", request_body = CodeRequest,
    // Anyone may ask for a registration, log-in or reset code; the other purposes need a session.
    security((), ("bearer" = []), ("session_cookie" = [])),
    responses(
        (status = 202, description = "A code is on its way (valid 5 minutes, 5 tries)", body = CodeSentView),
        (status = 400, description = "Unreadable body: `malformed_json`", body = ErrorBody),
        (status = 401, description = "This purpose needs a session: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "A cookie write from another site, or an invitation or bank-account code for a phone not one's own: `cross_site_request`, `forbidden`", body = ErrorBody),
        (status = 422, description = "Not a mainland mobile number, or one that cannot receive messages: `validation_failed`, `sms_undeliverable`", body = ErrorBody),
        (status = 429, description = "Asked again too soon, or too often (see `Retry-After`): `resend_too_soon`, `too_many_codes`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody),
        (status = 503, description = "The text-message provider or the cache is down (see `Retry-After`): `sms_unavailable`, `unavailable`", body = ErrorBody),
    ))]
pub async fn send_code(
    State(identity): State<Identity>,
    MaybeAuthUser(actor): MaybeAuthUser,
    meta: RequestMeta,
    ApiJson(req): ApiJson<CodeRequest>,
) -> ApiResult<(StatusCode, Json<CodeSentView>)> {
    let sent = identity
        .send_code(&req.phone, req.purpose, actor.as_ref(), &meta)
        .await?;
    Ok((
        StatusCode::ACCEPTED,
        Json(CodeSentView {
            phone: sent.phone_masked,
            expires_in_secs: sent.expires_in_secs,
            resend_after_secs: sent.resend_after_secs,
        }),
    ))
}

/// Log in with a code sent to the phone (purpose `login`).
///
/// Works while password log-in is paused for the account, and verifies the phone of an
/// account made before codes existed.
#[utoipa::path(post, path = "/api/v1/auth/login/code", tag = "auth", request_body = CodeLoginRequest,
    responses(
        (status = 200, description = "Logged in; the session cookie is set", body = AuthView),
        (status = 400, description = "Unreadable body: `malformed_json`", body = ErrorBody),
        (status = 403, description = "The account is disabled: `account_disabled`", body = ErrorBody),
        (status = 404, description = "The proven phone has no account: `no_account`", body = ErrorBody),
        (status = 409, description = "With bind_wechat: no live WeChat ticket in this browser, the WeChat is bound to another account, or this account has another WeChat: `wechat_bind_expired`, `wechat_already_bound`, `account_has_wechat` (nothing is bound and no session starts)", body = ErrorBody),
        (status = 422, description = "A wrong or dead code: `validation_failed`, `invalid_code`, `code_expired`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody),
        (status = 503, description = "The cache is down: `unavailable`", body = ErrorBody),
    ))]
pub async fn login_with_code(
    State(identity): State<Identity>,
    meta: RequestMeta,
    headers: HeaderMap,
    ApiJson(req): ApiJson<CodeLoginRequest>,
) -> ApiResult<Response> {
    let ticket = super::wechat::ticket_for(req.bind_wechat, &headers)?;
    let (account, issued) = identity
        .login_with_code(&req.phone, &req.code, ticket.as_deref(), &meta)
        .await?;
    let r = logged_in(&identity, StatusCode::OK, &account, issued)?;
    super::wechat::ticket_spent(&identity, r, ticket.is_some())
}

/// Forgot the password: set a new one with a code sent to the phone (purpose
/// `reset_password`). Every session of the account ends; a new one starts.
#[utoipa::path(post, path = "/api/v1/auth/password/reset", tag = "auth", request_body = ResetPasswordRequest,
    responses(
        (status = 200, description = "The new password is set and you are logged in", body = AuthView),
        (status = 400, description = "Unreadable body: `malformed_json`", body = ErrorBody),
        (status = 403, description = "The account is disabled: `account_disabled`", body = ErrorBody),
        (status = 404, description = "The proven phone has no account: `no_account`", body = ErrorBody),
        (status = 422, description = "A weak password, a wrong or dead code: `validation_failed`, `invalid_code`, `code_expired`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody),
        (status = 503, description = "Hashing is saturated, or the cache is down: `server_busy`, `unavailable`", body = ErrorBody),
    ))]
pub async fn reset_password(
    State(identity): State<Identity>,
    meta: RequestMeta,
    ApiJson(req): ApiJson<ResetPasswordRequest>,
) -> ApiResult<Response> {
    let (account, issued) = identity
        .reset_password(&req.phone, &req.code, &req.password, &meta)
        .await?;
    logged_in(&identity, StatusCode::OK, &account, issued)
}

/// Set the first password with a one-time setup link (`farmgate admin create-operator`).
#[utoipa::path(post, path = "/api/v1/auth/setup", tag = "auth", request_body = SetupRequest,
    responses(
        (status = 200, description = "The password is set and you are logged in", body = AuthView),
        (status = 400, description = "Unreadable body: `malformed_json`", body = ErrorBody),
        (status = 404, description = "The link is unknown, used or expired: `not_found`", body = ErrorBody),
        (status = 422, description = "A weak password: `validation_failed`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody),
        (status = 503, description = "Hashing is saturated: `server_busy`", body = ErrorBody),
    ))]
pub async fn use_setup_link(
    State(identity): State<Identity>,
    meta: RequestMeta,
    ApiJson(req): ApiJson<SetupRequest>,
) -> ApiResult<Response> {
    let (account, issued) = identity
        .use_setup_link(&req.token, &req.password, &meta)
        .await?;
    logged_in(&identity, StatusCode::OK, &account, issued)
}

/// Edit my name and contact e-mail.
#[utoipa::path(patch, path = "/api/v1/me/account", tag = "auth", request_body = ProfileRequest,
    responses(
        (status = 200, description = "My account as it is now", body = AccountView),
        (status = 400, description = "Unreadable body: `malformed_json`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "A cookie write from another site: `cross_site_request`", body = ErrorBody),
        (status = 409, description = "The e-mail is another account's: `conflict`", body = ErrorBody),
        (status = 422, description = "Invalid fields: `validation_failed`", body = ErrorBody),
    ))]
pub async fn update_profile(
    State(identity): State<Identity>,
    AuthUser(actor): AuthUser,
    meta: RequestMeta,
    ApiJson(req): ApiJson<ProfileRequest>,
) -> ApiResult<Json<AccountView>> {
    let patch = ProfilePatch {
        display_name: req.display_name,
        email: req.email,
    };
    let account = identity.update_profile(&actor, patch, &meta).await?;
    Ok(Json(AccountView::of(&account, true)))
}

/// Change my password (with the current one). Every other session ends.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "auth", request_body = ChangePasswordRequest,
    responses(
        (status = 204, description = "Changed; my other devices are logged out"),
        (status = 400, description = "Unreadable body: `malformed_json`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "A cookie write from another site: `cross_site_request`", body = ErrorBody),
        (status = 422, description = "The current password is wrong, or the new one weak: `wrong_password`, `validation_failed`", body = ErrorBody),
        (status = 429, description = "Too many wrong passwords (see `Retry-After`): `password_login_paused`", body = ErrorBody),
        (status = 503, description = "Hashing is saturated, or the cache is down: `server_busy`, `unavailable`", body = ErrorBody),
    ))]
pub async fn change_password(
    State(identity): State<Identity>,
    AuthUser(actor): AuthUser,
    meta: RequestMeta,
    ApiJson(req): ApiJson<ChangePasswordRequest>,
) -> ApiResult<StatusCode> {
    identity
        .change_password(&actor, &req.current_password, &req.new_password, &meta)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Move my account to a new phone, or verify the current one, with a code sent to that phone
/// (purpose `change_phone`) and my current password. A move ends every other session.
#[utoipa::path(post, path = "/api/v1/me/phone", tag = "auth", request_body = ChangePhoneRequest,
    responses(
        (status = 200, description = "My account with its (verified) phone", body = AccountView),
        (status = 400, description = "Unreadable body: `malformed_json`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "A cookie write from another site: `cross_site_request`", body = ErrorBody),
        (status = 409, description = "The proven phone has another account: `phone_registered`", body = ErrorBody),
        (status = 422, description = "A wrong password or code: `wrong_password`, `invalid_code`, `code_expired`, `validation_failed`", body = ErrorBody),
        (status = 429, description = "Too many wrong passwords (see `Retry-After`): `password_login_paused`", body = ErrorBody),
        (status = 503, description = "Hashing is saturated, or the cache is down: `server_busy`, `unavailable`", body = ErrorBody),
    ))]
pub async fn change_phone(
    State(identity): State<Identity>,
    AuthUser(actor): AuthUser,
    meta: RequestMeta,
    ApiJson(req): ApiJson<ChangePhoneRequest>,
) -> ApiResult<Json<AccountView>> {
    let account = identity
        .change_phone(&actor, &req.phone, &req.code, &req.current_password, &meta)
        .await?;
    Ok(Json(AccountView::of(&account, true)))
}

/// Download everything the platform holds about me, as one JSON file: the account, sessions,
/// memberships, invitations, codes sent (never the codes) and audit entries; under `orders`
/// my addresses and orders (lines, parcels, payments, refunds, my reviews); under
/// `aftersales` my claims and the recall notices sent to me.
#[utoipa::path(get, path = "/api/v1/me/export", tag = "auth",
    responses(
        (status = 200, description = "My data, as a JSON file to save", body = Object),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
    ))]
pub async fn export_my_data(
    State(identity): State<Identity>,
    AuthUser(actor): AuthUser,
    meta: RequestMeta,
) -> ApiResult<Response> {
    let data = identity.export_my_data(&actor, &meta).await?;
    let mut headers = HeaderMap::new();
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(
        header::CONTENT_DISPOSITION,
        HeaderValue::from_static("attachment; filename=\"farmgate-my-data.json\""),
    );
    Ok((StatusCode::OK, headers, Json(data)).into_response())
}

/// Erase my account (with my password): sessions end, name, phone, e-mail and password are
/// erased, the row stays for the records the law requires. Orders still open are delivered
/// and refunded as usual.
#[utoipa::path(post, path = "/api/v1/me/erase", tag = "auth", request_body = EraseRequest,
    responses(
        (status = 204, description = "Erased; the cookie is cleared"),
        (status = 400, description = "Unreadable body: `malformed_json`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "A cookie write from another site: `cross_site_request`, `read_only`", body = ErrorBody),
        (status = 409, description = "The last owner of an organisation, or platform staff: `last_owner`, `staff_cannot_erase`", body = ErrorBody),
        (status = 422, description = "The password is wrong: `wrong_password`", body = ErrorBody),
        (status = 429, description = "Too many wrong passwords (see `Retry-After`): `password_login_paused`", body = ErrorBody),
        (status = 503, description = "Hashing is saturated, or the cache is down: `server_busy`, `unavailable`", body = ErrorBody),
    ))]
pub async fn erase_account(
    State(identity): State<Identity>,
    AuthUser(actor): AuthUser,
    meta: RequestMeta,
    ApiJson(req): ApiJson<EraseRequest>,
) -> ApiResult<Response> {
    identity
        .erase_account(&actor, &req.current_password, &meta)
        .await?;
    with_cookie(StatusCode::NO_CONTENT, clear_cookie(&identity), ())
}
