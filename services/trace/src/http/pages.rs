//! The public scan pages, server-rendered for phones: `/t/{code}` (cached, with an ETag),
//! `/t/{code}/{serial}` for one box (never cached), the code lookup form, and GS1 Digital
//! Links that lead to them.

use super::html_response;
use crate::Trace;
use crate::chain;
use crate::page::{self, Lang, Miss, UnitInfo};
use crate::service::shanghai_day;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use farmgate_infra::http::{ApiError, ClientIp};
use farmgate_kernel::id::BatchId;
use serde::Deserialize;
use std::time::Duration;

/// How long a rendered page is kept (it shows the scan count as of then).
const PAGE_TTL: Duration = Duration::from_secs(60);

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

/// A code with no batch: a tamper warning when the public log holds it, else not found.
async fn missing_page(trace: &Trace, lang: Lang, code: &str) -> Response {
    match trace.logged_but_missing(code).await {
        Ok(true) => match trace.check_log_inclusion(code, &[]).await {
            Ok(check) => html_response(StatusCode::OK, page::vanished(lang, code, &check)),
            Err(e) => ApiError::from(e).into_response(),
        },
        Ok(false) => html_response(StatusCode::NOT_FOUND, page::not_found(lang, code, false)),
        Err(e) => ApiError::from(e).into_response(),
    }
}

/// The public scan page. The rendered bytes are cached (60 s) under the code and language, with
/// a weak ETag; a change to the record forgets them at once, and browsers and CDNs may keep
/// them for a minute too. The page does not count the look-up: its beacon does
/// ([`scan_seen`]), so a copy served by a CDN is counted as well. The shared total as of now is
/// put into each answer (never into the cached bytes), and the beacon's answer updates it.
pub async fn scan_page(
    State(trace): State<Trace>,
    headers: HeaderMap,
    Path(code): Path<String>,
    Query(q): Query<PageQuery>,
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
    let (etag, batch_id, template) = match cached.as_deref().and_then(split_cached) {
        Some(hit) => hit,
        None => {
            let mut record = match trace.record_by_code(&code).await {
                Ok(Some(r)) => r,
                Ok(None) => return missing_page(&trace, lang, &code).await,
                Err(e) => return ApiError::from(e).into_response(),
            };
            match trace
                .check_log_inclusion(&record.batch.code, &record.log_view())
                .await
            {
                Ok(check) => record.set_log_check(check),
                Err(e) => return ApiError::from(e).into_response(),
            }
            let base = super::base_url(&trace, &headers);
            let template = page::render_page(&record, lang, None, None, &base);
            let etag = format!("W/{}", page::etag(&template));
            let packed = format!("{etag}\n{}\n{template}", record.batch.id);
            let _ = trace
                .infra()
                .cache
                .set(&key, packed.as_bytes(), PAGE_TTL)
                .await;
            (etag, record.id(), template)
        }
    };
    let day = shanghai_day(trace.infra().clock.now());
    let scans = match trace.count_lookup(batch_id, day, false).await {
        Ok(n) => n,
        Err(e) => {
            // The count is a courtesy: the page still opens without it.
            tracing::warn!(error = %e, "could not count a look-up");
            0
        }
    };
    if headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        == Some(etag.as_str())
    {
        let mut resp = StatusCode::NOT_MODIFIED.into_response();
        set_page_headers(&mut resp, &etag);
        return resp;
    }
    let html = template.replacen(page::SCANS_MARK, &scans.to_string(), 1);
    let mut resp = html_response(StatusCode::OK, html);
    set_page_headers(&mut resp, &etag);
    resp
}

/// A cached page: its ETag, its batch (to count the scan) and the HTML, one per line.
fn split_cached(bytes: &[u8]) -> Option<(String, BatchId, String)> {
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
    Path((code, serial)): Path<(String, String)>,
    Query(q): Query<PageQuery>,
) -> Response {
    let lang = page_lang(&q);
    let found = match trace.scan_unit(&code, &serial).await {
        Ok(f) => f,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let Some((record, unit)) = found else {
        return html_response(StatusCode::NOT_FOUND, page::not_found(lang, &code, false));
    };
    let scans = record.batch.scans + trace.pending_scans(record.id()).await;
    let html = page::render(&record, lang, scans, Some(UnitInfo { unit: &unit }));
    let mut resp = html_response(StatusCode::OK, html);
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

/// The scan page's beacon, `POST /t/{code}/seen[?v=<visitor>]`: counts one look-up of the batch
/// and answers the shared total as JSON (`{"scans": n, "counted": bool}`), never cached. The
/// page's script sends it once per view with its visitor id; a repeat view by the same visitor
/// within 30 minutes, or beyond an address's hourly ceiling, answers the total without counting
/// (`counted: false`). A code that is not a batch's answers 404 and counts nothing.
pub async fn scan_seen(
    State(trace): State<Trace>,
    ClientIp(ip): ClientIp,
    Query(query): Query<Vec<(String, String)>>,
    Path(code): Path<String>,
) -> Response {
    match count_seen(&trace, &code, visitor_of(&query), ip).await {
        Ok(Some((scans, counted))) => no_store(
            axum::Json(serde_json::json!({ "scans": scans, "counted": counted })).into_response(),
        ),
        Ok(None) => no_store(StatusCode::NOT_FOUND.into_response()),
        Err(resp) => resp,
    }
}

/// The `v` parameter (the first, if sent twice).
fn visitor_of(query: &[(String, String)]) -> Option<&str> {
    query
        .iter()
        .find(|(k, _)| k == "v")
        .map(|(_, v)| v.as_str())
}

/// A transparent 1×1 GIF: the beacon for a browser without scripts (`<noscript><img>`).
const PIXEL: &[u8] = &[
    0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00,
    0xff, 0xff, 0xff, 0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b,
];

/// `GET /t/{code}/seen.gif`: the same count as [`scan_seen`], answered with [`PIXEL`].
pub async fn scan_seen_pixel(
    State(trace): State<Trace>,
    ClientIp(ip): ClientIp,
    Query(query): Query<Vec<(String, String)>>,
    Path(code): Path<String>,
) -> Response {
    match count_seen(&trace, &code, visitor_of(&query), ip).await {
        Ok(found) => {
            let status = if found.is_some() {
                StatusCode::OK
            } else {
                StatusCode::NOT_FOUND
            };
            let mut resp = (status, PIXEL).into_response();
            resp.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static("image/gif"));
            no_store(resp)
        }
        Err(resp) => resp,
    }
}

/// Counts a look-up of the batch with this code when [`Trace::admit_view`] admits it: its total
/// and whether this view counted, or `None` for no such batch. The batch is found through the
/// scan page's cached bytes when they are there.
async fn count_seen(
    trace: &Trace,
    code: &str,
    visitor: Option<&str>,
    ip: Option<std::net::IpAddr>,
) -> Result<Option<(i64, bool)>, Response> {
    let Some(code) = chain::parse_code(code) else {
        return Ok(None);
    };
    let cached = trace
        .infra()
        .cache
        .get(&page::cache_key(&code, Lang::Zh.tag()))
        .await
        .ok()
        .flatten();
    let batch = match cached.as_deref().and_then(split_cached) {
        Some((_, id, _)) => id,
        None => match trace.batch_id_by_code(&code).await {
            Ok(Some(id)) => id,
            Ok(None) => return Ok(None),
            Err(e) => return Err(ApiError::from(e).into_response()),
        },
    };
    let day = shanghai_day(trace.infra().clock.now());
    let counted = trace.admit_view(batch, visitor, ip).await;
    match trace.count_lookup(batch, day, counted).await {
        Ok(n) => Ok(Some((n, counted))),
        Err(e) => Err(ApiError::from(e).into_response()),
    }
}

fn no_store(mut resp: Response) -> Response {
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

#[derive(Debug, Deserialize)]
pub struct LookupQuery {
    code: Option<String>,
}

/// The lookup form on the 404 page posts here.
pub async fn lookup(Query(q): Query<LookupQuery>) -> Response {
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
pub async fn gs1(State(trace): State<Trace>, Path(parts): Path<Vec<(String, String)>>) -> Response {
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
            page::not_found_page(Lang::Zh, Miss::BadGtin, &gtin, false),
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
