//! Photos on desk items: the upload (then its id goes with a ticket, a reply or a message)
//! and the file, for whom may read the message it was sent with.

use crate::Desk;
use crate::service::AttachmentView;
use axum::Json;
use axum::body::Body;
use axum::extract::{Multipart, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use farmgate_catalog::http::read_image_upload;
use farmgate_identity::AuthUser;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiPath, ApiResult};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(ToSchema)]
#[expect(
    dead_code,
    reason = "describes the multipart body for the OpenAPI document"
)]
pub struct AttachmentUpload {
    /// JPEG, PNG or WebP (told by its bytes, not its name), at most 8 MB.
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    file: String,
}

/// Upload a photo (multipart field `file`) to send with a ticket, a reply or a conversation
/// message (`attachment_ids`, at most 6 each). Kept privately; shown re-encoded without EXIF.
#[utoipa::path(post, path = "/api/v1/desk/attachments", tag = "desk",
    request_body(content = AttachmentUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "The photo, stored, not yet sent", body = AttachmentView),
        (status = 400, description = "Not a multipart form: `malformed_multipart`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not allowed: `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 409, description = "`too_many_attachments` (20 uploaded and not sent)", body = ErrorBody),
        (status = 413, description = "Over 8 MB: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not a JPEG, PNG or WebP photo: `unsupported_image`", body = ErrorBody),
        (status = 422, description = "No file, or a picture too small: `validation_failed`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody),
        (status = 503, description = "Too many pictures being processed: `server_busy`", body = ErrorBody)))]
pub async fn upload_attachment(
    State(desk): State<Desk>,
    AuthUser(actor): AuthUser,
    multipart: Multipart,
) -> ApiResult<(StatusCode, Json<AttachmentView>)> {
    let bytes = read_image_upload(multipart).await?;
    let a = desk.upload_attachment(&actor, bytes).await?;
    Ok((StatusCode::CREATED, Json(AttachmentView::of(&a))))
}

/// A photo, for its uploader until it is sent, then for whom may read its message: the
/// ticket's opener and agents; the conversation's parties and platform staff.
#[utoipa::path(get, path = "/api/v1/desk/attachments/{id}", tag = "desk", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The photo, re-encoded without EXIF", content(("image/jpeg"))),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 404, description = "No such photo the caller may see: `not_found`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn attachment_file(
    State(desk): State<Desk>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Response> {
    let (bytes, content_type) = desk.attachment_file(&actor, id).await?;
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
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    Ok(resp)
}
