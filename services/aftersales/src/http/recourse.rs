//! The carrier recourse for the operator and platform finance: the list, one recourse, the
//! totals by carrier, collecting and writing off.

use crate::Aftersales;
use crate::domain::RecourseStatus;
use crate::domain::recourse::RecoursePeriod;
use crate::service::{
    CollectRequest, RecourseDetail, RecourseItem, RecourseTotals, WriteOffRequest,
};
use axum::Json;
use axum::extract::State;
use chrono::NaiveDate;
use farmgate_identity::AuthUser;
use farmgate_infra::http::codes::HttpCode;
use farmgate_infra::http::error::{ApiError, ErrorBody};
use farmgate_infra::http::{ApiJson, ApiPath, ApiQuery, ApiResult};
use farmgate_kernel::{FieldError, Page, Paged};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecourseQuery {
    pub status: Option<RecourseStatus>,
    /// The carrier's name as on the waybill.
    pub carrier: Option<String>,
    /// Opened from this day (Asia/Shanghai, `YYYY-MM-DD`); with `to`.
    pub from: Option<NaiveDate>,
    /// Opened up to this day, inclusive; with `from`, at most 366 days after it.
    pub to: Option<NaiveDate>,
    pub limit: Option<farmgate_kernel::Limit>,
    pub offset: Option<farmgate_kernel::Offset>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecoursePeriodQuery {
    /// Recourses opened from this day (Asia/Shanghai, `YYYY-MM-DD`); with `to`.
    pub from: Option<NaiveDate>,
    /// Opened up to this day, inclusive; with `from`, at most 366 days after it.
    pub to: Option<NaiveDate>,
}

/// The period of a query: both days or neither, in order, at most a year — else 400
/// `invalid_query` naming the field.
fn period_of(
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<Option<RecoursePeriod>, ApiError> {
    RecoursePeriod::parse(from, to).map_err(|(field, code, zh, en)| {
        ApiError::bad_request(
            HttpCode::InvalidQuery.code(),
            format!("查询参数 {field} 不正确：{zh}"),
            format!("invalid query parameter {field}: {en}"),
        )
        .with_fields(FieldError::new(field, code, zh, en))
    })
}

/// Carrier recourses (承运商追偿), newest first, by status and carrier: the operator and
/// platform finance.
#[utoipa::path(get, path = "/api/v1/carrier-recourse", tag = "aftersales", params(RecourseQuery),
    responses(
        (status = 200, description = "One page of recourses", body = Paged<RecourseItem>),
        (status = 400, description = "Bad query (as the totals' period, or a status): `invalid_query`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the operator or platform finance: `forbidden`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn recourses(
    State(svc): State<Aftersales>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<RecourseQuery>,
) -> ApiResult<Json<Paged<RecourseItem>>> {
    let period = period_of(q.from, q.to)?;
    let page = Page {
        limit: q.limit,
        offset: q.offset,
    };
    Ok(Json(
        svc.recourses(&actor, q.status, q.carrier.as_deref(), period, page)
            .await?,
    ))
}

/// What each carrier was charged (`opened`: the carriers' share of refunds), paid, was let
/// off, and still owes — of the recourses opened in a period (`from`/`to`, Beijing days), or
/// of all: the operator and platform finance.
#[utoipa::path(get, path = "/api/v1/carrier-recourse/totals", tag = "aftersales", params(RecoursePeriodQuery),
    responses(
        (status = 200, description = "Totals by carrier, and of all", body = RecourseTotals),
        (status = 400, description = "Bad query (a malformed date, one day without the other, the end before the start, more than 366 days): `invalid_query`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the operator or platform finance: `forbidden`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn recourse_totals(
    State(svc): State<Aftersales>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<RecoursePeriodQuery>,
) -> ApiResult<Json<RecourseTotals>> {
    let period = period_of(q.from, q.to)?;
    Ok(Json(svc.recourse_totals(&actor, period).await?))
}

/// One recourse with its collections: the operator and platform finance.
#[utoipa::path(get, path = "/api/v1/carrier-recourse/{id}", tag = "aftersales", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The recourse", body = RecourseDetail),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the operator or platform finance: `forbidden`", body = ErrorBody),
        (status = 404, description = "No such recourse: `not_found`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn recourse(
    State(svc): State<Aftersales>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<RecourseDetail>> {
    Ok(Json(svc.recourse(&actor, id).await?))
}

/// Records money the carrier paid: up to what is outstanding (partial collections allowed;
/// the last fen closes it), the day it arrived, its reference. The same collection sent again
/// answers the recourse unchanged.
#[utoipa::path(post, path = "/api/v1/carrier-recourse/{id}/collections", tag = "aftersales", params(("id" = Uuid, Path)),
    request_body = CollectRequest,
    responses(
        (status = 200, description = "The recourse with the collection", body = RecourseDetail),
        (status = 400, description = "Unreadable body: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the operator or platform finance: `forbidden`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such recourse: `not_found`", body = ErrorBody),
        (status = 409, description = "Collected or written off: `recourse_closed`; the reference is recorded with another amount or day: `reference_used`", body = ErrorBody),
        (status = 413, description = "Body too large: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "Field errors (amount above what is outstanding, collected_on, reference): `validation_failed`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn collect(
    State(svc): State<Aftersales>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<CollectRequest>,
) -> ApiResult<Json<RecourseDetail>> {
    Ok(Json(svc.collect_recourse(&actor, id, &req).await?))
}

/// Writes off what the carrier still owes, with a reason; the recourse closes.
#[utoipa::path(post, path = "/api/v1/carrier-recourse/{id}/write-off", tag = "aftersales", params(("id" = Uuid, Path)),
    request_body = WriteOffRequest,
    responses(
        (status = 200, description = "The recourse, written off", body = RecourseDetail),
        (status = 400, description = "Unreadable body: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the operator or platform finance: `forbidden`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such recourse: `not_found`", body = ErrorBody),
        (status = 409, description = "Collected or written off already: `recourse_closed`", body = ErrorBody),
        (status = 413, description = "Body too large: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "Field errors (reason): `validation_failed`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn write_off(
    State(svc): State<Aftersales>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<WriteOffRequest>,
) -> ApiResult<Json<RecourseDetail>> {
    Ok(Json(svc.write_off_recourse(&actor, id, &req).await?))
}
