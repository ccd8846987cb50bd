//! Log in with WeChat (see `service::wechat_login`): two browser navigations answered with
//! redirects, the binding's status, and unbinding. Errors on the way back from WeChat become
//! a redirect to the log-in page with `?wechat_error=<code>`, since a browser, not a client,
//! follows them.

use super::sessions::{logged_in, set_cookie, with_cookie};
use super::views::WechatStatusView;
use crate::auth::cookie;
use crate::auth::{AuthUser, MaybeAuthUser};
use crate::service::{TICKET_MINUTES, WechatReturn};
use crate::{Identity, IdentityError};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiError, ApiQuery, ApiResult, RequestMeta};
use rand::RngCore;
use serde::Deserialize;
use utoipa::IntoParams;

/// The state of one round trip through WeChat, with where to go after (path `/api/v1/auth/wechat`).
const STATE_COOKIE: &str = "fg_wxstate";
/// The ticket of a WeChat user back without a bound account (path `/api/v1/auth`, so the
/// phone-code log-in and registration receive it).
pub(super) const TICKET_COOKIE: &str = "fg_wxbind";
const LOGIN_PAGE: &str = "/login.html";

/// The cookie that clears the ticket, once a log-in redeemed it (or tried to).
fn clear_ticket(identity: &Identity) -> String {
    set_cookie(identity, TICKET_COOKIE, "", "/api/v1/auth", 0)
}

/// A log-in or registration that redeemed the ticket also clears its cookie.
pub(super) fn ticket_spent(
    identity: &Identity,
    mut r: Response,
    spent: bool,
) -> ApiResult<Response> {
    if spent {
        let v = HeaderValue::from_str(&clear_ticket(identity)).map_err(ApiError::internal)?;
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    Ok(r)
}

/// Where to go after logging in: a path on this site only (no scheme, no `//host`, no
/// backslash tricks, no control characters), else the home page.
fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n.starts_with("//")
                && !n.starts_with("/\\")
                && n.len() <= 300
                && !n.chars().any(|c| c.is_control() || c == '\\') =>
        {
            n.to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// Percent-encodes a path for a query parameter.
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A 303 See Other (what `Redirect::to` answers) setting these cookies, never cached.
fn redirect(to: &str, cookies: &[String]) -> ApiResult<Response> {
    let mut response = Redirect::to(to).into_response();
    for c in cookies {
        let v = HeaderValue::from_str(c).map_err(ApiError::internal)?;
        response.headers_mut().append(header::SET_COOKIE, v);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct WechatStart {
    /// Where to go once logged in: a path on this site (anything else: the home page).
    #[param(max_length = 300)]
    pub next: Option<String>,
}

/// Log in with WeChat, inside WeChat's browser: sends the browser to WeChat's web
/// authorisation (silent, `snsapi_base`), which returns to `GET /api/v1/auth/wechat/return`.
/// A random `state` goes with it and into a ten-minute HttpOnly cookie, so only this browser
/// can complete the round trip.
#[utoipa::path(get, path = "/api/v1/auth/wechat/start", tag = "auth", params(WechatStart),
    responses(
        (status = 303, description = "To WeChat's authorisation page"),
        (status = 400, description = "`invalid_query`", body = ErrorBody),
        (status = 404, description = "Log in with WeChat is not configured: `wechat_login_unavailable`", body = ErrorBody),
    ))]
pub async fn wechat_start(
    State(identity): State<Identity>,
    ApiQuery(q): ApiQuery<WechatStart>,
) -> ApiResult<Response> {
    if q.next.as_deref().is_some_and(|n| n.len() > 300) {
        return Err(ApiError::from(farmgate_infra::http::HttpCode::InvalidQuery));
    }
    let mut bytes = [0u8; 16];
    rand::rng().fill_bytes(&mut bytes);
    let state = hex::encode(bytes);
    let url = identity.wechat_authorize_url(&state)?;
    let next = safe_next(q.next.as_deref());
    let value = format!("{state}.{}", hex::encode(next.as_bytes()));
    let max_age = TICKET_MINUTES * 60;
    let cookie = set_cookie(
        &identity,
        STATE_COOKIE,
        &value,
        "/api/v1/auth/wechat",
        max_age,
    );
    redirect(&url, &[cookie])
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WechatReturnQuery {
    /// WeChat's one-time code (absent when the person declined).
    #[param(max_length = 128)]
    pub code: Option<String>,
    /// The state sent in `start`.
    #[param(max_length = 128)]
    pub state: Option<String>,
}

/// Where WeChat's web authorisation returns. A bound WeChat of an active account is logged in
/// (the session cookie is set) and goes to `next`; an unbound one gets a ten-minute ticket
/// cookie and goes to `/login.html?wechat=bind`, where a phone-code log-in or registration
/// with bind_wechat binds it. Anything else sends a browser to the log-in page with
/// wechat_error set to wechat_state (no round trip of this browser, or another state: never a
/// log-in), wechat_declined, wechat_snapshot (WeChat's snapshot page: open the page in full) or
/// the error's code; a client that asks for JSON (`Accept: application/json`) gets the error
/// itself instead.
#[utoipa::path(get, path = "/api/v1/auth/wechat/return", tag = "auth", params(WechatReturnQuery),
    responses(
        (status = 303, description = "Logged in and on to next; or to the log-in page to bind with a phone code, or with wechat_error"),
        (status = 400, description = "`invalid_query`", body = ErrorBody),
        (status = 403, description = "To a JSON client: the round trip was not started by this client, or the bound account is disabled: `wechat_state`, `account_disabled`", body = ErrorBody),
        (status = 404, description = "To a JSON client: log in with WeChat is not configured: `wechat_login_unavailable`", body = ErrorBody),
        (status = 422, description = "To a JSON client: WeChat refused the code (used, expired, declined, a snapshot-page user): `wechat_refused`", body = ErrorBody),
        (status = 503, description = "To a JSON client: WeChat could not be reached (see `Retry-After`): `wechat_unavailable`", body = ErrorBody),
    ))]
pub async fn wechat_return(
    State(identity): State<Identity>,
    meta: RequestMeta,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<WechatReturnQuery>,
) -> ApiResult<Response> {
    // WeChat's code and our state are short: anything longer is not from this round trip.
    if [&q.code, &q.state]
        .iter()
        .any(|v| v.as_deref().is_some_and(|v| v.len() > 128))
    {
        return Err(ApiError::from(farmgate_infra::http::HttpCode::InvalidQuery));
    }
    let clear_state = set_cookie(&identity, STATE_COOKIE, "", "/api/v1/auth/wechat", 0);
    let wants_json = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("application/json") && !a.contains("text/html"));
    // A browser goes back to the log-in page with what went wrong; a JSON client gets it.
    let fail = |page_code: &str, error: IdentityError| -> ApiResult<Response> {
        if wants_json {
            return Err(error.into());
        }
        redirect(
            &format!("{LOGIN_PAGE}?wechat_error={page_code}"),
            std::slice::from_ref(&clear_state),
        )
    };
    let Some((state, next)) = cookie(&headers, STATE_COOKIE).and_then(|v| {
        let (s, n) = v.split_once('.')?;
        let next = String::from_utf8(hex::decode(n).ok()?).ok()?;
        Some((s.to_owned(), next))
    }) else {
        return fail("wechat_state", IdentityError::WechatState);
    };
    let given = q.state.as_deref().unwrap_or("");
    if state.is_empty() || !constant_time_eq(given.as_bytes(), state.as_bytes()) {
        tracing::info!("WeChat return with a state this browser did not start");
        return fail("wechat_state", IdentityError::WechatState);
    }
    let Some(code) = q.code.as_deref().filter(|c| !c.is_empty()) else {
        return fail("wechat_declined", IdentityError::WechatRefused);
    };
    let next = safe_next(Some(&next));
    match identity.wechat_returned(code, &meta).await {
        Ok(WechatReturn::SignedIn { account, issued }) => {
            let mut r = logged_in(&identity, StatusCode::SEE_OTHER, &account, issued)?;
            let loc = HeaderValue::from_str(&next).map_err(ApiError::internal)?;
            r.headers_mut().insert(header::LOCATION, loc);
            let v = HeaderValue::from_str(&clear_state).map_err(ApiError::internal)?;
            r.headers_mut().append(header::SET_COOKIE, v);
            Ok(r)
        }
        Ok(WechatReturn::NeedsBinding { ticket }) => {
            let bind = set_cookie(
                &identity,
                TICKET_COOKIE,
                &ticket,
                "/api/v1/auth",
                TICKET_MINUTES * 60,
            );
            redirect(
                &format!("{LOGIN_PAGE}?wechat=bind&next={}", encode(&next)),
                &[clear_state.clone(), bind],
            )
        }
        Ok(WechatReturn::Snapshot) => fail("wechat_snapshot", IdentityError::WechatRefused),
        Err(e) => {
            if matches!(e, IdentityError::Db(_) | IdentityError::Cache(_)) {
                return Err(e.into());
            }
            let code = e.code();
            fail(code, e)
        }
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Is log in with WeChat offered, and is a WeChat bound to my account?
#[utoipa::path(get, path = "/api/v1/auth/wechat", tag = "auth",
    security((), ("bearer" = []), ("session_cookie" = [])),
    responses(
        (status = 200, description = "Offered or not; my binding when logged in", body = WechatStatusView),
    ))]
pub async fn wechat_status(
    State(identity): State<Identity>,
    MaybeAuthUser(actor): MaybeAuthUser,
) -> ApiResult<Json<WechatStatusView>> {
    let enabled = identity.wechat_login_enabled();
    let (bound, bound_at) = match actor {
        Some(a) => {
            let b = identity.wechat_binding(a.account_id).await?;
            (Some(b.is_some()), b.map(|b| b.bound_at))
        }
        None => (None, None),
    };
    Ok(Json(WechatStatusView {
        enabled,
        bound,
        bound_at,
    }))
}

/// Unbind my WeChat: it no longer logs me in (the next WeChat log-in asks for a phone code).
#[utoipa::path(delete, path = "/api/v1/auth/wechat", tag = "auth",
    responses(
        (status = 204, description = "Unbound"),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "A cookie write from another site: `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No WeChat is bound: `not_found`", body = ErrorBody),
    ))]
pub async fn wechat_unbind(
    State(identity): State<Identity>,
    AuthUser(actor): AuthUser,
    meta: RequestMeta,
) -> ApiResult<Response> {
    identity.unbind_wechat(actor.account_id, &meta).await?;
    with_cookie(StatusCode::NO_CONTENT, clear_ticket(&identity), ())
}

/// The ticket of the WeChat to bind with a log-in or registration that asked for it.
pub(super) fn ticket_for(bind: bool, headers: &HeaderMap) -> Result<Option<String>, IdentityError> {
    if !bind {
        return Ok(None);
    }
    cookie(headers, TICKET_COOKIE)
        .filter(|t| !t.is_empty())
        .map(Some)
        .ok_or(IdentityError::WechatBindExpired)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_is_a_path_on_this_site_or_home() {
        assert_eq!(
            safe_next(Some("/orders.html?tab=paid")),
            "/orders.html?tab=paid"
        );
        for bad in [
            "https://evil.example/",
            "//evil.example/x",
            "/\\evil.example",
            "javascript:alert(1)",
            "orders.html",
            "/a\nSet-Cookie: x=1",
            "",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
        assert_eq!(safe_next(Some(&format!("/{}", "a".repeat(400)))), "/");
    }

    #[test]
    fn a_cookie_is_read_by_its_exact_name() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("fg_wxbind2=no; fg_wxbind=yes; other=1"),
        );
        assert_eq!(cookie(&h, "fg_wxbind").as_deref(), Some("yes"));
        assert_eq!(cookie(&h, "fg_wxstate"), None);
    }

    #[test]
    fn encoding_keeps_paths_and_escapes_the_rest() {
        assert_eq!(encode("/order.html?id=1&x"), "/order.html%3Fid%3D1%26x");
    }

    #[test]
    fn states_compare_in_full() {
        assert!(constant_time_eq(b"abc", b"abc"));
        assert!(!constant_time_eq(b"abc", b"abd"));
        assert!(!constant_time_eq(b"ab", b"abc"));
    }
}
