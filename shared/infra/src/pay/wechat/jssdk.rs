//! WeChat JS-SDK (微信 JS-SDK) for the official account's pages: the signed configuration a
//! page inside WeChat's browser hands to `wx.config`, so it may set its share card
//! (`updateAppMessageShareData`, `updateTimelineShareData`) and import an address
//! (`openAddress`). Written against the published protocol:
//!
//! 1. The official account's access token: `GET /cgi-bin/token?grant_type=client_credential&appid=APPID&secret=SECRET`
//!    → `{"access_token","expires_in"}` or `{"errcode","errmsg"}` (HTTP 200 either way).
//!    WeChat keeps one live token per app and a new one replaces the last, so the token is
//!    fetched once and shared by every request and every replica (the shared cache), never
//!    per request.
//! 2. The JS-SDK ticket: `GET /cgi-bin/ticket/getticket?access_token=TOKEN&type=jsapi` →
//!    `{"errcode":0,"errmsg":"ok","ticket","expires_in":7200}`; 40001/42001/40014 say the token
//!    is invalid or expired: a new token once, then the ticket again. WeChat limits how often
//!    a ticket may be fetched, so it is kept in the shared cache until shortly before it
//!    expires ([`keep_for`]); one process fetches it while the others wait for its answer
//!    (a process lock, and a short lock counter in the shared cache across replicas).
//! 3. The signature: `SHA-1("jsapi_ticket=T&noncestr=N&timestamp=TS&url=URL")` in lower-case
//!    hex, the fields in this (alphabetical) order, values raw (no escaping), the URL the
//!    page's own without its `#fragment` ([`signature`]).
//!
//! The AppSecret and the tokens travel only to the API host; they never reach a log line or
//! an error.

use super::super::{PayConfigError, PayError, wire};
use crate::cache::Cache;
use serde::Deserialize;
use sha1::{Digest, Sha1};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

const PROVIDER: &str = "wechat";

/// How long another replica's fetch is waited for before this one fetches itself.
const WAIT_FOR_OTHER: Duration = Duration::from_secs(3);
/// How long the cross-replica fetch lock lives if its holder dies mid-fetch.
const LOCK_TTL: Duration = Duration::from_secs(10);

/// The JS-SDK signature of `url` (the page's address without its `#fragment`).
pub fn signature(ticket: &str, nonce_str: &str, timestamp: i64, url: &str) -> String {
    let plain =
        format!("jsapi_ticket={ticket}&noncestr={nonce_str}&timestamp={timestamp}&url={url}");
    hex::encode(Sha1::digest(plain.as_bytes()))
}

/// How long a token or ticket WeChat gave for `expires_in` seconds is kept: until five
/// minutes before it expires, or half its life when that is shorter than ten minutes (so a
/// page never gets a signature from a ticket about to lapse), at least one second.
pub fn keep_for(expires_in: i64) -> Duration {
    let life = expires_in.clamp(1, 86_400);
    let margin = if life >= 600 { 300 } else { life / 2 };
    Duration::from_secs(u64::try_from(life - margin).unwrap_or(1).max(1))
}

/// The longest page address signed (WeChat's own pages stay far below it).
pub const MAX_URL_CHARS: usize = 2048;

/// Why a page address is not signed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageUrlProblem {
    /// Longer than [`MAX_URL_CHARS`].
    TooLong,
    /// Not an absolute http(s) URL, or it carries credentials, spaces or control characters.
    Invalid,
    /// A page of another site: its origin (scheme, host, port) is not the site's.
    ForeignOrigin,
}

/// The part of a page's address that is signed: everything before its `#fragment`, kept
/// exactly as the page has it (`location.href.split('#')[0]`), once it is shown to be a page
/// of `site` (the site's public URL; only its origin counts). A signature for another
/// origin would let someone else's page use our official account.
pub fn page_url(raw: &str, site: &str) -> Result<String, PageUrlProblem> {
    if raw.chars().count() > MAX_URL_CHARS {
        return Err(PageUrlProblem::TooLong);
    }
    let signed = raw.split('#').next().unwrap_or("");
    if signed.is_empty() || signed.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(PageUrlProblem::Invalid);
    }
    let page = reqwest::Url::parse(signed).map_err(|_| PageUrlProblem::Invalid)?;
    if !matches!(page.scheme(), "http" | "https")
        || page.host_str().is_none()
        || !page.username().is_empty()
        || page.password().is_some()
    {
        return Err(PageUrlProblem::Invalid);
    }
    let site = reqwest::Url::parse(site.trim()).map_err(|_| PageUrlProblem::ForeignOrigin)?;
    if page.origin() != site.origin() || !site.origin().is_tuple() {
        return Err(PageUrlProblem::ForeignOrigin);
    }
    Ok(signed.to_owned())
}

/// How to reach the official account's API.
#[derive(Clone)]
pub struct JssdkConfig {
    pub app_id: String,
    /// The official account's AppSecret.
    pub app_secret: String,
    /// Unset: `https://api.weixin.qq.com`. Tests point it at a simulator.
    pub api_base: Option<String>,
    pub timeout: Duration,
}

impl std::fmt::Debug for JssdkConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JssdkConfig")
            .field("app_id", &self.app_id)
            .field("app_secret", &"***")
            .field("api_base", &self.api_base)
            .finish_non_exhaustive()
    }
}

/// A ticket this process holds, and until when.
struct Held {
    ticket: String,
    until: Instant,
}

/// The JS-SDK of one official account. Cheap to clone; clones share the ticket.
#[derive(Clone)]
pub struct WechatJssdk {
    inner: Arc<Inner>,
}

struct Inner {
    app_id: String,
    app_secret: String,
    api_base: reqwest::Url,
    client: reqwest::Client,
    cache: Arc<dyn Cache>,
    /// This process's copy of the ticket; its lock is also the one fetch of this process.
    held: Mutex<Option<Held>>,
}

impl std::fmt::Debug for WechatJssdk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WechatJssdk")
            .field("app_id", &self.inner.app_id)
            .field("api_base", &self.inner.api_base.as_str())
            .finish_non_exhaustive()
    }
}

#[derive(Deserialize)]
struct Answer {
    access_token: Option<String>,
    ticket: Option<String>,
    expires_in: Option<i64>,
    errcode: Option<i64>,
    errmsg: Option<String>,
}

/// Errors that mean the access token is no good (invalid, expired, not the latest).
fn token_invalid(code: i64) -> bool {
    matches!(code, 40001 | 42001 | 40014)
}

impl WechatJssdk {
    pub fn new(config: JssdkConfig, cache: Arc<dyn Cache>) -> Result<Self, PayConfigError> {
        if config.app_id.trim().is_empty() {
            return Err(PayConfigError::Missing("wechat.app_id"));
        }
        if config.app_secret.trim().is_empty() {
            return Err(PayConfigError::Missing("wechat.app_secret"));
        }
        let api_base = wire::checked_url(
            config
                .api_base
                .as_deref()
                .unwrap_or(super::oauth::DEFAULT_API_BASE),
            "wechat.api_base_url",
            false,
        )?;
        Ok(Self {
            inner: Arc::new(Inner {
                app_id: config.app_id,
                app_secret: config.app_secret,
                api_base,
                client: wire::http_client(config.timeout)?,
                cache,
                held: Mutex::new(None),
            }),
        })
    }

    pub fn app_id(&self) -> &str {
        &self.inner.app_id
    }

    fn key(&self, what: &str) -> String {
        format!("wechat:{}:{what}", self.inner.app_id)
    }

    /// A value in the shared cache; a cache that cannot answer counts as a miss.
    async fn cached(&self, key: &str) -> Option<String> {
        match self.inner.cache.get(key).await {
            Ok(Some(bytes)) => String::from_utf8(bytes).ok().filter(|s| !s.is_empty()),
            Ok(None) => None,
            Err(e) => {
                tracing::warn!(error = %e, "wechat js-sdk: the shared cache did not answer");
                None
            }
        }
    }

    async fn remember(&self, key: &str, value: &str, ttl: Duration) {
        if let Err(e) = self.inner.cache.set(key, value.as_bytes(), ttl).await {
            tracing::warn!(error = %e, "wechat js-sdk: not kept in the shared cache");
        }
    }

    /// The JS-SDK ticket: this process's copy, the shared one, or a new one from WeChat.
    #[tracing::instrument(skip_all, fields(pay.provider = PROVIDER))]
    pub async fn ticket(&self) -> Result<String, PayError> {
        let mut held = self.inner.held.lock().await;
        if let Some(h) = held.as_ref()
            && h.until > Instant::now()
        {
            return Ok(h.ticket.clone());
        }
        let ticket_key = self.key("jsapi_ticket");
        if let Some(t) = self.shared_ticket(&ticket_key).await {
            *held = Some(t.clone_held());
            return Ok(t.ticket);
        }
        // Another replica may be fetching: the first to count the lock fetches, the others
        // wait a little for its answer, then fetch themselves (its holder may have died).
        let lock_key = self.key("jsapi_ticket:lock");
        let first = match self.inner.cache.incr(&lock_key, 1, LOCK_TTL).await {
            Ok(c) => c.value == 1,
            Err(_) => true,
        };
        if !first {
            let deadline = Instant::now() + WAIT_FOR_OTHER;
            while Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(100)).await;
                if let Some(t) = self.shared_ticket(&ticket_key).await {
                    *held = Some(t.clone_held());
                    return Ok(t.ticket);
                }
            }
        }
        let fetched = self.fetch_ticket().await;
        if first && let Err(e) = self.inner.cache.delete(&lock_key).await {
            tracing::warn!(error = %e, "wechat js-sdk: the fetch lock stays until it expires");
        }
        let (ticket, keep) = fetched?;
        // The shared copy carries its own deadline, so another replica keeps it no longer.
        let until_unix =
            chrono::Utc::now().timestamp() + i64::try_from(keep.as_secs()).unwrap_or(i64::MAX / 4);
        self.remember(&ticket_key, &format!("{until_unix} {ticket}"), keep)
            .await;
        *held = Some(Held {
            ticket: ticket.clone(),
            until: Instant::now() + keep,
        });
        Ok(ticket)
    }

    /// The shared ticket (`"<until unix seconds> <ticket>"`), if one is live.
    async fn shared_ticket(&self, key: &str) -> Option<Shared> {
        let value = self.cached(key).await?;
        let (until, ticket) = value.split_once(' ')?;
        let left = until.parse::<i64>().ok()? - chrono::Utc::now().timestamp();
        if left <= 0 || ticket.is_empty() {
            return None;
        }
        Some(Shared {
            ticket: ticket.to_owned(),
            keep: Duration::from_secs(u64::try_from(left).unwrap_or(1)),
        })
    }

    /// A new ticket from WeChat, and how long to keep it.
    async fn fetch_ticket(&self) -> Result<(String, Duration), PayError> {
        let mut token = self.token(false).await?;
        for attempt in 0..2 {
            let mut url = self.inner.api_base.clone();
            url.set_path("/cgi-bin/ticket/getticket");
            url.query_pairs_mut()
                .append_pair("access_token", &token)
                .append_pair("type", "jsapi");
            let a = self.call(url, "the ticket API").await?;
            match (a.ticket, a.errcode.unwrap_or(0)) {
                (Some(ticket), 0) if !ticket.is_empty() => {
                    tracing::info!("wechat js-sdk: a new ticket");
                    return Ok((ticket, keep_for(a.expires_in.unwrap_or(7200))));
                }
                (_, code) if token_invalid(code) && attempt == 0 => {
                    tracing::info!(
                        errcode = code,
                        "wechat js-sdk: the access token is stale; a new one"
                    );
                    token = self.token(true).await?;
                }
                (_, code) => return Err(refused(code, a.errmsg)),
            }
        }
        Err(PayError::Transport {
            provider: PROVIDER,
            detail: "a new access token did not help".into(),
        })
    }

    /// The access token, from the shared cache unless `fresh` (the last one was refused).
    async fn token(&self, fresh: bool) -> Result<String, PayError> {
        let key = self.key("access_token");
        if !fresh && let Some(t) = self.cached(&key).await {
            return Ok(t);
        }
        let mut url = self.inner.api_base.clone();
        url.set_path("/cgi-bin/token");
        url.query_pairs_mut()
            .append_pair("grant_type", "client_credential")
            .append_pair("appid", &self.inner.app_id)
            .append_pair("secret", &self.inner.app_secret);
        let a = self.call(url, "the token API").await?;
        match (a.access_token, a.errcode.unwrap_or(0)) {
            (Some(token), 0) if !token.is_empty() => {
                self.remember(&key, &token, keep_for(a.expires_in.unwrap_or(7200)))
                    .await;
                Ok(token)
            }
            (_, code) => Err(refused(code, a.errmsg)),
        }
    }

    async fn call(&self, url: reqwest::Url, what: &str) -> Result<Answer, PayError> {
        let bytes = wire::get_ok(&self.inner.client, url, PROVIDER, what).await?;
        serde_json::from_slice(&bytes).map_err(|_| PayError::Malformed {
            provider: PROVIDER,
            what: what.to_owned(),
        })
    }
}

/// A live shared ticket and how long it has left.
struct Shared {
    ticket: String,
    keep: Duration,
}

impl Shared {
    fn clone_held(&self) -> Held {
        Held {
            ticket: self.ticket.clone(),
            until: Instant::now() + self.keep,
        }
    }
}

fn refused(code: i64, message: Option<String>) -> PayError {
    PayError::Rejected {
        provider: PROVIDER,
        // WeChat refuses with an errcode inside a 200 answer (get_ok refused others).
        status: 200,
        code: code.to_string(),
        message: wire::clip(&message.unwrap_or_default()),
    }
}

#[cfg(test)]
#[expect(clippy::expect_used, reason = "a failed setup is a failed test")]
mod tests {
    use super::*;
    use crate::cache::MemoryCache;

    #[test]
    fn the_signature_is_the_documented_one() {
        // The two examples of WeChat's JS-SDK documentation (附录1).
        let ticket = "sM4AOVdWfPE4DxkXGEs8VMCPGGVi4C3VM0P37wVUCFvkVAy_90u5h9nbSlYy3-Sl-HhTdfl2fzFy1AOcHKP7qg";
        assert_eq!(
            signature(
                ticket,
                "Wm3WZYTPz0wzccnW",
                1_414_587_457,
                "http://mp.weixin.qq.com?params=value"
            ),
            "0f9de62fce790f9a083d5c99e95740ceb90c27ed"
        );
        assert_eq!(
            signature(
                ticket,
                "Wm3WZYTPz0wzccnW",
                1_414_587_457,
                "http://mp.weixin.qq.com"
            ),
            "f4d90daf4b3bca3078ab155816175ba34c443a7b"
        );
    }

    #[test]
    fn only_pages_of_the_site_are_signed_and_without_their_fragment() {
        let site = "https://shop.example/";
        assert_eq!(
            page_url("https://shop.example/listing.html?id=1#photos", site),
            Ok("https://shop.example/listing.html?id=1".to_owned())
        );
        assert_eq!(
            page_url("https://shop.example/t/ABC?x=%E4%B8%AD", site),
            Ok("https://shop.example/t/ABC?x=%E4%B8%AD".to_owned()),
            "kept exactly as the page has it"
        );
        for foreign in [
            "https://evil.example/listing.html",
            "https://shop.example.evil.example/",
            "http://shop.example/listing.html",
            "https://shop.example:8443/",
            "https://shop.example@evil.example/",
        ] {
            assert!(page_url(foreign, site).is_err(), "{foreign}");
        }
        assert_eq!(
            page_url("https://shop.example@evil.example/", site),
            Err(PageUrlProblem::Invalid)
        );
        assert_eq!(
            page_url("https://evil.example/", site),
            Err(PageUrlProblem::ForeignOrigin)
        );
        for bad in [
            "",
            "#x",
            "/listing.html",
            "javascript:alert(1)",
            "https://shop.example/a b",
            "https://shop.example/\n",
        ] {
            assert!(page_url(bad, site).is_err(), "{bad:?}");
        }
        let long = format!("https://shop.example/?q={}", "a".repeat(MAX_URL_CHARS));
        assert_eq!(page_url(&long, site), Err(PageUrlProblem::TooLong));
    }

    #[test]
    fn tickets_are_kept_until_shortly_before_they_expire() {
        assert_eq!(keep_for(7200), Duration::from_secs(6900));
        assert_eq!(keep_for(600), Duration::from_secs(300));
        assert_eq!(keep_for(2), Duration::from_secs(1));
        assert_eq!(keep_for(0), Duration::from_secs(1));
        assert_eq!(keep_for(-5), Duration::from_secs(1));
    }

    #[test]
    fn the_secret_never_prints() {
        let config = JssdkConfig {
            app_id: "wx123".into(),
            app_secret: "s3cret-s3cret".into(),
            api_base: None,
            timeout: Duration::from_secs(5),
        };
        assert!(!format!("{config:?}").contains("s3cret"));
        let sdk = WechatJssdk::new(config, Arc::new(MemoryCache::default())).expect("sdk");
        assert!(!format!("{sdk:?}").contains("s3cret"));
        assert_eq!(sdk.app_id(), "wx123");
    }

    #[test]
    fn the_sdk_needs_its_secret() {
        let e = WechatJssdk::new(
            JssdkConfig {
                app_id: "wx123".into(),
                app_secret: " ".into(),
                api_base: None,
                timeout: Duration::from_secs(5),
            },
            Arc::new(MemoryCache::default()),
        );
        assert!(matches!(
            e,
            Err(PayConfigError::Missing("wechat.app_secret"))
        ));
    }
}
