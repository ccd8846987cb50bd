//! Review moderation: the seller's reply, reports, and the operator's queue, hide, restore
//! and keep.

use crate::Orders;
use crate::domain::moderation::Moderation;
use crate::service::{
    HiddenReviewPage, ModeratedReview, ReviewReportPage, ReviewReportView, ReviewText, ReviewView,
};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use farmgate_identity::AuthUser;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiJson, ApiPath, ApiQuery, ApiResult};
use farmgate_kernel::{Limit, Offset, Page};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// The seller replies to a review of its produce, once, publicly (`text`, 1–500 characters).
#[utoipa::path(post, path = "/api/v1/reviews/{id}/reply", tag = "reviews", params(("id" = Uuid, Path)),
    request_body = ReviewText,
    responses(
        (status = 201, description = "The review with its reply", body = ReviewView),
        (status = 400, description = "`malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not a seller: `forbidden`; `org_not_verified`, `cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "No such review of the caller's organisation: `not_found`", body = ErrorBody),
        (status = 409, description = "`already_replied`", body = ErrorBody),
        (status = 413, description = "`payload_too_large`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "Field errors (text): `validation_failed`", body = ErrorBody),
        (status = 500, description = "`internal`", body = ErrorBody),
    ))]
pub async fn reply_to_review(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<ReviewText>,
) -> ApiResult<(StatusCode, Json<ReviewView>)> {
    let r = orders.reply_to_review(&actor, id, &req).await?;
    Ok((StatusCode::CREATED, Json(ReviewView::of(&r))))
}

/// A buyer or a seller reports a review (`text`: the reason, 1–500 characters), once.
#[utoipa::path(post, path = "/api/v1/reviews/{id}/reports", tag = "reviews", params(("id" = Uuid, Path)),
    request_body = ReviewText,
    responses(
        (status = 201, description = "Reported; the operator will look", body = ReviewReportView),
        (status = 400, description = "`malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "Platform staff hide instead: `forbidden`; `cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "No such shown review: `not_found`", body = ErrorBody),
        (status = 409, description = "`already_reported`", body = ErrorBody),
        (status = 413, description = "`payload_too_large`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "Field errors (text): `validation_failed`", body = ErrorBody),
        (status = 500, description = "`internal`", body = ErrorBody),
    ))]
pub async fn report_review(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<ReviewText>,
) -> ApiResult<(StatusCode, Json<ReviewReportView>)> {
    let r = orders.report_review(&actor, id, &req).await?;
    Ok((StatusCode::CREATED, Json(r)))
}

/// The operator hides a review with a reason (`text`, 1–200 characters): kept, not deleted,
/// out of the listing's pages and average; its open reports are resolved.
#[utoipa::path(post, path = "/api/v1/reviews/{id}/hide", tag = "reviews", params(("id" = Uuid, Path)),
    request_body = ReviewText,
    responses(
        (status = 200, description = "Hidden", body = ModeratedReview),
        (status = 400, description = "`malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the operator: `forbidden`; `cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "`already_hidden`", body = ErrorBody),
        (status = 413, description = "`payload_too_large`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "Field errors (text): `validation_failed`", body = ErrorBody),
        (status = 500, description = "`internal`", body = ErrorBody),
    ))]
pub async fn hide_review(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<ReviewText>,
) -> ApiResult<Json<ModeratedReview>> {
    let r = orders
        .moderate_review(&actor, id, Moderation::Hide, Some(&req))
        .await?;
    Ok(Json(r))
}

/// The operator shows a hidden review again.
#[utoipa::path(post, path = "/api/v1/reviews/{id}/restore", tag = "reviews", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "Shown again", body = ModeratedReview),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the operator: `forbidden`; `cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "`not_hidden`", body = ErrorBody),
        (status = 500, description = "`internal`", body = ErrorBody),
    ))]
pub async fn restore_review(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<ModeratedReview>> {
    let r = orders
        .moderate_review(&actor, id, Moderation::Restore, None)
        .await?;
    Ok(Json(r))
}

/// The operator keeps a reported review as it is: its open reports are dismissed.
#[utoipa::path(post, path = "/api/v1/reviews/{id}/keep", tag = "reviews", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "Reports dismissed", body = ModeratedReview),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the operator: `forbidden`; `cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 500, description = "`internal`", body = ErrorBody),
    ))]
pub async fn keep_review(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<ModeratedReview>> {
    let r = orders
        .moderate_review(&actor, id, Moderation::Keep, None)
        .await?;
    Ok(Json(r))
}

/// Which reports the queue lists.
#[derive(Clone, Copy, Debug, Default, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ReportStatus {
    /// Not yet resolved (the default), oldest first.
    #[default]
    Open,
    /// Every report, newest first.
    All,
}

#[derive(Clone, Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// `open` (default, oldest first) or `all` (newest first).
    #[param(inline)]
    #[serde(default)]
    pub status: Option<ReportStatus>,
    pub limit: Option<Limit>,
    pub offset: Option<Offset>,
}

/// The operator's queue of review reports, each with its review.
#[utoipa::path(get, path = "/api/v1/review-reports", tag = "reviews", params(ReportQuery),
    responses(
        (status = 200, description = "A page of reports", body = ReviewReportPage),
        (status = 400, description = "`invalid_query`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the operator: `forbidden`", body = ErrorBody),
        (status = 500, description = "`internal`", body = ErrorBody),
    ))]
pub async fn review_reports(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> ApiResult<Json<ReviewReportPage>> {
    let page = Page {
        limit: q.limit,
        offset: q.offset,
    };
    let open = q.status.unwrap_or_default() == ReportStatus::Open;
    Ok(Json(orders.review_reports(&actor, open, page).await?))
}

#[derive(Clone, Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HiddenQuery {
    pub limit: Option<Limit>,
    pub offset: Option<Offset>,
}

/// The operator's list of hidden reviews, the latest hidden first (to restore one).
#[utoipa::path(get, path = "/api/v1/hidden-reviews", tag = "reviews", params(HiddenQuery),
    responses(
        (status = 200, description = "A page of hidden reviews, each with why and its history", body = HiddenReviewPage),
        (status = 400, description = "`invalid_query`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the operator: `forbidden`", body = ErrorBody),
        (status = 500, description = "`internal`", body = ErrorBody),
    ))]
pub async fn hidden_reviews(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<HiddenQuery>,
) -> ApiResult<Json<HiddenReviewPage>> {
    let page = Page {
        limit: q.limit,
        offset: q.offset,
    };
    Ok(Json(orders.hidden_reviews(&actor, page).await?))
}
