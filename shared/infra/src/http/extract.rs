//! Extractors whose rejections speak the one error shape, with field-level detail.

use super::ApiError;
use super::codes::HttpCode;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{StatusCode, header};
use bytes::Bytes;
use farmgate_kernel::FieldError;
pub use farmgate_kernel::error::Lang;
use serde::de::DeserializeOwned;
use std::net::{IpAddr, SocketAddr};

/// A JSON body. Malformed JSON is a 400; missing, unknown or mistyped fields are a 422 naming
/// the field; a body over the limit is a 413; a non-JSON content type is a 415.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    S: Send + Sync,
    T: DeserializeOwned,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<mime::Mime>().ok())
            .is_some_and(|m| {
                m.type_() == "application"
                    && (m.subtype() == "json" || m.suffix().is_some_and(|s| s == "json"))
            });
        if !is_json {
            return Err(ApiError::new(
                HttpCode::UnsupportedMediaType.status(),
                HttpCode::UnsupportedMediaType.code(),
                "请求体须为 JSON（Content-Type: application/json）",
                "the body must be JSON (Content-Type: application/json)",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                payload_too_large()
            } else {
                ApiError::from(HttpCode::UnreadableBody)
            }
        })?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// 413 in our shape.
pub fn payload_too_large() -> ApiError {
    ApiError::from(HttpCode::PayloadTooLarge)
}

/// Deserialises JSON, turning serde's complaints into field errors.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize::<_, T>(de) {
        Ok(v) => Ok(v),
        Err(err) => {
            let path = err.path().to_string();
            let inner = err.into_inner();
            if !inner.is_data() {
                return Err(ApiError::new(
                    HttpCode::MalformedJson.status(),
                    HttpCode::MalformedJson.code(),
                    format!(
                        "JSON 格式错误（第 {} 行第 {} 列）",
                        inner.line(),
                        inner.column()
                    ),
                    format!(
                        "malformed JSON at line {} column {}",
                        inner.line(),
                        inner.column()
                    ),
                ));
            }
            Err(ApiError::field(describe_data_error(
                &path,
                &inner.to_string(),
            )))
        }
    }
}

/// serde's data errors name the field in the message for missing and unknown fields and in the
/// path for wrong types.
fn describe_data_error(path: &str, message: &str) -> FieldError {
    let base = if path == "." {
        String::new()
    } else {
        format!("{path}.")
    };
    let quoted = |m: &str| m.split('`').nth(1).map(str::to_owned);
    if message.starts_with("missing field") {
        let name = quoted(message).unwrap_or_default();
        return FieldError::new(
            format!("{base}{name}"),
            "required",
            "此项必填",
            "this field is required",
        );
    }
    if message.starts_with("unknown field") {
        // Here the path already ends with the unknown field's name.
        let name = quoted(message).unwrap_or_default();
        let field = if path == "." || !path.ends_with(name.as_str()) {
            format!("{base}{name}")
        } else {
            path.to_owned()
        };
        return FieldError::new(
            field,
            "unknown_field",
            "不支持的字段",
            "this field is not part of the request",
        );
    }
    let field = if path == "." {
        "body".to_owned()
    } else {
        path.to_owned()
    };
    let detail = message.split(" at line ").next().unwrap_or(message);
    FieldError::new(
        field,
        "invalid_type",
        format!("类型或取值不正确：{detail}"),
        format!("wrong type or value: {detail}"),
    )
}

/// A path parameter; a malformed id is a 404 (there is nothing at that address).
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiPath<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiPath<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(v)| ApiPath(v))
            .map_err(|_| ApiError::not_found("资源", "resource"))
    }
}

/// Query parameters; bad ones are a 400 naming the problem.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        serde_urlencoded_from_str::<T>(query).map(ApiQuery)
    }
}

fn serde_urlencoded_from_str<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    axum::extract::Query::<T>::try_from_uri(
        &format!("/?{query}")
            .parse()
            .map_err(|_| bad_query("unparsable query string".to_owned()))?,
    )
    .map(|axum::extract::Query(v)| v)
    .map_err(|e| bad_query(e.body_text()))
}

fn bad_query(detail: String) -> ApiError {
    ApiError::new(
        HttpCode::InvalidQuery.status(),
        HttpCode::InvalidQuery.code(),
        format!("查询参数不正确：{detail}"),
        format!("invalid query parameters: {detail}"),
    )
}

/// The language the request asked for (`Accept-Language`), for responses that carry text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RequestLang(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for RequestLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(RequestLang(lang_of(&parts.headers)))
    }
}

/// The language a request asked for.
pub fn lang_of(headers: &axum::http::HeaderMap) -> Lang {
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .map(Lang::from_accept_language)
        .unwrap_or_default()
}

/// Whether to believe `X-Forwarded-For` (only behind our own load balancer). Put in the
/// request extensions by the server.
#[derive(Clone, Copy, Debug, Default)]
pub struct TrustProxy(pub bool);

/// The client's address, for rate limits and the audit log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(client_ip(parts))
    }
}

pub fn client_ip(parts: &Parts) -> ClientIp {
    let trust = parts
        .extensions
        .get::<TrustProxy>()
        .copied()
        .unwrap_or_default();
    if trust.0
        && let Some(ip) = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
            .and_then(|v| v.trim().parse::<IpAddr>().ok())
    {
        return ClientIp(Some(ip));
    }
    ClientIp(
        parts
            .extensions
            .get::<axum::extract::ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "fields exist to be deserialised")]
    struct Req {
        name: String,
        age: u8,
        inner: Option<Inner>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "fields exist to be deserialised")]
    struct Inner {
        city: String,
    }

    fn field_of(e: &ApiError) -> Vec<String> {
        e.fields
            .as_ref()
            .map(|f| f.errors().iter().map(|e| e.field.clone()).collect())
            .unwrap_or_default()
    }

    #[test]
    fn malformed_json_is_a_bad_request() {
        let e = parse_json::<Req>(b"{\"name\": ").err();
        assert_eq!(
            e.map(|e| (e.status, e.code)),
            Some((StatusCode::BAD_REQUEST, "malformed_json".into()))
        );
    }

    #[test]
    fn missing_unknown_and_mistyped_fields_are_named() {
        let e = parse_json::<Req>(br#"{"age": 3}"#).err();
        assert_eq!(e.as_ref().map(field_of), Some(vec!["name".to_owned()]));
        let e = parse_json::<Req>(br#"{"name":"a","age":3,"admin":true}"#).err();
        assert_eq!(e.as_ref().map(field_of), Some(vec!["admin".to_owned()]));
        let e = parse_json::<Req>(br#"{"name":"a","age":"old"}"#).err();
        assert_eq!(e.as_ref().map(field_of), Some(vec!["age".to_owned()]));
        let e = parse_json::<Req>(br#"{"name":"a","age":300}"#).err();
        assert_eq!(e.as_ref().map(field_of), Some(vec!["age".to_owned()]));
        let e = parse_json::<Req>(br#"{"name":"a","age":3,"inner":{"town":"x"}}"#).err();
        assert_eq!(
            e.as_ref().map(field_of),
            Some(vec!["inner.town".to_owned()])
        );
        assert!(e.is_some_and(|e| e.status == StatusCode::UNPROCESSABLE_ENTITY));
    }
}

/// Who sent a request and from where: for the audit log and session records.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RequestMeta {
    pub ip: Option<IpAddr>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
}

impl RequestMeta {
    pub fn ip_string(&self) -> Option<String> {
        self.ip.map(|ip| ip.to_string())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for RequestMeta {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let header = |name: &str, max: usize| {
            parts
                .headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(|v| v.chars().take(max).collect::<String>())
        };
        Ok(RequestMeta {
            ip: client_ip(parts).0,
            user_agent: header("user-agent", 256),
            request_id: header(super::layers::REQUEST_ID_HEADER, 64),
        })
    }
}
