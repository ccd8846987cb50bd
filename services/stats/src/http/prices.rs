//! `GET /api/v1/stats/prices`.

use super::download::{download, money};
use super::params::StatsQuery;
use crate::Stats;
use crate::domain::Grain;
use crate::export::Cell;
use crate::query::{PriceReport, require_official};
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use farmgate_identity::AuthUser;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiQuery, ApiResult};

const HEADERS: [&str; 7] = [
    "分组 Group",
    "计价单位 Per",
    "均价(元) Average",
    "中位价(元) Median",
    "最低(元) Min",
    "最高(元) Max",
    "成交笔数 Lines",
];

fn basis_label(b: &str) -> &'static str {
    match b {
        "kg" => "元/公斤",
        "jin" => "元/斤",
        "box" => "元/箱",
        "bag" => "元/袋",
        "piece" => "元/个",
        _ => "",
    }
}

/// Price trends: quantity-weighted average and median price with the min–max band, per kg
/// where the weight is known, else per sold unit; every category over the period, or one
/// category (`category`) by day/week/month.
#[utoipa::path(get, path = "/api/v1/stats/prices", tag = "stats", params(StatsQuery),
    responses(
        (status = 200, description = "The price report; with format=csv or xlsx the same rows as a download", body = PriceReport),
        (status = 400, description = "Unreadable query string: `invalid_query`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not a county official: `forbidden`", body = ErrorBody),
        (status = 422, description = "Field errors: `validation_failed` (field codes: required, invalid, before_from, too_long, unknown)", body = ErrorBody),
        (status = 500, description = "Server fault: `internal`", body = ErrorBody)))]
pub async fn prices(
    State(stats): State<Stats>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> ApiResult<Response> {
    require_official(&actor)?;
    let format = q.format()?;
    let (grain, period) = q.series(Grain::Week)?;
    let category = q.category.clone().filter(|s| !s.trim().is_empty());
    let report = stats.prices(&actor, period, grain, category).await?;
    Ok(match format {
        None => Json(report).into_response(),
        Some(f) => {
            let rows = report.rows.into_iter().map(|r| {
                vec![
                    Cell::Text(r.label),
                    Cell::Text(basis_label(&r.basis).to_owned()),
                    money(r.avg_fen),
                    money(r.median_fen),
                    money(r.min_fen),
                    money(r.max_fen),
                    Cell::Int(r.lines),
                ]
            });
            download(f, "prices", period, &HEADERS, rows)
        }
    })
}
