//! Middleware shared by every route.

use super::codes::HttpCode;
use super::error::{ApiError, ErrorBody, ErrorDetail, RenderableError};
use super::extract::{control_character_in_query, control_characters_in, lang_of};
use super::listener::MAX_REQUEST_LINE_BYTES;
use crate::Metrics;
use axum::extract::{MatchedPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use farmgate_kernel::error::Lang;
use std::time::Instant;

pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// Marks a response whose body is an answer in someone else's protocol (a payment provider
/// reads `fail` or `{"code":"FAIL"}`, not our error shape): [`error_shape`] leaves it as it is.
#[derive(Clone, Copy, Debug)]
pub struct ForeignProtocol;

/// Renders every API error in the one shape, in the language the request asked for, with the
/// request id. Errors produced outside our handlers (router 404/405, body limit, timeout,
/// panic) arrive as bare statuses and are given the shape here.
pub async fn error_shape(req: Request, next: Next) -> Response {
    let lang = lang_of(req.headers());
    let is_api = req.uri().path().starts_with("/api/");
    let request_id = req
        .headers()
        .get(REQUEST_ID_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let resp = next.run(req).await;
    let status = resp.status();
    if (!status.is_client_error() && !status.is_server_error())
        || resp.extensions().get::<ForeignProtocol>().is_some()
    {
        return resp;
    }
    let body = if let Some(err) = resp.extensions().get::<RenderableError>() {
        err.body(lang, request_id.as_deref())
    } else {
        let is_json = resp
            .headers()
            .get(header::CONTENT_TYPE)
            .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
        if !is_api || is_json {
            return resp;
        }
        generic_body(status, lang, request_id)
    };
    let (mut parts, _) = resp.into_parts();
    if status == StatusCode::PAYLOAD_TOO_LARGE {
        // The rest of the oversized body was never read, so this connection cannot carry another
        // request: say so, or a client may reuse it and see its next request fail.
        parts
            .headers
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    // The new body is plain: whatever encoding the old one had no longer applies.
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.remove(header::CONTENT_ENCODING);
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    let bytes = serde_json::to_vec(&body).unwrap_or_default();
    Response::from_parts(parts, axum::body::Body::from(bytes))
}

fn generic_body(status: StatusCode, lang: Lang, request_id: Option<String>) -> ErrorBody {
    let code = match status {
        StatusCode::NOT_FOUND => HttpCode::NotFound,
        StatusCode::METHOD_NOT_ALLOWED => HttpCode::MethodNotAllowed,
        StatusCode::PAYLOAD_TOO_LARGE => HttpCode::PayloadTooLarge,
        StatusCode::REQUEST_TIMEOUT => HttpCode::Timeout,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => HttpCode::UnsupportedMediaType,
        StatusCode::UNAUTHORIZED => HttpCode::Unauthenticated,
        StatusCode::URI_TOO_LONG => HttpCode::UriTooLong,
        StatusCode::FORBIDDEN => HttpCode::Forbidden,
        s if s.is_server_error() => HttpCode::Internal,
        _ => HttpCode::BadRequest,
    };
    // A router 404 is about the endpoint, not a resource.
    let message = if code == HttpCode::NotFound {
        farmgate_kernel::Msg::new("接口不存在", "no such endpoint")
    } else {
        code.message()
    };
    let (code, zh, en) = (code.code(), message.zh, message.en);
    ErrorBody {
        error: ErrorDetail {
            code: code.to_owned(),
            message: match lang {
                Lang::Zh => zh,
                Lang::En => en,
            },
            fields: None,
            field_codes: None,
            request_id,
        },
    }
}

/// Counts requests and their durations by route template.
pub async fn track_metrics(State(metrics): State<Metrics>, req: Request, next: Next) -> Response {
    let start = Instant::now();
    let method = req.method().as_str().to_owned();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_else(|| {
            if req.uri().path().starts_with("/api/") {
                "unmatched".to_owned()
            } else {
                "static".to_owned()
            }
        });
    let resp = next.run(req).await;
    metrics.observe_http(
        &method,
        &route,
        resp.status().as_u16(),
        start.elapsed().as_secs_f64(),
    );
    resp
}

/// The content security policy of every answer: everything from this site only.
const CSP: &str = "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'";

/// The pages that load WeChat's JS-SDK inside WeChat's browser (`assets/js/wechat-sdk.js`:
/// share cards, address import). Only they may run a script from elsewhere, and only from
/// the SDK's own origin.
pub const WECHAT_SDK_PAGES: [&str; 4] = [
    "/listing.html",
    "/seller.html",
    "/checkout.html",
    "/account.html",
];

/// The pages rendered on the server whose share card WeChat's JS-SDK sets from their og:
/// tags (`assets/js/share-card.js`): the scan page `/t/{code}` and a news article
/// `/news/{id}` (issue #19), by the start of their path.
pub const WECHAT_SDK_PAGE_PREFIXES: [&str; 2] = ["/t/", "/news/"];

/// Whether the page at `path` may load WeChat's JS-SDK script.
pub fn loads_wechat_sdk(path: &str) -> bool {
    WECHAT_SDK_PAGES.contains(&path)
        || WECHAT_SDK_PAGE_PREFIXES
            .iter()
            .any(|p| path.strip_prefix(p).is_some_and(|rest| !rest.is_empty()))
}

/// [`CSP`] plus WeChat's JS-SDK script origin (`https://res.wx.qq.com/open/js/jweixin-1.6.0.js`).
const CSP_WITH_WECHAT_SDK: &str = "default-src 'self'; script-src 'self' https://res.wx.qq.com; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'";

/// Security headers for every response: pages are not framed, types are not sniffed, and the
/// referrer does not leak paths (trace codes, order ids) to other sites.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let csp = if loads_wechat_sdk(req.uri().path()) {
        CSP_WITH_WECHAT_SDK
    } else {
        CSP
    };
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(
        "x-content-type-options",
        HeaderValue::from_static("nosniff"),
    );
    h.insert("x-frame-options", HeaderValue::from_static("DENY"));
    h.insert("referrer-policy", HeaderValue::from_static("same-origin"));
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(csp),
        );
    }
    resp
}

/// `Strict-Transport-Security` on every answer (production mode, behind HTTPS): browsers that
/// once reached us over HTTPS never try plain HTTP again for a year, so nobody on the way can
/// strip TLS and read the session cookie.
pub async fn strict_transport_security(req: Request, next: Next) -> Response {
    let mut resp = next.run(req).await;
    resp.headers_mut().insert(
        header::STRICT_TRANSPORT_SECURITY,
        HeaderValue::from_static("max-age=31536000; includeSubDomains"),
    );
    resp
}

/// Refuses, for every route, what no handler should have to: an address over the limit
/// (`414 uri_too_long`; the first request of a connection is measured even earlier, by the
/// listener) and a control character in any query parameter (`400 control_characters`: a NUL
/// byte reached PostgreSQL and came back as a 500).
pub async fn check_request_line(req: Request, next: Next) -> Response {
    let uri_len = req.uri().path_and_query().map_or(0, |pq| pq.as_str().len());
    if uri_len > MAX_REQUEST_LINE_BYTES {
        return ApiError::from(HttpCode::UriTooLong).into_response();
    }
    if let Some(name) = req.uri().query().and_then(control_character_in_query) {
        return control_characters_in(&name).into_response();
    }
    next.run(req).await
}
