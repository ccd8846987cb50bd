//! The carrier recourse for the operator and platform finance: the list, one recourse, the
//! totals by carrier, collecting and writing off.

use crate::Aftersales;
use crate::domain::RecourseStatus;
use crate::service::{
    CollectRequest, RecourseDetail, RecourseItem, RecourseTotals, WriteOffRequest,
};
use axum::Json;
use axum::extract::State;
use farmgate_identity::AuthUser;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiJson, ApiPath, ApiQuery, ApiResult};
use farmgate_kernel::{Page, Paged};
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecourseQuery {
    pub status: Option<RecourseStatus>,
    /// The carrier's name as on the waybill.
    pub carrier: Option<String>,
    pub limit: Option<farmgate_kernel::Limit>,
    pub offset: Option<farmgate_kernel::Offset>,
}

/// Carrier recourses (承运商追偿), newest first, by status and carrier: the operator and
/// platform finance.
#[utoipa::path(get, path = "/api/v1/carrier-recourse", tag = "aftersales", params(RecourseQuery),
    responses(
        (status = 200, description = "One page of recourses", body = Paged<RecourseItem>),
        (status = 400, description = "Bad query: `invalid_query`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the operator or platform finance: `forbidden`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn recourses(
    State(svc): State<Aftersales>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<RecourseQuery>,
) -> ApiResult<Json<Paged<RecourseItem>>> {
    let page = Page {
        limit: q.limit,
        offset: q.offset,
    };
    Ok(Json(
        svc.recourses(&actor, q.status, q.carrier.as_deref(), page)
            .await?,
    ))
}

/// What each carrier was charged (`opened`: the carriers' share of refunds), paid, was let
/// off, and still owes: the operator and platform finance.
#[utoipa::path(get, path = "/api/v1/carrier-recourse/totals", tag = "aftersales",
    responses(
        (status = 200, description = "Totals by carrier, and of all", body = RecourseTotals),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the operator or platform finance: `forbidden`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn recourse_totals(
    State(svc): State<Aftersales>,
    AuthUser(actor): AuthUser,
) -> ApiResult<Json<RecourseTotals>> {
    Ok(Json(svc.recourse_totals(&actor).await?))
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
