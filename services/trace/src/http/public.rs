//! The public JSON anyone can read without logging in: a batch's record, its verification, its
//! EPCIS export, Merkle proofs and the digest log; and the operator's check of that log.

use super::views::{BatchView, DigestView, Verification};
use super::{base_url, lang_of};
use crate::Trace;
use crate::error::{Missing, TraceError};
use crate::service::{AuditReport, DigestCheck, Proof, Record};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Response};
use farmgate_identity::{AuthUser, PlatformRole};
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiError, ApiPath, ApiQuery, ApiResult, ClientIp};
use serde::Deserialize;
use utoipa::IntoParams;

async fn public_record(trace: &Trace, code: &str) -> Result<Record, TraceError> {
    trace
        .record_by_code(code)
        .await?
        .ok_or(TraceError::NotFound(Missing::TraceCode))
}

/// The public record of a batch (what the scan page shows), as JSON.
#[utoipa::path(get, path = "/api/v1/trace/{code}", tag = "trace",
    params(("code" = String, Path, description = "The trace code, in any spelling people type")),
    responses(
        (status = 200, description = "The record, every phone number masked", body = BatchView),
        (status = 404, description = "No batch has this code: `not_found`", body = ErrorBody),
    ))]
pub async fn public_json(
    State(trace): State<Trace>,
    headers: HeaderMap,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Json<BatchView>> {
    let record = public_record(&trace, &code).await?;
    // The public sees every phone masked, in the facts and in the events, as on the scan page.
    let view = BatchView::of(
        &record,
        trace.pending_scans(record.id()).await,
        &base_url(&trace, &headers),
        lang_of(&headers),
    )
    .masked();
    Ok(Json(view))
}

/// Verify a batch: recompute its chain, compare its stored head and count, and re-hash every
/// file its record cites; say what each check found. A file whose bytes matched within the
/// last 60 s is not read again (anyone may call this; the object store is not theirs to tire).
#[utoipa::path(get, path = "/api/v1/trace/{code}/verify", tag = "trace",
    params(("code" = String, Path, description = "The trace code")),
    responses(
        (status = 200, description = "The verdict as a list of checks: the chain, the stored head and count, every cited file's stored bytes re-hashed now (a file that matched within the last 60 s is not read again), and the batch's inclusion in the latest published checkpoint of the transparency log (`log` gives that checkpoint: when signed, by whom); a code the witnessed log holds but the database lost answers `ok: false`", body = Verification),
        (status = 404, description = "No batch has this code: `not_found`", body = ErrorBody),
        (status = 429, description = "This client address used its allowance of verifications for this minute (the setting trace_verify_per_address_per_minute): `too_many_attempts`, with a Retry-After header", body = ErrorBody),
    ))]
pub async fn verify(
    State(trace): State<Trace>,
    ClientIp(ip): ClientIp,
    headers: HeaderMap,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Json<Verification>> {
    if let Some(retry_after) = trace.admit_public_verification(ip).await? {
        return Err(ApiError::too_many(retry_after));
    }
    let lang = lang_of(&headers);
    let Some(mut record) = trace
        .verify_code_with(&code, crate::service::Rehash::ReuseRecentMatch)
        .await?
    else {
        // Gone from the database but in the witnessed log: tampering, not "not found".
        if let Some(normal) = crate::chain::parse_code(&code)
            && trace.logged_but_missing(&normal).await?
        {
            let check = trace.check_log_inclusion(&normal, &[]).await?;
            return Ok(Json(Verification::vanished(check, lang)));
        }
        return Err(TraceError::NotFound(Missing::TraceCode).into());
    };
    let check = trace
        .check_log_inclusion(&record.batch.code, &record.log_view())
        .await?;
    record.set_log_check(check);
    Ok(Json(Verification::of(&record, lang)))
}

/// The batch's chain as a GS1 EPCIS 2.0 JSON-LD document.
#[utoipa::path(get, path = "/api/v1/trace/{code}/epcis", tag = "trace",
    params(("code" = String, Path, description = "The trace code")),
    responses(
        (status = 200, description = "An EPCIS 2.0 document", content_type = "application/ld+json", body = Object),
        (status = 404, description = "No batch has this code: `not_found`", body = ErrorBody),
    ))]
pub async fn epcis(
    State(trace): State<Trace>,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Response> {
    let record = public_record(&trace, &code).await?;
    let gtin = record.listing.as_ref().and_then(|l| l.gtin.clone());
    let now = trace
        .infra()
        .clock
        .now()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let doc = crate::epcis::document(&record, gtin.as_deref(), &now);
    let mut resp = Json(doc).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/ld+json"),
    );
    Ok(resp)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProofQuery {
    /// The digest's sequence number.
    pub digest: i64,
}

/// A Merkle proof that the batch's head as of a digest is in that digest's published root.
#[utoipa::path(get, path = "/api/v1/trace/{code}/proof", tag = "trace",
    params(("code" = String, Path, description = "The trace code"), ProofQuery),
    responses(
        (status = 200, description = "The leaf and the path to the root", body = Proof),
        (status = 400, description = "No or a bad *digest*: `invalid_query`", body = ErrorBody),
        (status = 404, description = "No such digest, or the batch is not in it: `not_found`", body = ErrorBody),
    ))]
pub async fn proof(
    State(trace): State<Trace>,
    ApiPath(code): ApiPath<String>,
    ApiQuery(q): ApiQuery<ProofQuery>,
) -> ApiResult<Json<Proof>> {
    Ok(trace
        .proof(&code, q.digest)
        .await?
        .map(Json)
        .ok_or(TraceError::NotFound(Missing::DigestEntry))?)
}

/// The published digest log: a Merkle root over every batch's head, daily, each entry chained
/// to the previous one. Keep a copy: any later rewrite of history will not match it.
#[utoipa::path(get, path = "/api/v1/trace/digests", tag = "trace",
    responses((status = 200, description = "The log, oldest first", body = Vec<DigestView>)))]
pub async fn digests(State(trace): State<Trace>) -> ApiResult<Json<Vec<DigestView>>> {
    Ok(Json(
        trace
            .digests()
            .await?
            .into_iter()
            .map(DigestView::from)
            .collect(),
    ))
}

/// Recompute every digest from the records as they are now (operator).
#[utoipa::path(get, path = "/api/v1/admin/trace/digests/verify", tag = "admin",
    responses(
        (status = 200, description = "Each digest compared with the records now", body = Vec<DigestCheck>),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the operator or an official: `forbidden`", body = ErrorBody),
    ))]
pub async fn verify_digests(
    State(trace): State<Trace>,
    AuthUser(actor): AuthUser,
) -> ApiResult<Json<Vec<DigestCheck>>> {
    actor
        .require_platform(&[PlatformRole::Operator, PlatformRole::Official])
        .map_err(TraceError::from)?;
    Ok(Json(trace.verify_digests().await?))
}

/// The object store audit: every stored trace file whose bytes did not match its recorded
/// SHA-256 when last checked (operator, county officials).
#[utoipa::path(get, path = "/api/v1/admin/trace/audit", tag = "admin",
    responses(
        (status = 200, description = "How much was audited and every mismatch", body = AuditReport),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the operator or an official: `forbidden`", body = ErrorBody),
    ))]
pub async fn audit_report(
    State(trace): State<Trace>,
    AuthUser(actor): AuthUser,
) -> ApiResult<Json<AuditReport>> {
    Ok(Json(trace.audit_report(&actor).await?))
}

/// A trace file (lab report, photo), served only while its bytes hash to what the record says:
/// otherwise 409 `file_altered`, never other bytes.
#[utoipa::path(get, path = "/media/public/trace/{batch}/{file}", tag = "trace",
    params(
        ("batch" = String, Path, description = "The batch id, as in the attachment's recorded `key`"),
        ("file" = String, Path, description = "The file's name in its recorded `key`"),
    ),
    responses(
        (status = 200, description = "The file's bytes, which hash to the SHA-256 recorded", content_type = "application/octet-stream"),
        (status = 404, description = "No such file: `not_found`", body = ErrorBody),
        (status = 409, description = "The stored bytes no longer hash to what was recorded: `file_altered`", body = ErrorBody),
    ))]
pub async fn media(
    State(trace): State<Trace>,
    Path((batch, file)): Path<(String, String)>,
) -> Response {
    let key = format!("public/trace/{batch}/{file}");
    match trace.trace_file(&key).await {
        Ok(Some(object)) => {
            let mut resp = Response::new(axum::body::Body::from(object.bytes));
            let h = resp.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_str(&object.content_type)
                    .unwrap_or(HeaderValue::from_static("application/octet-stream")),
            );
            h.insert(
                header::CACHE_CONTROL,
                HeaderValue::from_static("public, max-age=31536000, immutable"),
            );
            resp
        }
        Ok(None) => farmgate_infra::http::ApiError::from(TraceError::NotFound(Missing::File))
            .into_response(),
        Err(e) => farmgate_infra::http::ApiError::from(e).into_response(),
    }
}
