//! External reference prices (issue #20), for the operator: `POST /api/v1/market/external`
//! (a CSV file as the body), `GET /api/v1/market/external` (the series), `GET …/{id}` (one
//! series with its prices, or `format=csv|xlsx` to download them) and `DELETE …/{id}`. The
//! public sees them on the price board (`external` in `GET /api/v1/market/prices…`).

use super::download::{download, money};
use super::params::StatsQuery;
use crate::domain::external::MAX_BYTES;
use crate::export::Cell;
use crate::query::{ExternalPoint, ExternalSeries, UploadReport};
use crate::{Stats, StatsError};
use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use farmgate_identity::AuthUser;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::extract::payload_too_large;
use farmgate_infra::http::{ApiPath, ApiQuery, ApiResult};
use farmgate_kernel::FieldError;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

const HEADERS: [&str; 6] = ["date", "category", "product", "unit", "price", "source"];

/// Uploads reference prices from a CSV file (UTF-8; header `date,category,product,unit,price,
/// source` or `日期,品类,品名,单位,价格,来源`; price in yuan). Every row is checked and every
/// problem reported as `line_<n>.<column>`; nothing is stored unless all rows are right. A
/// day's price is replaced by a later upload, so the same file twice changes nothing. At most
/// 256 KiB and 5 000 rows. Operator only.
#[utoipa::path(post, path = "/api/v1/market/external", tag = "market",
    request_body(content = String, content_type = "text/csv", description = "The CSV file"),
    responses(
        (status = 200, description = "Stored: what the file added or changed", body = UploadReport),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the operator: `forbidden`", body = ErrorBody),
        (status = 413, description = "More than 256 KiB: `payload_too_large`", body = ErrorBody),
        (status = 422, description = "Field errors: `validation_failed` — csv: empty, header, too_many_rows, invalid (not UTF-8), too_many_problems; line_<n>: columns; line_<n>.<column>: required, invalid, out_of_range, negative, too_large, too_long, unknown_category, unknown_unit, duplicate", body = ErrorBody),
        (status = 500, description = "Server fault: `internal`", body = ErrorBody)))]
pub async fn upload_external(
    State(stats): State<Stats>,
    AuthUser(actor): AuthUser,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Json<UploadReport>> {
    // Who may upload is asked before the body is read; a declared length over the limit is
    // refused before reading any of it, a body without one is cut off at the limit.
    actor
        .require_operator()
        .map_err(|_| StatsError::Forbidden)?;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BYTES as u64) {
        return Err(payload_too_large());
    }
    let bytes = axum::body::to_bytes(body, MAX_BYTES)
        .await
        .map_err(|_| payload_too_large())?;
    let text = std::str::from_utf8(&bytes).map_err(|_| {
        StatsError::from(FieldError::new(
            "csv",
            "invalid",
            "文件须为 UTF-8 编码（在表格软件中另存为“CSV UTF-8”）",
            "the file must be UTF-8 (save as \"CSV UTF-8\")",
        ))
    })?;
    Ok(Json(stats.external_upload(&actor, text).await?))
}

/// Every external series with its days and source. Operator only.
#[utoipa::path(get, path = "/api/v1/market/external", tag = "market",
    responses(
        (status = 200, description = "The series", body = Vec<ExternalSeries>),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the operator: `forbidden`", body = ErrorBody),
        (status = 500, description = "Server fault: `internal`", body = ErrorBody)))]
pub async fn list_external(
    State(stats): State<Stats>,
    AuthUser(actor): AuthUser,
) -> ApiResult<Json<Vec<ExternalSeries>>> {
    Ok(Json(stats.external_list(&actor).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct SeriesPath {
    /// The series id.
    pub id: String,
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SeriesQuery {
    /// json (default) | csv | xlsx: the prices in the upload's own columns.
    pub format: Option<String>,
}

/// A series and its prices.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SeriesDetail {
    pub series: ExternalSeries,
    pub points: Vec<ExternalPoint>,
}

/// One series with every price, or (`format=csv|xlsx`) its prices in the upload's columns, so
/// a download can be corrected and uploaded again (CSV cells that would start a formula are
/// neutralised). Operator only.
#[utoipa::path(get, path = "/api/v1/market/external/{id}", tag = "market",
    params(SeriesPath, SeriesQuery),
    responses(
        (status = 200, description = "The series; with format=csv or xlsx a download", body = SeriesDetail),
        (status = 400, description = "Unreadable query string or path: `invalid_query`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the operator: `forbidden`", body = ErrorBody),
        (status = 404, description = "No such series: `not_found`", body = ErrorBody),
        (status = 422, description = "Field errors: `validation_failed` (format: unknown)", body = ErrorBody),
        (status = 500, description = "Server fault: `internal`", body = ErrorBody)))]
pub async fn external_series(
    State(stats): State<Stats>,
    AuthUser(actor): AuthUser,
    ApiPath(path): ApiPath<SeriesPath>,
    ApiQuery(q): ApiQuery<SeriesQuery>,
) -> ApiResult<Response> {
    let format = StatsQuery {
        format: q.format,
        ..StatsQuery::default()
    }
    .format()?;
    if path.id.len() > 36 {
        return Err(StatsError::NotFound.into());
    }
    let (series, points) = stats.external_series(&actor, &path.id).await?;
    Ok(match format {
        None => Json(SeriesDetail { series, points }).into_response(),
        Some(f) => {
            let period = match (series.first_day, series.last_day) {
                (Some(a), Some(z)) => (a, z),
                _ => {
                    let t = stats.today();
                    (t, t)
                }
            };
            let s = series.clone();
            let cells = points.into_iter().map(move |p| {
                vec![
                    Cell::Text(p.day.to_string()),
                    Cell::Text(s.category_label.clone()),
                    Cell::Text(s.product.clone()),
                    Cell::Text(s.unit.clone()),
                    money(Some(p.price_fen)),
                    Cell::Text(s.source.clone()),
                ]
            });
            download(f, "external-prices", period, &HEADERS, cells)
        }
    })
}

/// Deletes a series and its prices (the board stops showing it). Operator only.
#[utoipa::path(delete, path = "/api/v1/market/external/{id}", tag = "market",
    params(SeriesPath),
    responses(
        (status = 204, description = "Deleted"),
        (status = 400, description = "Unreadable path: `invalid_query`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the operator: `forbidden`", body = ErrorBody),
        (status = 404, description = "No such series: `not_found`", body = ErrorBody),
        (status = 500, description = "Server fault: `internal`", body = ErrorBody)))]
pub async fn delete_external(
    State(stats): State<Stats>,
    AuthUser(actor): AuthUser,
    ApiPath(path): ApiPath<SeriesPath>,
) -> ApiResult<StatusCode> {
    if path.id.len() > 36 {
        return Err(StatsError::NotFound.into());
    }
    stats.external_delete(&actor, &path.id).await?;
    Ok(StatusCode::NO_CONTENT)
}
