//! WeChat official-account web authorisation (网页授权), silent scope `snsapi_base`: how a page
//! opened in WeChat's browser learns the buyer's `openid` under our AppID, which a JSAPI
//! payment needs.
//!
//! 1. The browser is sent to
//!    `https://open.weixin.qq.com/connect/oauth2/authorize?appid=APPID&redirect_uri=URL&response_type=code&scope=snsapi_base&state=STATE#wechat_redirect`.
//!    With `snsapi_base` WeChat asks the buyer nothing and redirects at once to
//!    `URL?code=CODE&state=STATE` (the code works once, for five minutes).
//! 2. Our server exchanges it: `GET https://api.weixin.qq.com/sns/oauth2/access_token?appid=APPID&secret=SECRET&code=CODE&grant_type=authorization_code`
//!    answers `{"access_token","expires_in","refresh_token","openid","scope"}`, or
//!    `{"errcode":40029,"errmsg":"invalid code"}` (HTTP 200 either way).
//!
//! The AppSecret goes only to the API host, never into a URL a browser sees or a log line.

use super::super::{PayConfigError, PayError, wire};
use serde::Deserialize;
use std::time::Duration;

const PROVIDER: &str = "wechat";
pub const DEFAULT_AUTHORIZE_BASE: &str = "https://open.weixin.qq.com";
pub const DEFAULT_API_BASE: &str = "https://api.weixin.qq.com";

/// How to reach WeChat's web authorisation for one official account.
#[derive(Clone)]
pub struct OauthConfig {
    pub app_id: String,
    /// The official account's AppSecret (公众号开发者密码).
    pub app_secret: String,
    /// Unset: [`DEFAULT_AUTHORIZE_BASE`]. Tests point it at a simulator.
    pub authorize_base: Option<String>,
    /// Unset: [`DEFAULT_API_BASE`].
    pub api_base: Option<String>,
    pub timeout: Duration,
}

impl std::fmt::Debug for OauthConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OauthConfig")
            .field("app_id", &self.app_id)
            .field("app_secret", &"***")
            .field("authorize_base", &self.authorize_base)
            .field("api_base", &self.api_base)
            .finish_non_exhaustive()
    }
}

/// The web authorisation of one official account.
#[derive(Clone)]
pub struct WechatOauthClient {
    app_id: String,
    app_secret: String,
    authorize_base: reqwest::Url,
    api_base: reqwest::Url,
    client: reqwest::Client,
}

impl std::fmt::Debug for WechatOauthClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WechatOauthClient")
            .field("app_id", &self.app_id)
            .field("authorize_base", &self.authorize_base.as_str())
            .field("api_base", &self.api_base.as_str())
            .finish_non_exhaustive()
    }
}

impl WechatOauthClient {
    pub fn new(config: OauthConfig) -> Result<Self, PayConfigError> {
        if config.app_id.trim().is_empty() {
            return Err(PayConfigError::Missing("wechat.app_id"));
        }
        if config.app_secret.trim().is_empty() {
            return Err(PayConfigError::Missing("wechat.app_secret"));
        }
        let authorize_base = wire::checked_url(
            config
                .authorize_base
                .as_deref()
                .unwrap_or(DEFAULT_AUTHORIZE_BASE),
            "wechat.oauth_base_url",
            false,
        )?;
        let api_base = wire::checked_url(
            config.api_base.as_deref().unwrap_or(DEFAULT_API_BASE),
            "wechat.api_base_url",
            false,
        )?;
        Ok(Self {
            app_id: config.app_id,
            app_secret: config.app_secret,
            authorize_base,
            api_base,
            client: wire::http_client(config.timeout)?,
        })
    }

    pub fn app_id(&self) -> &str {
        &self.app_id
    }

    /// Where to send the buyer's browser: WeChat comes back to `redirect_uri` with
    /// `?code=…&state=…`.
    pub fn authorize_url(&self, redirect_uri: &str, state: &str) -> String {
        let mut url = self.authorize_base.clone();
        url.set_path("/connect/oauth2/authorize");
        url.query_pairs_mut()
            .append_pair("appid", &self.app_id)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("response_type", "code")
            .append_pair("scope", "snsapi_base")
            .append_pair("state", state);
        url.set_fragment(Some("wechat_redirect"));
        url.to_string()
    }

    /// Exchanges the code WeChat gave the browser for the buyer's openid.
    pub async fn openid(&self, code: &str) -> Result<String, PayError> {
        Ok(self.user(code).await?.openid)
    }

    /// Exchanges the code WeChat gave the browser for who the person is under this app: the
    /// openid, the unionid when WeChat tells it, and whether WeChat answered for a
    /// "snapshot page" virtual user (`is_snapshotuser: 1`: someone browsing a shared page who
    /// has not authorised; its openid is not a person and must never be bound or trusted).
    #[tracing::instrument(skip_all, fields(pay.provider = PROVIDER))]
    pub async fn user(&self, code: &str) -> Result<OauthUser, PayError> {
        if code.is_empty() || code.len() > 128 || !code.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(PayError::Request {
                provider: PROVIDER,
                what: "the authorisation code is malformed".into(),
            });
        }
        let mut url = self.api_base.clone();
        url.set_path("/sns/oauth2/access_token");
        url.query_pairs_mut()
            .append_pair("appid", &self.app_id)
            .append_pair("secret", &self.app_secret)
            .append_pair("code", code)
            .append_pair("grant_type", "authorization_code");
        let bytes = wire::get_ok(&self.client, url, PROVIDER, "the authorisation API").await?;
        #[derive(Deserialize)]
        struct Answer {
            openid: Option<String>,
            unionid: Option<String>,
            is_snapshotuser: Option<i64>,
            errcode: Option<i64>,
            errmsg: Option<String>,
        }
        let a: Answer = serde_json::from_slice(&bytes).map_err(|_| PayError::Malformed {
            provider: PROVIDER,
            what: "authorisation answer".into(),
        })?;
        match (a.openid, a.errcode) {
            (Some(openid), None | Some(0)) if wechat_id(&openid) => Ok(OauthUser {
                openid,
                // A malformed unionid is dropped rather than trusted.
                unionid: a.unionid.filter(|u| wechat_id(u)),
                snapshot: a.is_snapshotuser == Some(1),
            }),
            (_, Some(code)) if code != 0 => Err(PayError::Rejected {
                provider: PROVIDER,
                // WeChat refuses with an errcode inside a 200 answer (get_ok refused others).
                status: 200,
                code: code.to_string(),
                message: wire::clip(&a.errmsg.unwrap_or_default()),
            }),
            _ => Err(PayError::Malformed {
                provider: PROVIDER,
                what: "authorisation answer without an openid".into(),
            }),
        }
    }
}

/// An openid or unionid as WeChat forms them: 1–128 of `[A-Za-z0-9_-]`.
fn wechat_id(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 128
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Who web authorisation says the person is, under one app.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OauthUser {
    pub openid: String,
    pub unionid: Option<String>,
    /// WeChat's snapshot-page virtual user (`is_snapshotuser: 1`).
    pub snapshot: bool,
}

#[cfg(test)]
#[expect(clippy::expect_used, reason = "a failed setup is a failed test")]
mod tests {
    use super::*;

    #[test]
    fn the_authorize_url_is_the_documented_one_and_carries_no_secret() {
        let c = WechatOauthClient::new(OauthConfig {
            app_id: "wx123".into(),
            app_secret: "s3cret-s3cret".into(),
            authorize_base: None,
            api_base: None,
            timeout: Duration::from_secs(5),
        })
        .expect("client");
        let url = c.authorize_url("https://shop.example/api/v1/payments/wechat/oauth", "st");
        assert!(url.starts_with("https://open.weixin.qq.com/connect/oauth2/authorize?appid=wx123&redirect_uri=https%3A%2F%2Fshop.example%2Fapi%2Fv1%2Fpayments%2Fwechat%2Foauth&response_type=code&scope=snsapi_base&state=st#wechat_redirect"), "{url}");
        assert!(!url.contains("s3cret"));
        assert!(!format!("{c:?}").contains("s3cret"));
    }

    #[test]
    fn an_oauth_client_needs_its_secret() {
        let e = WechatOauthClient::new(OauthConfig {
            app_id: "wx123".into(),
            app_secret: " ".into(),
            authorize_base: None,
            api_base: None,
            timeout: Duration::from_secs(5),
        });
        assert!(matches!(
            e,
            Err(PayConfigError::Missing("wechat.app_secret"))
        ));
    }
}
