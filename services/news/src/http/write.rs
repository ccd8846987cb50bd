//! Writing news: drafts, edits (each a revision), submitting for review, withdrawing, the
//! back office's lists, and pictures.

use super::views::{ArticleView, NewsArticlePage, NewsImageView, NewsRevisions, RevisionView};
use crate::News;
use crate::domain::{ArticleId, ArticleInput, ReviewStatus};
use crate::service::Reason;
use axum::Json;
use axum::body::Body;
use axum::extract::{Multipart, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use farmgate_catalog::http::read_image_upload;
use farmgate_identity::{AuthUser, MaybeAuthUser};
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiJson, ApiPath, ApiQuery, ApiResult};
use farmgate_kernel::{Limit, Offset, Page};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

fn view(svc: &News, r: &crate::service::ArticleRecord) -> Json<ArticleView> {
    Json(ArticleView::of(r, svc.infra().clock.now()))
}

/// Write a new article (the operator or a county official): saved as a draft, revision 1.
#[utoipa::path(post, path = "/api/v1/news/articles", tag = "news",
    request_body = ArticleInput,
    responses(
        (status = 201, description = "The draft", body = ArticleView),
        (status = 400, description = "Unreadable body: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not a writer (the operator, a county official): `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 413, description = "Body too large: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "Field errors (title, summary, body_html — also over 200 000 bytes, empty once sanitised or showing a picture that is not the writer's —, publish_at): `validation_failed`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn create_article(
    State(svc): State<News>,
    AuthUser(actor): AuthUser,
    ApiJson(req): ApiJson<ArticleInput>,
) -> ApiResult<(StatusCode, Json<ArticleView>)> {
    let r = svc.create(&actor, req).await?;
    Ok((StatusCode::CREATED, view(&svc, &r)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Operators: everyone's articles (default: the caller's own).
    pub all: Option<bool>,
    #[param(inline)]
    pub status: Option<ReviewStatus>,
    pub limit: Option<Limit>,
    pub offset: Option<Offset>,
}

/// The back office's articles, last changed first: the caller's own; an operator's `all=true`
/// lists everyone's.
#[utoipa::path(get, path = "/api/v1/news/articles", tag = "news", params(ListQuery),
    responses(
        (status = 200, description = "One page of articles", body = NewsArticlePage),
        (status = 400, description = "Bad query: `invalid_query`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not a writer: `forbidden`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn list_articles(
    State(svc): State<News>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<NewsArticlePage>> {
    let page = Page {
        limit: q.limit,
        offset: q.offset,
    };
    let p = svc
        .listed(&actor, q.all.unwrap_or(false), q.status, page)
        .await?;
    let now = svc.infra().clock.now();
    Ok(Json(NewsArticlePage {
        items: p.items.iter().map(|r| ArticleView::of(r, now)).collect(),
        total: p.total,
        limit: p.limit,
        offset: p.offset,
    }))
}

/// One article in the back office (its author, operators).
#[utoipa::path(get, path = "/api/v1/news/articles/{id}", tag = "news", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The article", body = ArticleView),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 404, description = "No such article the caller may see: `not_found`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn get_article(
    State(svc): State<News>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<ArticleId>,
) -> ApiResult<Json<ArticleView>> {
    let r = svc.record(&actor, id).await?;
    Ok(view(&svc, &r))
}

/// Edit an article (its author): a new revision, a draft again. A published article stays
/// public as approved until the new revision is approved. Not while it is under review.
#[utoipa::path(put, path = "/api/v1/news/articles/{id}", tag = "news", params(("id" = Uuid, Path)),
    request_body = ArticleInput,
    responses(
        (status = 200, description = "The article with its new revision", body = ArticleView),
        (status = 400, description = "Unreadable body: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the author (an operator editing another's article): `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such article of the caller's: `not_found`", body = ErrorBody),
        (status = 409, description = "Under review: `wrong_status`", body = ErrorBody),
        (status = 413, description = "Body too large: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "Field errors: `validation_failed`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn edit_article(
    State(svc): State<News>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<ArticleId>,
    ApiJson(req): ApiJson<ArticleInput>,
) -> ApiResult<Json<ArticleView>> {
    let r = svc.edit(&actor, id, req).await?;
    Ok(view(&svc, &r))
}

/// Every revision of an article, newest first (its author, operators).
#[utoipa::path(get, path = "/api/v1/news/articles/{id}/revisions", tag = "news", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The revisions, newest first; `published` marks the public one", body = NewsRevisions),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 404, description = "No such article the caller may see: `not_found`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn article_revisions(
    State(svc): State<News>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<ArticleId>,
) -> ApiResult<Json<NewsRevisions>> {
    let record = svc.record(&actor, id).await?;
    let revs = svc.revisions(&actor, id).await?;
    let published = record.article.published_revision_id;
    Ok(Json(NewsRevisions {
        items: revs
            .iter()
            .map(|r| RevisionView::of(r, published))
            .collect(),
    }))
}

/// Send the draft for review (its author). The operator has 48 hours.
#[utoipa::path(post, path = "/api/v1/news/articles/{id}/submit", tag = "news", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "Submitted", body = ArticleView),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the author: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such article of the caller's: `not_found`", body = ErrorBody),
        (status = 409, description = "Not a draft: `wrong_status`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn submit_article(
    State(svc): State<News>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<ArticleId>,
) -> ApiResult<Json<ArticleView>> {
    let r = svc.submit(&actor, id).await?;
    Ok(view(&svc, &r))
}

/// Take a published article down, with a reason (an operator, or its author). Approving a new
/// revision publishes it again.
#[utoipa::path(post, path = "/api/v1/news/articles/{id}/withdraw", tag = "news", params(("id" = Uuid, Path)),
    request_body = Reason,
    responses(
        (status = 200, description = "Withdrawn", body = ArticleView),
        (status = 400, description = "Unreadable body: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not allowed: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such article the caller may withdraw: `not_found`", body = ErrorBody),
        (status = 409, description = "Not published, or withdrawn already: `not_published`", body = ErrorBody),
        (status = 413, description = "Body too large: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "No reason: `validation_failed`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn withdraw_article(
    State(svc): State<News>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<ArticleId>,
    ApiJson(req): ApiJson<Reason>,
) -> ApiResult<Json<ArticleView>> {
    let r = svc.withdraw(&actor, id, &req).await?;
    Ok(view(&svc, &r))
}

#[derive(ToSchema)]
#[expect(
    dead_code,
    reason = "describes the multipart body for the OpenAPI document"
)]
pub struct NewsImageUpload {
    /// JPEG, PNG or WebP (told by its bytes, not its name), at most 8 MB.
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    file: String,
}

/// Upload a picture for an article (multipart field `file`; writers): put its `url` in the
/// body or its id as the cover. Private until an approved revision shows it.
#[utoipa::path(post, path = "/api/v1/news/images", tag = "news",
    request_body(content = NewsImageUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "The picture, stored", body = NewsImageView),
        (status = 400, description = "Not a multipart form: `malformed_multipart`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not a writer: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 413, description = "Over 8 MB: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not a JPEG, PNG or WebP picture: `unsupported_image`", body = ErrorBody),
        (status = 422, description = "No file, a picture too small or too large in pixels, or too many today: `validation_failed`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody),
        (status = 503, description = "Too many pictures being processed: `server_busy`", body = ErrorBody)))]
pub async fn upload_news_image(
    State(svc): State<News>,
    AuthUser(actor): AuthUser,
    multipart: Multipart,
) -> ApiResult<(StatusCode, Json<NewsImageView>)> {
    let bytes = read_image_upload(multipart).await?;
    let m = svc.upload_image(&actor, bytes).await?;
    Ok((StatusCode::CREATED, Json(NewsImageView::of(&m))))
}

/// A picture (re-encoded, without EXIF): to anyone once an approved revision shows it, before
/// that to its uploader and operators.
#[utoipa::path(get, path = "/api/v1/news/images/{id}", tag = "news", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The picture", content(("image/jpeg"))),
        (status = 404, description = "No such picture the caller may see: `not_found`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn image_file(
    State(svc): State<News>,
    MaybeAuthUser(actor): MaybeAuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Response> {
    let (bytes, public) = svc.image_file(actor.as_ref(), id).await?;
    let mut resp = Response::new(Body::from(bytes));
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg"));
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if public {
            "public, max-age=86400"
        } else {
            "private, no-store"
        }),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    Ok(resp)
}
