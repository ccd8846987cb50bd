//! `GET /api/v1/market/prices` and `GET /api/v1/market/prices/{category}`: the public price
//! board (行情). No login; answers are cacheable (`Cache-Control: public`, a strong `ETag` over
//! the body, `304 Not Modified` on `If-None-Match`), because the figures only move when a sale
//! is paid and the page is shared around.

use crate::error::Field;
use crate::query::{Board, CategoryBoard, Per, PricePosition, TrendDays};
use crate::{Stats, StatsError};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use farmgate_identity::AuthUser;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiPath, ApiQuery, ApiResult};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

/// How long a shared cache may keep a board answer.
const CACHE_CONTROL: &str = "public, max-age=300, stale-while-revalidate=600";

/// The answer, or `304` when the client already holds it.
pub(super) fn cached<T: Serialize>(headers: &HeaderMap, body: &T) -> Response {
    let bytes = match serde_json::to_vec(body) {
        Ok(b) => b,
        // The board's types always serialise; answer uncached if one ever does not.
        Err(_) => return Json(serde_json::Value::Null).into_response(),
    };
    let etag = format!("\"{}\"", &farmgate_trace::chain::sha256_hex(&bytes)[..24]);
    let matches = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"));
    let mut resp = if matches {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            bytes,
        )
            .into_response()
    };
    let h = resp.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&etag) {
        h.insert(header::ETAG, v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(CACHE_CONTROL),
    );
    resp
}

/// Every category's prices today, this week and over the last 30 days, per kg and per 斤 (or
/// per sold unit where the weight is unknown), from paid orders; categories and periods with
/// fewer than five distinct buyers are left out. Public.
#[utoipa::path(get, path = "/api/v1/market/prices", tag = "market",
    responses(
        (status = 200, description = "The board (ETag and Cache-Control set)", body = Board),
        (status = 304, description = "Not modified (If-None-Match matched the ETag)"),
        (status = 500, description = "Server fault: `internal`", body = ErrorBody)))]
pub async fn price_board(State(stats): State<Stats>, headers: HeaderMap) -> ApiResult<Response> {
    let board = stats.board().await?;
    Ok(cached(&headers, &board))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BoardQuery {
    /// Trend length: 30 (by day, default), 90 (by week) or 365 (by month).
    pub days: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct CategoryPath {
    /// The category id.
    pub category: String,
}

/// One category: today, this week, the trend over 30/90/365 days, and its townships and
/// products over that period — each shown only with five distinct buyers or more (and none
/// left alone to be subtracted). Public.
#[utoipa::path(get, path = "/api/v1/market/prices/{category}", tag = "market",
    params(CategoryPath, BoardQuery),
    responses(
        (status = 200, description = "The category's board (ETag and Cache-Control set)", body = CategoryBoard),
        (status = 304, description = "Not modified (If-None-Match matched the ETag)"),
        (status = 400, description = "Unreadable query string or path: `invalid_query`", body = ErrorBody),
        (status = 404, description = "No such category: `not_found`", body = ErrorBody),
        (status = 422, description = "Field errors: `validation_failed` (days: unknown)", body = ErrorBody),
        (status = 500, description = "Server fault: `internal`", body = ErrorBody)))]
pub async fn category_prices(
    State(stats): State<Stats>,
    headers: HeaderMap,
    ApiPath(path): ApiPath<CategoryPath>,
    ApiQuery(q): ApiQuery<BoardQuery>,
) -> ApiResult<Response> {
    let days = match q.days.as_deref().map(str::trim) {
        None | Some("") => TrendDays::D30,
        Some(s) => TrendDays::parse(s)
            .ok_or_else(|| StatsError::from(Field::UnknownTrendDays.at("days")))?,
    };
    if path.category.len() > 64 {
        return Err(StatsError::NotFound.into());
    }
    let board = stats.board_category(&path.category, days).await?;
    Ok(cached(&headers, &board))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PositionQuery {
    /// Your price in fen, 1–100 000 000.
    pub price_fen: Option<String>,
    /// Per what: kg (default), jin, box, bag or piece.
    pub per: Option<String>,
}

/// Where a price sits in the category's last 30 days: quartiles and the shares of the quantity
/// sold cheaper and dearer (the listing editor's line). Sellers and the operator; nothing but
/// `published: false` for a category with fewer than five buyers.
#[utoipa::path(get, path = "/api/v1/market/prices/{category}/position", tag = "market",
    params(CategoryPath, PositionQuery),
    responses(
        (status = 200, description = "The position", body = PricePosition),
        (status = 400, description = "Unreadable query string or path: `invalid_query`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not a seller's member nor the operator: `forbidden`", body = ErrorBody),
        (status = 404, description = "No such category: `not_found`", body = ErrorBody),
        (status = 422, description = "Field errors: `validation_failed` (price_fen: invalid — missing, not a whole number or out of range; per: unknown)", body = ErrorBody),
        (status = 500, description = "Server fault: `internal`", body = ErrorBody)))]
pub async fn price_position(
    State(stats): State<Stats>,
    AuthUser(actor): AuthUser,
    ApiPath(path): ApiPath<CategoryPath>,
    ApiQuery(q): ApiQuery<PositionQuery>,
) -> ApiResult<Json<PricePosition>> {
    let price = match q.price_fen.as_deref().map(str::trim) {
        None | Some("") => return Err(StatsError::from(Field::PriceInvalid.at("price_fen")).into()),
        Some(s) => s
            .parse::<i64>()
            .ok()
            .filter(|p| (1..=100_000_000).contains(p))
            .ok_or_else(|| StatsError::from(Field::PriceInvalid.at("price_fen")))?,
    };
    let per = match q.per.as_deref().map(str::trim) {
        None | Some("") => Per::Kg,
        Some(s) => Per::parse(s).ok_or_else(|| StatsError::from(Field::UnknownPer.at("per")))?,
    };
    if path.category.len() > 64 {
        return Err(StatsError::NotFound.into());
    }
    Ok(Json(
        stats
            .price_position(&actor, &path.category, price, per)
            .await?,
    ))
}
