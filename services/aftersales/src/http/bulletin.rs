//! The public quality bulletin (质量安全公告): `GET /api/v1/quality/bulletin` (JSON) and the
//! page `/quality` (rendered on the server like the scan page: one small HTML document, CSS
//! inline, no script, Chinese first with `?lang=en`). Both are public and cacheable: the same
//! for everyone, with an ETag and five minutes of `Cache-Control`. Every value spliced into the
//! page is escaped by `maud`.

use crate::Aftersales;
use crate::service::bulletin::{Bulletin, BulletinKind, MAX_DAYS};
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiQuery, ApiResult};
use maud::{PreEscaped, html};
use serde::Deserialize;
use sha2::Digest;
use utoipa::IntoParams;

const CACHE: &str = "public, max-age=300";

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct BulletinQuery {
    /// How many days back (1–366, default 90).
    pub days: Option<i64>,
}

#[derive(Debug, Deserialize)]
pub struct PageQuery {
    pub days: Option<i64>,
    pub lang: Option<String>,
}

fn days_of(days: Option<i64>) -> Result<i64, farmgate_kernel::FieldError> {
    match days {
        None => Ok(90),
        Some(d) if (1..=MAX_DAYS).contains(&d) => Ok(d),
        Some(_) => Err(farmgate_kernel::FieldError::new(
            "days",
            "out_of_range",
            format!("天数须在 1–{MAX_DAYS} 之间"),
            format!("days must be 1–{MAX_DAYS}"),
        )),
    }
}

fn etag_of(bytes: &[u8]) -> String {
    let d = sha2::Sha256::digest(bytes);
    format!("\"{}\"", hex::encode(&d[..10]))
}

/// Bytes with the bulletin's caching: ETag, Cache-Control, 304 when the client has them.
fn cached(headers: &HeaderMap, content_type: &'static str, body: Vec<u8>) -> Response {
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
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(CACHE));
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    resp
}

/// The public quality bulletin: recalls and failed third-party tests of the last `days` days,
/// newest first, with product, producer, lot, trace code and what buyers should do. No personal
/// data. Cacheable (ETag, `Cache-Control: public, max-age=300`).
#[utoipa::path(get, path = "/api/v1/quality/bulletin", tag = "aftersales", params(BulletinQuery),
    responses(
        (status = 200, description = "The bulletin, newest first", body = Bulletin),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, description = "Bad query: `invalid_query`", body = ErrorBody),
        (status = 422, description = "Days out of range: `validation_failed`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn bulletin(
    State(svc): State<Aftersales>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<BulletinQuery>,
) -> ApiResult<Response> {
    let days = days_of(q.days).map_err(crate::AftersalesError::from)?;
    let b = svc.bulletin(days).await?;
    let body =
        serde_json::to_vec(&b).map_err(|e| crate::AftersalesError::Internal(e.to_string()))?;
    Ok(cached(&headers, "application/json", body))
}

fn kind_name(k: BulletinKind) -> &'static str {
    match k {
        BulletinKind::Recall => "recall",
        BulletinKind::FailedTest => "failed_test",
    }
}

const CSS: &str = "*{box-sizing:border-box}body{margin:0;font:16px/1.55 -apple-system,'PingFang SC','Microsoft YaHei',sans-serif;color:#1f2a1f;background:#f4f1e8}\
header{background:#2f6b3a;color:#fff;padding:10px 16px;display:flex;justify-content:space-between;align-items:center;gap:8px}header a{color:#fff}\
main{max-width:720px;margin:0 auto;padding:12px}h1{font-size:1.3rem;margin:.4em 0}article{background:#fff;border-radius:10px;padding:14px 16px;margin:12px 0;box-shadow:0 1px 2px rgba(0,0,0,.06);border-left:5px solid #c0392b}\
article h2{font-size:1.05rem;margin:0 0 .3em}.tag{display:inline-block;padding:1px 8px;border-radius:99px;font-size:.85rem;background:#fde8e6;color:#8a1f14;margin-right:6px}\
dl{margin:.4em 0;display:grid;grid-template-columns:max-content 1fr;gap:4px 12px}dt{color:#5b6b5b}dd{margin:0;word-break:break-all}.advice{background:#fff6e0;border-radius:8px;padding:8px 10px;margin:.5em 0 0}\
.muted{color:#545d52;font-size:.85rem}nav a{margin-right:12px}footer{text-align:center;padding:16px;color:#545d52;font-size:.85rem}";

/// The bulletin page, `/quality` (`?days=`, `?lang=en`).
pub async fn page(
    State(svc): State<Aftersales>,
    headers: HeaderMap,
    axum::extract::Query(q): axum::extract::Query<PageQuery>,
) -> Response {
    let en = q.lang.as_deref() == Some("en");
    let t = |zh: &'static str, e: &'static str| if en { e } else { zh };
    let days = days_of(q.days).unwrap_or(90);
    let b = match svc.bulletin(days).await {
        Ok(b) => b,
        Err(e) => return farmgate_infra::http::ApiError::from(e).into_response(),
    };
    let shanghai = farmgate_kernel::clock::shanghai();
    let title = t("质量安全公告 · 农源直供", "Quality bulletin · Farmgate");
    let description = t(
        "农源直供平台的召回与抽检不合格公告：产品、生产者、批次与买家须知。",
        "Recalls and failed spot checks on Farmgate: product, producer, lot and what buyers should do.",
    );
    let other = if en { "?lang=zh" } else { "?lang=en" };
    let markup = html! {
        (PreEscaped("<!doctype html>"))
        html lang=(t("zh-CN", "en")) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width,initial-scale=1";
                title { (title) }
                meta name="description" content=(description);
                meta property="og:type" content="website";
                meta property="og:title" content=(title);
                meta property="og:description" content=(description);
                meta property="og:url" content={ "/quality" @if en { "?lang=en" } };
                link rel="icon" href="data:,";
                style { (PreEscaped(CSS)) }
            }
            body {
                header {
                    a href="/" { strong { (t("农源直供", "Farmgate")) } }
                    a href=(other) lang=(t("en", "zh-CN")) { (t("English", "中文")) }
                }
                main id="main" {
                    h1 data-testid="bulletin-heading" { (t("质量安全公告", "Quality and safety bulletin")) }
                    p class="muted" {
                        (t("召回与第三方抽检不合格记录，按日期排列。", "Recalls and failed third-party tests, newest first."))
                    }
                    nav {
                        @for d in [30_i64, 90, 365] {
                            a href={ "/quality?days=" (d) @if en { "&lang=en" } } aria-current=[(d == days).then_some("page")] {
                                @if en { "Last " (d) " days" } @else { "近 " (d) " 天" }
                            }
                        }
                    }
                    @if b.entries.is_empty() {
                        p data-testid="bulletin-empty" { (t("这段时间没有召回或抽检不合格记录。", "No recalls or failed tests in this period.")) }
                    }
                    @for e in &b.entries {
                        article data-testid="bulletin-entry" data-kind=(kind_name(e.kind)) {
                            h2 {
                                span class="tag" {
                                    @match e.kind {
                                        BulletinKind::Recall => { (t("召回", "Recall")) }
                                        BulletinKind::FailedTest => { (t("抽检不合格", "Failed test")) }
                                    }
                                }
                                (e.product)
                            }
                            dl {
                                dt { (t("日期", "Date")) }
                                dd { (e.at.with_timezone(&shanghai).format("%Y-%m-%d %H:%M")) }
                                dt { (t("生产者", "Producer")) } dd { (e.producer) }
                                dt { (t("批次", "Lot")) } dd { (e.lot) }
                                dt { (t("溯源码", "Trace code")) }
                                dd { a href=(e.trace_path) { (e.code) } }
                                @if let Some(lab) = &e.lab {
                                    dt { (t("检测机构", "Testing body")) } dd { (lab) }
                                }
                                @if let Some(r) = &e.report_no {
                                    dt { (t("报告编号", "Report")) } dd { (r) }
                                }
                                dt { (t("问题", "Finding")) } dd { (e.finding) }
                            }
                            p class="advice" { strong { (t("买家须知：", "What to do: ")) } (if en { &e.advice.en } else { &e.advice.zh }) }
                        }
                    }
                    p class="muted" {
                        (t("数据接口：", "As data: ")) a href="/api/v1/quality/bulletin" { "/api/v1/quality/bulletin" }
                    }
                }
                footer { (t("原产地、安全可追溯", "Origin known, safe, traceable")) }
            }
        }
    };
    cached(
        &headers,
        "text/html; charset=utf-8",
        markup.into_string().into_bytes(),
    )
}
