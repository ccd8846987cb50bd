//! `GET /api/v1/stats/trace`.

use super::download::download;
use super::params::StatsQuery;
use crate::Stats;
use crate::domain::Grain;
use crate::export::Cell;
use crate::query::{TraceReport, require_official};
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use farmgate_identity::AuthUser;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiQuery, ApiResult};

const HEADERS: [&str; 5] = [
    "日期 Period",
    "已发货(元) Shipped",
    "溯源发货(元) Traced",
    "溯源占比 Traced share",
    "扫码次数 Scans",
];

/// Traceability: share of shipped value packed from a traced batch, scans per day, batches
/// started and inspected.
#[utoipa::path(get, path = "/api/v1/stats/trace", tag = "stats", params(StatsQuery),
    responses(
        (status = 200, description = "The traceability report; with format=csv or xlsx the same rows as a download", body = TraceReport),
        (status = 400, description = "Unreadable query string: `invalid_query`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not a county official: `forbidden`", body = ErrorBody),
        (status = 422, description = "Field errors: `validation_failed` (field codes: required, invalid, before_from, too_long, unknown)", body = ErrorBody),
        (status = 500, description = "Server fault: `internal`", body = ErrorBody)))]
pub async fn trace(
    State(stats): State<Stats>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> ApiResult<Response> {
    require_official(&actor)?;
    let format = q.format()?;
    let (grain, period) = q.series(Grain::Day)?;
    let report = stats.trace(&actor, period, grain).await?;
    Ok(match format {
        None => Json(report).into_response(),
        Some(f) => {
            let t = report.total;
            let rows = report
                .rows
                .into_iter()
                .map(|r| {
                    vec![
                        Cell::Text(r.label),
                        Cell::Money(r.shipped_fen),
                        Cell::Money(r.traced_fen),
                        Cell::Percent(r.traced_share_bp),
                        Cell::Int(r.scans),
                    ]
                })
                .chain(std::iter::once_with(move || {
                    vec![
                        Cell::Text("合计 Total".to_owned()),
                        Cell::Money(t.shipped_fen),
                        Cell::Money(t.traced_fen),
                        Cell::Percent(t.traced_share_bp),
                        Cell::Int(t.scans),
                    ]
                }));
            download(f, "trace", period, &HEADERS, rows)
        }
    })
}
