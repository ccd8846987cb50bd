//! `GET /api/v1/credit/sellers/{org}` (public) and `GET /api/v1/credit/sellers` (the operator's
//! sortable list): shop credit (信用), recomputed from the records on every request.

use crate::error::Field;
use crate::query::SellerCredit;
use crate::{Stats, StatsError};
use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use farmgate_identity::AuthUser;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiPath, ApiQuery, ApiResult};
use farmgate_kernel::id::OrgId;
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Path)]
pub struct SellerPath {
    /// The seller organisation's id.
    pub org: String,
}

/// A seller's credit: its record over the last 12 months (ratings, claims, on-time shipping,
/// first responses, recalls), months on the platform, and the level the published rule gives
/// (`new` below ten parcels received), with the points taken and why. Public.
#[utoipa::path(get, path = "/api/v1/credit/sellers/{org}", tag = "market",
    params(SellerPath),
    responses(
        (status = 200, description = "The seller's credit (ETag and Cache-Control set)", body = SellerCredit),
        (status = 304, description = "Not modified (If-None-Match matched the ETag)"),
        (status = 400, description = "Unreadable path: `invalid_query`", body = ErrorBody),
        (status = 404, description = "Not a verified seller: `not_found`", body = ErrorBody),
        (status = 500, description = "Server fault: `internal`", body = ErrorBody)))]
pub async fn seller_credit(
    State(stats): State<Stats>,
    headers: HeaderMap,
    ApiPath(path): ApiPath<SellerPath>,
) -> ApiResult<Response> {
    let org: OrgId = path.org.parse().map_err(|_| StatsError::NotFound)?;
    // Cacheable like the price board: the listing page asks for it on every view.
    Ok(super::board::cached(
        &headers,
        &stats.seller_credit(org).await?,
    ))
}

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// score (default), rating, positive, claim_rate, on_time, response, months, orders, recalls, name.
    pub sort: Option<String>,
    /// desc (default) or asc.
    pub order: Option<String>,
}

/// The sort keys the list takes.
const SORTS: [&str; 10] = [
    "score",
    "rating",
    "positive",
    "claim_rate",
    "on_time",
    "response",
    "months",
    "orders",
    "recalls",
    "name",
];

fn key(c: &SellerCredit, sort: &str) -> (bool, i64) {
    let v = match sort {
        "score" => c.assessment.score,
        "rating" => c.rating_x100,
        "positive" => c.positive_bp,
        "claim_rate" => c.claim_rate_bp,
        "on_time" => c.on_time_bp,
        "response" => c.response_avg_secs,
        "months" => Some(c.figures.months),
        "orders" => Some(c.figures.orders),
        _ => Some(c.figures.recalls),
    };
    (v.is_some(), v.unwrap_or(0))
}

/// Every verified seller's credit, sorted (sellers without the figure last either way).
/// Operator only.
#[utoipa::path(get, path = "/api/v1/credit/sellers", tag = "market",
    params(ListQuery),
    responses(
        (status = 200, description = "Every seller's credit", body = Vec<SellerCredit>),
        (status = 400, description = "Unreadable query string: `invalid_query`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the operator: `forbidden`", body = ErrorBody),
        (status = 422, description = "Field errors: `validation_failed` (sort, order: unknown)", body = ErrorBody),
        (status = 500, description = "Server fault: `internal`", body = ErrorBody)))]
pub async fn credit_list(
    State(stats): State<Stats>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Vec<SellerCredit>>> {
    if !actor.is_operator() {
        return Err(StatsError::Forbidden.into());
    }
    let sort = q
        .sort
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or("score");
    if !SORTS.contains(&sort) {
        return Err(StatsError::from(Field::UnknownSort.at("sort")).into());
    }
    let asc = match q.order.as_deref().map(str::trim) {
        None | Some("" | "desc") => false,
        Some("asc") => true,
        Some(_) => return Err(StatsError::from(Field::UnknownSort.at("order")).into()),
    };
    let mut all = stats.credits(None).await?;
    if sort == "name" {
        all.sort_by(|a, b| a.name.cmp(&b.name));
        if !asc {
            all.reverse();
        }
    } else {
        all.sort_by(|a, b| {
            let (ka, kb) = (key(a, sort), key(b, sort));
            // Missing figures last, whichever way.
            kb.0.cmp(&ka.0).then(if asc {
                ka.1.cmp(&kb.1)
            } else {
                kb.1.cmp(&ka.1)
            })
        });
    }
    Ok(Json(all))
}
