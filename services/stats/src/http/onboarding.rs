//! `GET /api/v1/stats/onboarding`.

use super::download::download;
use super::params::StatsQuery;
use crate::Stats;
use crate::domain::Grain;
use crate::export::Cell;
use crate::query::{OnboardingReport, require_official};
use axum::Json;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use farmgate_identity::{AuthUser, OrgKind};
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiQuery, ApiResult};

/// Organisations verified over time, by kind.
#[utoipa::path(get, path = "/api/v1/stats/onboarding", tag = "stats", params(StatsQuery),
    responses(
        (status = 200, description = "Organisations verified per bucket; with format=csv or xlsx the same rows as a download", body = OnboardingReport),
        (status = 400, description = "Unreadable query string: `invalid_query`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not a county official: `forbidden`", body = ErrorBody),
        (status = 422, description = "Field errors: `validation_failed` (field codes: required, invalid, before_from, too_long, unknown)", body = ErrorBody),
        (status = 500, description = "Server fault: `internal`", body = ErrorBody)))]
pub async fn onboarding(
    State(stats): State<Stats>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> ApiResult<Response> {
    require_official(&actor)?;
    let format = q.format()?;
    let (grain, period) = q.series(Grain::Month)?;
    let report = stats.onboarding(&actor, period, grain).await?;
    Ok(match format {
        None => Json(report).into_response(),
        Some(f) => {
            let mut headers = vec!["日期 Period"];
            headers.extend(OrgKind::ALL.iter().map(|k| k.label_zh()));
            let rows = report
                .rows
                .into_iter()
                .chain(std::iter::once(report.total))
                .map(|r| {
                    let mut cells = vec![Cell::Text(r.label)];
                    cells.extend(
                        OrgKind::ALL
                            .iter()
                            .map(|k| Cell::Int(r.kinds.get(k.as_str()).copied().unwrap_or(0))),
                    );
                    cells
                });
            download(f, "onboarding", period, &headers, rows)
        }
    })
}
