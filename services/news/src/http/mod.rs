//! News over HTTP: the route list (all in `/api/v1/openapi.json`, tag `news`), handlers grouped
//! like the use cases, the views they answer with, and the two public pages rendered on the
//! server (`/news`, `/news/{id}`).

mod cache;
mod pages;
mod public;
mod review;
pub mod views;
mod write;

use crate::News;
use axum::extract::{DefaultBodyLimit, FromRef};
use farmgate_identity::Identity;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    News: FromRef<S>,
    Identity: FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(public::public_news))
        .routes(routes!(public::pinned_news))
        .routes(routes!(public::public_article))
        .routes(routes!(write::create_article, write::list_articles))
        .routes(routes!(write::get_article, write::edit_article))
        .routes(routes!(write::article_revisions))
        .routes(routes!(write::submit_article))
        .routes(routes!(write::withdraw_article))
        .routes(routes!(write::image_file))
        .routes(routes!(review::news_review_queue))
        .routes(routes!(review::approve_article))
        .routes(routes!(review::reject_article))
        .routes(routes!(review::pin_article))
        .route("/news", axum::routing::get(pages::list_page))
        .route("/news/{id}", axum::routing::get(pages::article_page))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(write::upload_news_image))
                .layer(DefaultBodyLimit::max(
                    farmgate_catalog::images::MAX_UPLOAD_BYTES + 64 * 1024,
                )),
        )
}
