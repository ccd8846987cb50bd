//! Codes a seller prints: per-box unit codes, the batch's QR code, and the A4 label sheet.

use super::views::UnitView;
use super::{base_url, html_response};
use crate::{Trace, labels};
use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use farmgate_identity::{Actor, AuthUser};
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiError, ApiJson, ApiPath, ApiQuery, ApiResult};
use farmgate_kernel::FieldError;
use farmgate_kernel::id::BatchId;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitsRequest {
    /// 1–5000.
    pub count: i64,
}

/// Issue per-box serial codes (一物一码).
#[utoipa::path(post, path = "/api/v1/batches/{id}/units", tag = "trace",
    params(("id" = Uuid, Path, description = "The batch")),
    request_body = UnitsRequest,
    responses(
        (status = 201, description = "The new unit codes", body = Vec<UnitView>),
        (status = 400, description = "Bad body: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not a selling member of the batch's seller: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such batch: `not_found`", body = ErrorBody),
        (status = 409, description = "Codes were being issued at the same moment: `busy`; the seller is not verified: `org_not_verified`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "1 to 5000 at a time, at most 100,000 a batch: `validation_failed`", body = ErrorBody),
    ))]
pub async fn issue_units(
    State(trace): State<Trace>,
    AuthUser(actor): AuthUser,
    headers: HeaderMap,
    ApiPath(id): ApiPath<BatchId>,
    ApiJson(req): ApiJson<UnitsRequest>,
) -> ApiResult<(StatusCode, Json<Vec<UnitView>>)> {
    let units = trace.issue_units(&actor, id, req.count).await?;
    let record = trace.detail(&actor, id).await?;
    let base = base_url(&trace, &headers);
    Ok((
        StatusCode::CREATED,
        Json(
            units
                .iter()
                .map(|u| UnitView::of(u, &record.batch.code, &base))
                .collect(),
        ),
    ))
}

/// A batch's unit codes.
#[utoipa::path(get, path = "/api/v1/batches/{id}/units", tag = "trace",
    params(("id" = Uuid, Path, description = "The batch")),
    responses(
        (status = 200, description = "Its unit codes by number, with their scans", body = Vec<UnitView>),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the seller's member or the operator: `forbidden`", body = ErrorBody),
        (status = 404, description = "No such batch: `not_found`", body = ErrorBody),
    ))]
pub async fn list_units(
    State(trace): State<Trace>,
    AuthUser(actor): AuthUser,
    headers: HeaderMap,
    ApiPath(id): ApiPath<BatchId>,
) -> ApiResult<Json<Vec<UnitView>>> {
    let units = trace.units(&actor, id).await?;
    let record = trace.detail(&actor, id).await?;
    let base = base_url(&trace, &headers);
    Ok(Json(
        units
            .iter()
            .map(|u| UnitView::of(u, &record.batch.code, &base))
            .collect(),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QrQuery {
    /// Pixels (PNG) or nominal size (SVG), 64–2048, default 512.
    pub size: Option<u32>,
}

/// The QR code of a batch's page, as SVG or PNG (rendered off the async threads).
async fn qr(
    trace: &Trace,
    actor: &Actor,
    headers: &HeaderMap,
    id: BatchId,
    size: Option<u32>,
    png: bool,
) -> ApiResult<Response> {
    let record = trace.detail(actor, id).await?;
    let url = format!("{}/t/{}", base_url(trace, headers), record.batch.code);
    let size = size.unwrap_or(512).clamp(64, 2048);
    let (body, ct) = if png {
        let bytes = trace
            .infra()
            .limits
            .labels
            .run_blocking(move || labels::qr_png(&url, size))
            .await??;
        (Body::from(bytes), "image/png")
    } else {
        (Body::from(labels::qr_svg(&url, size)?), "image/svg+xml")
    };
    let mut resp = Response::new(body);
    resp.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(ct));
    resp.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=3600"),
    );
    Ok(resp)
}

/// The batch's QR code (SVG), error correction Q.
#[utoipa::path(get, path = "/api/v1/batches/{id}/qr.svg", tag = "trace",
    params(("id" = Uuid, Path, description = "The batch"), QrQuery),
    responses(
        (status = 200, description = "An SVG document", content_type = "image/svg+xml", body = String),
        (status = 400, description = "Bad *size*: `invalid_query`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the seller's member or the operator: `forbidden`", body = ErrorBody),
        (status = 404, description = "No such batch: `not_found`", body = ErrorBody),
    ))]
pub async fn qr_svg(
    State(trace): State<Trace>,
    AuthUser(actor): AuthUser,
    headers: HeaderMap,
    ApiPath(id): ApiPath<BatchId>,
    ApiQuery(q): ApiQuery<QrQuery>,
) -> ApiResult<Response> {
    qr(&trace, &actor, &headers, id, q.size, false).await
}

/// The batch's QR code (PNG), error correction Q.
#[utoipa::path(get, path = "/api/v1/batches/{id}/qr.png", tag = "trace",
    params(("id" = Uuid, Path, description = "The batch"), QrQuery),
    responses(
        (status = 200, description = "A PNG image", content_type = "image/png", body = Vec<u8>),
        (status = 400, description = "Bad *size*: `invalid_query`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the seller's member or the operator: `forbidden`", body = ErrorBody),
        (status = 404, description = "No such batch: `not_found`", body = ErrorBody),
    ))]
pub async fn qr_png(
    State(trace): State<Trace>,
    AuthUser(actor): AuthUser,
    headers: HeaderMap,
    ApiPath(id): ApiPath<BatchId>,
    ApiQuery(q): ApiQuery<QrQuery>,
) -> ApiResult<Response> {
    qr(&trace, &actor, &headers, id, q.size, true).await
}

#[derive(Debug, Deserialize)]
pub struct LabelQuery {
    per_page: Option<u32>,
    units: Option<bool>,
    /// With `units=true`: which sheet of [`MAX_UNIT_LABELS_PER_SHEET`] box labels (from 1).
    page: Option<u32>,
}

/// Box labels drawn on one sheet: each is a QR code, and 100,000 of them in one request took
/// the memory and a core for as long as it liked.
pub const MAX_UNIT_LABELS_PER_SHEET: usize = 500;

/// A printable A4 label sheet (HTML). With `units=true`, one label per box code, at most
/// [`MAX_UNIT_LABELS_PER_SHEET`] a sheet (`page` picks the sheet). Drawn on the blocking pool
/// under the shared `label_sheet` limiter.
pub async fn labels_page(
    State(trace): State<Trace>,
    AuthUser(actor): AuthUser,
    headers: HeaderMap,
    ApiPath(id): ApiPath<BatchId>,
    ApiQuery(q): ApiQuery<LabelQuery>,
) -> ApiResult<Response> {
    let record = trace.detail(&actor, id).await?;
    let units = if q.units.unwrap_or(false) {
        let all = trace.units(&actor, id).await?;
        let page = usize::try_from(q.page.unwrap_or(1)).unwrap_or(usize::MAX);
        let start = page
            .checked_sub(1)
            .and_then(|p| p.checked_mul(MAX_UNIT_LABELS_PER_SHEET))
            .filter(|s| *s < all.len().max(1))
            .ok_or_else(|| {
                ApiError::from(FieldError::new(
                    "page",
                    "out_of_range",
                    "没有这一页标签",
                    "there is no such sheet of labels",
                ))
            })?;
        let end = (start + MAX_UNIT_LABELS_PER_SHEET).min(all.len());
        Some(all[start..end].to_vec())
    } else {
        None
    };
    let base = base_url(&trace, &headers);
    let per_page = q.per_page.unwrap_or(12);
    let html = trace
        .infra()
        .limits
        .labels
        .run_blocking(move || labels::sheet(&record, &base, per_page, units.as_deref()))
        .await??;
    let mut resp = html_response(StatusCode::OK, html);
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}
