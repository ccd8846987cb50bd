//! A local Tencent Cloud SMS: `POST /` with a JSON body, the `X-TC-*` headers and
//! TC3-HMAC-SHA256, answered the way sms.tencentcloudapi.com answers (always HTTP 200).
//!
//! It recomputes the signature from the request as it arrived (the headers named in
//! `SignedHeaders`, lower-cased; the hash of the body actually received; the key derived from
//! the shared test secret, the credential's date and service) and refuses, with
//! `{"Response":{"Error":{"Code","Message"},"RequestId"}}`:
//! - a malformed `Authorization` → `AuthFailure.InvalidAuthorization`;
//! - an unknown SecretId → `AuthFailure.SecretIdNotFound`;
//! - an `X-TC-Timestamp` more than 5 minutes off → `AuthFailure.SignatureExpire`;
//! - a credential scope that is not the timestamp's UTC date and `sms`, a signed-header list
//!   without `content-type` and `host`, or a signature that does not match →
//!   `AuthFailure.SignatureFailure`;
//! - another action or version, a missing region → `InvalidAction`, `NoSuchVersion`,
//!   `MissingParameter`; an unreadable body → `InvalidParameter`; another SdkAppId →
//!   `InvalidParameterValue.SdkAppIdNotExist`;
//!
//! then answers per number in `SendStatusSet`: a number that is not `+86` and a number a
//! carrier issued → `InvalidParameterValue.IncorrectPhoneNumber`; another sign name →
//! `FailedOperation.SignatureIncorrectOrUnapproved`; an unknown template →
//! `FailedOperation.TemplateIncorrectOrUnapproved`; a parameter count other than the
//! template's → `FailedOperation.TemplateParamSetNotMatchApprovedTemplate`; a second message
//! within 30 seconds → `LimitExceeded.PhoneNumberThirtySecondLimit`; otherwise `Ok` with a
//! `SerialNo`, and the message is delivered.

use super::sim::{self, Common, Delivered, Mode};
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

pub const SECRET_ID: &str = "AKIDSimulatorSecretId0000";
pub const SECRET_KEY: &str = "sim-tencent-secret-7d41e0";
pub const SDK_APP_ID: &str = "1400778899";
pub const SIGN_NAME: &str = "农源直供";
/// Template ids this application has, with their number of parameters.
pub const TEMPLATES: &[(&str, usize)] = &[
    ("2013001", 1),
    ("2013002", 2),
    // Registered with one more parameter than our `order_paid` has.
    ("2013003", 2),
];
/// One message per 30 seconds per number, as Tencent's default frequency limit.
pub const WINDOW: Duration = Duration::from_secs(30);

struct Sim {
    common: Common,
    templates: HashMap<&'static str, usize>,
}

/// A running simulator.
#[derive(Clone)]
pub struct TencentSim {
    pub base: String,
    state: Arc<Sim>,
}

impl TencentSim {
    pub async fn start() -> Self {
        let state = Arc::new(Sim {
            common: Common::default(),
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

fn error(code: &str, message: &str) -> Response {
    axum::Json(json!({
        "Response": {
            "Error": { "Code": code, "Message": message },
            "RequestId": sim::request_id().to_lowercase(),
        }
    }))
    .into_response()
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

struct Authorization {
    secret_id: String,
    date: String,
    service: String,
    signed_headers: Vec<String>,
    signature: String,
}

/// `TC3-HMAC-SHA256 Credential=ID/DATE/SERVICE/tc3_request, SignedHeaders=a;b, Signature=hex`.
fn parse_authorization(value: &str) -> Option<Authorization> {
    let rest = value.strip_prefix("TC3-HMAC-SHA256 ")?;
    let mut credential = None;
    let mut signed = None;
    let mut signature = None;
    for part in rest.split(", ") {
        let (k, v) = part.split_once('=')?;
        match k {
            "Credential" => credential = Some(v),
            "SignedHeaders" => signed = Some(v),
            "Signature" => signature = Some(v),
            _ => return None,
        }
    }
    let mut scope = credential?.split('/');
    let (secret_id, date, service, terminator) =
        (scope.next()?, scope.next()?, scope.next()?, scope.next()?);
    if terminator != "tc3_request" || scope.next().is_some() {
        return None;
    }
    Some(Authorization {
        secret_id: secret_id.to_owned(),
        date: date.to_owned(),
        service: service.to_owned(),
        signed_headers: signed?.split(';').map(str::to_owned).collect(),
        signature: signature?.to_owned(),
    })
}

#[derive(Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SendSms {
    phone_number_set: Vec<String>,
    sms_sdk_app_id: String,
    sign_name: Option<String>,
    template_id: String,
    #[serde(default)]
    template_param_set: Vec<String>,
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
                StatusCode::BAD_GATEWAY,
                [("content-type", "text/html")],
                "<html><body><h1>502 Bad Gateway</h1></body></html>",
            )
                .into_response();
        }
        Mode::Slow(d) => tokio::time::sleep(d).await,
    }

    // --- API 3.0 authentication ---
    let Some(auth) = header(&headers, "authorization").and_then(parse_authorization) else {
        return error(
            "AuthFailure.InvalidAuthorization",
            "Authorization header format error.",
        );
    };
    if auth.secret_id != SECRET_ID {
        return error(
            "AuthFailure.SecretIdNotFound",
            "The SecretId is not found, please ensure that your SecretId is correct.",
        );
    }
    let Some(timestamp) = header(&headers, "x-tc-timestamp").and_then(|t| t.parse::<i64>().ok())
    else {
        return error(
            "MissingParameter",
            "The request is missing a required parameter `Timestamp`.",
        );
    };
    if (chrono::Utc::now().timestamp() - timestamp).abs() > 300 {
        return error(
            "AuthFailure.SignatureExpire",
            &format!("Signature expired. Timestamp is {timestamp}."),
        );
    }
    let utc_date = chrono::DateTime::from_timestamp(timestamp, 0)
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default();
    let signature_failure = || {
        error(
            "AuthFailure.SignatureFailure",
            "The provided credentials could not be validated. Please check your signature is correct.",
        )
    };
    if auth.date != utc_date
        || auth.service != "sms"
        || !auth.signed_headers.iter().any(|h| h == "content-type")
        || !auth.signed_headers.iter().any(|h| h == "host")
    {
        return signature_failure();
    }
    let mut signed = auth.signed_headers.clone();
    signed.sort();
    let mut canonical_headers = String::new();
    for name in &signed {
        let value = header(&headers, name)
            .unwrap_or_default()
            .trim()
            .to_lowercase();
        canonical_headers.push_str(&format!("{name}:{value}\n"));
    }
    let canonical = format!(
        "{}\n{}\n{}\n{}\n{}\n{}",
        method.as_str(),
        uri.path(),
        uri.query().unwrap_or_default(),
        canonical_headers,
        signed.join(";"),
        sim::sha256_hex(&body)
    );
    let string_to_sign = format!(
        "TC3-HMAC-SHA256\n{timestamp}\n{}/{}/tc3_request\n{}",
        auth.date,
        auth.service,
        sim::sha256_hex(canonical.as_bytes())
    );
    let key = sim::hmac(
        &sim::hmac(
            &sim::hmac(format!("TC3{SECRET_KEY}").as_bytes(), auth.date.as_bytes()),
            auth.service.as_bytes(),
        ),
        b"tc3_request",
    );
    if hex::encode(sim::hmac(&key, string_to_sign.as_bytes())) != auth.signature {
        return signature_failure();
    }
    if header(&headers, "x-tc-action") != Some("SendSms") {
        return error("InvalidAction", "The requested action does not exist.");
    }
    if header(&headers, "x-tc-version") != Some("2021-01-11") {
        return error("NoSuchVersion", "The requested version does not exist.");
    }
    if header(&headers, "x-tc-region").is_none_or(str::is_empty) {
        return error(
            "MissingParameter",
            "The request is missing a required parameter `Region`.",
        );
    }

    // --- SendSms ---
    let Ok(request) = serde_json::from_slice::<SendSms>(&body) else {
        return error(
            "InvalidParameter",
            "The request body is not a valid SendSms request.",
        );
    };
    if request.sms_sdk_app_id != SDK_APP_ID {
        return error(
            "InvalidParameterValue.SdkAppIdNotExist",
            "SdkAppId does not exist.",
        );
    }
    let mut statuses = Vec::new();
    for phone in &request.phone_number_set {
        let (code, message) = status_for(&sim, &request, phone);
        let ok = code == "Ok";
        if ok {
            let params = request
                .template_param_set
                .iter()
                .enumerate()
                .map(|(i, v)| ((i + 1).to_string(), v.clone()))
                .collect();
            sim.common.delivered.lock().unwrap().push(Delivered {
                phone: phone.clone(),
                sign_name: request.sign_name.clone().unwrap_or_default(),
                template: request.template_id.clone(),
                params,
            });
        }
        statuses.push(json!({
            "SerialNo": if ok { format!("2645:{}", uuid::Uuid::new_v4().as_u128() % 10u128.pow(30)) } else { String::new() },
            "PhoneNumber": phone,
            "Fee": u8::from(ok),
            "SessionContext": "",
            "Code": code,
            "Message": message,
            "IsoCode": if ok { "CN" } else { "" },
        }));
    }
    axum::Json(json!({
        "Response": {
            "SendStatusSet": statuses,
            "RequestId": sim::request_id().to_lowercase(),
        }
    }))
    .into_response()
}

fn status_for(sim: &Sim, request: &SendSms, phone: &str) -> (&'static str, &'static str) {
    let Some(digits) = phone
        .strip_prefix("+86")
        .filter(|d| sim::reachable_mainland(d))
    else {
        return (
            "InvalidParameterValue.IncorrectPhoneNumber",
            "incorrect phone number",
        );
    };
    if request.sign_name.as_deref() != Some(SIGN_NAME) {
        return (
            "FailedOperation.SignatureIncorrectOrUnapproved",
            "signature format error or signature not approved",
        );
    }
    let Some(count) = sim.templates.get(request.template_id.as_str()) else {
        return (
            "FailedOperation.TemplateIncorrectOrUnapproved",
            "template format error or template not approved",
        );
    };
    if *count != request.template_param_set.len() {
        return (
            "FailedOperation.TemplateParamSetNotMatchApprovedTemplate",
            "request content does not match the template content",
        );
    }
    if !sim.common.take_slot(digits, WINDOW) {
        return (
            "LimitExceeded.PhoneNumberThirtySecondLimit",
            "the number of sms messages sent from a single mobile number within 30 seconds exceeds the upper limit",
        );
    }
    ("Ok", "send success")
}
