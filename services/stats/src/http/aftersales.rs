//! `GET /api/v1/stats/aftersales`.

use super::download::download;
use super::params::StatsQuery;
use crate::Stats;
use crate::domain::MAX_DAYS_BY_DAY;
use crate::export::Cell;
use crate::query::require_official;
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use farmgate_aftersales::metrics::QualityReport;
use farmgate_identity::AuthUser;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiQuery, ApiResult};

const HEADERS: [&str; 12] = [
    "分组 Group",
    "签收包裹 Delivered",
    "售后申请 Claims",
    "售后率 Claim rate",
    "首次响应中位(分钟) First response p50 min",
    "首次响应P90(分钟) p90 min",
    "处理完结中位(分钟) Resolution p50 min",
    "处理完结P90(分钟) p90 min",
    "解决率 Resolved",
    "平台介入率 Escalated",
    "退款(元) Refunded",
    "满意度 Satisfaction",
];

/// After-sales quality for the county: claim rate, response and resolution times, escalation,
/// satisfaction — by seller kind, category or carrier (no buyer or seller person named).
#[utoipa::path(get, path = "/api/v1/stats/aftersales", tag = "stats", params(StatsQuery),
    responses(
        (status = 200, description = "The quality report; with format=csv or xlsx the same rows as a download", body = QualityReport),
        (status = 400, description = "Unreadable query string: `invalid_query`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not a county official: `forbidden`", body = ErrorBody),
        (status = 422, description = "Field errors: `validation_failed` (field codes: required, invalid, before_from, too_long, unknown)", body = ErrorBody),
        (status = 500, description = "Server fault: `internal`", body = ErrorBody)))]
pub async fn aftersales(
    State(stats): State<Stats>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> ApiResult<Response> {
    require_official(&actor)?;
    let format = q.format()?;
    let group_by = q.group_by()?;
    let period = q.period(MAX_DAYS_BY_DAY)?;
    let report = stats.aftersales_quality(&actor, period, group_by).await?;
    Ok(match format {
        None => Json(report).into_response(),
        Some(f) => {
            let secs = |v: Option<i64>| v.map_or(Cell::Empty, |s| Cell::Int(s / 60));
            let rows = report
                .rows
                .into_iter()
                .chain(std::iter::once(report.total))
                .map(move |r| {
                    vec![
                        Cell::Text(r.label),
                        Cell::Int(i64::try_from(r.delivered).unwrap_or(0)),
                        Cell::Int(i64::try_from(r.claims).unwrap_or(0)),
                        Cell::Percent(i64::try_from(r.claim_rate_bp).unwrap_or(0)),
                        secs(r.first_response_p50_secs),
                        secs(r.first_response_p90_secs),
                        secs(r.resolution_p50_secs),
                        secs(r.resolution_p90_secs),
                        Cell::Percent(i64::try_from(r.resolution_rate_bp).unwrap_or(0)),
                        Cell::Percent(i64::try_from(r.escalation_share_bp).unwrap_or(0)),
                        Cell::Money(r.refunded),
                        r.satisfaction_x10.map_or(Cell::Empty, |s| {
                            Cell::Money(i64::try_from(s * 10).unwrap_or(0))
                        }),
                    ]
                });
            download(f, "aftersales", period, &HEADERS, rows)
        }
    })
}
