//! Service quality and the flagged buyers.

use crate::Aftersales;
use crate::service::quality::{FlaggedBuyer, GroupBy, QualityReport};
use axum::Json;
use axum::extract::State;
use farmgate_identity::AuthUser;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiQuery, ApiResult};
use farmgate_kernel::id::OrgId;
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QualityQuery {
    /// First day (Asia/Shanghai), `YYYY-MM-DD`.
    pub from: chrono::NaiveDate,
    /// Last day, inclusive (at most 366 days).
    pub to: chrono::NaiveDate,
    pub group_by: GroupBy,
    /// One seller (required for sellers; optional for the operator and officials).
    pub org_id: Option<OrgId>,
}

/// Service quality (claim rate, first-response and resolution times p50/p90, resolution rate,
/// escalations, refunds, satisfaction) by seller, carrier, category or seller kind.
#[utoipa::path(get, path = "/api/v1/aftersales/quality", tag = "aftersales", params(QualityQuery),
    responses(
        (status = 200, description = "The figures, in all and per group (most claims first)", body = QualityReport),
        (status = 400, description = "Bad query: `invalid_query`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Another seller's figures: `forbidden`", body = ErrorBody),
        (status = 422, description = "Field errors (org_id, to): `validation_failed`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn quality(
    State(svc): State<Aftersales>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<QualityQuery>,
) -> ApiResult<Json<QualityReport>> {
    Ok(Json(
        svc.quality(&actor, q.from, q.to, q.group_by, q.org_id)
            .await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FlaggedQuery {
    /// Look back this many days (7–365, default 90).
    #[param(minimum = 7, maximum = 365)]
    pub days: Option<i64>,
}

/// Buyers whose claim rate is far above the platform's (flagged for a look, never blocked).
#[utoipa::path(get, path = "/api/v1/ops/flagged-buyers", tag = "aftersales", params(FlaggedQuery),
    responses(
        (status = 200, description = "The flagged buyers, the highest claim rate first", body = Vec<FlaggedBuyer>),
        (status = 400, description = "Bad query: `invalid_query`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the operator or an after-sales agent: `forbidden`", body = ErrorBody),
        (status = 422, description = "Field errors (days): `validation_failed`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn flagged_buyers(
    State(svc): State<Aftersales>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<FlaggedQuery>,
) -> ApiResult<Json<Vec<FlaggedBuyer>>> {
    Ok(Json(
        svc.flagged_buyers(&actor, q.days.unwrap_or(90)).await?,
    ))
}
