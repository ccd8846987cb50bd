//! Public answers are the same for everyone: an ETag over the bytes, a short
//! `Cache-Control`, and `304` when the client has them already.

use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sha2::Digest;

/// A minute: a newly approved notice shows within it, and a busy share link costs one render
/// a minute.
pub const PUBLIC: &str = "public, max-age=60";

fn etag_of(bytes: &[u8]) -> String {
    let d = sha2::Sha256::digest(bytes);
    format!("\"{}\"", hex::encode(&d[..10]))
}

/// Bytes with public caching.
pub fn cached(headers: &HeaderMap, content_type: &'static str, body: Vec<u8>) -> Response {
    let etag = etag_of(&body);
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag));
    let mut resp = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (StatusCode::OK, body).into_response()
    };
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(PUBLIC));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    resp
}
