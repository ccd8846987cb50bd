//! The seller's batch API: record a batch, list and read batches, upload lab reports, append
//! records.

use super::views::{AttachmentView, BatchSummary, BatchView, EventView};
use super::{base_url, lang_of};
use crate::Trace;
use crate::error::TraceError;
use crate::service::{EventOpenings, NewBatchRequest, NewEventRequest};
use axum::Json;
use axum::extract::{Multipart, State};
use axum::http::{HeaderMap, StatusCode};
use farmgate_identity::AuthUser;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiJson, ApiPath, ApiResult};
use farmgate_kernel::FieldError;
use farmgate_kernel::id::{BatchId, ListingId, OrgId};
use utoipa::ToSchema;

/// Record a batch of a listing, with its compliance certificate (承诺达标合格证).
#[utoipa::path(post, path = "/api/v1/listings/{id}/batches", tag = "trace",
    params(("id" = Uuid, Path, description = "The listing")),
    request_body = NewBatchRequest,
    responses(
        (status = 201, description = "The batch with its record and trace code", body = BatchView),
        (status = 400, description = "Bad body: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not a selling member of the listing's seller: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such listing: `not_found`", body = ErrorBody),
        (status = 409, description = "The lot is taken (field *lot*): `conflict`; the seller is not verified: `org_not_verified`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "Field errors: `validation_failed`", body = ErrorBody),
    ))]
pub async fn create_batch(
    State(trace): State<Trace>,
    AuthUser(actor): AuthUser,
    headers: HeaderMap,
    ApiPath(listing): ApiPath<ListingId>,
    ApiJson(req): ApiJson<NewBatchRequest>,
) -> ApiResult<(StatusCode, Json<BatchView>)> {
    let record = trace.create_batch(&actor, listing, req).await?;
    let view = BatchView::of(
        &record,
        trace.pending_scans(record.id()).await,
        &base_url(&trace, &headers),
        lang_of(&headers),
    );
    Ok((StatusCode::CREATED, Json(view)))
}

/// An organisation's batches, newest first.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/batches", tag = "trace",
    params(("id" = Uuid, Path, description = "The seller organisation")),
    responses(
        (status = 200, description = "Its batches, newest first (at most 500)", body = Vec<BatchSummary>),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not a member or the operator: `forbidden`", body = ErrorBody),
        (status = 404, description = "Not an organisation id: `not_found`", body = ErrorBody),
    ))]
pub async fn org_batches(
    State(trace): State<Trace>,
    AuthUser(actor): AuthUser,
    ApiPath(org): ApiPath<OrgId>,
) -> ApiResult<Json<Vec<BatchSummary>>> {
    let list = trace.batches_of(&actor, org).await?;
    Ok(Json(list.into_iter().map(BatchSummary::of).collect()))
}

/// A batch with its whole record (its seller and the operator).
#[utoipa::path(get, path = "/api/v1/batches/{id}", tag = "trace",
    params(("id" = Uuid, Path, description = "The batch")),
    responses(
        (status = 200, description = "The batch with its record and verification", body = BatchView),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the seller's member, the operator, an after-sales agent or an official: `forbidden`", body = ErrorBody),
        (status = 404, description = "No such batch: `not_found`", body = ErrorBody),
    ))]
pub async fn get_batch(
    State(trace): State<Trace>,
    AuthUser(actor): AuthUser,
    headers: HeaderMap,
    ApiPath(id): ApiPath<BatchId>,
) -> ApiResult<Json<BatchView>> {
    let record = trace.detail(&actor, id).await?;
    let view = BatchView::of(
        &record,
        trace.pending_scans(record.id()).await,
        &base_url(&trace, &headers),
        lang_of(&headers),
    );
    // The seller's members entered the contact, the platform staff may need to call it;
    // officials (and anyone else allowed to look) see it masked.
    let own = actor
        .membership(farmgate_kernel::id::OrgId(record.batch.seller_org_id))
        .is_some();
    Ok(Json(if own || actor.is_platform_staff() {
        view
    } else {
        view.masked()
    }))
}

#[derive(ToSchema)]
#[expect(
    dead_code,
    reason = "describes the multipart body for the OpenAPI document"
)]
pub struct FileUpload {
    /// A PDF, or a JPEG/PNG/WebP image; at most 10 MB.
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    file: String,
}

/// Upload a lab report or photo (multipart field `file`), to attach to an event.
#[utoipa::path(post, path = "/api/v1/batches/{id}/attachments", tag = "trace",
    params(("id" = Uuid, Path, description = "The batch")),
    request_body(content = FileUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "The stored file with its SHA-256", body = AttachmentView),
        (status = 400, description = "Not multipart form data: `malformed_multipart`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not a selling member of the batch's seller: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such batch: `not_found`", body = ErrorBody),
        (status = 409, description = "The seller is not verified: `org_not_verified`; the batch holds 200 files already: `too_many_attachments`", body = ErrorBody),
        (status = 413, description = "Over 10 MB, or a picture over 50 megapixels: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not a PDF, JPEG, PNG or WebP: `unsupported_file`; a picture that does not decode: `unsupported_image`", body = ErrorBody),
        (status = 422, description = "No *file* field, or a picture under 120 px a side: `validation_failed`", body = ErrorBody),
    ))]
pub async fn upload(
    State(trace): State<Trace>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<BatchId>,
    mut multipart: Multipart,
) -> ApiResult<(StatusCode, Json<AttachmentView>)> {
    let refused = |e: &axum::extract::multipart::MultipartError| {
        if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
            TraceError::TooLarge
        } else {
            TraceError::MalformedMultipart
        }
    };
    while let Some(field) = multipart.next_field().await.map_err(|e| refused(&e))? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("").to_owned();
            let bytes = field.bytes().await.map_err(|e| refused(&e))?;
            let a = trace.add_attachment(&actor, id, &name, bytes).await?;
            return Ok((StatusCode::CREATED, Json(AttachmentView::of(&a))));
        }
    }
    Err(TraceError::field(FieldError::new(
        "file",
        "required",
        "请选择要上传的文件",
        "choose a file to upload",
    ))
    .into())
}

/// Append an event to a batch's chain.
#[utoipa::path(post, path = "/api/v1/batches/{id}/events", tag = "trace",
    params(("id" = Uuid, Path, description = "The batch")),
    request_body = NewEventRequest,
    responses(
        (status = 201, description = "The record, chained", body = EventView),
        (status = 400, description = "Bad body: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not a selling member of the batch's seller: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such batch: `not_found`", body = ErrorBody),
        (status = 409, description = "Another record was written at the same moment: `concurrent_update`; the seller is not verified: `org_not_verified`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "Field errors (time order, safe interval, data of the kind, attachments): `validation_failed`", body = ErrorBody),
    ))]
pub async fn add_event(
    State(trace): State<Trace>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<BatchId>,
    ApiJson(req): ApiJson<NewEventRequest>,
) -> ApiResult<(StatusCode, Json<EventView>)> {
    let a = trace.append(&actor, id, req).await?;
    let opened = crate::store::event::Model {
        body: a.clear,
        ..a.event.clone()
    };
    let view = EventView::of(&opened, Some(&a.event.body), Some(a.version));
    Ok((StatusCode::CREATED, Json(view)))
}

/// The private openings of one record of a v2 batch: each personal value the chain commits to,
/// with its salt, so its seller (or the operator) can prove it to someone holding the public
/// body: `SHA-256(salt ‖ value)` is the commitment there (CHAIN.md §13).
#[utoipa::path(get, path = "/api/v1/batches/{id}/events/{seq}/openings", tag = "trace",
    params(
        ("id" = Uuid, Path, description = "The batch"),
        ("seq" = i32, Path, description = "The record's number in the batch's chain"),
    ),
    responses(
        (status = 200, description = "Each commitment of the record with its clear value and salt, and whether they open it (a v1 batch: none)", body = EventOpenings),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not a member of the batch's seller or the operator: `forbidden`", body = ErrorBody),
        (status = 404, description = "No such batch or record (or a *seq* that is not a number): `not_found`", body = ErrorBody),
    ))]
pub async fn openings(
    State(trace): State<Trace>,
    AuthUser(actor): AuthUser,
    ApiPath((id, seq)): ApiPath<(BatchId, i32)>,
) -> ApiResult<Json<EventOpenings>> {
    Ok(Json(trace.openings(&actor, id, seq).await?))
}
