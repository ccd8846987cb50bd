//! Reviews: photos, a line's review, a listing's reviews.

use super::PageQuery;
use crate::Orders;
use crate::service::{ListingReviews, PhotoView, ReviewRequest, ReviewView};
use axum::Json;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use farmgate_catalog::http::read_image_upload;
use farmgate_identity::AuthUser;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiJson, ApiPath, ApiQuery, ApiResult};
use farmgate_kernel::id::{ListingId, OrderLineId};
use utoipa::ToSchema;

#[derive(ToSchema)]
#[expect(
    dead_code,
    reason = "describes the multipart body for the OpenAPI document"
)]
pub struct PhotoUpload {
    /// JPEG, PNG or WebP, at most 8 MB.
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    file: String,
}

/// Upload a photo for a review (multipart field `file`); send its id with the review.
#[utoipa::path(post, path = "/api/v1/review-photos", tag = "reviews",
    request_body(content = PhotoUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "Stored", body = PhotoView),
        (status = 400, description = "`malformed_multipart`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`cross_site_request`, `read_only`", body = ErrorBody),
        (status = 409, description = "Conflict: `too_many_photos`", body = ErrorBody),
        (status = 413, description = "`payload_too_large`", body = ErrorBody),
        (status = 415, description = "`unsupported_image`", body = ErrorBody),
        (status = 422, description = "`validation_failed`: no *file* field", body = ErrorBody),
    ))]
pub async fn upload_review_photo(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    multipart: Multipart,
) -> ApiResult<(StatusCode, Json<PhotoView>)> {
    let bytes = read_image_upload(multipart).await?;
    let photo = orders.upload_review_photo(&actor, bytes).await?;
    Ok((StatusCode::CREATED, Json(photo)))
}

/// Review a line of a received sub-order, once (1–5 stars, text, up to 9 photos).
#[utoipa::path(post, path = "/api/v1/order-lines/{id}/review", tag = "reviews", params(("id" = Uuid, Path)),
    request_body = ReviewRequest,
    responses(
        (status = 201, description = "Reviewed", body = ReviewView),
        (status = 400, description = "`malformed_json`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "Conflict: `not_received`, `already_reviewed`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "`validation_failed`", body = ErrorBody),
    ))]
pub async fn review(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<OrderLineId>,
    ApiJson(req): ApiJson<ReviewRequest>,
) -> ApiResult<(StatusCode, Json<ReviewView>)> {
    let r = orders.review(&actor, id, &req).await?;
    Ok((StatusCode::CREATED, Json(ReviewView::of(&r))))
}

/// A listing's reviews, newest first, with star counts and the average (public).
#[utoipa::path(get, path = "/api/v1/listings/{id}/reviews", tag = "reviews", params(("id" = Uuid, Path), PageQuery),
    responses(
        (status = 200, description = "A page of reviews", body = ListingReviews),
        (status = 400, description = "`invalid_query`", body = ErrorBody),
        (status = 404, description = "`not_found`: not an id", body = ErrorBody),
    ))]
pub async fn listing_reviews(
    State(orders): State<Orders>,
    ApiPath(id): ApiPath<ListingId>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<ListingReviews>> {
    Ok(Json(orders.listing_reviews(id, q.page()).await?))
}
