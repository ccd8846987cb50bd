//! What the operator does: the review queue and its decisions, forced delisting, and the
//! category tree.

use super::views::{CategoryView, ListingView, ReviewItem, RevisionView};
use crate::Catalog;
use crate::domain::{RevisionId, RevisionStatus};
use crate::error::CatalogError;
use crate::service::{CategoryPatch, NewCategoryRequest};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use farmgate_identity::{AuthUser, PlatformRole};
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiJson, ApiPath, ApiQuery, ApiResult};
use farmgate_kernel::id::{CategoryId, ListingId};
use farmgate_kernel::{Page, Paged};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReviewQuery {
    /// `pending` (default), `approved`, `rejected`.
    pub status: Option<RevisionStatus>,
    pub limit: Option<farmgate_kernel::Limit>,
    pub offset: Option<farmgate_kernel::Offset>,
}

/// The listing review queue (operator), oldest first.
#[utoipa::path(get, path = "/api/v1/admin/listing-reviews", tag = "admin", params(ReviewQuery),
    responses(
        (status = 200, description = "Revisions in the asked status with their listings", body = Paged<ReviewItem>),
        (status = 400, description = "Bad query: `invalid_query`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the operator: `forbidden`", body = ErrorBody),
    ))]
pub async fn review_queue(
    State(catalog): State<Catalog>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<ReviewQuery>,
) -> ApiResult<Json<Paged<ReviewItem>>> {
    let page = Page {
        limit: q.limit,
        offset: q.offset,
    };
    let list = catalog
        .review_queue(&actor, q.status.unwrap_or(RevisionStatus::Pending), page)
        .await?;
    let items = list
        .items
        .iter()
        .map(|(r, b)| ReviewItem {
            revision: RevisionView::of(r, b),
            listing: ListingView::of(b, Some(&actor)),
        })
        .collect();
    Ok(Json(Paged {
        items,
        total: list.total,
        limit: list.limit,
        offset: list.offset,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonRequest {
    /// Shown to the seller (2–500 characters).
    pub reason: String,
}

/// Approve a pending revision (operator).
#[utoipa::path(post, path = "/api/v1/admin/listing-reviews/{id}/approve", tag = "admin", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The listing after the decision", body = ListingView),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the operator: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such revision: `not_found`", body = ErrorBody),
        (status = 409, description = "Already decided: `invalid_state`", body = ErrorBody),
    ))]
pub async fn approve(
    State(catalog): State<Catalog>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<RevisionId>,
) -> ApiResult<Json<ListingView>> {
    let b = catalog.decide(&actor, id, true, None).await?;
    Ok(Json(ListingView::of(&b, Some(&actor))))
}

/// Reject a pending revision with a reason (operator).
#[utoipa::path(post, path = "/api/v1/admin/listing-reviews/{id}/reject", tag = "admin", params(("id" = Uuid, Path)),
    request_body = ReasonRequest,
    responses(
        (status = 200, description = "The listing after the decision", body = ListingView),
        (status = 400, description = "Unreadable body: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the operator: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such revision: `not_found`", body = ErrorBody),
        (status = 409, description = "Already decided: `invalid_state`", body = ErrorBody),
        (status = 413, description = "Body too large: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "Missing or bad reason: `validation_failed`", body = ErrorBody),
    ))]
pub async fn reject(
    State(catalog): State<Catalog>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<RevisionId>,
    ApiJson(req): ApiJson<ReasonRequest>,
) -> ApiResult<Json<ListingView>> {
    let b = catalog.decide(&actor, id, false, Some(req.reason)).await?;
    Ok(Json(ListingView::of(&b, Some(&actor))))
}

/// Force a listing off sale with a reason (非正常下架, operator).
#[utoipa::path(post, path = "/api/v1/admin/listings/{id}/delist", tag = "admin", params(("id" = Uuid, Path)),
    request_body = ReasonRequest,
    responses(
        (status = 200, description = "The listing, now delisted", body = ListingView),
        (status = 400, description = "Unreadable body: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the operator: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such listing: `not_found`", body = ErrorBody),
        (status = 409, description = "Neither live nor waiting: `invalid_state`", body = ErrorBody),
        (status = 413, description = "Body too large: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "Bad reason: `validation_failed`", body = ErrorBody),
    ))]
pub async fn delist(
    State(catalog): State<Catalog>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<ListingId>,
    ApiJson(req): ApiJson<ReasonRequest>,
) -> ApiResult<Json<ListingView>> {
    let b = catalog.force_delist(&actor, id, &req.reason).await?;
    Ok(Json(ListingView::of(&b, Some(&actor))))
}

/// Add a category (operator).
#[utoipa::path(post, path = "/api/v1/admin/categories", tag = "admin", request_body = NewCategoryRequest,
    responses(
        (status = 201, description = "The new category", body = CategoryView),
        (status = 400, description = "Unreadable body: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the operator: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 413, description = "Body too large: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "Invalid fields, slug taken, parent too deep: `validation_failed`", body = ErrorBody),
    ))]
pub async fn create_category(
    State(catalog): State<Catalog>,
    AuthUser(actor): AuthUser,
    ApiJson(req): ApiJson<NewCategoryRequest>,
) -> ApiResult<(StatusCode, Json<CategoryView>)> {
    let c = catalog.create_category(&actor, req).await?;
    Ok((StatusCode::CREATED, Json(CategoryView::of(&c))))
}

/// Change a category (operator); its listings are reindexed.
#[utoipa::path(patch, path = "/api/v1/admin/categories/{id}", tag = "admin", params(("id" = Uuid, Path)),
    request_body = CategoryPatch,
    responses(
        (status = 200, description = "The category as it stands now", body = CategoryView),
        (status = 400, description = "Unreadable body: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the operator: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such category: `not_found`", body = ErrorBody),
        (status = 413, description = "Body too large: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "Invalid fields: `validation_failed`", body = ErrorBody),
    ))]
pub async fn update_category(
    State(catalog): State<Catalog>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<CategoryId>,
    ApiJson(patch): ApiJson<CategoryPatch>,
) -> ApiResult<Json<CategoryView>> {
    let c = catalog.update_category(&actor, id, patch).await?;
    Ok(Json(CategoryView::of(&c)))
}

/// The whole category tree including inactive categories (operator).
#[utoipa::path(get, path = "/api/v1/admin/categories", tag = "admin",
    responses(
        (status = 200, description = "Every category, roots with their children", body = Vec<CategoryView>),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the operator: `forbidden`", body = ErrorBody),
    ))]
pub async fn admin_categories(
    State(catalog): State<Catalog>,
    AuthUser(actor): AuthUser,
) -> ApiResult<Json<Vec<CategoryView>>> {
    actor
        .require_platform(&[PlatformRole::Operator])
        .map_err(CatalogError::from)?;
    let all = catalog.categories().await?;
    Ok(Json(CategoryView::tree(&all, true)))
}
