//! What anyone may read: the list of public articles, the pinned notices for the home page,
//! one public article. Nothing unapproved, scheduled for later or withdrawn is ever answered.

use super::cache::cached;
use super::views::{PinnedNews, PublicArticleView, PublicNewsPage, PublicSummaryView};
use crate::News;
use crate::domain::{ArticleId, NewsCategory};
use crate::error::NewsError;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiPath, ApiQuery, ApiResult};
use farmgate_kernel::{Limit, Offset, Page};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct PublicQuery {
    /// Only this category.
    #[param(inline)]
    pub category: Option<NewsCategory>,
    pub limit: Option<Limit>,
    pub offset: Option<Offset>,
}

fn json<T: Serialize>(headers: &HeaderMap, v: &T) -> ApiResult<Response> {
    let body = serde_json::to_vec(v).map_err(|e| NewsError::Internal(e.to_string()))?;
    Ok(cached(headers, "application/json", body))
}

/// Public news, newest first, optionally of one category. Cacheable (ETag,
/// `Cache-Control: public, max-age=60`).
#[utoipa::path(get, path = "/api/v1/news", tag = "news", params(PublicQuery),
    responses(
        (status = 200, description = "One page of public articles (no bodies)", body = PublicNewsPage),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 400, description = "Bad query: `invalid_query`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn public_news(
    State(svc): State<News>,
    headers: HeaderMap,
    ApiQuery(q): ApiQuery<PublicQuery>,
) -> ApiResult<Response> {
    let page = Page {
        limit: q.limit,
        offset: q.offset,
    };
    let p = svc.public_list(q.category, page).await?;
    json(
        &headers,
        &PublicNewsPage {
            items: p.items.iter().map(PublicSummaryView::of).collect(),
            total: p.total,
            limit: p.limit,
            offset: p.offset,
        },
    )
}

/// The pinned notices the home page shows (at most five, newest first). Cacheable.
#[utoipa::path(get, path = "/api/v1/news/pinned", tag = "news",
    responses(
        (status = 200, description = "Pinned public notices", body = PinnedNews),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn pinned_news(State(svc): State<News>, headers: HeaderMap) -> ApiResult<Response> {
    let items = svc.pinned().await?;
    json(
        &headers,
        &PinnedNews {
            items: items.iter().map(PublicSummaryView::of).collect(),
        },
    )
}

/// One public article (its approved revision). Cacheable.
#[utoipa::path(get, path = "/api/v1/news/{id}", tag = "news", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The article", body = PublicArticleView),
        (status = 304, description = "Not modified (If-None-Match)"),
        (status = 404, description = "No such public article (unapproved, scheduled for later and withdrawn ones included): `not_found`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn public_article(
    State(svc): State<News>,
    headers: HeaderMap,
    ApiPath(id): ApiPath<ArticleId>,
) -> ApiResult<Response> {
    let a = svc.public_article(id).await?;
    json(&headers, &PublicArticleView::of(&a))
}
