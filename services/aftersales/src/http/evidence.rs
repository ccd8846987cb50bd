//! Evidence photos: upload, and the file for the uploader and the claim's parties.

use crate::Aftersales;
use crate::domain::EvidenceId;
use crate::http::views::EvidenceView;
use axum::Json;
use axum::body::Body;
use axum::extract::{Multipart, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use farmgate_catalog::http::read_image_upload;
use farmgate_identity::AuthUser;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiPath, ApiQuery, ApiResult};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};

#[derive(ToSchema)]
#[expect(
    dead_code,
    reason = "describes the multipart body for the OpenAPI document"
)]
pub struct EvidenceUpload {
    /// JPEG, PNG or WebP from the phone's camera or album, at most 8 MB.
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    file: String,
}

/// Upload a photo for a claim or a message (multipart field `file`); send its id with it.
#[utoipa::path(post, path = "/api/v1/claim-evidence", tag = "aftersales",
    request_body(content = EvidenceUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "The photo, stored; its id goes into a claim or a message", body = EvidenceView),
        (status = 400, description = "Not a multipart form: `malformed_multipart`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not allowed: `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 409, description = "Conflict: `too_many_photos` (use the ones uploaded in a claim first)", body = ErrorBody),
        (status = 413, description = "Too large: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not a photo: `unsupported_image`", body = ErrorBody),
        (status = 422, description = "No file: `validation_failed`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn upload_evidence(
    State(svc): State<Aftersales>,
    AuthUser(actor): AuthUser,
    multipart: Multipart,
) -> ApiResult<(StatusCode, Json<EvidenceView>)> {
    let bytes = read_image_upload(multipart).await?;
    let e = svc.upload_evidence(&actor, bytes).await?;
    Ok((StatusCode::CREATED, Json(EvidenceView::of(&e))))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EvidenceQuery {
    /// The original file as uploaded (operator only).
    pub original: Option<bool>,
}

/// A claim photo, for its uploader and the claim's parties.
#[utoipa::path(get, path = "/api/v1/claim-evidence/{id}", tag = "aftersales", params(("id" = Uuid, Path), EvidenceQuery),
    responses(
        (status = 200, description = "The photo (the re-encoded copy, or the original for the operator, as uploaded)",
            content(("image/jpeg"), ("image/png"), ("image/webp"))),
        (status = 400, description = "Bad query: `invalid_query`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 404, description = "No such photo the caller may see: `not_found`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn evidence_file(
    State(svc): State<Aftersales>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<EvidenceId>,
    ApiQuery(q): ApiQuery<EvidenceQuery>,
) -> ApiResult<Response> {
    let (bytes, content_type) = svc
        .evidence_file(&actor, id, q.original.unwrap_or(false))
        .await?;
    let mut resp = Response::new(Body::from(bytes));
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_str(&content_type)
            .unwrap_or(HeaderValue::from_static("application/octet-stream")),
    );
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=3600"),
    );
    Ok(resp)
}
