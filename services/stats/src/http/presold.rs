//! `GET /api/v1/stats/presold`.

use crate::Stats;
use crate::error::{Field, StatsError};
use crate::query::{PresoldBy, PresoldReport, require_official};
use axum::Json;
use axum::extract::State;
use farmgate_identity::AuthUser;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiQuery, ApiResult};
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PresoldQuery {
    /// category_township (default) | category | township.
    pub by: Option<String>,
}

/// Pre-sold volume (订单农业, "plant to demand"): what buyers put a paid deposit on, per
/// category and origin township. Groups of fewer than five distinct buyers are not listed on
/// their own (their sums are in `other`, with a second group when one alone would show).
#[utoipa::path(get, path = "/api/v1/stats/presold", tag = "stats", params(PresoldQuery),
    responses(
        (status = 200, description = "Pre-sold volume per group", body = PresoldReport),
        (status = 400, description = "Unreadable query string: `invalid_query`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not a county official: `forbidden`", body = ErrorBody),
        (status = 422, description = "Field errors: `validation_failed` (*by*: unknown)", body = ErrorBody),
        (status = 500, description = "Server fault: `internal`", body = ErrorBody)))]
pub async fn presold(
    State(stats): State<Stats>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<PresoldQuery>,
) -> ApiResult<Json<PresoldReport>> {
    require_official(&actor)?;
    let by = match q.by.as_deref() {
        None | Some("") => PresoldBy::CategoryTownship,
        Some(s) => {
            PresoldBy::parse(s).ok_or_else(|| StatsError::from(Field::UnknownBreakdown.at("by")))?
        }
    };
    Ok(Json(stats.presold(&actor, by).await?))
}
