//! What a seller's members do: list their listings, create and edit them, submit them for
//! review, manage SKUs and photos, read the change log.

use super::views::{DraftPhotoView, ImageView, ListingView, SkuChangeView, SkuView};
use crate::Catalog;
use crate::domain::{ImageId, ListingStatus};
use crate::error::CatalogError;
use crate::images::MAX_UPLOAD_BYTES;
use crate::service::{ListingPatch, ListingSave, NewListingRequest, SkuPatch, SkuRequest};
use axum::Json;
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode};
use farmgate_identity::AuthUser;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiError, ApiJson, ApiPath, ApiQuery, ApiResult};
use farmgate_kernel::FieldError;
use farmgate_kernel::id::{ListingId, OrgId, SkuId};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatusQuery {
    pub status: Option<ListingStatus>,
}

/// An organisation's listings (its members and the operator).
#[utoipa::path(get, path = "/api/v1/orgs/{id}/listings", tag = "catalog", params(("id" = Uuid, Path), StatusQuery),
    responses(
        (status = 200, description = "The organisation's listings, most recently changed first", body = Vec<ListingView>),
        (status = 400, description = "Bad query: `invalid_query`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not a member: `forbidden`", body = ErrorBody),
        (status = 404, description = "Malformed id: `not_found`", body = ErrorBody),
    ))]
pub async fn org_listings(
    State(catalog): State<Catalog>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<OrgId>,
    ApiQuery(q): ApiQuery<StatusQuery>,
) -> ApiResult<Json<Vec<ListingView>>> {
    let list = catalog.seller_listings(&actor, id, q.status).await?;
    Ok(Json(
        list.iter()
            .map(|b| ListingView::of(b, Some(&actor)))
            .collect(),
    ))
}

/// Create a draft listing with its SKUs and photos uploaded beforehand (`photo_ids`), in one
/// transaction (members of a verified seller). Send an `Idempotency-Key` header: the same key
/// with the same body answers the listing made the first time.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/listings", tag = "catalog",
    params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header)),
    request_body = NewListingRequest,
    responses(
        (status = 201, description = "The draft listing (also for a repeated key)", body = ListingView),
        (status = 400, description = "Unreadable body: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not a selling member: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such organisation: `not_found`", body = ErrorBody),
        (status = 409, description = "Seller not verified, over 9 photos, or the key made another listing: `org_not_verified`, `too_many_images`, `idempotency_key_reused`", body = ErrorBody),
        (status = 413, description = "Body too large: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "Invalid fields, or a photo that is not the organisation's unattached upload: `validation_failed`", body = ErrorBody),
    ))]
pub async fn create_listing(
    State(catalog): State<Catalog>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<OrgId>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<NewListingRequest>,
) -> ApiResult<(StatusCode, Json<ListingView>)> {
    let key = headers
        .get("idempotency-key")
        .map(|v| v.to_str().unwrap_or(""));
    let b = catalog.create_listing_once(&actor, id, req, key).await?;
    Ok((StatusCode::CREATED, Json(ListingView::of(&b, Some(&actor)))))
}

/// Save a whole listing in one request, as the editor's one save does: facts, SKUs (with `id`:
/// existing ones; without: new ones; left out: no longer sold) and photos (the listing's own
/// and ones uploaded beforehand, in order; left out: removed), in one transaction. On a live
/// listing a change of title, category or origin waits for review; the rest applies at once.
#[utoipa::path(put, path = "/api/v1/listings/{id}", tag = "catalog", params(("id" = Uuid, Path)),
    request_body = ListingSave,
    responses(
        (status = 200, description = "The listing as it stands now", body = ListingView),
        (status = 400, description = "Unreadable body: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not its seller: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such listing: `not_found`", body = ErrorBody),
        (status = 409, description = "Seller not verified, or over 9 photos: `org_not_verified`, `too_many_images`", body = ErrorBody),
        (status = 413, description = "Body too large: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "Invalid fields, a SKU of another listing, or a photo that is neither the listing's nor the organisation's unattached upload: `validation_failed`", body = ErrorBody),
    ))]
pub async fn save_listing(
    State(catalog): State<Catalog>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<ListingId>,
    ApiJson(req): ApiJson<ListingSave>,
) -> ApiResult<Json<ListingView>> {
    let b = catalog.save_listing(&actor, id, req).await?;
    Ok(Json(ListingView::of(&b, Some(&actor))))
}

/// Upload a photo before saving (multipart field `file`; JPEG, PNG or WebP; ≤ 8 MB): kept for
/// the organisation for 24 hours until a create or save names it in `photo_ids`; at most 30
/// waiting at once.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/photos", tag = "catalog", params(("id" = Uuid, Path)),
    request_body(content = ImageUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "The stored photo, not yet on a listing", body = DraftPhotoView),
        (status = 400, description = "Not multipart form data: `malformed_multipart`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not a selling member: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such organisation: `not_found`", body = ErrorBody),
        (status = 409, description = "30 photos waiting already, or seller not verified: `too_many_drafts`, `org_not_verified`", body = ErrorBody),
        (status = 413, description = "Over 8 MB or 8000 pixels a side: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JPEG, PNG or WebP: `unsupported_image`", body = ErrorBody),
        (status = 422, description = "No photo in the upload, or too small: `validation_failed`", body = ErrorBody),
        (status = 500, description = "Storing or processing failed: `internal`", body = ErrorBody),
        (status = 503, description = "Every decoding slot busy: `server_busy`", body = ErrorBody),
    ))]
pub async fn upload_draft_photo(
    State(catalog): State<Catalog>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<OrgId>,
    multipart: Multipart,
) -> ApiResult<(StatusCode, Json<DraftPhotoView>)> {
    let bytes = read_image_upload(multipart).await?;
    let d = catalog.upload_draft_photo(&actor, id, bytes).await?;
    Ok((StatusCode::CREATED, Json(DraftPhotoView::of(&d))))
}

/// Edit a listing. On a live listing, changing title, category or origin creates a pending
/// revision; the rest applies at once.
#[utoipa::path(patch, path = "/api/v1/listings/{id}", tag = "catalog", params(("id" = Uuid, Path)),
    request_body = ListingPatch,
    responses(
        (status = 200, description = "The listing as it stands now", body = ListingView),
        (status = 400, description = "Unreadable body: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not its seller: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such listing: `not_found`", body = ErrorBody),
        (status = 409, description = "Seller not verified: `org_not_verified`", body = ErrorBody),
        (status = 413, description = "Body too large: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "Invalid fields: `validation_failed`", body = ErrorBody),
    ))]
pub async fn update_listing(
    State(catalog): State<Catalog>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<ListingId>,
    ApiJson(patch): ApiJson<ListingPatch>,
) -> ApiResult<Json<ListingView>> {
    let b = catalog.update_listing(&actor, id, patch).await?;
    Ok(Json(ListingView::of(&b, Some(&actor))))
}

/// Submit a draft, rejected or delisted listing for review.
#[utoipa::path(post, path = "/api/v1/listings/{id}/submit", tag = "catalog", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The listing, now waiting for review", body = ListingView),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not its seller: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such listing: `not_found`", body = ErrorBody),
        (status = 409, description = "Already waiting or live, no SKU on sale, or seller not verified: `invalid_state`, `org_not_verified`", body = ErrorBody),
    ))]
pub async fn submit_listing(
    State(catalog): State<Catalog>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<ListingId>,
) -> ApiResult<Json<ListingView>> {
    let b = catalog.submit(&actor, id).await?;
    Ok(Json(ListingView::of(&b, Some(&actor))))
}

/// Add a SKU.
#[utoipa::path(post, path = "/api/v1/listings/{id}/skus", tag = "catalog", params(("id" = Uuid, Path)),
    request_body = SkuRequest,
    responses(
        (status = 201, description = "The new SKU", body = SkuView),
        (status = 400, description = "Unreadable body: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not its seller: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such listing: `not_found`", body = ErrorBody),
        (status = 409, description = "Seller not verified: `org_not_verified`", body = ErrorBody),
        (status = 413, description = "Body too large: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "Invalid fields, or 20 SKUs already: `validation_failed`", body = ErrorBody),
    ))]
pub async fn add_sku(
    State(catalog): State<Catalog>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<ListingId>,
    ApiJson(req): ApiJson<SkuRequest>,
) -> ApiResult<(StatusCode, Json<SkuView>)> {
    let s = catalog.add_sku(&actor, id, req).await?;
    Ok((StatusCode::CREATED, Json(SkuView::of(&s, true))))
}

/// Change a SKU's price, stock, tiers or other facts. Applies at once and is logged.
#[utoipa::path(patch, path = "/api/v1/skus/{id}", tag = "catalog", params(("id" = Uuid, Path)),
    request_body = SkuPatch,
    responses(
        (status = 200, description = "The SKU as it stands now", body = SkuView),
        (status = 400, description = "Unreadable body: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not its seller: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such SKU: `not_found`", body = ErrorBody),
        (status = 409, description = "Seller not verified: `org_not_verified`", body = ErrorBody),
        (status = 413, description = "Body too large: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "Invalid fields: `validation_failed`", body = ErrorBody),
    ))]
pub async fn update_sku(
    State(catalog): State<Catalog>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<SkuId>,
    ApiJson(patch): ApiJson<SkuPatch>,
) -> ApiResult<Json<SkuView>> {
    let s = catalog.update_sku(&actor, id, patch).await?;
    Ok(Json(SkuView::of(&s, true)))
}

/// The price and stock change log of a listing.
#[utoipa::path(get, path = "/api/v1/listings/{id}/changes", tag = "catalog", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "Changes to the listing's SKUs, newest first", body = Vec<SkuChangeView>),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not a member of its seller: `forbidden`", body = ErrorBody),
        (status = 404, description = "No such listing: `not_found`", body = ErrorBody),
    ))]
pub async fn changes(
    State(catalog): State<Catalog>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<ListingId>,
) -> ApiResult<Json<Vec<SkuChangeView>>> {
    let list = catalog.changes(&actor, id).await?;
    Ok(Json(list.iter().map(SkuChangeView::of).collect()))
}

#[derive(ToSchema)]
#[expect(
    dead_code,
    reason = "describes the multipart body for the OpenAPI document"
)]
pub struct ImageUpload {
    /// JPEG, PNG or WebP, at most 8 MB.
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    file: String,
}

/// Upload a photo (multipart field `file`; JPEG, PNG or WebP; ≤ 8 MB; at most 9 per listing).
#[utoipa::path(post, path = "/api/v1/listings/{id}/images", tag = "catalog", params(("id" = Uuid, Path)),
    request_body(content = ImageUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "The stored photo with its public copies", body = ImageView),
        (status = 400, description = "Not multipart form data: `malformed_multipart`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not its seller: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such listing: `not_found`", body = ErrorBody),
        (status = 409, description = "9 photos already, or seller not verified: `too_many_images`, `org_not_verified`", body = ErrorBody),
        (status = 413, description = "Over 8 MB or 8000 pixels a side: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JPEG, PNG or WebP: `unsupported_image`", body = ErrorBody),
        (status = 422, description = "No photo in the upload: `validation_failed`", body = ErrorBody),
        (status = 500, description = "Storing or processing failed: `internal`", body = ErrorBody),
        (status = 503, description = "Every decoding slot busy: `server_busy`", body = ErrorBody),
    ))]
pub async fn upload_image(
    State(catalog): State<Catalog>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<ListingId>,
    multipart: Multipart,
) -> ApiResult<(StatusCode, Json<ImageView>)> {
    let bytes = read_image_upload(multipart).await?;
    let img = catalog.add_image(&actor, id, bytes).await?;
    Ok((StatusCode::CREATED, Json(ImageView::of(&img))))
}

/// The `file` field of a photo upload, within the size limit (listing photos, review photos,
/// claim evidence).
pub async fn read_image_upload(mut multipart: Multipart) -> ApiResult<bytes::Bytes> {
    let mut file = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| multipart_error(&e))?
    {
        if field.name() == Some("file") {
            file = Some(field.bytes().await.map_err(|e| multipart_error(&e))?);
            break;
        }
    }
    let bytes = file.ok_or_else(|| {
        CatalogError::field(FieldError::new(
            "file",
            "required",
            "请选择要上传的图片",
            "choose a photo to upload",
        ))
    })?;
    if bytes.len() > MAX_UPLOAD_BYTES {
        return Err(CatalogError::ImageTooLarge.into());
    }
    Ok(bytes)
}

fn multipart_error(e: &axum::extract::multipart::MultipartError) -> ApiError {
    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
        CatalogError::ImageTooLarge.into()
    } else {
        CatalogError::MalformedMultipart.into()
    }
}

/// Remove a photo.
#[utoipa::path(delete, path = "/api/v1/listings/{id}/images/{image_id}", tag = "catalog",
    params(("id" = Uuid, Path), ("image_id" = Uuid, Path)),
    responses(
        (status = 204, description = "Removed, with its files"),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not its seller: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such listing or photo: `not_found`", body = ErrorBody),
        (status = 409, description = "Seller not verified: `org_not_verified`", body = ErrorBody),
    ))]
pub async fn delete_image(
    State(catalog): State<Catalog>,
    AuthUser(actor): AuthUser,
    ApiPath((id, image_id)): ApiPath<(ListingId, ImageId)>,
) -> ApiResult<StatusCode> {
    catalog.delete_image(&actor, id, image_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
