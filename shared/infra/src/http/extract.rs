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

/// Deserialises JSON, turning serde's complaints into field errors. Every body of ours is an
/// object: an array is refused here (`400 malformed_json`), where serde would otherwise read it
/// as the struct's fields in order (`[null, null]` passed for an empty update).
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if bytes.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[') {
        return Err(ApiError::new(
            HttpCode::MalformedJson.status(),
            HttpCode::MalformedJson.code(),
            "请求体须为 JSON 对象（{…}），不能是数组",
            "the body must be a JSON object ({…}), not an array",
        ));
    }
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
    // serde speaks English: its words go into the English message only.
    FieldError::new(
        field,
        "invalid_type",
        "类型或取值不正确",
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

/// Query parameters; bad ones are a 400 naming the parameter (`invalid_query`), and a control
/// character in any parameter (a NUL byte …) is a 400 `control_characters` before anything
/// reads the values.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiQuery<T>(pub T);

impl<S, T> FromRequestParts<S> for ApiQuery<T>
where
    S: Send + Sync,
    T: DeserializeOwned + Send,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        parse_query(parts.uri.query().unwrap_or("")).map(ApiQuery)
    }
}

/// Deserialises a query string (without the `?`), naming the parameter that is wrong.
pub fn parse_query<T: DeserializeOwned>(query: &str) -> Result<T, ApiError> {
    if let Some(name) = control_character_in_query(query) {
        return Err(control_characters_in(&name));
    }
    let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    serde_path_to_error::deserialize::<_, T>(de).map_err(|err| {
        let path = err.path().to_string();
        let message = err.into_inner().to_string();
        bad_query(&path, &message)
    })
}

/// The first query parameter (by name) whose name or decoded value holds a control character:
/// NUL, the other C0 controls, DEL, C1. Databases refuse some of them (PostgreSQL: NUL in
/// text), logs and exports mangle the rest; no parameter of ours needs one.
pub fn control_character_in_query(query: &str) -> Option<String> {
    form_urlencoded::parse(query.as_bytes()).find_map(|(name, value)| {
        (name.chars().any(char::is_control) || value.chars().any(char::is_control)).then(|| {
            let shown: String = name.chars().filter(|c| !c.is_control()).take(64).collect();
            if shown.is_empty() {
                "query".to_owned()
            } else {
                shown
            }
        })
    })
}

/// 400 `control_characters` naming the parameter.
pub fn control_characters_in(name: &str) -> ApiError {
    ApiError::from(HttpCode::ControlCharacters).with_fields(FieldError::new(
        name.to_owned(),
        "control_characters",
        "包含不可见的控制字符",
        "contains invisible control characters",
    ))
}

/// 400 `invalid_query`: the parameter named in the Chinese and the English message, serde's
/// own (English) words in the English message only.
fn bad_query(path: &str, serde_message: &str) -> ApiError {
    let quoted = |m: &str| m.split('`').nth(1).map(str::to_owned);
    let name = if path == "." || path.is_empty() {
        // Missing and unknown parameters are named in serde's message, not in the path.
        quoted(serde_message).unwrap_or_default()
    } else {
        path.to_owned()
    };
    let detail = serde_message
        .strip_prefix("failed to deserialize query string: ")
        .unwrap_or(serde_message);
    let (code, zh, en) = if serde_message.starts_with("missing field") {
        (
            "required",
            "此项必填".to_owned(),
            "this parameter is required".to_owned(),
        )
    } else if serde_message.starts_with("unknown field") {
        (
            "unknown_field",
            "不支持的参数".to_owned(),
            "this parameter is not part of the request".to_owned(),
        )
    } else {
        (
            "invalid_value",
            "取值不正确".to_owned(),
            format!("invalid value: {detail}"),
        )
    };
    let mut e = if name.is_empty() {
        ApiError::from(HttpCode::InvalidQuery)
    } else {
        ApiError::new(
            HttpCode::InvalidQuery.status(),
            HttpCode::InvalidQuery.code(),
            format!("查询参数 {name} 不正确"),
            format!("invalid query parameter {name}: {detail}"),
        )
        .with_fields(FieldError::new(name, code, zh, en))
    };
    if e.fields.is_none() {
        e.message = Box::new(farmgate_kernel::Msg::new(
            "查询参数不正确",
            format!("invalid query parameters: {detail}"),
        ));
    }
    e
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

/// Whether to believe `X-Forwarded-For`, and which of its entries our own proxies wrote. Put in
/// the request extensions by the server.
///
/// Each proxy appends the address it received the request from, so the header reads
/// `client-supplied…, what proxy 1 saw, what proxy 2 saw`: everything left of what our outermost
/// proxy wrote is the client's own text. The client address is therefore taken from the
/// **right**: the rightmost entry (what our load balancer saw), or, with more proxies of ours in
/// front of it ([`TrustedProxies`]), the first entry from the right that is not one of them.
#[derive(Clone, Debug, Default)]
pub struct TrustProxy {
    /// Off: the client address is the TCP peer and the header is ignored.
    pub enabled: bool,
    pub trusted: TrustedProxies,
}

impl TrustProxy {
    pub fn off() -> Self {
        Self::default()
    }

    /// Behind one proxy of ours (the ingress): the rightmost entry is the client.
    pub fn one_proxy() -> Self {
        Self {
            enabled: true,
            trusted: TrustedProxies::Hops(0),
        }
    }
}

/// Our proxies in front of the one that connects to us.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TrustedProxies {
    /// This many more proxies of ours (a CDN in front of the ingress: 1) each appended an
    /// entry: skip that many entries from the right.
    Hops(usize),
    /// Proxies of ours have addresses in these networks: skip entries from the right while they
    /// are in one of them.
    Networks(Vec<IpNet>),
}

impl Default for TrustedProxies {
    fn default() -> Self {
        Self::Hops(0)
    }
}

impl std::str::FromStr for TrustedProxies {
    type Err = String;

    /// `""` or a number of hops (`"1"`), or a comma-separated list of networks and addresses
    /// (`"10.0.0.0/8, 192.168.1.7, fd00::/8"`).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.is_empty() {
            return Ok(Self::Hops(0));
        }
        if let Ok(n) = s.parse::<usize>() {
            if n > 16 {
                return Err(format!("{n} proxies is not a plausible chain (at most 16)"));
            }
            return Ok(Self::Hops(n));
        }
        s.split(',')
            .map(|part| part.trim().parse::<IpNet>())
            .collect::<Result<Vec<_>, _>>()
            .map(Self::Networks)
    }
}

/// An IP network (`10.0.0.0/8`, `fd00::/8`) or one address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IpNet {
    addr: IpAddr,
    prefix: u8,
}

impl IpNet {
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl std::str::FromStr for IpNet {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let bad = || format!("{s:?} is not an IP address or network (10.0.0.0/8, fd00::/8)");
        let (addr, prefix) = match s.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (s, None),
        };
        let addr = canonical(addr.trim().parse::<IpAddr>().map_err(|_| bad())?);
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p
                .trim()
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(bad)?,
            None => max,
        };
        Ok(Self { addr, prefix })
    }
}

/// IPv4-mapped IPv6 addresses (`::ffff:10.0.0.1`) compare as the IPv4 address they carry.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6
            .to_ipv4_mapped()
            .map(IpAddr::V4)
            .unwrap_or(IpAddr::V6(v6)),
        v4 => v4,
    }
}

/// The client's address, for rate limits and the audit log.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub Option<IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientIp {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(client_ip(parts))
    }
}

/// The TCP peer's address, as the server's listener records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PeerAddr(pub SocketAddr);

pub fn client_ip(parts: &Parts) -> ClientIp {
    let peer = parts
        .extensions
        .get::<axum::extract::ConnectInfo<PeerAddr>>()
        .map(|c| c.0.0.ip())
        .or_else(|| {
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip())
        });
    let trust = parts.extensions.get::<TrustProxy>();
    match trust {
        Some(trust) if trust.enabled => {
            let forwarded = parts
                .headers
                .get_all("x-forwarded-for")
                .iter()
                .filter_map(|v| v.to_str().ok());
            ClientIp(forwarded_client(forwarded, &trust.trusted).or(peer))
        }
        _ => ClientIp(peer),
    }
}

/// The client address in `X-Forwarded-For` (every header line, in order), read from the right.
/// `None` when there is no usable entry where our proxies' entries end.
pub fn forwarded_client<'a>(
    headers: impl IntoIterator<Item = &'a str>,
    trusted: &TrustedProxies,
) -> Option<IpAddr> {
    let entries: Vec<&str> = headers
        .into_iter()
        .flat_map(|h| h.split(','))
        .map(str::trim)
        .filter(|e| !e.is_empty())
        .collect();
    match trusted {
        TrustedProxies::Hops(n) => {
            // Fewer entries than proxies: the request skipped one of them; the leftmost is
            // the furthest any proxy of ours saw.
            let at = entries.len().saturating_sub(n + 1);
            entries.get(at).and_then(|e| parse_forwarded_ip(e))
        }
        TrustedProxies::Networks(nets) => {
            let mut last_trusted = None;
            for entry in entries.iter().rev() {
                // Garbage where an address should be: only a client writes that. The nearest
                // address our proxies vouch for is the best we have.
                let Some(ip) = parse_forwarded_ip(entry) else {
                    return last_trusted;
                };
                if !nets.iter().any(|n| n.contains(ip)) {
                    return Some(ip);
                }
                last_trusted = Some(ip);
            }
            last_trusted
        }
    }
}

/// An address as proxies write it: `203.0.113.7`, `203.0.113.7:5123`, `2001:db8::1`,
/// `[2001:db8::1]:443`.
fn parse_forwarded_ip(entry: &str) -> Option<IpAddr> {
    let entry = entry.trim().trim_matches('"');
    if let Ok(ip) = entry.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    entry
        .parse::<SocketAddr>()
        .ok()
        .map(|sa| canonical(sa.ip()))
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

    fn xff(trusted: &str, headers: &[&str]) -> Option<String> {
        let trusted: TrustedProxies = trusted.parse().unwrap_or_default();
        forwarded_client(headers.iter().copied(), &trusted).map(|ip| ip.to_string())
    }

    #[test]
    fn the_client_address_is_what_our_proxy_saw_not_what_the_client_wrote() {
        // The client wrote "1.1.1.1"; our ingress appended the address it saw.
        assert_eq!(
            xff("", &["1.1.1.1, 203.0.113.7"]),
            Some("203.0.113.7".into())
        );
        assert_eq!(xff("", &["203.0.113.7"]), Some("203.0.113.7".into()));
        assert_eq!(
            xff("0", &["1.1.1.1", "203.0.113.7"]),
            Some("203.0.113.7".into())
        );
    }

    #[test]
    fn more_proxies_of_ours_are_skipped_by_count() {
        // client → CDN (appends client) → ingress (appends CDN) → us
        assert_eq!(
            xff("1", &["9.9.9.9, 203.0.113.7, 198.51.100.20"]),
            Some("203.0.113.7".into())
        );
        assert_eq!(xff("2", &["203.0.113.7"]), Some("203.0.113.7".into()));
    }

    #[test]
    fn more_proxies_of_ours_are_skipped_by_network() {
        let chain = ["9.9.9.9, 203.0.113.7, 10.1.2.3, 10.0.0.5"];
        assert_eq!(xff("10.0.0.0/8", &chain), Some("203.0.113.7".into()));
        assert_eq!(
            xff("10.0.0.5, 10.1.2.3/32", &chain),
            Some("203.0.113.7".into())
        );
        assert_eq!(
            xff("10.0.0.0/8", &["10.0.0.9, 10.0.0.5"]),
            Some("10.0.0.9".into())
        );
        assert_eq!(
            xff("fd00::/8", &["[2001:db8::1]:443, fd00::1"]),
            Some("2001:db8::1".into())
        );
        // A mapped IPv4 address is the IPv4 address.
        assert_eq!(
            xff("10.0.0.0/8", &["203.0.113.7, ::ffff:10.0.0.5"]),
            Some("203.0.113.7".into())
        );
    }

    #[test]
    fn garbage_where_our_proxy_wrote_gives_no_address() {
        assert_eq!(xff("", &["1.1.1.1, unknown"]), None);
        assert_eq!(
            xff("10.0.0.0/8", &["junk, 10.0.0.5"]),
            Some("10.0.0.5".into())
        );
        assert_eq!(xff("", &["203.0.113.7:5123"]), Some("203.0.113.7".into()));
    }

    #[test]
    fn trusted_proxy_settings_parse_or_say_why_not() {
        assert_eq!("".parse::<TrustedProxies>(), Ok(TrustedProxies::Hops(0)));
        assert_eq!("2".parse::<TrustedProxies>(), Ok(TrustedProxies::Hops(2)));
        assert!("99".parse::<TrustedProxies>().is_err());
        assert!("10.0.0.0/33".parse::<TrustedProxies>().is_err());
        assert!("10.0.0.0/8, nonsense".parse::<TrustedProxies>().is_err());
        let Ok(TrustedProxies::Networks(nets)) = "10.0.0.0/8,fd00::/8".parse::<TrustedProxies>()
        else {
            panic!("two networks");
        };
        assert_eq!(nets.len(), 2);
        assert!(nets[0].contains("10.255.0.1".parse().unwrap_or(IpAddr::from([0, 0, 0, 0]))));
        assert!(!nets[0].contains("11.0.0.1".parse().unwrap_or(IpAddr::from([10, 0, 0, 0]))));
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[expect(dead_code, reason = "fields exist to be deserialised")]
    struct Filter {
        status: Option<Colour>,
        q: Option<String>,
        limit: Option<u32>,
    }

    #[derive(Debug, Deserialize)]
    #[serde(rename_all = "snake_case")]
    enum Colour {
        Red,
    }

    #[test]
    fn a_control_character_in_a_query_is_refused_and_the_parameter_named() {
        for q in [
            "q=%00", "q=a%00b", "q=%1B", "q=%7F", "q=%C2%85", "%00=1", "q=%0A",
        ] {
            let e = parse_query::<Filter>(q).err();
            assert_eq!(
                e.as_ref().map(|e| (e.status, e.code.to_string())),
                Some((StatusCode::BAD_REQUEST, "control_characters".to_owned())),
                "{q}"
            );
        }
        let e = parse_query::<Filter>("limit=3&q=x%00").err();
        assert_eq!(e.as_ref().map(field_of), Some(vec!["q".to_owned()]));
        assert!(parse_query::<Filter>("q=%E6%A2%85%E5%B2%AD+%E8%84%90%E6%A9%99").is_ok());
    }

    #[test]
    fn a_bad_query_parameter_is_named_and_the_chinese_message_has_no_english() {
        let e = parse_query::<Filter>("status=maybe").err();
        let Some(e) = e else { panic!("accepted") };
        assert_eq!(e.code, "invalid_query");
        assert_eq!(field_of(&e), vec!["status".to_owned()]);
        assert_eq!(e.message.zh, "查询参数 status 不正确");
        assert!(
            e.message.en.contains("status") && e.message.en.contains("maybe"),
            "{}",
            e.message.en
        );
        let e = parse_query::<Filter>("limit=-3").err();
        assert_eq!(e.as_ref().map(field_of), Some(vec!["limit".to_owned()]));
        let e = parse_query::<Filter>("colour=red").err();
        assert_eq!(e.as_ref().map(field_of), Some(vec!["colour".to_owned()]));
        for e in [
            parse_query::<Filter>("status=maybe").err(),
            parse_query::<Filter>("limit=x").err(),
            parse_query::<Filter>("colour=red").err(),
        ]
        .into_iter()
        .flatten()
        {
            assert!(!e.message.zh.is_ascii(), "{}", e.message.zh);
            assert!(
                !e.message.zh.contains("expected") && !e.message.zh.contains("invalid"),
                "{}",
                e.message.zh
            );
            let zh_fields = e
                .fields
                .as_ref()
                .map(|f| f.by_field(Lang::Zh))
                .unwrap_or_default();
            assert!(
                zh_fields.values().all(|m| !m.contains("expected")),
                "{zh_fields:?}"
            );
        }
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
    fn an_array_is_not_read_as_the_fields_in_order() {
        for body in [&b"[\"a\", 3]"[..], b"  [null, null]", b"[]"] {
            let e = parse_json::<Req>(body).err();
            assert_eq!(
                e.map(|e| (e.status, e.code)),
                Some((StatusCode::BAD_REQUEST, "malformed_json".into())),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
        assert!(parse_json::<Req>(br#"{"name":"a","age":3}"#).is_ok());
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
