//! The catalogue over HTTP: the route list (which also yields the OpenAPI description), thin
//! handlers grouped by who calls them, and the response types.
//!
//! - `public.rs` — categories, search, listing and seller pages, `/media/public/...` photos.
//! - `sellers.rs` — a seller's members: listings (also the editor's one save), SKUs, photos
//!   (also uploaded before the save), the change log.
//! - `documents.rs` — an organisation's application pictures (business licence), private.
//! - `operator.rs` — the review queue, decisions, forced delisting, categories.
//! - `vocabulary.rs` — search as you type, and the county's search vocabulary (operator).
//! - `wholesale.rs` — wholesale prices for a business buyer's product cards.
//! - `views.rs` — what the API answers.

pub mod documents;
pub mod operator;
pub mod public;
pub mod sellers;
pub mod views;
pub mod vocabulary;
pub mod wholesale;

pub use sellers::read_image_upload;

use crate::Catalog;
use crate::images::MAX_UPLOAD_BYTES;
use axum::extract::{DefaultBodyLimit, FromRef};
use farmgate_identity::Identity;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// Every catalogue route, with its OpenAPI description.
pub fn router<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Catalog: FromRef<S>,
    Identity: FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(public::categories))
        .routes(routes!(public::search))
        .routes(routes!(wholesale::wholesale_prices))
        .routes(routes!(vocabulary::search_suggest))
        .routes(routes!(
            vocabulary::list_vocabulary,
            vocabulary::add_vocabulary
        ))
        .routes(routes!(vocabulary::remove_vocabulary))
        .routes(routes!(
            public::get_listing,
            sellers::update_listing,
            sellers::save_listing
        ))
        .routes(routes!(public::seller_page))
        .routes(routes!(sellers::org_listings, sellers::create_listing))
        .routes(routes!(sellers::submit_listing))
        .routes(routes!(sellers::add_sku))
        .routes(routes!(sellers::update_sku))
        .routes(routes!(sellers::changes))
        .routes(routes!(sellers::delete_image))
        .routes(routes!(documents::org_documents))
        .routes(routes!(documents::org_document_file))
        .routes(routes!(documents::delete_org_document))
        .routes(routes!(operator::review_queue))
        .routes(routes!(operator::approve))
        .routes(routes!(operator::reject))
        .routes(routes!(operator::delist))
        .routes(routes!(
            operator::create_category,
            operator::admin_categories
        ))
        .routes(routes!(operator::update_category))
        // Photos are larger than JSON bodies: only the upload route gets the larger limit.
        .merge(
            OpenApiRouter::new()
                .routes(routes!(sellers::upload_image))
                .routes(routes!(sellers::upload_draft_photo))
                .routes(routes!(documents::upload_org_document))
                .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES + 64 * 1024)),
        )
        .route("/media/{*key}", axum::routing::get(public::media))
}
