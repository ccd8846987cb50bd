//! HTTP plumbing every service shares: the one error shape, extractors that produce it, and the
//! middleware that makes every failure (even a router 404 or a body-limit 413) speak it.

pub mod codes;
pub mod error;
pub mod extract;
pub mod layers;
pub mod listener;
pub mod openapi;

pub use codes::{Answer, HttpCode, check_catalogue};
pub use error::{ApiError, ApiResult};
pub use extract::{
    ApiJson, ApiPath, ApiQuery, ClientIp, IpNet, Lang, PeerAddr, RequestLang, RequestMeta,
    TrustProxy, TrustedProxies,
};
pub use listener::GuardedListener;

/// Compares two secrets in time that does not depend on where they differ (bearer tokens):
/// both are hashed first, so neither their contents nor their lengths leak through timing.
pub fn secrets_match(given: &[u8], expected: &[u8]) -> bool {
    use sha2::{Digest, Sha256};
    let (a, b) = (Sha256::digest(given), Sha256::digest(expected));
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}
