//! The WeChat JS-SDK configuration of a page (see `service::wechat_js`).

use crate::Identity;
use crate::service::JS_API_LIST;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiQuery, ApiResult, ClientIp};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct JsConfigQuery {
    /// The page's own address (`location.href`); its `#fragment` is not signed. A page of
    /// this site only.
    #[param(max_length = 2048)]
    pub url: String,
}

/// What the page passes to `wx.config` (with `debug: false`, `jsApiList: js_api_list`).
#[derive(Debug, Serialize, ToSchema)]
pub struct JsConfigView {
    /// The official account's AppID (`appId`).
    pub app_id: String,
    /// Unix seconds (`timestamp`).
    pub timestamp: i64,
    /// `nonceStr`.
    pub nonce_str: String,
    /// `signature`: SHA-1 of `jsapi_ticket=…&noncestr=…&timestamp=…&url=…`, lower-case hex.
    pub signature: String,
    /// The JS-SDK functions the page may call: `updateAppMessageShareData`,
    /// `updateTimelineShareData`, `openAddress`.
    pub js_api_list: Vec<String>,
}

/// The WeChat JS-SDK configuration of one of this site's pages, for `wx.config` inside
/// WeChat's browser: the official account's AppID, a timestamp, a nonce and their signature
/// with the account's JS-SDK ticket (fetched from WeChat once and shared by every replica
/// until shortly before it expires). No log-in needed; each client address may ask 60 times
/// a minute (the setting wechat_js_per_address_per_minute). Never cached.
#[utoipa::path(get, path = "/api/v1/wechat/js-config", tag = "auth", params(JsConfigQuery),
    responses(
        (status = 200, description = "The signed configuration", body = JsConfigView),
        (status = 400, description = "No url, or an unknown parameter: `invalid_query`", body = ErrorBody),
        (status = 404, description = "The JS-SDK is not configured (no official account): `wechat_js_unavailable`", body = ErrorBody),
        (status = 422, description = "The url is not signed: `validation_failed`, its field code foreign_origin (not a page of this site), too_long (over 2,048 characters) or invalid (not an absolute http(s) address, or credentials, spaces or control characters in it)", body = ErrorBody),
        (status = 429, description = "This client address used its allowance for this minute (60 by default, the setting wechat_js_per_address_per_minute; see `Retry-After`): `too_many_attempts`", body = ErrorBody),
        (status = 503, description = "WeChat could not be reached, or refused the account's credentials, or the cache is down (see `Retry-After`): `wechat_unavailable`, `unavailable`", body = ErrorBody),
    ))]
pub async fn wechat_js_config(
    State(identity): State<Identity>,
    ClientIp(ip): ClientIp,
    ApiQuery(q): ApiQuery<JsConfigQuery>,
) -> ApiResult<Response> {
    let c = identity.wechat_js_config(&q.url, ip).await?;
    let mut response = Json(JsConfigView {
        app_id: c.app_id,
        timestamp: c.timestamp,
        nonce_str: c.nonce_str,
        signature: c.signature,
        js_api_list: JS_API_LIST.iter().map(|s| (*s).to_owned()).collect(),
    })
    .into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}
