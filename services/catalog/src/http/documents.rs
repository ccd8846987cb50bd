//! Pictures of an organisation's application (the business licence): uploaded by its owner,
//! seen by its members and the operator, never public.

use super::sellers::{ImageUpload, read_image_upload};
use super::views::OrgDocumentView;
use crate::Catalog;
use crate::service::DocumentKind;
use axum::Json;
use axum::body::Body;
use axum::extract::{Multipart, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use farmgate_identity::AuthUser;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiPath, ApiQuery, ApiResult};
use farmgate_kernel::id::OrgId;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DocumentQuery {
    /// `business_licence` (default) or `other`.
    #[param(inline)]
    pub kind: Option<DocumentKind>,
}

/// Upload a picture of the organisation's papers (owner; multipart field `file`; JPEG, PNG or
/// WebP; ≤ 8 MB; at most 5). Kept privately; EXIF and location are dropped from the copy shown.
/// A business licence replaces the current one (its files removed), unless the organisation is
/// verified: then it is added only when there is none.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/documents", tag = "orgs",
    params(("id" = Uuid, Path), DocumentQuery),
    request_body(content = ImageUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "The stored picture", body = OrgDocumentView),
        (status = 400, description = "Not multipart form data, or a bad kind: `malformed_multipart`, `invalid_query`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not its owner: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "Malformed id: `not_found`", body = ErrorBody),
        (status = 409, description = "5 pictures already, or a verified organisation's licence would be replaced: `too_many_documents`, `documents_locked`", body = ErrorBody),
        (status = 413, description = "Over 8 MB or 8000 pixels a side: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JPEG, PNG or WebP: `unsupported_image`", body = ErrorBody),
        (status = 422, description = "No picture in the upload, or too small: `validation_failed`", body = ErrorBody),
        (status = 500, description = "Storing or processing failed: `internal`", body = ErrorBody),
        (status = 503, description = "Every decoding slot busy: `server_busy`", body = ErrorBody),
    ))]
pub async fn upload_org_document(
    State(catalog): State<Catalog>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<OrgId>,
    ApiQuery(q): ApiQuery<DocumentQuery>,
    multipart: Multipart,
) -> ApiResult<(StatusCode, Json<OrgDocumentView>)> {
    let bytes = read_image_upload(multipart).await?;
    let d = catalog
        .add_org_document(&actor, id, q.kind.unwrap_or_default(), bytes)
        .await?;
    Ok((StatusCode::CREATED, Json(OrgDocumentView::of(&d))))
}

/// The organisation's document pictures (its members and the operator).
#[utoipa::path(get, path = "/api/v1/orgs/{id}/documents", tag = "orgs", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "Oldest first", body = Vec<OrgDocumentView>),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Neither a member nor the operator: `forbidden`", body = ErrorBody),
        (status = 404, description = "Malformed id: `not_found`", body = ErrorBody),
    ))]
pub async fn org_documents(
    State(catalog): State<Catalog>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<OrgId>,
) -> ApiResult<Json<Vec<OrgDocumentView>>> {
    let list = catalog.org_documents(&actor, id).await?;
    Ok(Json(list.iter().map(OrgDocumentView::of).collect()))
}

/// One document picture, re-encoded without metadata (its members and the operator; never
/// cached by shared caches).
#[utoipa::path(get, path = "/api/v1/orgs/{id}/documents/{doc_id}/file", tag = "orgs",
    params(("id" = Uuid, Path), ("doc_id" = Uuid, Path)),
    responses(
        (status = 200, description = "The picture", content_type = "image/jpeg", body = Vec<u8>),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Neither a member nor the operator: `forbidden`", body = ErrorBody),
        (status = 404, description = "No such picture: `not_found`", body = ErrorBody),
    ))]
pub async fn org_document_file(
    State(catalog): State<Catalog>,
    AuthUser(actor): AuthUser,
    ApiPath((id, doc_id)): ApiPath<(OrgId, Uuid)>,
) -> ApiResult<Response> {
    let object = catalog.org_document_file(&actor, id, doc_id).await?;
    let mut resp = Response::new(Body::from(object.bytes));
    let headers = resp.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("image/jpeg"));
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(resp)
}

/// Remove a document picture, its files with it: the owner while the organisation is not
/// verified; the operator at any time (what was approved is not swapped without them).
#[utoipa::path(delete, path = "/api/v1/orgs/{id}/documents/{doc_id}", tag = "orgs",
    params(("id" = Uuid, Path), ("doc_id" = Uuid, Path)),
    responses(
        (status = 204, description = "Removed, with its files"),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Neither its owner nor the operator: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such picture of this organisation: `not_found`", body = ErrorBody),
        (status = 409, description = "The organisation is verified (owner): `documents_locked`", body = ErrorBody),
    ))]
pub async fn delete_org_document(
    State(catalog): State<Catalog>,
    AuthUser(actor): AuthUser,
    ApiPath((id, doc_id)): ApiPath<(OrgId, Uuid)>,
) -> ApiResult<StatusCode> {
    catalog.delete_org_document(&actor, id, doc_id).await?;
    Ok(StatusCode::NO_CONTENT)
}
