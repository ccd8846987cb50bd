//! What both provider adapters need on the wire: hashing and HMAC, RFC 3986 encoding, the
//! endpoint and HTTP client, and scrubbing what comes back before it is logged.

use super::{ProviderReply, SmsConfigError, SmsError, SmsMessage, SmsReceipt};
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use std::time::Duration;

/// The settings a provider cannot work without: the first one left blank, by name.
pub(crate) fn require(fields: &[(&'static str, &str)]) -> Result<(), SmsConfigError> {
    match fields.iter().find(|(_, value)| value.trim().is_empty()) {
        Some(&(name, _)) => Err(SmsConfigError::Missing(name)),
        None => Ok(()),
    }
}

/// `Debug` for an adapter's configuration, each field by name in order, the secret ones
/// (`name => "***"`) printed as their mask; and for the adapter itself (`Name { config, .. }`),
/// its configuration and nothing of its client.
macro_rules! redacted_debug {
    ($ty:ident { $($field:ident $(=> $mask:literal)?),+ $(,)? }) => {
        impl std::fmt::Debug for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($ty))
                    $(.field(stringify!($field), $crate::sms::wire::redacted_debug!(@shown self.$field $(, $mask)?)))+
                    .finish()
            }
        }
    };
    ($ty:ident { $field:ident, .. }) => {
        impl std::fmt::Debug for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.debug_struct(stringify!($ty))
                    .field(stringify!($field), &self.$field)
                    .finish_non_exhaustive()
            }
        }
    };
    (@shown $value:expr) => { &$value };
    (@shown $value:expr, $mask:literal) => { &$mask };
}
pub(crate) use redacted_debug;

/// Sends a signed request and reads the whole answer, which `interpret` (the adapter's own)
/// turns into a receipt or an error from its HTTP status and body; a connection or read
/// failure is a transport error of `backend`. The outcome is logged in the caller's span.
pub(crate) async fn exchange(
    backend: &'static str,
    request: reqwest::RequestBuilder,
    message: &SmsMessage,
    interpret: impl FnOnce(u16, &[u8]) -> Result<SmsReceipt, SmsError>,
) -> Result<SmsReceipt, SmsError> {
    let result = match request.send().await {
        Err(e) => Err(transport_error(backend, e, message)),
        Ok(response) => {
            let status = response.status().as_u16();
            match response.bytes().await {
                Err(e) => Err(transport_error(backend, e, message)),
                Ok(body) => interpret(status, &body),
            }
        }
    };
    match &result {
        Ok(receipt) => tracing::debug!(sms.id = %receipt.id, "text message accepted"),
        Err(e) => {
            tracing::warn!(error.kind = e.kind(), error = %e, "text message not sent")
        }
    }
    result
}

/// Lower-case hex SHA-256.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// HMAC-SHA256 of `msg` under `key`.
pub(crate) fn hmac_sha256(key: &[u8], msg: &[u8]) -> Vec<u8> {
    // HMAC takes a key of any length, so this never fails; an empty result would only give a
    // signature the provider refuses.
    <Hmac<Sha256> as KeyInit>::new_from_slice(key)
        .map(|mut mac| {
            mac.update(msg);
            mac.finalize().into_bytes().to_vec()
        })
        .unwrap_or_default()
}

/// RFC 3986 percent-encoding as both providers sign it: `A–Z a–z 0–9 - _ . ~` stay, every
/// other UTF-8 byte becomes `%XX` in upper case (so a space is `%20`, never `+`, and `*` is
/// `%2A`).
pub(crate) fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        }
    }
    out
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Where a provider's API is: `https://dysmsapi.aliyuncs.com` or a simulator's
/// `http://127.0.0.1:PORT`. The signature covers the `host` header, so it is computed once
/// here and sent explicitly.
#[derive(Clone, Debug)]
pub(crate) struct Endpoint {
    /// Scheme, host and port, no trailing slash.
    pub base: String,
    /// `host` or `host:port` (the port only when it is not the scheme's default).
    pub host: String,
}

impl Endpoint {
    pub fn parse(url: &str) -> Result<Self, SmsConfigError> {
        let bad = || SmsConfigError::Endpoint(url.to_owned());
        let parsed = reqwest::Url::parse(url).map_err(|_| bad())?;
        if !matches!(parsed.scheme(), "http" | "https")
            || parsed.path() != "/"
            || parsed.query().is_some()
            || !parsed.username().is_empty()
        {
            return Err(bad());
        }
        let name = parsed.host_str().ok_or_else(bad)?;
        let host = match parsed.port() {
            Some(port) => format!("{name}:{port}"),
            None => name.to_owned(),
        };
        Ok(Self {
            base: format!("{}://{host}", parsed.scheme()),
            host,
        })
    }
}

/// One client per adapter: a whole-exchange timeout, so a hanging provider cannot hold a
/// log-in request, and a shorter connect timeout.
pub(crate) fn http_client(timeout: Duration) -> Result<reqwest::Client, SmsConfigError> {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(5)))
        .user_agent(concat!("farmgate/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(SmsConfigError::Client)
}

/// A failure before any answer (refused connection, timeout, broken TLS): transient.
pub(crate) fn transport_error(
    provider: &'static str,
    error: reqwest::Error,
    message: &SmsMessage,
) -> SmsError {
    let code = if error.is_timeout() {
        "http.timeout"
    } else if error.is_connect() {
        "http.connect"
    } else {
        "http.io"
    };
    // The URL carries the query, and with it the phone and the code: leave it out.
    let error = error.without_url();
    let mut text = error.to_string();
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    SmsError::Unavailable(ProviderReply {
        provider,
        code: code.to_owned(),
        message: scrub(&text, message),
        request_id: None,
    })
}

/// An answer that is not the provider's JSON (a proxy's error page, an empty 502).
pub(crate) fn unreadable_answer(
    provider: &'static str,
    status: u16,
    body: &[u8],
    message: &SmsMessage,
) -> SmsError {
    let text = String::from_utf8_lossy(body);
    SmsError::Unavailable(ProviderReply {
        provider,
        code: format!("http.{status}"),
        message: scrub(&text, message),
        request_id: None,
    })
}

/// Longest provider message kept for the log.
const MAX_MESSAGE_CHARS: usize = 300;

/// Provider text made safe for a log line: the phone number masked wherever it appears
/// (with or without +86), every parameter value (the code) replaced, and the length capped.
pub(crate) fn scrub(text: &str, message: &SmsMessage) -> String {
    let phone = message.to().as_str();
    let mut out = text.replace(phone, &message.to().masked());
    for (_, value) in message.params() {
        if !value.is_empty() {
            out = out.replace(value.as_str(), "***");
        }
    }
    if out.chars().count() > MAX_MESSAGE_CHARS {
        out = out.chars().take(MAX_MESSAGE_CHARS).collect();
        out.push('…');
    }
    out
}

/// Seconds until the next midnight in China Standard Time: when a provider's daily limit
/// resets.
pub(crate) fn until_next_china_midnight(now: chrono::DateTime<chrono::Utc>) -> Duration {
    const DAY: i64 = 24 * 3600;
    let local = now.timestamp() + 8 * 3600;
    let left = DAY - local.rem_euclid(DAY);
    Duration::from_secs(u64::try_from(left).unwrap_or(3600))
}

#[cfg(test)]
#[expect(clippy::expect_used, reason = "a failed setup is a failed test")]
mod tests {
    use super::*;
    use farmgate_kernel::Phone;

    #[test]
    fn percent_encoding_keeps_only_unreserved_characters() {
        assert_eq!(percent_encode("AZaz09-_.~"), "AZaz09-_.~");
        assert_eq!(
            percent_encode("a b*c+d/e=f&g:h"),
            "a%20b%2Ac%2Bd%2Fe%3Df%26g%3Ah"
        );
        assert_eq!(percent_encode("农源"), "%E5%86%9C%E6%BA%90");
        assert_eq!(
            percent_encode("{\"code\":\"1\"}"),
            "%7B%22code%22%3A%221%22%7D"
        );
        assert_eq!(percent_encode("%7E"), "%257E");
    }

    #[test]
    fn hashes_and_macs_match_known_values() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        // RFC 4231, test case 2.
        assert_eq!(
            hex::encode(hmac_sha256(b"Jefe", b"what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn endpoints_give_the_host_header_the_signature_covers() {
        let e = Endpoint::parse("https://dysmsapi.aliyuncs.com").expect("endpoint");
        assert_eq!(e.base, "https://dysmsapi.aliyuncs.com");
        assert_eq!(e.host, "dysmsapi.aliyuncs.com");
        let e = Endpoint::parse("http://127.0.0.1:41234/").expect("endpoint");
        assert_eq!(e.base, "http://127.0.0.1:41234");
        assert_eq!(e.host, "127.0.0.1:41234");
        let e = Endpoint::parse("https://sms.tencentcloudapi.com:443").expect("endpoint");
        assert_eq!(e.host, "sms.tencentcloudapi.com");
        for bad in [
            "ftp://x",
            "dysmsapi.aliyuncs.com",
            "https://x/api",
            "https://x/?a=b",
            "https://u:p@x/",
        ] {
            assert!(Endpoint::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn scrubbing_masks_the_phone_and_hides_the_code() {
        let m = SmsMessage::one_time_code(Phone::parse("13800138000").expect("phone"), "424242")
            .expect("message");
        let text = scrub(
            "bad request for +8613800138000 with {\"code\":\"424242\"}",
            &m,
        );
        assert_eq!(
            text,
            "bad request for +86138****8000 with {\"code\":\"***\"}"
        );
        let long = scrub(&"x".repeat(1000), &m);
        assert_eq!(long.chars().count(), MAX_MESSAGE_CHARS + 1);
    }

    #[test]
    fn daily_limits_reset_at_midnight_in_china() {
        use chrono::TimeZone;
        // 2026-11-28 23:30 in Shanghai is 15:30 UTC: half an hour left.
        let now = chrono::Utc
            .with_ymd_and_hms(2026, 11, 28, 15, 30, 0)
            .single()
            .expect("time");
        assert_eq!(until_next_china_midnight(now), Duration::from_secs(1800));
        // 00:00 in Shanghai: a whole day.
        let midnight = chrono::Utc
            .with_ymd_and_hms(2026, 11, 28, 16, 0, 0)
            .single()
            .expect("time");
        assert_eq!(
            until_next_china_midnight(midnight),
            Duration::from_secs(86_400)
        );
    }
}
