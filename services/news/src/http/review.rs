//! Reviewing news (operators, never on their own article): the queue with its ages against the
//! 48-hour rule, approve, reject with a reason, pin to the home page.

use super::views::{ArticleView, NewsQueueItem, NewsQueuePage};
use crate::News;
use crate::domain::ArticleId;
use crate::service::{Pin, Reason};
use axum::Json;
use axum::extract::State;
use farmgate_identity::AuthUser;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiJson, ApiPath, ApiQuery, ApiResult};
use farmgate_kernel::Page;

/// The review queue: submitted articles, longest waiting first (so overdue first), each with
/// its age and whether it is past the 48 hours (operators).
#[utoipa::path(get, path = "/api/v1/news/review-queue", tag = "news", params(Page),
    responses(
        (status = 200, description = "One page of the queue", body = NewsQueuePage),
        (status = 400, description = "Bad query: `invalid_query`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the operator: `not_operator`, `forbidden`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn news_review_queue(
    State(svc): State<News>,
    AuthUser(actor): AuthUser,
    ApiQuery(page): ApiQuery<Page>,
) -> ApiResult<Json<NewsQueuePage>> {
    let p = svc.queue(&actor, page).await?;
    let now = svc.infra().clock.now();
    Ok(Json(NewsQueuePage {
        items: p.items.iter().map(|q| NewsQueueItem::of(q, now)).collect(),
        total: p.total,
        limit: p.limit,
        offset: p.offset,
    }))
}

/// Approve the submitted revision (an operator who did not write it): it becomes the public
/// one, at once or at its `publish_at`. Of two approvals at once, one wins.
#[utoipa::path(post, path = "/api/v1/news/articles/{id}/approve", tag = "news", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "Approved", body = ArticleView),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not allowed: `not_operator`, `own_article` (four eyes), `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such article: `not_found`", body = ErrorBody),
        (status = 409, description = "Not submitted (or approved by another request first): `wrong_status`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn approve_article(
    State(svc): State<News>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<ArticleId>,
) -> ApiResult<Json<ArticleView>> {
    let r = svc.approve(&actor, id).await?;
    Ok(Json(ArticleView::of(&r, svc.infra().clock.now())))
}

/// Send the submitted revision back to its author with a reason (an operator who did not
/// write it).
#[utoipa::path(post, path = "/api/v1/news/articles/{id}/reject", tag = "news", params(("id" = Uuid, Path)),
    request_body = Reason,
    responses(
        (status = 200, description = "Rejected", body = ArticleView),
        (status = 400, description = "Unreadable body: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not allowed: `not_operator`, `own_article`, `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such article: `not_found`", body = ErrorBody),
        (status = 409, description = "Not submitted: `wrong_status`", body = ErrorBody),
        (status = 413, description = "Body too large: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "No reason: `validation_failed`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn reject_article(
    State(svc): State<News>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<ArticleId>,
    ApiJson(req): ApiJson<Reason>,
) -> ApiResult<Json<ArticleView>> {
    let r = svc.reject(&actor, id, &req).await?;
    Ok(Json(ArticleView::of(&r, svc.infra().clock.now())))
}

/// Pin an article to the home page, or unpin it (operators). It shows there while public.
#[utoipa::path(post, path = "/api/v1/news/articles/{id}/pin", tag = "news", params(("id" = Uuid, Path)),
    request_body = Pin,
    responses(
        (status = 200, description = "Pinned or unpinned", body = ArticleView),
        (status = 400, description = "Unreadable body: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the operator: `not_operator`, `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such article: `not_found`", body = ErrorBody),
        (status = 413, description = "Body too large: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "A body that is not a pin request: `validation_failed`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn pin_article(
    State(svc): State<News>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<ArticleId>,
    ApiJson(req): ApiJson<Pin>,
) -> ApiResult<Json<ArticleView>> {
    let r = svc.pin(&actor, id, &req).await?;
    Ok(Json(ArticleView::of(&r, svc.infra().clock.now())))
}
