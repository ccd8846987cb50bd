//! WeChat JS-SDK configuration for the site's pages inside WeChat's browser (share cards,
//! address import): [`Identity::wechat_js_config`] signs a page of this site with the
//! official account's JS-SDK ticket ([`farmgate_infra::pay::wechat::jssdk`]). Anyone may ask
//! (a page asks before anyone logs in), so each client address gets
//! [`WechatJsConfig::per_address_per_minute`] answers a minute, counted in the shared cache like the
//! other public limits; and only pages of our own `public_url` are signed, so another site
//! cannot borrow our official account.

use crate::Identity;
use crate::error::{IdentityError, Result};
use farmgate_infra::pay::wechat::jssdk::{self, PageUrlProblem, WechatJssdk};
use farmgate_kernel::FieldError;
use rand::Rng;
use std::net::IpAddr;
use std::time::Duration;

/// What a page may call after `wx.config`.
pub const JS_API_LIST: [&str; 3] = [
    "updateAppMessageShareData",
    "updateTimelineShareData",
    "openAddress",
];

/// The JS-SDK's settings: the official account's SDK and the site whose pages it signs.
#[derive(Clone, Debug)]
pub struct WechatJsConfig {
    pub sdk: WechatJssdk,
    /// The site's public URL (`public_url`): only pages of its origin are signed.
    pub site: String,
    /// Configurations one client address may ask for per minute (the setting
    /// `wechat_js_per_address_per_minute`, 60 by default).
    pub per_address_per_minute: u32,
}

/// What `wx.config` needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsConfig {
    pub app_id: String,
    pub timestamp: i64,
    pub nonce_str: String,
    pub signature: String,
}

fn nonce() -> String {
    const CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut rng = rand::rng();
    (0..16)
        .map(|_| char::from(CHARS[rng.random_range(0..CHARS.len())]))
        .collect()
}

fn url_error(problem: PageUrlProblem) -> IdentityError {
    let (code, zh, en) = match problem {
        PageUrlProblem::TooLong => ("too_long", "网页地址过长", "the page address is too long"),
        PageUrlProblem::Invalid => ("invalid", "不是有效的网页地址", "not a valid page address"),
        PageUrlProblem::ForeignOrigin => (
            "foreign_origin",
            "只能为本站的网页签名",
            "only this site's pages are signed",
        ),
    };
    IdentityError::field(FieldError::new("url", code, zh, en))
}

impl Identity {
    /// Whether the JS-SDK is offered (an official account is configured).
    pub fn wechat_js_enabled(&self) -> bool {
        self.config().wechat_js.is_some()
    }

    /// The signed `wx.config` of the page at `url` (its `#fragment` is not signed).
    #[tracing::instrument(skip_all)]
    pub async fn wechat_js_config(&self, url: &str, ip: Option<IpAddr>) -> Result<JsConfig> {
        let js = self
            .config()
            .wechat_js
            .as_ref()
            .ok_or(IdentityError::WechatJsUnavailable)?;
        if let Some(ip) = ip {
            let c = self
                .infra()
                .cache
                .incr(&format!("wechatjs:ip:{ip}"), 1, Duration::from_secs(60))
                .await?;
            if c.value > i64::from(js.per_address_per_minute.max(1)) {
                return Err(IdentityError::TooManyAttempts {
                    retry_after_secs: c.expires_in.as_secs().max(1),
                });
            }
        }
        let page = jssdk::page_url(url, &js.site).map_err(url_error)?;
        let ticket = js.sdk.ticket().await.map_err(|e| {
            tracing::error!(error = %e, "wechat js-sdk: no ticket");
            IdentityError::WechatUnavailable(e.to_string())
        })?;
        let timestamp = self.infra().clock.now().timestamp();
        let nonce_str = nonce();
        Ok(JsConfig {
            app_id: js.sdk.app_id().to_owned(),
            signature: jssdk::signature(&ticket, &nonce_str, timestamp, &page),
            timestamp,
            nonce_str,
        })
    }
}
