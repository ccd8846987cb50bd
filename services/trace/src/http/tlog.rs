//! The transparency log over HTTP (CHAIN.md §10–§11): the C2SP tlog-tiles resources
//! (`/tlog/checkpoint`, `/tlog/tile/…`), and the JSON proofs for clients that do not fetch tiles.

use crate::Trace;
use crate::error::{Missing, TraceError};
use crate::service::{Consistency, Inclusion};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiPath, ApiQuery, ApiResult};
use serde::Deserialize;
use utoipa::IntoParams;

fn plain(
    status: StatusCode,
    body: Vec<u8>,
    content_type: &'static str,
    cache: &'static str,
) -> Response {
    let mut resp = (status, body).into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    h.insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    resp
}

/// `GET /tlog/checkpoint`: the latest published checkpoint, a signed note (C2SP
/// tlog-checkpoint), with the log's signature and the witnesses' cosignatures.
pub async fn checkpoint(State(trace): State<Trace>) -> ApiResult<Response> {
    Ok(match trace.checkpoint_note().await? {
        Some(note) => plain(
            StatusCode::OK,
            note.into_bytes(),
            "text/plain; charset=utf-8",
            "no-cache",
        ),
        None => plain(
            StatusCode::NOT_FOUND,
            b"no checkpoint published yet\n".to_vec(),
            "text/plain; charset=utf-8",
            "no-cache",
        ),
    })
}

/// `GET /tlog/tile/{path}`: a hash tile or an entry bundle (C2SP tlog-tiles). Immutable.
pub async fn tile(State(trace): State<Trace>, Path(rest): Path<String>) -> ApiResult<Response> {
    Ok(match trace.tile(&format!("tile/{rest}")).await? {
        Some(bytes) => plain(
            StatusCode::OK,
            bytes,
            "application/octet-stream",
            "public, max-age=31536000, immutable",
        ),
        None => plain(
            StatusCode::NOT_FOUND,
            b"no such tile in the published tree\n".to_vec(),
            "text/plain; charset=utf-8",
            "no-cache",
        ),
    })
}

/// The proof that a batch's last logged record is a leaf of the latest published checkpoint.
#[utoipa::path(get, path = "/api/v1/trace/{code}/inclusion", tag = "trace",
    params(("code" = String, Path, description = "The trace code")),
    responses(
        (status = 200, description = "The checkpoint, the leaf and its audit path (RFC 9162)", body = Inclusion),
        (status = 404, description = "No checkpoint yet, or the code is not in it: `not_found`", body = ErrorBody),
    ))]
pub async fn inclusion(
    State(trace): State<Trace>,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Json<Inclusion>> {
    Ok(trace
        .inclusion(&code)
        .await?
        .map(Json)
        .ok_or(TraceError::NotFound(Missing::LogEntry))?)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConsistencyQuery {
    /// The older tree size (0 ≤ from ≤ to).
    pub from: u64,
    /// The newer tree size (at most the latest published checkpoint's).
    pub to: u64,
}

/// A consistency proof between two sizes of the log (RFC 9162 §2.1.4).
#[utoipa::path(get, path = "/api/v1/trace/log/consistency", tag = "trace",
    params(ConsistencyQuery),
    responses(
        (status = 200, description = "Both roots and the proof", body = Consistency),
        (status = 400, description = "Missing or non-numeric sizes: `invalid_query`", body = ErrorBody),
        (status = 404, description = "from > to, or to beyond the published size: `not_found`", body = ErrorBody),
    ))]
pub async fn consistency(
    State(trace): State<Trace>,
    ApiQuery(q): ApiQuery<ConsistencyQuery>,
) -> ApiResult<Json<Consistency>> {
    Ok(trace
        .consistency(q.from, q.to)
        .await?
        .map(Json)
        .ok_or(TraceError::NotFound(Missing::LogEntry))?)
}
