//! A local Alibaba Cloud SMS: `POST /?PhoneNumbers=…&SignName=…&TemplateCode=…&TemplateParam=…`
//! with the V3 signature, answered the way dysmsapi.aliyuncs.com answers.
//!
//! It recomputes the signature from the request as it arrived (query decoded and
//! re-canonicalised, the headers named in `SignedHeaders`, the hash of the body actually
//! received) with the shared test secret, and refuses, with the gateway's HTTP status and
//! `{"RequestId","HostId","Code","Message","Recommend"}` shape:
//! - a missing or malformed `Authorization`, or an `x-acs-*` header left unsigned →
//!   400 `IncompleteSignature`;
//! - an unknown AccessKey ID → 404 `InvalidAccessKeyId.NotFound`;
//! - an `x-acs-date` more than 15 minutes off → 400 `InvalidTimeStamp.Expired`;
//! - a signature or body hash that does not match → 400 `SignatureDoesNotMatch`;
//! - a nonce seen before → 400 `SignatureNonceUsed`;
//! - another action or version → 404 `InvalidAction.NotFound` / 400 `InvalidVersion`;
//!
//! then, as `SendSms` does, with HTTP 200 and `{"Code","Message","RequestId"}`:
//! a number no carrier issued → `isv.MOBILE_NUMBER_ILLEGAL`; another sign name →
//! `isv.SMS_SIGNATURE_ILLEGAL`; an unknown template → `isv.SMS_TEMPLATE_ILLEGAL`; a template
//! variable without a value → `isv.TEMPLATE_MISSING_PARAMETERS`; a second message to a number
//! within the minute → `isv.BUSINESS_LIMIT_CONTROL` ("触发分钟级流控Permits:1"); otherwise
//! `{"Code":"OK","Message":"OK","BizId",…}` and the message is delivered.

use super::sim::{self, Common, Delivered, Mode};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub const KEY_ID: &str = "LTAI5tSimulatorKeyId";
pub const SECRET: &str = "sim-aliyun-secret-3f9c2a";
pub const SIGN_NAME: &str = "农源直供";
/// Template codes this account has, with their variables.
pub const TEMPLATES: &[(&str, &[&str])] = &[
    ("SMS_465960001", &["code"]),
    ("SMS_465960002", &["order", "tracking"]),
    // Registered with one more variable than our `order_paid` has.
    ("SMS_465960003", &["order", "amount"]),
];
/// One message a minute per number, as Alibaba's default flow control for codes.
pub const WINDOW: Duration = Duration::from_secs(60);

struct Sim {
    common: Common,
    nonces: Mutex<HashSet<String>>,
    templates: HashMap<&'static str, &'static [&'static str]>,
}

/// A running simulator.
#[derive(Clone)]
pub struct AliyunSim {
    pub base: String,
    state: Arc<Sim>,
}

impl AliyunSim {
    pub async fn start() -> Self {
        let state = Arc::new(Sim {
            common: Common::default(),
            nonces: Mutex::new(HashSet::new()),
            templates: TEMPLATES.iter().copied().collect(),
        });
        let router = axum::Router::new()
            .fallback(handle)
            .with_state(state.clone());
        Self {
            base: sim::serve(router).await,
            state,
        }
    }

    pub fn set_mode(&self, mode: Mode) {
        *self.state.common.mode.lock().unwrap() = mode;
    }

    pub fn delivered(&self) -> Vec<Delivered> {
        self.state.common.delivered.lock().unwrap().clone()
    }

    pub fn requests(&self) -> usize {
        *self.state.common.requests.lock().unwrap()
    }
}

fn gateway_error(status: StatusCode, code: &str, message: &str) -> Response {
    let id = sim::request_id();
    (
        status,
        axum::Json(json!({
            "RequestId": id,
            "HostId": "dysmsapi.aliyuncs.com",
            "Code": code,
            "Message": message,
            "Recommend": format!("https://api.aliyun.com/troubleshoot?q={code}&product=Dysmsapi&requestId={id}"),
        })),
    )
        .into_response()
}

fn business(code: &str, message: &str) -> Response {
    axum::Json(json!({ "Code": code, "Message": message, "RequestId": sim::request_id() }))
        .into_response()
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

/// `ACS3-HMAC-SHA256 Credential=…,SignedHeaders=…,Signature=…` → its three parts.
fn parse_authorization(value: &str) -> Option<(String, Vec<String>, String)> {
    let rest = value.strip_prefix("ACS3-HMAC-SHA256 ")?;
    let mut credential = None;
    let mut signed = None;
    let mut signature = None;
    for part in rest.split(',') {
        let (k, v) = part.trim().split_once('=')?;
        match k {
            "Credential" => credential = Some(v.to_owned()),
            "SignedHeaders" => signed = Some(v.split(';').map(str::to_owned).collect()),
            "Signature" => signature = Some(v.to_owned()),
            _ => return None,
        }
    }
    Some((credential?, signed?, signature?))
}

async fn handle(
    State(sim): State<Arc<Sim>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    sim.common.count_request();
    match sim.common.mode() {
        Mode::Normal => {}
        Mode::Down => {
            return (
                StatusCode::SERVICE_UNAVAILABLE,
                [("content-type", "text/html")],
                "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>",
            )
                .into_response();
        }
        Mode::Slow(d) => tokio::time::sleep(d).await,
    }

    // --- the gateway: who is calling, and is this exactly what they signed? ---
    let Some((key_id, signed_headers, signature)) =
        header(&headers, "authorization").and_then(parse_authorization)
    else {
        return gateway_error(
            StatusCode::BAD_REQUEST,
            "IncompleteSignature",
            "The request signature does not conform to Aliyun standards.",
        );
    };
    if key_id != KEY_ID {
        return gateway_error(
            StatusCode::NOT_FOUND,
            "InvalidAccessKeyId.NotFound",
            "Specified access key is not found.",
        );
    }
    let must_sign = headers
        .keys()
        .map(|k| k.as_str().to_owned())
        .filter(|k| k == "host" || k.starts_with("x-acs-") || k == "content-type");
    for name in must_sign {
        if !signed_headers.contains(&name) {
            return gateway_error(
                StatusCode::BAD_REQUEST,
                "IncompleteSignature",
                &format!("The header {name} must be signed."),
            );
        }
    }
    let date_ok = header(&headers, "x-acs-date")
        .and_then(|d| chrono::DateTime::parse_from_rfc3339(d).ok())
        .is_some_and(|d| (chrono::Utc::now() - d.to_utc()).num_seconds().abs() <= 15 * 60);
    if !date_ok {
        return gateway_error(
            StatusCode::BAD_REQUEST,
            "InvalidTimeStamp.Expired",
            "Specified time stamp or date value is expired.",
        );
    }

    let mut pairs = sim::query_pairs(uri.query().unwrap_or_default());
    let mut canonical_query: Vec<String> = pairs
        .iter()
        .map(|(k, v)| format!("{}={}", sim::rfc3986(k), sim::rfc3986(v)))
        .collect();
    canonical_query.sort();
    let mut sorted_signed = signed_headers.clone();
    sorted_signed.sort();
    let mut canonical_headers = String::new();
    for name in &sorted_signed {
        let value = header(&headers, name).unwrap_or_default().trim();
        canonical_headers.push_str(&format!("{name}:{value}\n"));
    }
    let body_hash = sim::sha256_hex(&body);
    let canonical = format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        method.as_str(),
        uri.path(),
        canonical_query.join("&"),
        canonical_headers,
        sorted_signed.join(";"),
        body_hash
    );
    let string_to_sign = format!(
        "ACS3-HMAC-SHA256\n{}",
        sim::sha256_hex(canonical.as_bytes())
    );
    let expected = hex::encode(sim::hmac(SECRET.as_bytes(), string_to_sign.as_bytes()));
    if expected != signature || header(&headers, "x-acs-content-sha256") != Some(&body_hash) {
        return gateway_error(
            StatusCode::BAD_REQUEST,
            "SignatureDoesNotMatch",
            &format!(
                "Specified signature does not match our calculation. server string to sign is:{string_to_sign}"
            ),
        );
    }
    let nonce = header(&headers, "x-acs-signature-nonce").unwrap_or_default();
    if nonce.is_empty() || !sim.nonces.lock().unwrap().insert(nonce.to_owned()) {
        return gateway_error(
            StatusCode::BAD_REQUEST,
            "SignatureNonceUsed",
            "Specified signature nonce was used already.",
        );
    }
    if header(&headers, "x-acs-action") != Some("SendSms") {
        return gateway_error(
            StatusCode::NOT_FOUND,
            "InvalidAction.NotFound",
            "Specified api is not found, please check your url and method.",
        );
    }
    if header(&headers, "x-acs-version") != Some("2017-05-25") {
        return gateway_error(
            StatusCode::BAD_REQUEST,
            "InvalidVersion",
            "Specified parameter Version is not valid.",
        );
    }

    // --- SendSms itself ---
    let mut param = |name: &str| {
        pairs
            .iter()
            .position(|(k, _)| k == name)
            .map(|i| pairs.remove(i).1)
    };
    let (Some(phone), Some(sign_name), Some(template)) = (
        param("PhoneNumbers"),
        param("SignName"),
        param("TemplateCode"),
    ) else {
        return gateway_error(
            StatusCode::BAD_REQUEST,
            "MissingParameter",
            "PhoneNumbers, SignName and TemplateCode are mandatory for this action.",
        );
    };
    let template_param = param("TemplateParam").unwrap_or_default();
    let digits = phone
        .strip_prefix("86")
        .filter(|d| d.len() == 11)
        .unwrap_or(&phone);
    if !sim::reachable_mainland(digits) {
        return business("isv.MOBILE_NUMBER_ILLEGAL", "非法手机号");
    }
    if sign_name != SIGN_NAME {
        return business("isv.SMS_SIGNATURE_ILLEGAL", "该账号下找不到对应签名");
    }
    let Some(variables) = sim.templates.get(template.as_str()) else {
        return business("isv.SMS_TEMPLATE_ILLEGAL", "该账号下找不到对应模板");
    };
    let values: serde_json::Map<String, Value> = if variables.is_empty() {
        serde_json::Map::new()
    } else {
        match serde_json::from_str(&template_param) {
            Ok(Value::Object(map)) if map.values().all(Value::is_string) => map,
            _ => return business("isv.INVALID_JSON_PARAM", "JSON参数不合法，只接受字符串值"),
        }
    };
    let mut params = Vec::new();
    for name in *variables {
        match values.get(*name).and_then(Value::as_str) {
            Some(v) => params.push(((*name).to_owned(), v.to_owned())),
            None => return business("isv.TEMPLATE_MISSING_PARAMETERS", "模板变量缺少对应参数值"),
        }
    }
    if !sim.common.take_slot(digits, WINDOW) {
        return business("isv.BUSINESS_LIMIT_CONTROL", "触发分钟级流控Permits:1");
    }
    sim.common.delivered.lock().unwrap().push(Delivered {
        phone,
        sign_name,
        template,
        params,
    });
    axum::Json(json!({
        "Code": "OK",
        "Message": "OK",
        "BizId": format!("{}^0", rand_digits()),
        "RequestId": sim::request_id(),
    }))
    .into_response()
}

fn rand_digits() -> String {
    format!(
        "{:018}",
        uuid::Uuid::new_v4().as_u128() % 1_000_000_000_000_000_000
    )
}
