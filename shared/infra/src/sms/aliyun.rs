//! Alibaba Cloud SMS (阿里云短信服务): `SendSms`, API version 2017-05-25, signed with
//! Alibaba Cloud's V3 signature (`ACS3-HMAC-SHA256`).
//!
//! The exchange, as "Request syntax and signature method V3"
//! (<https://help.aliyun.com/zh/sdk/product-overview/v3-request-structure-and-signature>,
//! English: <https://www.alibabacloud.com/help/en/sdk/product-overview/v3-request-structure-and-signature>)
//! and the `SendSms` reference describe it:
//!
//! ```text
//! POST /?PhoneNumbers=13800138000&SignName=%E5%86%9C…&TemplateCode=SMS_1&TemplateParam=%7B…%7D
//! host: dysmsapi.aliyuncs.com
//! x-acs-action: SendSms
//! x-acs-version: 2017-05-25
//! x-acs-date: 2026-11-28T08:00:00Z              (UTC, within 15 minutes of the server's)
//! x-acs-signature-nonce: <random, once only>
//! x-acs-content-sha256: <hex SHA-256 of the body; the body is empty>
//! Authorization: ACS3-HMAC-SHA256 Credential=<AccessKeyId>,SignedHeaders=host;x-acs-…,Signature=<hex>
//! ```
//!
//! The signature is `hex(HMAC-SHA256(secret, "ACS3-HMAC-SHA256\n" + hex(SHA-256(canonical
//! request))))`, the canonical request being the method, the path (`/` for RPC APIs), the
//! query sorted by name and RFC 3986-encoded, the signed headers (`host`, `content-type` and
//! every `x-acs-*`: lower-case names, sorted, values trimmed, one `name:value\n` each), their
//! names joined by `;`, and the payload hash, each on its own line.
//!
//! Answers: `{"Code":"OK","Message":"OK","BizId":"…","RequestId":"…"}` with HTTP 200 when the
//! message was accepted; a business refusal is HTTP 200 with another `Code`
//! (`isv.BUSINESS_LIMIT_CONTROL`, `isv.MOBILE_NUMBER_ILLEGAL` …); the gateway refuses bad
//! credentials with HTTP 4xx and `{"Code":"SignatureDoesNotMatch","Message":…,"RequestId":…}`.
//! [`classify`] sorts every code into an [`SmsError`].

use super::wire::{self, Endpoint};
use super::{
    ProviderReply, SmsConfigError, SmsError, SmsMessage, SmsReceipt, SmsSender, TemplateIds,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use farmgate_kernel::Clock;
use serde::Deserialize;
use std::time::Duration;

pub const DEFAULT_ENDPOINT: &str = "https://dysmsapi.aliyuncs.com";
pub const ACTION: &str = "SendSms";
pub const VERSION: &str = "2017-05-25";
pub const ALGORITHM: &str = "ACS3-HMAC-SHA256";
const BACKEND: &str = "aliyun";

/// How to reach Alibaba Cloud SMS. The secret never prints.
#[derive(Clone)]
pub struct AliyunConfig {
    /// The RAM user's AccessKey ID (give it only `AliyunDysmsFullAccess` or less).
    pub access_key_id: String,
    pub access_key_secret: String,
    /// The approved sign name (签名), e.g. 农源直供.
    pub sign_name: String,
    /// `SMS_…` template codes.
    pub templates: TemplateIds,
    /// Unset: [`DEFAULT_ENDPOINT`]. Tests point it at a simulator.
    pub endpoint: Option<String>,
    /// The longest a whole exchange may take.
    pub timeout: Duration,
}

wire::redacted_debug!(AliyunConfig {
    access_key_id,
    access_key_secret => "***",
    sign_name,
    templates,
    endpoint,
    timeout,
});

/// Sends through Alibaba Cloud SMS.
pub struct AliyunSms {
    config: AliyunConfig,
    endpoint: Endpoint,
    client: reqwest::Client,
    clock: Clock,
}

wire::redacted_debug!(AliyunSms { config, .. });

impl AliyunSms {
    /// Builds the client (no network yet). `clock` dates the signatures: the system clock in
    /// production, since the gateway refuses a date more than 15 minutes off.
    pub fn new(config: AliyunConfig, clock: Clock) -> Result<Self, SmsConfigError> {
        wire::require(&[
            ("access_key_id", config.access_key_id.as_str()),
            ("access_key_secret", config.access_key_secret.as_str()),
            ("sign_name", config.sign_name.as_str()),
        ])?;
        let endpoint = Endpoint::parse(config.endpoint.as_deref().unwrap_or(DEFAULT_ENDPOINT))?;
        let client = wire::http_client(config.timeout)?;
        Ok(Self {
            config,
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

#[async_trait]
impl SmsSender for AliyunSms {
    fn backend(&self) -> &'static str {
        BACKEND
    }

    #[tracing::instrument(skip_all, fields(sms.backend = BACKEND, sms.to = %message.to().masked(), sms.template = %message.template()))]
    async fn send(&self, message: &SmsMessage) -> Result<SmsReceipt, SmsError> {
        let template_code = self.config.templates.get(message.template()).ok_or(
            SmsError::TemplateNotConfigured {
                backend: BACKEND,
                template: message.template(),
            },
        )?;
        let template_param = template_param_json(message.params());
        let query = canonical_query(&[
            ("PhoneNumbers", message.to().as_str()),
            ("SignName", &self.config.sign_name),
            ("TemplateCode", template_code),
            ("TemplateParam", &template_param),
        ]);
        let now = self.clock.now();
        let date = now.format("%Y-%m-%dT%H:%M:%SZ").to_string();
        let nonce = uuid::Uuid::new_v4().simple().to_string();
        let payload_hash = wire::sha256_hex(b"");
        let headers = [
            ("host", self.endpoint.host.as_str()),
            ("x-acs-action", ACTION),
            ("x-acs-content-sha256", payload_hash.as_str()),
            ("x-acs-date", date.as_str()),
            ("x-acs-signature-nonce", nonce.as_str()),
            ("x-acs-version", VERSION),
        ];
        let authorization = authorization(
            &self.config.access_key_id,
            &self.config.access_key_secret,
            "POST",
            "/",
            &query,
            &headers,
            &payload_hash,
        );
        let mut request = self
            .client
            .post(format!("{}/?{query}", self.endpoint.base))
            .header("authorization", authorization);
        for (name, value) in headers {
            request = request.header(name, value);
        }
        wire::exchange(BACKEND, request, message, |status, body| {
            interpret(status, body, message, now)
        })
        .await
    }
}

/// `TemplateParam`: the variables as a JSON object, in the template's order.
pub fn template_param_json(params: &[(String, String)]) -> String {
    let fields: Vec<String> = params
        .iter()
        .map(|(name, value)| {
            format!(
                "{}:{}",
                serde_json::Value::from(name.as_str()),
                serde_json::Value::from(value.as_str())
            )
        })
        .collect();
    format!("{{{}}}", fields.join(","))
}

/// The canonical query string: parameters sorted by name, names and values RFC 3986-encoded,
/// `name=value` joined by `&` (a parameter without a value keeps its `=`). The request sends
/// exactly this string, so what is signed is what arrives.
pub fn canonical_query(params: &[(&str, &str)]) -> String {
    let mut encoded: Vec<(String, String)> = params
        .iter()
        .map(|(k, v)| (wire::percent_encode(k), wire::percent_encode(v)))
        .collect();
    encoded.sort();
    encoded
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// The signed headers of a request: `host`, `content-type` and `x-acs-*`, names lower-cased
/// and sorted, values trimmed. Returns the canonical headers block and the `SignedHeaders`
/// list.
pub fn canonical_headers(headers: &[(&str, &str)]) -> (String, String) {
    let mut signed: Vec<(String, &str)> = headers
        .iter()
        .map(|(name, value)| (name.to_ascii_lowercase(), value.trim()))
        .filter(|(name, _)| name == "host" || name == "content-type" || name.starts_with("x-acs-"))
        .collect();
    signed.sort();
    let block: String = signed
        .iter()
        .map(|(name, value)| format!("{name}:{value}\n"))
        .collect();
    let names: Vec<&str> = signed.iter().map(|(name, _)| name.as_str()).collect();
    (block, names.join(";"))
}

/// Step 1 of the V3 document: the canonical request, and the `SignedHeaders` list.
pub fn canonical_request(
    method: &str,
    canonical_uri: &str,
    canonical_query: &str,
    headers: &[(&str, &str)],
    hashed_payload: &str,
) -> (String, String) {
    let (block, signed) = canonical_headers(headers);
    (
        format!(
            "{method}\n{canonical_uri}\n{canonical_query}\n{block}\n{signed}\n{hashed_payload}"
        ),
        signed,
    )
}

/// Steps 2 and 3: the hex signature of a canonical request.
pub fn signature(secret: &str, canonical_request: &str) -> String {
    let string_to_sign = format!(
        "{ALGORITHM}\n{}",
        wire::sha256_hex(canonical_request.as_bytes())
    );
    hex::encode(wire::hmac_sha256(
        secret.as_bytes(),
        string_to_sign.as_bytes(),
    ))
}

/// Step 4: the `Authorization` header of a request.
pub fn authorization(
    access_key_id: &str,
    secret: &str,
    method: &str,
    canonical_uri: &str,
    canonical_query: &str,
    headers: &[(&str, &str)],
    hashed_payload: &str,
) -> String {
    let (request, signed_headers) = canonical_request(
        method,
        canonical_uri,
        canonical_query,
        headers,
        hashed_payload,
    );
    format!(
        "{ALGORITHM} Credential={access_key_id},SignedHeaders={signed_headers},Signature={}",
        signature(secret, &request)
    )
}

/// An answer, successful or not: the gateway's errors and `SendSms`'s share these fields.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Answer {
    pub code: Option<String>,
    pub message: Option<String>,
    pub biz_id: Option<String>,
    pub request_id: Option<String>,
}

fn interpret(
    status: u16,
    body: &[u8],
    message: &SmsMessage,
    now: DateTime<Utc>,
) -> Result<SmsReceipt, SmsError> {
    let Ok(answer) = serde_json::from_slice::<Answer>(body) else {
        return Err(wire::unreadable_answer(BACKEND, status, body, message));
    };
    let Some(code) = answer.code.clone() else {
        return Err(wire::unreadable_answer(BACKEND, status, body, message));
    };
    if code == "OK" && status == 200 {
        return Ok(SmsReceipt {
            backend: BACKEND,
            id: answer.biz_id.unwrap_or_default(),
            request_id: answer.request_id,
        });
    }
    let reply = ProviderReply {
        provider: BACKEND,
        code,
        message: wire::scrub(answer.message.as_deref().unwrap_or_default(), message),
        request_id: answer.request_id,
    };
    Err(classify(status, reply, now))
}

/// Sorts an Alibaba Cloud error code (from the SMS error code list and the gateway's common
/// codes) into what it means for us. Unknown `isv.*` codes are business refusals, unknown
/// `isp.*` codes are the platform's own trouble.
pub fn classify(status: u16, reply: ProviderReply, now: DateTime<Utc>) -> SmsError {
    let code = reply.code.as_str();
    match code {
        // Per-number flow control (1 a minute, 5 an hour, 10 a day by default for codes);
        // the message says which window: 触发分钟级流控 / 小时级 / 天级.
        "isv.BUSINESS_LIMIT_CONTROL" => {
            let retry_after = if reply.message.contains("分钟") {
                Some(Duration::from_secs(60))
            } else if reply.message.contains("小时") {
                Some(Duration::from_secs(3600))
            } else if reply.message.contains("天") {
                Some(wire::until_next_china_midnight(now))
            } else {
                None
            };
            SmsError::RateLimited { reply, retry_after }
        }
        // The account's daily total set in the console.
        "isv.DAY_LIMIT_CONTROL" => SmsError::RateLimited {
            retry_after: Some(wire::until_next_china_midnight(now)),
            reply,
        },
        "isv.MONTH_LIMIT_CONTROL" => SmsError::RateLimited {
            reply,
            retry_after: None,
        },
        c if c == "Throttling" || c.starts_with("Throttling.") => SmsError::RateLimited {
            reply,
            retry_after: Some(Duration::from_secs(1)),
        },
        "isv.MOBILE_NUMBER_ILLEGAL" => SmsError::InvalidNumber(reply),
        "isv.AMOUNT_NOT_ENOUGH"
        | "isv.OUT_OF_SERVICE"
        | "isv.PRODUCT_UN_SUBSCRIPT"
        | "isv.PRODUCT_UNSUBSCRIBE"
        | "isv.ACCOUNT_NOT_EXISTS"
        | "isv.ACCOUNT_ABNORMAL" => SmsError::Account(reply),
        "SignatureDoesNotMatch"
        | "IncompleteSignature"
        | "InvalidTimeStamp.Expired"
        | "InvalidTimeStamp.Format"
        | "SignatureNonceUsed"
        | "isp.RAM_PERMISSION_DENY" => SmsError::AuthFailed(reply),
        c if c.starts_with("InvalidAccessKeyId")
            || c.starts_with("InvalidSecurityToken")
            || c.starts_with("Forbidden") =>
        {
            SmsError::AuthFailed(reply)
        }
        "isp.SYSTEM_ERROR" | "ServiceUnavailable" | "InternalError" | "UnknownError" => {
            SmsError::Unavailable(reply)
        }
        // isv.SMS_TEMPLATE_ILLEGAL, isv.SMS_SIGNATURE_ILLEGAL, isv.TEMPLATE_MISSING_PARAMETERS,
        // isv.SMS_CONTENT_ILLEGAL, isv.PARAM_LENGTH_LIMIT … : we sent something the provider
        // will not send.
        c if c.starts_with("isv.") => SmsError::Refused(reply),
        c if c.starts_with("isp.") => SmsError::Unavailable(reply),
        _ if status >= 500 => SmsError::Unavailable(reply),
        // MissingParameter, InvalidParameter, InvalidAction.NotFound, InvalidVersion …
        _ => SmsError::Refused(reply),
    }
}

#[cfg(test)]
#[expect(clippy::expect_used, reason = "a failed setup is a failed test")]
mod tests {
    use super::*;
    use farmgate_kernel::Phone;

    /// The worked example of "Request syntax and signature method V3" (Alibaba Cloud SDK
    /// documentation, section 签名示例 / "Signature example": fixed parameter values,
    /// https://help.aliyun.com/zh/sdk/product-overview/v3-request-structure-and-signature):
    /// ECS `RunInstances` 2014-05-26 at ecs.cn-shanghai.aliyuncs.com, AccessKey ID
    /// `YourAccessKeyId`, secret `YourAccessKeySecret`, x-acs-date 2023-10-26T10:22:32Z, nonce
    /// 3156853299f313e23d1673dc12e1703d, query ImageId and RegionId, empty body.
    #[test]
    fn the_v3_documents_worked_example_signs_to_its_published_value() {
        let query = canonical_query(&[
            ("RegionId", "cn-shanghai"),
            (
                "ImageId",
                "win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd",
            ),
        ]);
        assert_eq!(
            query,
            "ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai"
        );
        let payload = wire::sha256_hex(b"");
        assert_eq!(
            payload,
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        // Given in any order and case, as a client might hold them.
        let headers = [
            ("x-acs-version", "2014-05-26"),
            ("X-Acs-Signature-Nonce", "3156853299f313e23d1673dc12e1703d"),
            ("x-acs-date", "2023-10-26T10:22:32Z"),
            ("x-acs-content-sha256", payload.as_str()),
            ("x-acs-action", "RunInstances"),
            ("Host", " ecs.cn-shanghai.aliyuncs.com "),
            ("user-agent", "not signed"),
        ];
        let (request, signed) = canonical_request("POST", "/", &query, &headers, &payload);
        assert_eq!(
            request,
            "POST\n/\n\
             ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai\n\
             host:ecs.cn-shanghai.aliyuncs.com\n\
             x-acs-action:RunInstances\n\
             x-acs-content-sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855\n\
             x-acs-date:2023-10-26T10:22:32Z\n\
             x-acs-signature-nonce:3156853299f313e23d1673dc12e1703d\n\
             x-acs-version:2014-05-26\n\n\
             host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version\n\
             e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(
            signed,
            "host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version"
        );
        // The document's HashedCanonicalRequest.
        assert_eq!(
            wire::sha256_hex(request.as_bytes()),
            "7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259"
        );
        assert_eq!(
            signature("YourAccessKeySecret", &request),
            "06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"
        );
        assert_eq!(
            authorization(
                "YourAccessKeyId",
                "YourAccessKeySecret",
                "POST",
                "/",
                &query,
                &headers,
                &payload
            ),
            "ACS3-HMAC-SHA256 Credential=YourAccessKeyId,\
             SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,\
             Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0"
        );
    }

    #[test]
    fn the_query_is_sorted_by_name_and_encoded_by_rfc_3986() {
        let query = canonical_query(&[
            ("TemplateParam", "{\"code\":\"123456\"}"),
            ("SignName", "农源 直供*"),
            ("PhoneNumbers", "13800138000"),
            ("TemplateCode", "SMS_1~2"),
        ]);
        assert_eq!(
            query,
            "PhoneNumbers=13800138000\
             &SignName=%E5%86%9C%E6%BA%90%20%E7%9B%B4%E4%BE%9B%2A\
             &TemplateCode=SMS_1~2\
             &TemplateParam=%7B%22code%22%3A%22123456%22%7D"
        );
        assert_eq!(canonical_query(&[("Empty", "")]), "Empty=");
    }

    #[test]
    fn headers_outside_the_signed_set_are_left_out_and_content_type_is_kept() {
        let (block, signed) = canonical_headers(&[
            ("Content-Type", "application/json"),
            ("accept", "*/*"),
            ("x-acs-action", "SendSms"),
            ("host", "dysmsapi.aliyuncs.com"),
        ]);
        assert_eq!(
            block,
            "content-type:application/json\nhost:dysmsapi.aliyuncs.com\nx-acs-action:SendSms\n"
        );
        assert_eq!(signed, "content-type;host;x-acs-action");
    }

    #[test]
    fn template_parameters_are_a_json_object_in_the_templates_order() {
        let json = template_param_json(&[
            ("order".into(), "FG-1".into()),
            ("tracking".into(), "SF \"1\"".into()),
        ]);
        assert_eq!(json, r#"{"order":"FG-1","tracking":"SF \"1\""}"#);
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
    fn an_ok_answer_is_a_receipt_with_the_biz_id() {
        let body = br#"{"Code":"OK","Message":"OK","BizId":"9006197469364984400","RequestId":"F655A8D5-B967-440B-8683-DAD6FF8DE990"}"#;
        let receipt = interpret(200, body, &message(), now()).expect("accepted");
        assert_eq!(receipt.backend, "aliyun");
        assert_eq!(receipt.id, "9006197469364984400");
        assert_eq!(
            receipt.request_id.as_deref(),
            Some("F655A8D5-B967-440B-8683-DAD6FF8DE990")
        );
    }

    fn kind_of(status: u16, body: &str) -> (String, Option<Duration>) {
        let e = interpret(status, body.as_bytes(), &message(), now()).expect_err("an error");
        (e.kind().to_owned(), e.retry_after())
    }

    #[test]
    fn business_and_gateway_codes_map_to_what_they_mean() {
        let cases = [
            (200, "isv.MOBILE_NUMBER_ILLEGAL", "invalid_number"),
            (200, "isv.TEMPLATE_MISSING_PARAMETERS", "refused"),
            (200, "isv.SMS_SIGNATURE_ILLEGAL", "refused"),
            (200, "isv.SMS_TEMPLATE_ILLEGAL", "refused"),
            (200, "isv.SMS_CONTENT_ILLEGAL", "refused"),
            (200, "isv.SOMETHING_NEW", "refused"),
            (200, "isv.AMOUNT_NOT_ENOUGH", "account"),
            (200, "isv.OUT_OF_SERVICE", "account"),
            (404, "InvalidAccessKeyId.NotFound", "auth_failed"),
            (400, "SignatureDoesNotMatch", "auth_failed"),
            (400, "InvalidTimeStamp.Expired", "auth_failed"),
            (400, "SignatureNonceUsed", "auth_failed"),
            (403, "Forbidden.RAM", "auth_failed"),
            (400, "Throttling.User", "rate_limited"),
            (200, "isv.DAY_LIMIT_CONTROL", "rate_limited"),
            (200, "isp.SYSTEM_ERROR", "unavailable"),
            (503, "ServiceUnavailable", "unavailable"),
            (500, "SomethingElse", "unavailable"),
            (400, "MissingPhoneNumbers", "refused"),
        ];
        for (status, code, kind) in cases {
            let body = format!(r#"{{"Code":"{code}","Message":"m","RequestId":"r"}}"#);
            assert_eq!(kind_of(status, &body).0, kind, "{code}");
        }
    }

    #[test]
    fn flow_control_says_how_long_to_wait() {
        let body = |m: &str| format!(r#"{{"Code":"isv.BUSINESS_LIMIT_CONTROL","Message":"{m}"}}"#);
        assert_eq!(
            kind_of(200, &body("触发分钟级流控Permits:1")),
            ("rate_limited".into(), Some(Duration::from_secs(60)))
        );
        assert_eq!(
            kind_of(200, &body("触发小时级流控Permits:5")).1,
            Some(Duration::from_secs(3600))
        );
        // 02:00 UTC is 10:00 in China: 14 hours to midnight.
        assert_eq!(
            kind_of(200, &body("触发天级流控Permits:10")).1,
            Some(Duration::from_secs(14 * 3600))
        );
        assert_eq!(kind_of(200, &body("limited")).1, None);
    }

    #[test]
    fn an_answer_that_is_not_the_providers_json_is_unavailable_and_scrubbed() {
        let e = interpret(
            502,
            b"<html>bad gateway for 13800138000 code 424242</html>",
            &message(),
            now(),
        )
        .expect_err("an error");
        assert_eq!(e.kind(), "unavailable");
        let reply = e.reply().expect("reply");
        assert_eq!(reply.code, "http.502");
        assert!(
            !reply.message.contains("13800138000") && !reply.message.contains("424242"),
            "{}",
            reply.message
        );
        // JSON without a code is no answer either.
        let e = interpret(200, b"{}", &message(), now()).expect_err("an error");
        assert_eq!(e.kind(), "unavailable");
    }

    #[test]
    fn an_ok_code_with_an_error_status_is_not_success() {
        let e = interpret(500, br#"{"Code":"OK"}"#, &message(), now()).expect_err("an error");
        assert_eq!(e.kind(), "unavailable");
    }

    #[test]
    fn the_secret_does_not_print() {
        let config = AliyunConfig {
            access_key_id: "LTAI5tExample".into(),
            access_key_secret: "topsecret".into(),
            sign_name: "农源直供".into(),
            templates: TemplateIds::new(),
            endpoint: None,
            timeout: Duration::from_secs(5),
        };
        let text = format!("{config:?}");
        assert!(!text.contains("topsecret") && text.contains("LTAI5tExample"));
    }

    #[test]
    fn missing_credentials_or_a_bad_endpoint_are_refused_at_start() {
        let config = AliyunConfig {
            access_key_id: "id".into(),
            access_key_secret: " ".into(),
            sign_name: "农源直供".into(),
            templates: TemplateIds::new(),
            endpoint: None,
            timeout: Duration::from_secs(5),
        };
        assert!(matches!(
            AliyunSms::new(config.clone(), Clock::system()),
            Err(SmsConfigError::Missing("access_key_secret"))
        ));
        let config = AliyunConfig {
            access_key_secret: "s".into(),
            endpoint: Some("dysmsapi".into()),
            ..config
        };
        assert!(matches!(
            AliyunSms::new(config, Clock::system()),
            Err(SmsConfigError::Endpoint(_))
        ));
    }
}
