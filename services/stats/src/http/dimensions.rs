//! `GET /api/v1/stats/dimensions`.

use crate::Stats;
use crate::query::Dimensions;
use axum::Json;
use axum::extract::State;
use farmgate_identity::AuthUser;
use farmgate_infra::http::ApiResult;
use farmgate_infra::http::error::ErrorBody;

/// The filter pickers' choices.
#[utoipa::path(get, path = "/api/v1/stats/dimensions", tag = "stats",
    responses(
        (status = 200, description = "The groups the filters can pick", body = Dimensions),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not a county official: `forbidden`", body = ErrorBody),
        (status = 500, description = "Server fault: `internal`", body = ErrorBody)))]
pub async fn dimensions(
    State(stats): State<Stats>,
    AuthUser(actor): AuthUser,
) -> ApiResult<Json<Dimensions>> {
    Ok(Json(stats.dimensions(&actor).await?))
}
