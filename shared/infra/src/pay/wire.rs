//! What both payment adapters need on the wire: one HTTP client per adapter, base URLs
//! checked once, and transport failures turned into [`PayError::Transport`] without the URL
//! (Alipay's carry the signed parameters).

use super::{PayConfigError, PayError};
use std::time::Duration;

/// A whole-exchange timeout, so a hanging provider cannot hold a checkout, and a shorter
/// connect timeout.
pub(crate) fn http_client(timeout: Duration) -> Result<reqwest::Client, PayConfigError> {
    reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(5)))
        .user_agent(concat!("farmgate/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(PayConfigError::Client)
}

/// An `http`/`https` URL with a host and no credentials, query or fragment, kept without a
/// trailing slash. `path_allowed`: Alipay's gateway is a path (`/gateway.do`), WeChat Pay's
/// base is a bare origin.
pub(crate) fn checked_url(
    url: &str,
    name: &'static str,
    path_allowed: bool,
) -> Result<reqwest::Url, PayConfigError> {
    let invalid = |why: &str| PayConfigError::Invalid {
        name,
        why: why.to_owned(),
    };
    let parsed = reqwest::Url::parse(url.trim()).map_err(|_| invalid("not a URL"))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(invalid("not an http(s) URL with a host"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(invalid("must not carry credentials"));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(invalid("must not carry a query or fragment"));
    }
    if !path_allowed && parsed.path() != "/" {
        return Err(invalid("must be an origin without a path"));
    }
    Ok(parsed)
}

/// GETs `url` and reads the body, which must come with 200; any other status is a transport
/// failure saying `what` answered it (the URL is never in the error).
pub(crate) async fn get_ok(
    client: &reqwest::Client,
    url: reqwest::Url,
    provider: &'static str,
    what: &str,
) -> Result<bytes::Bytes, PayError> {
    let answer = client
        .get(url)
        .send()
        .await
        .map_err(|e| transport(provider, e))?;
    let status = answer.status().as_u16();
    let bytes = answer.bytes().await.map_err(|e| transport(provider, e))?;
    if status != 200 {
        return Err(PayError::Transport {
            provider,
            detail: format!("HTTP {status} from {what}"),
        });
    }
    Ok(bytes)
}

/// A failure before any answer (refused connection, timeout, broken TLS).
pub(crate) fn transport(provider: &'static str, error: reqwest::Error) -> PayError {
    let kind = if error.is_timeout() {
        "timeout"
    } else if error.is_connect() {
        "connect"
    } else {
        "io"
    };
    let error = error.without_url();
    let mut text = format!("{kind}: {error}");
    let mut source = std::error::Error::source(&error);
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    PayError::Transport {
        provider,
        detail: clip(&text),
    }
}

/// Longest provider text kept in an error.
const MAX_CHARS: usize = 300;

/// Provider text capped for an error message and a log line.
pub(crate) fn clip(text: &str) -> String {
    if text.chars().count() <= MAX_CHARS {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(MAX_CHARS).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_are_origins_and_gateways_may_have_a_path() {
        assert!(checked_url("https://api.mch.weixin.qq.com", "b", false).is_ok());
        assert!(checked_url("http://127.0.0.1:4000/", "b", false).is_ok());
        assert!(checked_url("https://openapi.alipay.com/gateway.do", "g", true).is_ok());
        for bad in [
            "ftp://x",
            "api.mch.weixin.qq.com",
            "https://u:p@x",
            "https://x/?a=1",
            "https://x/#f",
        ] {
            assert!(checked_url(bad, "b", true).is_err(), "{bad}");
        }
        assert!(checked_url("https://x/v3", "b", false).is_err());
    }

    #[test]
    fn long_provider_text_is_clipped() {
        assert_eq!(clip("short"), "short");
        assert_eq!(clip(&"界".repeat(1000)).chars().count(), MAX_CHARS + 1);
    }
}
