//! WeChat subscription messages (订阅消息), written against the mini program's published API:
//!
//! - the access token from `POST /cgi-bin/stable_token` (`{"grant_type":"client_credential",
//!   "appid","secret","force_refresh"}` → `{"access_token","expires_in"}`), kept until a minute
//!   before it expires and shared by every send;
//! - `POST /cgi-bin/message/subscribe/send?access_token=…` with `{"touser": openid,
//!   "template_id", "page"?, "data": {key: {"value"}}, "miniprogram_state", "lang"}` →
//!   `{"errcode":0,"errmsg":"ok","msgid"}`.
//!
//! Errors by `errcode`: 40001/42001/40014 (token invalid or expired) → a new token once, then the
//! send again; 43101 (the person refused or used up the subscription) → skipped, never retried;
//! -1 (busy) and 45009 (limit) → retried later; the rest (template, fields, openid, page,
//! credentials) → failed, for the operator.
//!
//! Each kind's template fields are data (`services/notify/wechat.json`: field key → value with
//! `{name}` placeholders from the notification's parameters, plus `{title}` and `{time}`); the
//! template ids come from the `notify_wechat_templates` setting. A kind without a template id,
//! or a person without an openid for the app, is skipped.

use super::{ChannelAdapter, Outgoing, SendError};
use crate::domain::{Channel, NotificationKind};
use async_trait::async_trait;
use farmgate_kernel::Clock;
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::LazyLock;
use std::time::Duration;
use tokio::sync::Mutex;

const FIELDS_SOURCE: &str = include_str!("../../wechat.json");

/// Each kind's template fields: key → value pattern.
static FIELDS: LazyLock<HashMap<String, HashMap<String, String>>> = LazyLock::new(|| {
    serde_json::from_str(FIELDS_SOURCE).unwrap_or_else(|e| {
        tracing::error!(error = %e, "wechat.json is unreadable; no WeChat messages");
        HashMap::new()
    })
});

/// The adapter's settings.
#[derive(Clone)]
pub struct WechatConfig {
    /// The mini program's AppID (the openids are per app).
    pub app_id: String,
    pub app_secret: String,
    /// `https://api.weixin.qq.com`, or a simulator.
    pub endpoint: String,
    /// The subscription template id per kind.
    pub templates: HashMap<NotificationKind, String>,
    /// `formal`, `trial` or `developer`.
    pub state: String,
    /// The mini program page a message opens, `{link}` replaced by the site path
    /// (e.g. `pages/web/index?path={link}`); unset: none.
    pub page: Option<String>,
    pub timeout: Duration,
}

impl std::fmt::Debug for WechatConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WechatConfig")
            .field("app_id", &self.app_id)
            .field("app_secret", &"***")
            .field("endpoint", &self.endpoint)
            .field("templates", &self.templates)
            .field("state", &self.state)
            .field("page", &self.page)
            .finish()
    }
}

/// Reads `order_paid=TEMPLATE_ID;recall=TEMPLATE_ID` (`;` or `,` between pairs).
pub fn parse_templates(s: &str) -> Result<HashMap<NotificationKind, String>, String> {
    let mut out = HashMap::new();
    for pair in s.split([';', ',']).map(str::trim).filter(|p| !p.is_empty()) {
        let (kind, id) = pair
            .split_once('=')
            .ok_or_else(|| format!("{pair:?} is not kind=template_id"))?;
        let kind = NotificationKind::parse(kind.trim())
            .ok_or_else(|| format!("{:?} is not a notification kind", kind.trim()))?;
        if !FIELDS.contains_key(kind.as_str()) {
            return Err(format!("{kind} has no WeChat fields in wechat.json"));
        }
        let id = id.trim();
        if id.is_empty() {
            return Err(format!("{kind} has an empty template id"));
        }
        out.insert(kind, id.to_owned());
    }
    Ok(out)
}

/// The longest value WeChat takes for a field, by its key's type prefix.
fn limit_for(key: &str) -> usize {
    let kind = key.trim_end_matches(|c: char| c.is_ascii_digit());
    match kind {
        "thing" => 20,
        "name" => 10,
        "phrase" | "symbol" => 5,
        "character_string" | "number" | "letter" => 32,
        _ => 20,
    }
}

fn shorten(value: &str, max: usize) -> String {
    let clean: String = value.chars().filter(|c| !c.is_control()).collect();
    if clean.chars().count() <= max {
        clean
    } else {
        let mut s: String = clean.chars().take(max.saturating_sub(1)).collect();
        s.push('…');
        s
    }
}

/// The `data` of a kind's message: every field of the kind, filled and cut to its limit.
pub fn message_data(kind: NotificationKind, m: &Outgoing, time: &str) -> Option<Value> {
    let fields = FIELDS.get(kind.as_str())?;
    let mut data = serde_json::Map::new();
    for (key, pattern) in fields {
        let mut value = pattern
            .replace("{title}", &m.texts.title_zh)
            .replace("{time}", time);
        if let Some(params) = m.params.as_object() {
            for (name, v) in params {
                let v = v.as_str().map_or_else(|| v.to_string(), str::to_owned);
                value = value.replace(&format!("{{{name}}}"), &v);
            }
        }
        let value = if value.trim().is_empty() {
            "-".to_owned()
        } else {
            value
        };
        data.insert(
            key.clone(),
            json!({ "value": shorten(&value, limit_for(key)) }),
        );
    }
    Some(Value::Object(data))
}

#[derive(Deserialize)]
struct TokenAnswer {
    access_token: Option<String>,
    expires_in: Option<i64>,
    errcode: Option<i64>,
    errmsg: Option<String>,
}

#[derive(Deserialize)]
struct SendAnswer {
    errcode: Option<i64>,
    errmsg: Option<String>,
    msgid: Option<Value>,
}

struct Token {
    value: String,
    until: chrono::DateTime<chrono::Utc>,
}

/// The WeChat subscription message channel.
pub struct WechatChannel {
    config: WechatConfig,
    client: reqwest::Client,
    clock: Clock,
    token: Mutex<Option<Token>>,
}

impl std::fmt::Debug for WechatChannel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WechatChannel")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// Token errors that mean the token is no good (invalid, expired, not the latest).
fn token_invalid(code: i64) -> bool {
    matches!(code, 40001 | 42001 | 40014)
}

impl WechatChannel {
    pub fn new(config: WechatConfig, clock: Clock) -> Result<Self, String> {
        if config.app_id.trim().is_empty() || config.app_secret.trim().is_empty() {
            return Err("the WeChat app id and secret are both needed".to_owned());
        }
        let endpoint = config.endpoint.trim_end_matches('/').to_owned();
        if !(endpoint.starts_with("https://") || endpoint.starts_with("http://")) {
            return Err(format!("{endpoint:?} is not an http(s) URL"));
        }
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .build()
            .map_err(|e| format!("building the HTTP client for WeChat: {e}"))?;
        Ok(Self {
            config: WechatConfig { endpoint, ..config },
            client,
            clock,
            token: Mutex::new(None),
        })
    }

    /// The access token, fetched when there is none, it is about to expire, or `force`.
    async fn token(&self, force: bool) -> Result<String, SendError> {
        let mut guard = self.token.lock().await;
        let now = self.clock.now();
        if !force
            && let Some(t) = guard.as_ref()
            && t.until > now
        {
            return Ok(t.value.clone());
        }
        let url = format!("{}/cgi-bin/stable_token", self.config.endpoint);
        let body = json!({
            "grant_type": "client_credential",
            "appid": self.config.app_id,
            "secret": self.config.app_secret,
            "force_refresh": force,
        });
        let answer: TokenAnswer = self.call(&url, &body).await?;
        match (answer.access_token, answer.errcode.unwrap_or(0)) {
            (Some(token), 0) if !token.is_empty() => {
                // A minute's margin: a token about to expire is replaced before it fails.
                let life = answer.expires_in.unwrap_or(7200).max(120) - 60;
                *guard = Some(Token {
                    value: token.clone(),
                    until: now + chrono::Duration::seconds(life),
                });
                Ok(token)
            }
            (_, code) => {
                let why = format!(
                    "WeChat token refused: {code} {}",
                    answer.errmsg.unwrap_or_default()
                );
                if code == -1 {
                    Err(SendError::Transient(why))
                } else {
                    Err(SendError::Permanent(why))
                }
            }
        }
    }

    async fn call<T: serde::de::DeserializeOwned>(
        &self,
        url: &str,
        body: &Value,
    ) -> Result<T, SendError> {
        let response = self
            .client
            .post(url)
            .json(body)
            .send()
            .await
            .map_err(|e| SendError::Transient(format!("WeChat unreachable: {e}")))?;
        let status = response.status();
        if !status.is_success() {
            return Err(SendError::Transient(format!(
                "WeChat answered HTTP {status}"
            )));
        }
        response
            .json::<T>()
            .await
            .map_err(|e| SendError::Transient(format!("WeChat answered something unreadable: {e}")))
    }

    async fn send_with(&self, token: &str, body: &Value) -> Result<SendAnswer, SendError> {
        // The token travels in the query; it never reaches a log line or an error.
        let url = format!(
            "{}/cgi-bin/message/subscribe/send?access_token={token}",
            self.config.endpoint
        );
        self.call(&url, body).await
    }
}

#[async_trait]
impl ChannelAdapter for WechatChannel {
    fn channel(&self) -> Channel {
        Channel::Wechat
    }

    fn app_id(&self) -> Option<&str> {
        Some(&self.config.app_id)
    }

    async fn send(&self, m: &Outgoing) -> Result<String, SendError> {
        let Some(template) = self.config.templates.get(&m.kind) else {
            return Err(SendError::Skip(format!(
                "no WeChat template for {}",
                m.kind
            )));
        };
        let Some(openid) = m.openid.as_deref() else {
            return Err(SendError::Skip(
                "the person has no WeChat openid for the app".to_owned(),
            ));
        };
        let time = farmgate_kernel::clock::format_shanghai(self.clock.now());
        let Some(data) = message_data(m.kind, m, &time) else {
            return Err(SendError::Skip(format!("{} has no WeChat fields", m.kind)));
        };
        let mut body = json!({
            "touser": openid,
            "template_id": template,
            "data": data,
            "miniprogram_state": self.config.state,
            "lang": "zh_CN",
        });
        if let (Some(page), Some(link)) = (&self.config.page, &m.link) {
            body["page"] = json!(page.replace("{link}", link));
        }
        let mut token = self.token(false).await?;
        for attempt in 0..2 {
            let answer = self.send_with(&token, &body).await?;
            let code = answer.errcode.unwrap_or(0);
            let why = || {
                format!(
                    "WeChat {code}: {}",
                    answer.errmsg.clone().unwrap_or_default()
                )
            };
            match code {
                0 => {
                    return Ok(answer.msgid.map_or_else(
                        || "ok".to_owned(),
                        |id| id.to_string().trim_matches('"').to_owned(),
                    ));
                }
                c if token_invalid(c) && attempt == 0 => {
                    token = self.token(true).await?;
                }
                c if token_invalid(c) => return Err(SendError::Transient(why())),
                43101 => return Err(SendError::Skip(why())),
                -1 | 45009 => return Err(SendError::Transient(why())),
                _ => return Err(SendError::Permanent(why())),
            }
        }
        Err(SendError::Transient(
            "WeChat token refresh did not help".to_owned(),
        ))
    }
}

#[cfg(test)]
#[expect(clippy::expect_used, reason = "a failed setup is a failed test")]
mod tests {
    use super::*;
    use crate::domain::templates::render;
    use farmgate_kernel::id::AccountId;

    #[test]
    fn template_ids_are_read_from_kind_equals_id_pairs() {
        let t = parse_templates("order_paid=abc; recall = def,").expect("templates");
        assert_eq!(
            t.get(&NotificationKind::OrderPaid).map(String::as_str),
            Some("abc")
        );
        assert_eq!(
            t.get(&NotificationKind::Recall).map(String::as_str),
            Some("def")
        );
        assert!(parse_templates("bogus=abc").is_err());
        assert!(parse_templates("order_paid").is_err());
        assert!(parse_templates("order_paid=").is_err());
        assert!(
            parse_templates("org_verified=abc").is_err(),
            "no fields for it"
        );
        assert!(parse_templates("").expect("none").is_empty());
    }

    #[test]
    fn the_data_fills_every_field_within_wechats_limits() {
        let params = json!({"product": "梅岭脐橙".repeat(10), "batch": "L2026-12-01"});
        let m = Outgoing {
            recipient: AccountId::new(),
            kind: NotificationKind::Recall,
            phone: None,
            openid: Some("o1".to_owned()),
            texts: render(NotificationKind::Recall, &params),
            params,
            link: None,
        };
        let data = message_data(NotificationKind::Recall, &m, "2026-12-06 10:00").expect("data");
        assert_eq!(data["character_string2"]["value"], "L2026-12-01");
        let thing = data["thing1"]["value"].as_str().expect("a value");
        assert_eq!(thing.chars().count(), 20);
        assert!(
            data["thing3"]["value"]
                .as_str()
                .expect("title")
                .starts_with("召回通知")
        );
    }

    #[test]
    fn every_kind_that_may_go_by_wechat_has_fields() {
        for kind in NotificationKind::ALL {
            assert_eq!(
                kind.spec().wechat,
                FIELDS.contains_key(kind.as_str()),
                "{kind}"
            );
        }
    }
}
