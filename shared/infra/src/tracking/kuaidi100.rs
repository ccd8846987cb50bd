//! 快递100 (kuaidi100) 快递信息推送服务, as its published API describes it:
//!
//! - **Subscribe**: `POST https://poll.kuaidi100.com/poll`, `application/x-www-form-urlencoded`
//!   with `schema=json` and `param` = JSON `{company, number, key, parameters: {callbackurl,
//!   salt, resultv2, phone?}}`. The answer is JSON `{result, returnCode, message}`:
//!   `200` accepted, `501` already subscribed (and still being tracked), `500` their server
//!   error (worth retrying); `600`/`601` a bad or expired key, `700`/`701`/`702` data they
//!   refuse (an unknown company, a bad number or callback) — refusals.
//! - **Push**: a form `POST` to `callbackurl` with `param` = JSON `{status, message,
//!   lastResult: {state, com, nu, data: [{time, context, areaName?, status?, statusCode?}]}}`
//!   (lines newest first, `time` as `yyyy-MM-dd HH:mm:ss` Beijing time) and, when a salt was
//!   given, `sign` = upper-case hex MD5 of `param + salt`. We answer JSON `{result: true,
//!   returnCode: "200", message: "成功"}`; anything else makes them push again later.

use super::{
    Push, PushRefused, Subscribed, Subscription, TrackLine, TrackingConfigError, TrackingError,
    TrackingProvider,
};
use async_trait::async_trait;
use md5::{Digest, Md5};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// The published subscription address.
pub const POLL_URL: &str = "https://poll.kuaidi100.com/poll";

const NAME: &str = "kuaidi100";

/// What the adapter is built from.
#[derive(Clone)]
pub struct Kuaidi100Config {
    /// The enterprise authorisation key (授权 key).
    pub key: String,
    /// The subscription address (the published one unless a simulator stands in).
    pub poll_url: String,
    pub timeout: Duration,
}

impl std::fmt::Debug for Kuaidi100Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Kuaidi100Config")
            .field("key", &"[redacted]")
            .field("poll_url", &self.poll_url)
            .finish_non_exhaustive()
    }
}

/// The adapter.
pub struct Kuaidi100 {
    key: String,
    poll_url: reqwest::Url,
    client: reqwest::Client,
}

impl Kuaidi100 {
    pub fn new(config: Kuaidi100Config) -> Result<Self, TrackingConfigError> {
        if config.key.trim().is_empty() {
            return Err(TrackingConfigError::Missing("kuaidi100_key"));
        }
        let invalid = |why: &str| TrackingConfigError::Invalid {
            name: "kuaidi100_poll_url",
            why: why.to_owned(),
        };
        let poll_url =
            reqwest::Url::parse(config.poll_url.trim()).map_err(|_| invalid("not a URL"))?;
        if !matches!(poll_url.scheme(), "http" | "https") || poll_url.host_str().is_none() {
            return Err(invalid("not an http(s) URL with a host"));
        }
        let client = reqwest::Client::builder()
            .timeout(config.timeout)
            .connect_timeout(config.timeout.min(Duration::from_secs(5)))
            .user_agent(concat!("farmgate/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(TrackingConfigError::Client)?;
        Ok(Self {
            key: config.key.trim().to_owned(),
            poll_url,
            client,
        })
    }
}

/// Upper-case hex MD5 of `param + salt`, the push signature.
pub fn sign(param: &str, salt: &str) -> String {
    let mut h = Md5::new();
    h.update(param.as_bytes());
    h.update(salt.as_bytes());
    hex::encode_upper(h.finalize())
}

#[derive(Serialize)]
struct SubscribeParam<'a> {
    company: &'a str,
    number: &'a str,
    key: &'a str,
    parameters: SubscribeParameters<'a>,
}

#[derive(Serialize)]
struct SubscribeParameters<'a> {
    callbackurl: &'a str,
    salt: &'a str,
    /// `1`: each track line carries its state (`status`, `statusCode`) and area.
    resultv2: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    phone: Option<&'a str>,
}

#[derive(Deserialize)]
struct SubscribeAnswer {
    #[serde(default)]
    result: bool,
    #[serde(rename = "returnCode", default)]
    return_code: Option<serde_json::Value>,
    #[serde(default)]
    message: String,
}

#[derive(Deserialize)]
struct PushForm {
    param: String,
    #[serde(default)]
    sign: Option<String>,
}

#[derive(Deserialize)]
struct PushParam {
    #[serde(default)]
    status: String,
    #[serde(default)]
    message: String,
    #[serde(rename = "lastResult")]
    last_result: LastResult,
}

#[derive(Deserialize)]
struct LastResult {
    #[serde(default)]
    state: Option<serde_json::Value>,
    com: String,
    nu: String,
    #[serde(default)]
    data: Vec<PushLine>,
}

#[derive(Deserialize)]
struct PushLine {
    time: String,
    context: String,
    #[serde(rename = "areaName", default)]
    area_name: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(rename = "statusCode", default)]
    status_code: Option<serde_json::Value>,
}

/// A code they send as a number or as text.
fn code_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.trim().to_owned()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `yyyy-MM-dd HH:mm:ss` in Beijing time (UTC+8, no daylight saving).
fn beijing_time(text: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    let naive = chrono::NaiveDateTime::parse_from_str(text.trim(), "%Y-%m-%d %H:%M:%S").ok()?;
    let offset = chrono::FixedOffset::east_opt(8 * 3600)?;
    naive
        .and_local_timezone(offset)
        .single()
        .map(|t| t.with_timezone(&chrono::Utc))
}

#[async_trait]
impl TrackingProvider for Kuaidi100 {
    fn name(&self) -> &'static str {
        NAME
    }

    async fn subscribe(&self, s: &Subscription<'_>) -> Result<Subscribed, TrackingError> {
        let param = serde_json::to_string(&SubscribeParam {
            company: s.carrier_code,
            number: s.tracking_no,
            key: &self.key,
            parameters: SubscribeParameters {
                callbackurl: s.callback_url,
                salt: s.salt,
                resultv2: "1",
                phone: s.phone,
            },
        })
        .map_err(|e| TrackingError::Transport {
            provider: NAME,
            detail: format!("could not write the request: {e}"),
        })?;
        let transport = |detail: String| TrackingError::Transport {
            provider: NAME,
            detail,
        };
        let answer = self
            .client
            .post(self.poll_url.clone())
            .form(&[("schema", "json"), ("param", param.as_str())])
            .send()
            .await
            .map_err(|e| {
                let kind = if e.is_timeout() {
                    "timeout"
                } else if e.is_connect() {
                    "connect"
                } else {
                    "io"
                };
                transport(format!("{kind}: {}", e.without_url()))
            })?;
        let status = answer.status().as_u16();
        let body = answer
            .bytes()
            .await
            .map_err(|e| transport(format!("reading the answer: {}", e.without_url())))?;
        if status != 200 {
            return Err(transport(format!("HTTP {status}")));
        }
        let a: SubscribeAnswer = serde_json::from_slice(&body)
            .map_err(|_| transport("an answer that is not their JSON".to_owned()))?;
        let code = a
            .return_code
            .as_ref()
            .and_then(code_text)
            .unwrap_or_default();
        let message: String = a.message.chars().take(200).collect();
        match code.as_str() {
            "200" if a.result => Ok(Subscribed::New),
            "501" => Ok(Subscribed::AlreadyTracked),
            "500" | "" => Err(transport(format!("their server error ({code}): {message}"))),
            _ => Err(TrackingError::Refused {
                provider: NAME,
                code,
                message,
            }),
        }
    }

    fn read_push(&self, body: &[u8]) -> Result<Push, PushRefused> {
        let form: PushForm =
            serde_urlencoded::from_bytes(body).map_err(|_| PushRefused::Malformed)?;
        let p: PushParam = serde_json::from_str(&form.param).map_err(|_| PushRefused::Malformed)?;
        let mut lines = Vec::with_capacity(p.last_result.data.len());
        for l in p.last_result.data {
            let at = beijing_time(&l.time).ok_or(PushRefused::Malformed)?;
            lines.push(TrackLine {
                at,
                context: l.context,
                area: l.area_name.filter(|a| !a.trim().is_empty()),
                status: l.status.filter(|s| !s.trim().is_empty()),
                status_code: l.status_code.as_ref().and_then(code_text),
            });
        }
        Ok(Push {
            carrier_code: p.last_result.com.trim().to_owned(),
            tracking_no: p.last_result.nu.trim().to_owned(),
            monitor: p.status,
            message: p.message,
            state: p
                .last_result
                .state
                .as_ref()
                .and_then(code_text)
                .unwrap_or_else(|| "0".to_owned()),
            lines,
            signed: form.param,
            signature: form.sign,
        })
    }

    fn verify_push(&self, push: &Push, salt: &str) -> bool {
        let Some(given) = push.signature.as_deref() else {
            return false;
        };
        let expected = sign(&push.signed, salt);
        // Compared whole and in constant time: a signature is not learnt byte by byte.
        let given = given.trim().to_ascii_uppercase();
        given.len() == expected.len()
            && given
                .bytes()
                .zip(expected.bytes())
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0
    }
}

/// The answer to a push, in 快递100's words (`{result, returnCode, message}`): anything but
/// `result: true` makes it push again later.
pub fn push_answer(accepted: bool, code: &str, message: &str) -> Vec<u8> {
    let body = serde_json::json!({
        "result": accepted,
        "returnCode": code,
        "message": message,
    });
    serde_json::to_vec(&body).unwrap_or_default()
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn adapter() -> Kuaidi100 {
        Kuaidi100::new(Kuaidi100Config {
            key: "K".to_owned(),
            poll_url: "http://127.0.0.1:9/poll".to_owned(),
            timeout: Duration::from_secs(1),
        })
        .unwrap()
    }

    #[test]
    fn the_signature_is_upper_case_md5_of_param_then_salt() {
        // MD5("abc") = 900150983cd24fb0d6963f7d28e17f72
        assert_eq!(sign("ab", "c"), "900150983CD24FB0D6963F7D28E17F72");
        assert_eq!(sign("", ""), "D41D8CD98F00B204E9800998ECF8427E");
    }

    #[test]
    fn a_push_is_read_in_beijing_time_and_verified_against_its_salt() {
        let param = r#"{"status":"polling","message":"","lastResult":{"state":"3","com":"zhongtong","nu":"ZT123456","data":[{"time":"2026-12-07 10:00:00","context":"已签收","status":"签收","statusCode":"301","areaName":"江西省,赣州市"},{"time":"2026-12-06 08:00:00","context":"已揽收","statusCode":103}]}}"#;
        let body =
            serde_urlencoded::to_string([("param", param), ("sign", &sign(param, "s1"))]).unwrap();
        let a = adapter();
        let p = a.read_push(body.as_bytes()).unwrap();
        assert_eq!(
            (p.carrier_code.as_str(), p.tracking_no.as_str()),
            ("zhongtong", "ZT123456")
        );
        assert_eq!(p.state, "3");
        assert_eq!(p.lines.len(), 2);
        assert_eq!(p.lines[0].at.to_rfc3339(), "2026-12-07T02:00:00+00:00");
        assert_eq!(p.lines[1].status_code.as_deref(), Some("103"));
        assert!(a.verify_push(&p, "s1"));
        assert!(!a.verify_push(&p, "s2"));
        let unsigned = serde_urlencoded::to_string([("param", param)]).unwrap();
        assert!(!a.verify_push(&a.read_push(unsigned.as_bytes()).unwrap(), "s1"));
        assert_eq!(
            a.read_push(b"param=%7B").unwrap_err(),
            PushRefused::Malformed
        );
        assert_eq!(
            a.read_push(b"nothing=1").unwrap_err(),
            PushRefused::Malformed
        );
    }
}
