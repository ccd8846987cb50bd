//! Tencent Cloud SMS (腾讯云短信): `SendSms`, API version 2021-01-11, signed with
//! `TC3-HMAC-SHA256` (TencentCloud API 3.0 "签名方法 v3", the same page in every product's API
//! documentation, e.g. <https://cloud.tencent.com/document/api/362/4208>; English "Signature
//! v3", e.g. <https://www.tencentcloud.com/document/api/1150/49447>).
//!
//! ```text
//! POST /
//! Host: sms.tencentcloudapi.com
//! Content-Type: application/json; charset=utf-8
//! X-TC-Action: SendSms
//! X-TC-Version: 2021-01-11
//! X-TC-Timestamp: 1764316800                     (Unix seconds, within 5 minutes)
//! X-TC-Region: ap-guangzhou
//! Authorization: TC3-HMAC-SHA256 Credential=<SecretId>/<UTC date>/sms/tc3_request, SignedHeaders=content-type;host;x-tc-action, Signature=<hex>
//!
//! {"PhoneNumberSet":["+8613800138000"],"SmsSdkAppId":"1400000000","SignName":"农源直供","TemplateId":"1234567","TemplateParamSet":["123456"]}
//! ```
//!
//! Canonical request: method, `/`, the query (empty for POST), the signed headers (names and
//! values lower-cased and trimmed, sorted, `name:value\n` each), their names joined by `;`,
//! and the hex SHA-256 of the body. String to sign: `TC3-HMAC-SHA256`, the timestamp, the
//! credential scope `date/sms/tc3_request` and the hex SHA-256 of the canonical request, one
//! per line. The key is derived: `HMAC("TC3" + SecretKey, date)`, then the service, then
//! `tc3_request`; the signature is the hex HMAC of the string to sign under that key.
//!
//! Answers are HTTP 200 and JSON. A refused call is `{"Response":{"Error":{"Code",
//! "Message"},"RequestId"}}`; an accepted one lists a status per number,
//! `{"Response":{"SendStatusSet":[{"SerialNo","PhoneNumber","Code":"Ok","Message",…}],
//! "RequestId"}}`, where a number's `Code` other than `Ok` says why that number got nothing
//! (rate limits, bad numbers and template mismatches arrive this way). [`classify`] sorts both
//! kinds of code into an [`SmsError`].

use super::wire::{self, Endpoint};
use super::{
    ProviderReply, SmsConfigError, SmsError, SmsMessage, SmsReceipt, SmsSender, TemplateIds,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use farmgate_kernel::Clock;
use serde::{Deserialize, Serialize};
use std::time::Duration;

pub const DEFAULT_ENDPOINT: &str = "https://sms.tencentcloudapi.com";
pub const DEFAULT_REGION: &str = "ap-guangzhou";
pub const SERVICE: &str = "sms";
pub const ACTION: &str = "SendSms";
pub const VERSION: &str = "2021-01-11";
pub const ALGORITHM: &str = "TC3-HMAC-SHA256";
pub const CONTENT_TYPE: &str = "application/json; charset=utf-8";
const BACKEND: &str = "tencent";

/// How to reach Tencent Cloud SMS. The secret key never prints.
#[derive(Clone)]
pub struct TencentConfig {
    /// The CAM key's SecretId.
    pub secret_id: String,
    pub secret_key: String,
    /// The SMS application's SdkAppId (`1400…`), from the SMS console.
    pub sdk_app_id: String,
    /// The approved sign name (签名), e.g. 农源直供.
    pub sign_name: String,
    /// Template ids (numbers, as strings).
    pub templates: TemplateIds,
    /// `ap-guangzhou`, `ap-beijing` or `ap-nanjing`; unset: [`DEFAULT_REGION`].
    pub region: Option<String>,
    /// Unset: [`DEFAULT_ENDPOINT`]. Tests point it at a simulator.
    pub endpoint: Option<String>,
    /// The longest a whole exchange may take.
    pub timeout: Duration,
}

wire::redacted_debug!(TencentConfig {
    secret_id,
    secret_key => "***",
    sdk_app_id,
    sign_name,
    templates,
    region,
    endpoint,
    timeout,
});

/// Sends through Tencent Cloud SMS.
pub struct TencentSms {
    config: TencentConfig,
    region: String,
    endpoint: Endpoint,
    client: reqwest::Client,
    clock: Clock,
}

wire::redacted_debug!(TencentSms { config, .. });

impl TencentSms {
    /// Builds the client (no network yet). `clock` dates the signatures: the system clock in
    /// production, since the API refuses a timestamp more than 5 minutes off.
    pub fn new(config: TencentConfig, clock: Clock) -> Result<Self, SmsConfigError> {
        wire::require(&[
            ("secret_id", config.secret_id.as_str()),
            ("secret_key", config.secret_key.as_str()),
            ("sdk_app_id", config.sdk_app_id.as_str()),
            ("sign_name", config.sign_name.as_str()),
        ])?;
        let region = config
            .region
            .clone()
            .unwrap_or_else(|| DEFAULT_REGION.to_owned());
        let endpoint = Endpoint::parse(config.endpoint.as_deref().unwrap_or(DEFAULT_ENDPOINT))?;
        let client = wire::http_client(config.timeout)?;
        Ok(Self {
            config,
            region,
            endpoint,
            client,
            clock,
        })
    }

    /// Where requests go (for the start-up log).
    pub fn endpoint(&self) -> &str {
        &self.endpoint.base
    }
}

/// The `SendSms` request body.
#[derive(Debug, Serialize)]
#[serde(rename_all = "PascalCase")]
struct SendSmsBody<'a> {
    phone_number_set: [String; 1],
    sms_sdk_app_id: &'a str,
    sign_name: &'a str,
    template_id: &'a str,
    template_param_set: Vec<&'a str>,
}

#[async_trait]
impl SmsSender for TencentSms {
    fn backend(&self) -> &'static str {
        BACKEND
    }

    #[tracing::instrument(skip_all, fields(sms.backend = BACKEND, sms.to = %message.to().masked(), sms.template = %message.template()))]
    async fn send(&self, message: &SmsMessage) -> Result<SmsReceipt, SmsError> {
        let template_id = self.config.templates.get(message.template()).ok_or(
            SmsError::TemplateNotConfigured {
                backend: BACKEND,
                template: message.template(),
            },
        )?;
        let body = SendSmsBody {
            // E.164: the +86 country code, then the 11-digit number.
            phone_number_set: [format!("+86{}", message.to().as_str())],
            sms_sdk_app_id: &self.config.sdk_app_id,
            sign_name: &self.config.sign_name,
            template_id,
            template_param_set: message.params().iter().map(|(_, v)| v.as_str()).collect(),
        };
        let payload = serde_json::to_vec(&body).map_err(|e| {
            SmsError::Refused(ProviderReply {
                provider: BACKEND,
                code: "farmgate.body".to_owned(),
                message: e.to_string(),
                request_id: None,
            })
        })?;
        let now = self.clock.now();
        let headers = [
            ("content-type", CONTENT_TYPE),
            ("host", self.endpoint.host.as_str()),
            ("x-tc-action", ACTION),
        ];
        let authorization = authorization(
            &self.config.secret_id,
            &self.config.secret_key,
            SERVICE,
            now.timestamp(),
            "POST",
            "/",
            "",
            &headers,
            &payload,
        );
        let mut request = self
            .client
            .post(format!("{}/", self.endpoint.base))
            .header("authorization", authorization)
            .header("x-tc-version", VERSION)
            .header("x-tc-timestamp", now.timestamp().to_string())
            .header("x-tc-region", &self.region)
            .body(payload);
        for (name, value) in headers {
            request = request.header(name, value);
        }
        wire::exchange(BACKEND, request, message, |status, body| {
            interpret(status, body, message, now)
        })
        .await
    }
}

/// The signed headers: names and values lower-cased and trimmed, sorted by name. Returns the
/// canonical headers block and the `SignedHeaders` list.
pub fn canonical_headers(headers: &[(&str, &str)]) -> (String, String) {
    let mut signed: Vec<(String, String)> = headers
        .iter()
        .map(|(name, value)| (name.to_ascii_lowercase(), value.trim().to_lowercase()))
        .collect();
    signed.sort();
    let block: String = signed
        .iter()
        .map(|(name, value)| format!("{name}:{value}\n"))
        .collect();
    let names: Vec<&str> = signed.iter().map(|(name, _)| name.as_str()).collect();
    (block, names.join(";"))
}

/// Step 1: the canonical request, and the `SignedHeaders` list.
pub fn canonical_request(
    method: &str,
    canonical_uri: &str,
    canonical_query: &str,
    headers: &[(&str, &str)],
    payload: &[u8],
) -> (String, String) {
    let (block, signed) = canonical_headers(headers);
    (
        format!(
            "{method}\n{canonical_uri}\n{canonical_query}\n{block}\n{signed}\n{}",
            wire::sha256_hex(payload)
        ),
        signed,
    )
}

/// The UTC date of a timestamp, as the credential scope wants it (never the local date: at
/// 00:30 in Beijing it is still yesterday in UTC).
pub fn scope_date(timestamp: i64) -> String {
    DateTime::<Utc>::from_timestamp(timestamp, 0)
        .unwrap_or_default()
        .format("%Y-%m-%d")
        .to_string()
}

/// Step 2: the string to sign.
pub fn string_to_sign(timestamp: i64, service: &str, canonical_request: &str) -> String {
    format!(
        "{ALGORITHM}\n{timestamp}\n{}/{service}/tc3_request\n{}",
        scope_date(timestamp),
        wire::sha256_hex(canonical_request.as_bytes())
    )
}

/// Step 3: the derived key and the hex signature.
pub fn signature(secret_key: &str, date: &str, service: &str, string_to_sign: &str) -> String {
    let secret_date = wire::hmac_sha256(format!("TC3{secret_key}").as_bytes(), date.as_bytes());
    let secret_service = wire::hmac_sha256(&secret_date, service.as_bytes());
    let secret_signing = wire::hmac_sha256(&secret_service, b"tc3_request");
    hex::encode(wire::hmac_sha256(
        &secret_signing,
        string_to_sign.as_bytes(),
    ))
}

/// Step 4: the `Authorization` header of a request.
#[expect(
    clippy::too_many_arguments,
    reason = "each is one input the document names"
)]
pub fn authorization(
    secret_id: &str,
    secret_key: &str,
    service: &str,
    timestamp: i64,
    method: &str,
    canonical_uri: &str,
    canonical_query: &str,
    headers: &[(&str, &str)],
    payload: &[u8],
) -> String {
    let (request, signed_headers) =
        canonical_request(method, canonical_uri, canonical_query, headers, payload);
    let date = scope_date(timestamp);
    let to_sign = string_to_sign(timestamp, service, &request);
    format!(
        "{ALGORITHM} Credential={secret_id}/{date}/{service}/tc3_request, \
         SignedHeaders={signed_headers}, Signature={}",
        signature(secret_key, &date, service, &to_sign)
    )
}

/// `{"Response": …}`.
#[derive(Clone, Debug, Deserialize)]
pub struct Envelope {
    #[serde(rename = "Response")]
    pub response: Answer,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Answer {
    pub error: Option<ErrorBody>,
    pub send_status_set: Option<Vec<SendStatus>>,
    pub request_id: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct ErrorBody {
    pub code: String,
    #[serde(default)]
    pub message: String,
}

/// One number's outcome.
#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct SendStatus {
    #[serde(default)]
    pub serial_no: String,
    #[serde(default)]
    pub phone_number: String,
    pub code: String,
    #[serde(default)]
    pub message: String,
}

fn interpret(
    status: u16,
    body: &[u8],
    message: &SmsMessage,
    now: DateTime<Utc>,
) -> Result<SmsReceipt, SmsError> {
    let Ok(Envelope { response }) = serde_json::from_slice::<Envelope>(body) else {
        return Err(wire::unreadable_answer(BACKEND, status, body, message));
    };
    let reply = |code: &str, text: &str| ProviderReply {
        provider: BACKEND,
        code: code.to_owned(),
        message: wire::scrub(text, message),
        request_id: response.request_id.clone(),
    };
    if let Some(error) = &response.error {
        return Err(classify(status, reply(&error.code, &error.message), now));
    }
    // We send one number, so one status comes back.
    let Some(number) = response.send_status_set.as_deref().and_then(<[_]>::first) else {
        return Err(wire::unreadable_answer(BACKEND, status, body, message));
    };
    if number.code == "Ok" && status == 200 {
        return Ok(SmsReceipt {
            backend: BACKEND,
            id: number.serial_no.clone(),
            request_id: response.request_id.clone(),
        });
    }
    Err(classify(status, reply(&number.code, &number.message), now))
}

/// Sorts a Tencent Cloud error code (the API's common codes and the SMS product's own, from
/// `Response.Error.Code` or a number's `SendStatusSet[].Code`) into what it means for us.
pub fn classify(status: u16, reply: ProviderReply, now: DateTime<Utc>) -> SmsError {
    let code = reply.code.as_str();
    match code {
        "LimitExceeded.PhoneNumberThirtySecondLimit" => SmsError::RateLimited {
            reply,
            retry_after: Some(Duration::from_secs(30)),
        },
        "LimitExceeded.PhoneNumberOneHourLimit" => SmsError::RateLimited {
            reply,
            retry_after: Some(Duration::from_secs(3600)),
        },
        "LimitExceeded.PhoneNumberDailyLimit"
        | "LimitExceeded.PhoneNumberSameContentDailyLimit"
        | "LimitExceeded.AppDailyLimit"
        | "LimitExceeded.DailyLimit" => SmsError::RateLimited {
            retry_after: Some(wire::until_next_china_midnight(now)),
            reply,
        },
        "LimitExceeded.DeliveryFrequencyLimit" => SmsError::RateLimited {
            reply,
            retry_after: None,
        },
        c if c == "RequestLimitExceeded" || c.starts_with("RequestLimitExceeded.") => {
            SmsError::RateLimited {
                reply,
                retry_after: Some(Duration::from_secs(1)),
            }
        }
        "InvalidParameterValue.IncorrectPhoneNumber"
        | "FailedOperation.PhoneNumberInBlacklist"
        | "FailedOperation.PhoneNumberParseFail"
        | "UnsupportedOperation.UnsuportedRegion" => SmsError::InvalidNumber(reply),
        "FailedOperation.InsufficientBalanceInSmsPackage"
        | "UnauthorizedOperation.SerivceSuspendDueToArrears"
        | "UnauthorizedOperation.SdkAppIdIsDisabled" => SmsError::Account(reply),
        // Our clock is off by more than the API allows.
        "InternalError.RequestTimeException" => SmsError::AuthFailed(reply),
        "UnauthorizedOperation.SmsSdkAppIdVerifyFail"
        | "UnauthorizedOperation.RequestIpNotInWhitelist"
        | "UnauthorizedOperation.RequestPermissionDeny" => SmsError::AuthFailed(reply),
        // SignatureFailure, SecretIdNotFound, SignatureExpire, InvalidSecretId, TokenFailure …
        c if c.starts_with("AuthFailure") => SmsError::AuthFailed(reply),
        c if c.starts_with("InternalError")
            || c == "ServiceUnavailable"
            || c.starts_with("ResourceUnavailable") =>
        {
            SmsError::Unavailable(reply)
        }
        _ if status >= 500 => SmsError::Unavailable(reply),
        // FailedOperation.TemplateIncorrectOrUnapproved, …SignatureIncorrectOrUnapproved,
        // …TemplateParamSetNotMatchApprovedTemplate, InvalidParameterValue.*, MissingParameter,
        // UnsupportedOperation.* …: we sent something the provider will not send.
        _ => SmsError::Refused(reply),
    }
}

#[cfg(test)]
#[expect(clippy::expect_used, reason = "a failed setup is a failed test")]
mod tests {
    use super::*;
    use farmgate_kernel::Phone;

    /// The worked example of TencentCloud API 3.0 "Signature v3" (签名方法 v3): CVM
    /// `DescribeInstances`, POST with `Content-Type: application/json; charset=utf-8`, host
    /// cvm.tencentcloudapi.com, X-TC-Timestamp 1551113065, the body below.
    /// The example's intermediate values do not depend on the key.
    const DOC_PAYLOAD: &str =
        r#"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#;
    const DOC_HEADERS: [(&str, &str); 2] = [
        ("Content-Type", "application/json; charset=utf-8"),
        ("Host", "cvm.tencentcloudapi.com"),
    ];

    #[test]
    fn the_signature_v3_worked_example_canonicalises_to_its_published_values() {
        assert_eq!(
            wire::sha256_hex(DOC_PAYLOAD.as_bytes()),
            "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
        );
        let (request, signed) =
            canonical_request("POST", "/", "", &DOC_HEADERS, DOC_PAYLOAD.as_bytes());
        assert_eq!(
            request,
            "POST\n/\n\n\
             content-type:application/json; charset=utf-8\n\
             host:cvm.tencentcloudapi.com\n\n\
             content-type;host\n\
             35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"
        );
        assert_eq!(signed, "content-type;host");
        assert_eq!(
            wire::sha256_hex(request.as_bytes()),
            "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031"
        );
        assert_eq!(
            string_to_sign(1_551_113_065, "cvm", &request),
            "TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n\
             5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031"
        );
    }

    /// The same example signed. The current Chinese page masks its key
    /// (`Gu5t9xGARN**********QYCN3EXAMPLE`) and its signature in the step-by-step text, so on
    /// its own it is incomplete; the English edition ("Signature v3", e.g.
    /// https://www.tencentcloud.com/document/api/1150/49447) prints the whole key
    /// `Gu5t9xGARNpq86cd98joQYCN3EXAMPLE` (SecretId `AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE`) and
    /// the whole signature, which the Chinese page's curl line repeats.
    #[test]
    fn the_signature_v3_worked_example_signs_to_its_published_authorization() {
        assert_eq!(
            authorization(
                "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
                "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE",
                "cvm",
                1_551_113_065,
                "POST",
                "/",
                "",
                &DOC_HEADERS,
                DOC_PAYLOAD.as_bytes(),
            ),
            "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, \
             SignedHeaders=content-type;host, \
             Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168"
        );
    }

    /// The earlier edition of the document printed the key with literal asterisks
    /// (`Gu5t9xGARNpq86cd98joQYCN3*******`) and the signature it gives; the SDKs' and many
    /// clients' signer tests still use that vector.
    #[test]
    fn the_earlier_editions_vector_with_a_starred_key_also_matches() {
        let (request, _) = canonical_request("POST", "/", "", &DOC_HEADERS, DOC_PAYLOAD.as_bytes());
        let to_sign = string_to_sign(1_551_113_065, "cvm", &request);
        assert_eq!(
            signature(
                "Gu5t9xGARNpq86cd98joQYCN3*******",
                "2019-02-25",
                "cvm",
                &to_sign
            ),
            "2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c"
        );
    }

    #[test]
    fn the_scope_date_is_the_utc_date_not_beijings() {
        // 2019-02-26 00:44:25 in Beijing.
        assert_eq!(scope_date(1_551_113_065), "2019-02-25");
    }

    #[test]
    fn signed_headers_are_lower_cased_trimmed_and_sorted() {
        let (block, signed) = canonical_headers(&[
            ("X-TC-Action", " SendSms "),
            ("Host", "sms.tencentcloudapi.com"),
            ("Content-Type", CONTENT_TYPE),
        ]);
        assert_eq!(
            block,
            "content-type:application/json; charset=utf-8\n\
             host:sms.tencentcloudapi.com\n\
             x-tc-action:sendsms\n"
        );
        assert_eq!(signed, "content-type;host;x-tc-action");
    }

    #[test]
    fn the_body_names_the_number_in_e164_and_the_values_in_order() {
        let m = SmsMessage::new(
            Phone::parse("13800138000").expect("phone"),
            super::super::SmsTemplate::Shipped,
            [("order", "FG-1"), ("tracking", "SF9")],
        )
        .expect("message");
        let body = SendSmsBody {
            phone_number_set: [format!("+86{}", m.to().as_str())],
            sms_sdk_app_id: "1400000000",
            sign_name: "农源直供",
            template_id: "7",
            template_param_set: m.params().iter().map(|(_, v)| v.as_str()).collect(),
        };
        assert_eq!(
            serde_json::to_string(&body).expect("json"),
            r#"{"PhoneNumberSet":["+8613800138000"],"SmsSdkAppId":"1400000000","SignName":"农源直供","TemplateId":"7","TemplateParamSet":["FG-1","SF9"]}"#
        );
    }

    fn message() -> SmsMessage {
        SmsMessage::one_time_code(Phone::parse("13800138000").expect("phone"), "424242")
            .expect("message")
    }

    fn now() -> DateTime<Utc> {
        use chrono::TimeZone;
        Utc.with_ymd_and_hms(2026, 11, 28, 2, 0, 0)
            .single()
            .expect("time")
    }

    #[test]
    fn an_ok_status_for_the_number_is_a_receipt_with_the_serial_number() {
        // The SendSms reference's example answer, one number.
        let body = br#"{"Response":{"SendStatusSet":[{"SerialNo":"5000:1045710669157053657849499619","PhoneNumber":"+8613800138000","Fee":1,"SessionContext":"test","Code":"Ok","Message":"send success","IsoCode":"CN"}],"RequestId":"a0aabda6-cf91-4f3e-a81f-9198114a2279"}}"#;
        let receipt = interpret(200, body, &message(), now()).expect("accepted");
        assert_eq!(receipt.backend, "tencent");
        assert_eq!(receipt.id, "5000:1045710669157053657849499619");
        assert_eq!(
            receipt.request_id.as_deref(),
            Some("a0aabda6-cf91-4f3e-a81f-9198114a2279")
        );
    }

    fn error_of(body: &str) -> SmsError {
        interpret(200, body.as_bytes(), &message(), now()).expect_err("an error")
    }

    #[test]
    fn api_errors_map_to_what_they_mean() {
        let cases = [
            ("AuthFailure.SignatureFailure", "auth_failed"),
            ("AuthFailure.SecretIdNotFound", "auth_failed"),
            ("AuthFailure.SignatureExpire", "auth_failed"),
            ("UnauthorizedOperation.SmsSdkAppIdVerifyFail", "auth_failed"),
            ("RequestLimitExceeded", "rate_limited"),
            ("RequestLimitExceeded.UinLimitExceeded", "rate_limited"),
            (
                "InvalidParameterValue.IncorrectPhoneNumber",
                "invalid_number",
            ),
            ("InvalidParameterValue.SdkAppIdNotExist", "refused"),
            (
                "InvalidParameterValue.TemplateParameterFormatError",
                "refused",
            ),
            ("MissingParameter", "refused"),
            ("FailedOperation.InsufficientBalanceInSmsPackage", "account"),
            (
                "UnauthorizedOperation.SerivceSuspendDueToArrears",
                "account",
            ),
            ("InternalError.Timeout", "unavailable"),
            ("InternalError", "unavailable"),
        ];
        for (code, kind) in cases {
            let body = format!(
                r#"{{"Response":{{"Error":{{"Code":"{code}","Message":"m"}},"RequestId":"r"}}}}"#
            );
            let e = error_of(&body);
            assert_eq!(e.kind(), kind, "{code}");
            assert_eq!(e.reply().map(|r| r.code.as_str()), Some(code));
            assert_eq!(e.reply().and_then(|r| r.request_id.as_deref()), Some("r"));
        }
    }

    #[test]
    fn a_numbers_status_code_maps_too_with_how_long_to_wait() {
        let status = |code: &str| {
            error_of(&format!(
                r#"{{"Response":{{"SendStatusSet":[{{"SerialNo":"","PhoneNumber":"+8613800138000","Fee":0,"Code":"{code}","Message":"for +8613800138000: 424242"}}],"RequestId":"r"}}}}"#
            ))
        };
        let e = status("LimitExceeded.PhoneNumberThirtySecondLimit");
        assert_eq!(
            (e.kind(), e.retry_after()),
            ("rate_limited", Some(Duration::from_secs(30)))
        );
        assert_eq!(
            status("LimitExceeded.PhoneNumberOneHourLimit").retry_after(),
            Some(Duration::from_secs(3600))
        );
        // 02:00 UTC is 10:00 in China: 14 hours to midnight.
        assert_eq!(
            status("LimitExceeded.PhoneNumberDailyLimit").retry_after(),
            Some(Duration::from_secs(14 * 3600))
        );
        assert_eq!(
            status("InvalidParameterValue.IncorrectPhoneNumber").kind(),
            "invalid_number"
        );
        assert_eq!(
            status("FailedOperation.PhoneNumberInBlacklist").kind(),
            "invalid_number"
        );
        assert_eq!(
            status("FailedOperation.TemplateParamSetNotMatchApprovedTemplate").kind(),
            "refused"
        );
        let e = status("FailedOperation.TemplateIncorrectOrUnapproved");
        assert_eq!(e.kind(), "refused");
        let text = &e.reply().expect("reply").message;
        assert!(
            !text.contains("13800138000") && !text.contains("424242"),
            "{text}"
        );
    }

    #[test]
    fn an_answer_without_a_status_or_not_json_is_unavailable() {
        assert_eq!(
            error_of(r#"{"Response":{"RequestId":"r"}}"#).kind(),
            "unavailable"
        );
        let e = interpret(502, b"Bad Gateway", &message(), now()).expect_err("an error");
        assert_eq!(e.reply().map(|r| r.code.as_str()), Some("http.502"));
    }

    #[test]
    fn the_secret_key_does_not_print() {
        let config = TencentConfig {
            secret_id: "AKIDexample".into(),
            secret_key: "topsecret".into(),
            sdk_app_id: "1400000000".into(),
            sign_name: "农源直供".into(),
            templates: TemplateIds::new(),
            region: None,
            endpoint: None,
            timeout: Duration::from_secs(5),
        };
        let text = format!("{config:?}");
        assert!(!text.contains("topsecret") && text.contains("AKIDexample"));
        assert!(matches!(
            TencentSms::new(
                TencentConfig {
                    sdk_app_id: String::new(),
                    ..config
                },
                Clock::system()
            ),
            Err(SmsConfigError::Missing("sdk_app_id"))
        ));
    }
}
