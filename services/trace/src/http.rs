//! Traceability over HTTP: the seller's batch API, the public scan page, GS1 Digital Link,
//! the public JSON, verification, EPCIS export and the digest log.

use crate::chain::{self, display_code};
use crate::error::TraceError;
use crate::page::{self, Lang, UnitInfo};
use crate::service::{DigestCheck, NewBatchRequest, NewEventRequest, Proof, Record, shanghai_day};
use crate::store::{attachment, event, unit};
use crate::{Trace, labels};
use axum::Json;
use axum::body::Body;
use axum::extract::{DefaultBodyLimit, FromRef, Multipart, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use farmgate_identity::{AuthUser, Identity};
use farmgate_infra::http::{ApiError, ApiJson, ApiPath, ApiQuery, ApiResult};
use farmgate_kernel::FieldError;
use farmgate_kernel::error::Lang as KLang;
use farmgate_kernel::id::OrgId;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::time::Duration;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

/// How long a rendered page is kept (it shows the scan count as of then).
const PAGE_TTL: Duration = Duration::from_secs(60);

// ---------------------------------------------------------------------------------------------
// Views

#[derive(Debug, Serialize, ToSchema)]
pub struct AttachmentView {
    pub id: Option<Uuid>,
    pub name: String,
    pub content_type: String,
    pub size: i64,
    pub sha256: String,
    pub url: String,
}

impl AttachmentView {
    fn of(a: &attachment::Model) -> Self {
        Self {
            id: Some(a.id),
            name: a.name.clone(),
            content_type: a.content_type.clone(),
            size: a.size_bytes,
            sha256: a.sha256.clone(),
            url: format!("/media/{}", a.object_key),
        }
    }

    fn from_body(v: &Value) -> Self {
        Self {
            id: None,
            name: v["name"].as_str().unwrap_or_default().to_owned(),
            content_type: v["content_type"].as_str().unwrap_or_default().to_owned(),
            size: v["size"].as_i64().unwrap_or(0),
            sha256: v["sha256"].as_str().unwrap_or_default().to_owned(),
            url: format!("/media/{}", v["key"].as_str().unwrap_or_default()),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventView {
    pub seq: i32,
    pub kind: String,
    pub occurred_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    pub data: Value,
    pub attachments: Vec<AttachmentView>,
    pub prev_hash: String,
    pub hash: String,
}

impl EventView {
    fn of(e: &event::Model) -> Self {
        Self {
            seq: e.seq,
            kind: e.kind.clone(),
            occurred_at: e.occurred_at,
            recorded_at: e.recorded_at,
            data: e.body["data"].clone(),
            attachments: e.body["attachments"]
                .as_array()
                .map(|a| a.iter().map(AttachmentView::from_body).collect())
                .unwrap_or_default(),
            prev_hash: e.prev_hash.clone(),
            hash: e.hash.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Verification {
    pub ok: bool,
    pub events: usize,
    pub head: Option<String>,
    pub broken_at: Option<i64>,
    pub reason: Option<String>,
}

impl Verification {
    fn of(record: &Record, lang: KLang) -> Self {
        match &record.verification {
            Ok(head) => Self {
                ok: true,
                events: record.events.len(),
                head: Some(head.clone()),
                broken_at: None,
                reason: None,
            },
            Err(b) => {
                let (zh, en) = b.describe();
                Self {
                    ok: false,
                    events: record.events.len(),
                    head: None,
                    broken_at: b.seq(),
                    reason: Some(if lang == KLang::En { en } else { zh }),
                }
            }
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ListingRef {
    pub id: Uuid,
    pub title: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SellerRef {
    pub id: Uuid,
    pub name: String,
    pub kind: String,
    pub verified: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BatchView {
    pub id: Uuid,
    pub code: String,
    pub code_display: String,
    pub trace_url: String,
    pub lot: String,
    pub listing: Option<ListingRef>,
    pub seller: Option<SellerRef>,
    /// The batch's facts and certificate as recorded in its first event.
    pub facts: Value,
    pub status: String,
    pub events: Vec<EventView>,
    pub verification: Verification,
    pub scans: i64,
    pub units_issued: i32,
    pub created_at: DateTime<Utc>,
}

fn batch_view(trace: &Trace, record: &Record, base: &str, lang: KLang) -> BatchView {
    let b = &record.batch;
    BatchView {
        id: b.id,
        code: b.code.clone(),
        code_display: display_code(&b.code),
        trace_url: format!("{base}/t/{}", b.code),
        lot: b.lot.clone(),
        listing: record.listing.as_ref().map(|l| ListingRef {
            id: l.listing.id,
            title: l.listing.title.clone(),
        }),
        seller: record.seller.as_ref().map(|s| SellerRef {
            id: s.id.as_uuid(),
            name: s.name.clone(),
            kind: s.kind.as_str().to_owned(),
            verified: s.status == farmgate_identity::OrgStatus::Verified,
        }),
        facts: record.facts(),
        status: b.status.clone(),
        events: record.events.iter().map(EventView::of).collect(),
        verification: Verification::of(record, lang),
        scans: b.scans + trace.scans().pending_for(b.id),
        units_issued: b.units_issued,
        created_at: b.created_at,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BatchSummary {
    pub id: Uuid,
    pub code: String,
    pub code_display: String,
    pub lot: String,
    pub listing_id: Uuid,
    pub product_name: String,
    /// May go into a parcel now: open, and its latest inspection passed.
    pub shippable: bool,
    pub status: String,
    pub events: i32,
    pub scans: i64,
    pub units_issued: i32,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitView {
    pub n: i32,
    pub serial: String,
    pub url: String,
    pub scans: i64,
    pub first_scanned_at: Option<DateTime<Utc>>,
}

fn unit_view(u: &unit::Model, code: &str, base: &str) -> UnitView {
    UnitView {
        n: u.n,
        serial: u.serial.clone(),
        url: format!("{base}/t/{code}/{}", u.serial),
        scans: u.scans,
        first_scanned_at: u.first_scanned_at,
    }
}

/// The address QR codes point at: the configured public URL, or the host this request came to.
fn base_url(trace: &Trace, headers: &HeaderMap) -> String {
    if let Some(u) = &trace.config().public_url {
        return u.trim_end_matches('/').to_owned();
    }
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost");
    // Only characters a host can have: the value ends up in printed labels.
    let host: String = host
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        .collect();
    format!("http://{host}")
}

fn lang_of(headers: &HeaderMap) -> KLang {
    farmgate_infra::http::extract::lang_of(headers)
}

// ---------------------------------------------------------------------------------------------
// Seller API

/// Record a batch of a listing, with its compliance certificate (承诺达标合格证).
#[utoipa::path(post, path = "/api/v1/listings/{id}/batches", tag = "trace", params(("id" = Uuid, Path)),
    request_body = NewBatchRequest, responses((status = 201, body = BatchView), (status = 403), (status = 409), (status = 422)))]
pub async fn create_batch(
    State(trace): State<Trace>,
    AuthUser(actor): AuthUser,
    headers: HeaderMap,
    ApiPath(listing): ApiPath<Uuid>,
    ApiJson(req): ApiJson<NewBatchRequest>,
) -> ApiResult<(StatusCode, Json<BatchView>)> {
    let record = trace.create_batch(&actor, listing, req).await?;
    Ok((
        StatusCode::CREATED,
        Json(batch_view(
            &trace,
            &record,
            &base_url(&trace, &headers),
            lang_of(&headers),
        )),
    ))
}

/// An organisation's batches, newest first.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/batches", tag = "trace", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<BatchSummary>), (status = 403)))]
pub async fn org_batches(
    State(trace): State<Trace>,
    AuthUser(actor): AuthUser,
    ApiPath(org): ApiPath<OrgId>,
) -> ApiResult<Json<Vec<BatchSummary>>> {
    let list = trace.batches_of(&actor, org).await?;
    Ok(Json(
        list.into_iter()
            .map(|l| (l.batch, l.product_name, l.shippable))
            .map(|(b, product_name, shippable)| BatchSummary {
                code_display: display_code(&b.code),
                id: b.id,
                code: b.code,
                lot: b.lot,
                listing_id: b.listing_id,
                product_name,
                shippable,
                status: b.status,
                events: b.event_count,
                scans: b.scans,
                units_issued: b.units_issued,
                created_at: b.created_at,
            })
            .collect(),
    ))
}

/// A batch with its whole record (its seller and the operator).
#[utoipa::path(get, path = "/api/v1/batches/{id}", tag = "trace", params(("id" = Uuid, Path)),
    responses((status = 200, body = BatchView), (status = 403), (status = 404)))]
pub async fn get_batch(
    State(trace): State<Trace>,
    AuthUser(actor): AuthUser,
    headers: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<BatchView>> {
    let record = trace.detail(&actor, id).await?;
    Ok(Json(batch_view(
        &trace,
        &record,
        &base_url(&trace, &headers),
        lang_of(&headers),
    )))
}

#[derive(ToSchema)]
#[expect(
    dead_code,
    reason = "describes the multipart body for the OpenAPI document"
)]
pub struct FileUpload {
    /// A PDF, or a JPEG/PNG/WebP image; at most 10 MB.
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    file: String,
}

/// Upload a lab report or photo (multipart field `file`), to attach to an event.
#[utoipa::path(post, path = "/api/v1/batches/{id}/attachments", tag = "trace", params(("id" = Uuid, Path)),
    request_body(content = FileUpload, content_type = "multipart/form-data"),
    responses((status = 201, body = AttachmentView), (status = 413), (status = 415)))]
pub async fn upload(
    State(trace): State<Trace>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    mut multipart: Multipart,
) -> ApiResult<(StatusCode, Json<AttachmentView>)> {
    let too_large = |e: &axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            TraceError::TooLarge.into()
        } else {
            ApiError::bad_request(
                "malformed_multipart",
                "上传内容格式不正确",
                "the upload is not valid multipart form data",
            )
        }
    };
    while let Some(field) = multipart.next_field().await.map_err(|e| too_large(&e))? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("").to_owned();
            let bytes = field.bytes().await.map_err(|e| too_large(&e))?;
            let a = trace.add_attachment(&actor, id, &name, bytes).await?;
            return Ok((StatusCode::CREATED, Json(AttachmentView::of(&a))));
        }
    }
    Err(ApiError::field(FieldError::new(
        "file",
        "required",
        "请选择要上传的文件",
        "choose a file to upload",
    )))
}

/// Append an event to a batch's chain.
#[utoipa::path(post, path = "/api/v1/batches/{id}/events", tag = "trace", params(("id" = Uuid, Path)),
    request_body = NewEventRequest, responses((status = 201, body = EventView), (status = 403), (status = 409), (status = 422)))]
pub async fn add_event(
    State(trace): State<Trace>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<NewEventRequest>,
) -> ApiResult<(StatusCode, Json<EventView>)> {
    let e = trace.append(&actor, id, req).await?;
    Ok((StatusCode::CREATED, Json(EventView::of(&e))))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitsRequest {
    /// 1–5000.
    pub count: i64,
}

/// Issue per-box serial codes (一物一码).
#[utoipa::path(post, path = "/api/v1/batches/{id}/units", tag = "trace", params(("id" = Uuid, Path)),
    request_body = UnitsRequest, responses((status = 201, body = Vec<UnitView>), (status = 403), (status = 422)))]
pub async fn issue_units(
    State(trace): State<Trace>,
    AuthUser(actor): AuthUser,
    headers: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
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
                .map(|u| unit_view(u, &record.batch.code, &base))
                .collect(),
        ),
    ))
}

/// A batch's unit codes.
#[utoipa::path(get, path = "/api/v1/batches/{id}/units", tag = "trace", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<UnitView>), (status = 403)))]
pub async fn list_units(
    State(trace): State<Trace>,
    AuthUser(actor): AuthUser,
    headers: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<UnitView>>> {
    let units = trace.units(&actor, id).await?;
    let record = trace.detail(&actor, id).await?;
    let base = base_url(&trace, &headers);
    Ok(Json(
        units
            .iter()
            .map(|u| unit_view(u, &record.batch.code, &base))
            .collect(),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QrQuery {
    /// Pixels (PNG) or nominal size (SVG), 64–2048, default 512.
    pub size: Option<u32>,
}

async fn qr(
    trace: &Trace,
    actor: &farmgate_identity::Actor,
    headers: &HeaderMap,
    id: Uuid,
    size: Option<u32>,
    png: bool,
) -> ApiResult<Response> {
    let record = trace.detail(actor, id).await?;
    let url = format!("{}/t/{}", base_url(trace, headers), record.batch.code);
    let size = size.unwrap_or(512).clamp(64, 2048);
    let (body, ct) = if png {
        let bytes = tokio::task::spawn_blocking(move || labels::qr_png(&url, size))
            .await
            .map_err(ApiError::internal)??;
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
#[utoipa::path(get, path = "/api/v1/batches/{id}/qr.svg", tag = "trace", params(("id" = Uuid, Path), QrQuery),
    responses((status = 200, content_type = "image/svg+xml", body = String)))]
pub async fn qr_svg(
    State(trace): State<Trace>,
    AuthUser(actor): AuthUser,
    headers: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<QrQuery>,
) -> ApiResult<Response> {
    qr(&trace, &actor, &headers, id, q.size, false).await
}

/// The batch's QR code (PNG), error correction Q.
#[utoipa::path(get, path = "/api/v1/batches/{id}/qr.png", tag = "trace", params(("id" = Uuid, Path), QrQuery),
    responses((status = 200, content_type = "image/png", body = Vec<u8>)))]
pub async fn qr_png(
    State(trace): State<Trace>,
    AuthUser(actor): AuthUser,
    headers: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<QrQuery>,
) -> ApiResult<Response> {
    qr(&trace, &actor, &headers, id, q.size, true).await
}

#[derive(Debug, Deserialize)]
pub struct LabelQuery {
    per_page: Option<u32>,
    units: Option<bool>,
}

/// A printable A4 label sheet (HTML). With `units=true`, one label per box code.
pub async fn labels_page(
    State(trace): State<Trace>,
    AuthUser(actor): AuthUser,
    headers: HeaderMap,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<LabelQuery>,
) -> ApiResult<Response> {
    let record = trace.detail(&actor, id).await?;
    let units = if q.units.unwrap_or(false) {
        Some(trace.units(&actor, id).await?)
    } else {
        None
    };
    let base = base_url(&trace, &headers);
    let per_page = q.per_page.unwrap_or(12);
    let html = tokio::task::spawn_blocking(move || {
        labels::sheet(&record, &base, per_page, units.as_deref())
    })
    .await
    .map_err(ApiError::internal)??;
    let mut resp = html_response(StatusCode::OK, html);
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}

// ---------------------------------------------------------------------------------------------
// Public

fn html_response(status: StatusCode, html: String) -> Response {
    let mut resp = (status, html).into_response();
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    resp
}

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    lang: Option<String>,
}

/// Chinese first: English only when the visitor switches (`?lang=en`). The printed label and
/// the people scanning it are Chinese; a stable default also keeps one cached page per code.
fn page_lang(q: &PageQuery) -> Lang {
    match q.lang.as_deref() {
        Some("en") => Lang::En,
        _ => Lang::Zh,
    }
}

/// The public scan page. The rendered bytes are cached (60 s) under the code and language, with
/// an ETag; a change to the record forgets them at once.
pub async fn scan_page(
    State(trace): State<Trace>,
    headers: HeaderMap,
    axum::extract::Path(code): axum::extract::Path<String>,
    axum::extract::Query(q): axum::extract::Query<PageQuery>,
) -> Response {
    let lang = page_lang(&q);
    let Some(code) = chain::parse_code(&code) else {
        let looks_like_code = code.chars().filter(char::is_ascii_alphanumeric).count() == 16;
        return html_response(
            StatusCode::NOT_FOUND,
            page::not_found(lang, &code, looks_like_code),
        );
    };
    let key = page::cache_key(&code, lang.tag());
    let cached = trace.infra().cache.get(&key).await.ok().flatten();
    let (etag, batch_id, html) = match cached.as_deref().and_then(split_cached) {
        Some(hit) => hit,
        None => {
            let record = match trace.record_by_code(&code).await {
                Ok(Some(r)) => r,
                Ok(None) => {
                    return html_response(
                        StatusCode::NOT_FOUND,
                        page::not_found(lang, &code, false),
                    );
                }
                Err(e) => return ApiError::from(e).into_response(),
            };
            let scans = record.batch.scans + trace.scans().pending_for(record.batch.id);
            let html = page::render(&record, lang, scans, None);
            let etag = page::etag(&html);
            let packed = format!("{etag}\n{}\n{html}", record.batch.id);
            let _ = trace
                .infra()
                .cache
                .set(&key, packed.as_bytes(), PAGE_TTL)
                .await;
            (etag, record.batch.id, html)
        }
    };
    trace
        .scans()
        .record(batch_id, shanghai_day(trace.infra().clock.now()));
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        == Some(etag.as_str())
    {
        let mut resp = StatusCode::NOT_MODIFIED.into_response();
        set_page_headers(&mut resp, &etag);
        return resp;
    }
    let mut resp = html_response(StatusCode::OK, html);
    set_page_headers(&mut resp, &etag);
    resp
}

fn split_cached(bytes: &[u8]) -> Option<(String, Uuid, String)> {
    let text = std::str::from_utf8(bytes).ok()?;
    let (etag, rest) = text.split_once('\n')?;
    let (id, html) = rest.split_once('\n')?;
    Some((etag.to_owned(), id.parse().ok()?, html.to_owned()))
}

fn set_page_headers(resp: &mut Response, etag: &str) {
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(etag) {
        h.insert(header::ETAG, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=60, stale-while-revalidate=300"),
    );
}

/// The page of one box: counts the scan (and remembers the first), never cached.
pub async fn unit_page(
    State(trace): State<Trace>,
    axum::extract::Path((code, serial)): axum::extract::Path<(String, String)>,
    axum::extract::Query(q): axum::extract::Query<PageQuery>,
) -> Response {
    let lang = page_lang(&q);
    let found = match trace.scan_unit(&code, &serial).await {
        Ok(f) => f,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let Some((record, unit)) = found else {
        return html_response(StatusCode::NOT_FOUND, page::not_found(lang, &code, false));
    };
    let scans = record.batch.scans + trace.scans().pending_for(record.batch.id);
    let html = page::render(&record, lang, scans, Some(UnitInfo { unit: &unit }));
    let mut resp = html_response(StatusCode::OK, html);
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

#[derive(Debug, Deserialize)]
pub struct LookupQuery {
    code: Option<String>,
}

/// The lookup form on the 404 page posts here.
pub async fn lookup(axum::extract::Query(q): axum::extract::Query<LookupQuery>) -> Response {
    let code = q.code.unwrap_or_default();
    match chain::parse_code(&code) {
        Some(c) => Redirect::to(&format!("/t/{c}")).into_response(),
        None => html_response(
            StatusCode::NOT_FOUND,
            page::not_found(Lang::Zh, &code, !code.trim().is_empty()),
        ),
    }
}

/// GS1 Digital Link: `/01/{gtin}/10/{lot}` (and `/21/{serial}`) lead to the batch's page.
pub async fn gs1(
    State(trace): State<Trace>,
    axum::extract::Path(parts): axum::extract::Path<Vec<(String, String)>>,
) -> Response {
    let get = |k: &str| {
        parts
            .iter()
            .find(|(name, _)| name == k)
            .map(|(_, v)| v.clone())
    };
    let (Some(gtin), Some(lot)) = (get("gtin"), get("lot")) else {
        return html_response(StatusCode::NOT_FOUND, page::not_found(Lang::Zh, "", false));
    };
    let Ok(gtin) = farmgate_catalog::domain::parse_gtin(&gtin) else {
        return html_response(
            StatusCode::BAD_REQUEST,
            page::not_found(Lang::Zh, &gtin, false)
                .replace("未找到这个溯源码", "商品条码（GTIN）校验位不正确"),
        );
    };
    match trace.code_for_gs1(&gtin, &lot).await {
        Ok(Some(code)) => match get("serial") {
            Some(s) => Redirect::to(&format!(
                "/t/{code}/{}",
                s.chars()
                    .filter(char::is_ascii_alphanumeric)
                    .collect::<String>()
            ))
            .into_response(),
            None => Redirect::to(&format!("/t/{code}")).into_response(),
        },
        Ok(None) => html_response(
            StatusCode::NOT_FOUND,
            page::not_found(Lang::Zh, &lot, false),
        ),
        Err(e) => ApiError::from(e).into_response(),
    }
}

async fn public_record(trace: &Trace, code: &str) -> Result<Record, ApiError> {
    trace
        .record_by_code(code)
        .await?
        .ok_or_else(|| ApiError::not_found("溯源码", "trace code"))
}

/// The public record of a batch (what the scan page shows), as JSON.
#[utoipa::path(get, path = "/api/v1/trace/{code}", tag = "trace", params(("code" = String, Path)),
    responses((status = 200, body = BatchView), (status = 404)))]
pub async fn public_json(
    State(trace): State<Trace>,
    headers: HeaderMap,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Json<BatchView>> {
    let record = public_record(&trace, &code).await?;
    let mut view = batch_view(
        &trace,
        &record,
        &base_url(&trace, &headers),
        lang_of(&headers),
    );
    // The public sees the certificate's contact masked, as on the scan page.
    if let Some(phone) = view.facts["certificate"]["contact_phone"].as_str() {
        view.facts["certificate"]["contact_phone"] =
            Value::String(farmgate_kernel::Phone::mask(phone).unwrap_or_default());
    }
    Ok(Json(view))
}

/// Recompute a batch's chain and say whether it verifies.
#[utoipa::path(get, path = "/api/v1/trace/{code}/verify", tag = "trace", params(("code" = String, Path)),
    responses((status = 200, body = Verification), (status = 404)))]
pub async fn verify(
    State(trace): State<Trace>,
    headers: HeaderMap,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Json<Verification>> {
    let record = public_record(&trace, &code).await?;
    Ok(Json(Verification::of(&record, lang_of(&headers))))
}

/// The batch's chain as a GS1 EPCIS 2.0 JSON-LD document.
#[utoipa::path(get, path = "/api/v1/trace/{code}/epcis", tag = "trace", params(("code" = String, Path)),
    responses((status = 200, content_type = "application/ld+json", body = Object), (status = 404)))]
pub async fn epcis(
    State(trace): State<Trace>,
    ApiPath(code): ApiPath<String>,
) -> ApiResult<Response> {
    let record = public_record(&trace, &code).await?;
    let gtin = record
        .listing
        .as_ref()
        .and_then(|l| l.skus.iter().find_map(|s| s.gtin.clone()));
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
#[utoipa::path(get, path = "/api/v1/trace/{code}/proof", tag = "trace", params(("code" = String, Path), ProofQuery),
    responses((status = 200, body = Proof), (status = 404)))]
pub async fn proof(
    State(trace): State<Trace>,
    ApiPath(code): ApiPath<String>,
    ApiQuery(q): ApiQuery<ProofQuery>,
) -> ApiResult<Json<Proof>> {
    trace
        .proof(&code, q.digest)
        .await?
        .map(Json)
        .ok_or_else(|| ApiError::not_found("该日摘要中的批次", "batch in that digest"))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DigestView {
    pub seq: i64,
    pub day: String,
    pub cutoff: DateTime<Utc>,
    pub root: String,
    pub batch_count: i64,
    pub prev_hash: String,
    pub hash: String,
}

/// The published digest log: a Merkle root over every batch's head, daily, each entry chained
/// to the previous one. Keep a copy: any later rewrite of history will not match it.
#[utoipa::path(get, path = "/api/v1/trace/digests", tag = "trace", responses((status = 200, body = Vec<DigestView>)))]
pub async fn digests(State(trace): State<Trace>) -> ApiResult<Json<Vec<DigestView>>> {
    Ok(Json(
        trace
            .digests()
            .await?
            .into_iter()
            .map(|d| DigestView {
                seq: d.seq,
                day: d.day,
                cutoff: d.cutoff,
                root: d.root,
                batch_count: d.batch_count,
                prev_hash: d.prev_hash,
                hash: d.hash,
            })
            .collect(),
    ))
}

/// Recompute every digest from the records as they are now (operator).
#[utoipa::path(get, path = "/api/v1/admin/trace/digests/verify", tag = "admin", responses((status = 200, body = Vec<DigestCheck>), (status = 403)))]
pub async fn verify_digests(
    State(trace): State<Trace>,
    AuthUser(actor): AuthUser,
) -> ApiResult<Json<Vec<DigestCheck>>> {
    actor
        .require_platform(&[
            farmgate_identity::PlatformRole::Operator,
            farmgate_identity::PlatformRole::Official,
        ])
        .map_err(TraceError::from)?;
    Ok(Json(trace.verify_digests().await?))
}

/// Every traceability route, with its OpenAPI description.
pub fn router<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Trace: FromRef<S>,
    Identity: FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(create_batch))
        .routes(routes!(org_batches))
        .routes(routes!(get_batch))
        .routes(routes!(add_event))
        .routes(routes!(issue_units, list_units))
        .routes(routes!(qr_svg))
        .routes(routes!(qr_png))
        .routes(routes!(public_json))
        .routes(routes!(verify))
        .routes(routes!(epcis))
        .routes(routes!(proof))
        .routes(routes!(digests))
        .routes(routes!(verify_digests))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(upload))
                .layer(DefaultBodyLimit::max(
                    crate::service::MAX_ATTACHMENT_BYTES + 64 * 1024,
                )),
        )
        .route("/batches/{id}/labels", get(labels_page))
        .route("/t", get(lookup))
        .route("/t/{code}", get(scan_page))
        .route("/t/{code}/{serial}", get(unit_page))
        .route("/01/{gtin}/10/{lot}", get(gs1))
        .route("/01/{gtin}/10/{lot}/21/{serial}", get(gs1))
}
