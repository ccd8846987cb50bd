//! Recall: ordering one, the reports, and the buyers' notices and refunds.

use crate::Aftersales;
use crate::domain::RecallNoticeId;
use crate::http::views::NoticeView;
use crate::service::recall::{RecallReport, RecallRequest};
use axum::Json;
use axum::extract::State;
use farmgate_identity::AuthUser;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiJson, ApiPath, ApiQuery, ApiResult};
use farmgate_kernel::id::BatchId;
use farmgate_kernel::{Page, Paged};
use serde::Deserialize;
use utoipa::IntoParams;

/// Recall a batch (召回) in one action: the operator, an after-sales agent, a county official
/// or its seller. Its record and public page show the recall, it never ships again, its listing
/// goes off sale, and every buyer of it gets a notice with a refund offer. Ordering it again
/// returns the same recall.
#[utoipa::path(post, path = "/api/v1/batches/{id}/recall", tag = "aftersales", params(("id" = Uuid, Path)),
    request_body = RecallRequest,
    responses(
        (status = 200, description = "The recall report (the same one when ordered again)", body = RecallReport),
        (status = 400, description = "Unreadable body: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not staff, an official or the batch's seller: `forbidden`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such batch: `not_found`", body = ErrorBody),
        (status = 409, description = "Being recalled by another request right now: `concurrent_update`", body = ErrorBody),
        (status = 413, description = "Body too large: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "Field errors (reason): `validation_failed`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn recall(
    State(svc): State<Aftersales>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<BatchId>,
    ApiJson(req): ApiJson<RecallRequest>,
) -> ApiResult<Json<RecallReport>> {
    Ok(Json(svc.recall(&actor, id, &req).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    pub limit: Option<farmgate_kernel::Limit>,
    pub offset: Option<farmgate_kernel::Offset>,
}

/// Recall reports (orders, buyers reached, quantities, refunds): the operator and officials see
/// all, a seller its own.
#[utoipa::path(get, path = "/api/v1/recalls", tag = "aftersales", params(PageQuery),
    responses(
        (status = 200, description = "One page of recall reports, newest first", body = Paged<RecallReport>),
        (status = 400, description = "Bad query: `invalid_query`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn recalls(
    State(svc): State<Aftersales>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<Paged<RecallReport>>> {
    let page = Page {
        limit: q.limit,
        offset: q.offset,
    };
    Ok(Json(svc.recalls(&actor, page).await?))
}

/// The recall notices addressed to the caller, with instructions and the refund offered.
#[utoipa::path(get, path = "/api/v1/me/recall-notices", tag = "aftersales",
    responses(
        (status = 200, description = "The caller's notices, newest first", body = Vec<NoticeView>),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn my_recall_notices(
    State(svc): State<Aftersales>,
    AuthUser(actor): AuthUser,
) -> ApiResult<Json<Vec<NoticeView>>> {
    let notices = svc.my_recall_notices(&actor).await?;
    Ok(Json(notices.iter().map(NoticeView::of).collect()))
}

/// Take the refund a recall offered (once; no need to send anything back).
#[utoipa::path(post, path = "/api/v1/recall-notices/{id}/refund", tag = "aftersales", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The notice, refunded (the same when taken again)", body = NoticeView),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not allowed: `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such notice to the caller: `not_found`", body = ErrorBody),
        (status = 409, description = "The refund refused: `refund_exceeds_paid`, `not_paid`, `idempotency_key_reused`", body = ErrorBody),
        (status = 422, description = "The refund no longer fits the payment: `validation_failed`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn take_recall_refund(
    State(svc): State<Aftersales>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<RecallNoticeId>,
) -> ApiResult<Json<NoticeView>> {
    Ok(Json(NoticeView::of(
        &svc.take_recall_refund(&actor, id).await?,
    )))
}
