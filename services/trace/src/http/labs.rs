//! A testing body's API (检测机构): upload a report PDF for a batch, record a third-party test
//! on it by its trace code, list the tests it recorded. There is no way to change or delete a
//! recorded test: a correction is a new record (`corrects`).

use super::views::AttachmentView;
use crate::Trace;
use crate::chain::display_code;
use crate::domain::{LabCheckKind, LabCheckRequest};
use crate::error::TraceError;
use crate::store::lab_checks;
use axum::Json;
use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use chrono::{DateTime, Utc};
use farmgate_identity::AuthUser;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiJson, ApiPath, ApiQuery, ApiResult};
use farmgate_kernel::FieldError;
use farmgate_kernel::id::OrgId;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

/// A third-party test as recorded (its record is in the batch's chain at `seq`).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct LabCheckView {
    pub id: Uuid,
    pub batch_id: Uuid,
    pub code: String,
    pub code_display: String,
    /// The public scan page of the batch.
    pub trace_path: String,
    /// The record's number in the batch's chain.
    pub seq: i32,
    pub lab_org_id: Uuid,
    pub lab_name: String,
    pub check_kind: LabCheckKind,
    /// `pass` or `fail`.
    pub result: String,
    pub report_no: String,
    pub sampled_at: DateTime<Utc>,
    pub recorded_at: DateTime<Utc>,
    /// The `seq` of the record this one corrects.
    pub corrects: Option<i32>,
    /// The record's hash (only in the answer to recording it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hash: Option<String>,
}

impl LabCheckView {
    pub fn of(c: &lab_checks::Model, hash: Option<String>) -> Self {
        Self {
            id: c.id,
            batch_id: c.batch_id,
            code: c.code.clone(),
            code_display: display_code(&c.code),
            trace_path: format!("/t/{}", c.code),
            seq: c.seq,
            lab_org_id: c.lab_org_id,
            lab_name: c.lab_name.clone(),
            check_kind: c.check_kind,
            result: c.result.clone(),
            report_no: c.report_no.clone(),
            sampled_at: c.sampled_at,
            recorded_at: c.recorded_at,
            corrects: c.corrects_seq,
            hash,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    /// The batch's trace code (any spelling).
    pub code: String,
}

#[derive(ToSchema)]
#[expect(
    dead_code,
    reason = "describes the multipart body for the OpenAPI document"
)]
pub struct ReportUpload {
    /// A PDF; at most 10 MB.
    #[schema(format = Binary, content_media_type = "application/pdf")]
    file: String,
}

/// Upload a test report (PDF, multipart field `file`) for the batch of `code`, to cite in a
/// third-party test.
#[utoipa::path(post, path = "/api/v1/labs/{org}/reports", tag = "trace",
    params(("org" = Uuid, Path, description = "The testing body"), ReportQuery),
    request_body(content = ReportUpload, content_type = "multipart/form-data"),
    responses(
        (status = 201, description = "The stored report with its SHA-256", body = AttachmentView),
        (status = 400, description = "Not multipart form data: `malformed_multipart`; no *code*: `invalid_query`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not a member of a testing body, or a member of the batch's seller: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No batch has that code: `not_found`", body = ErrorBody),
        (status = 409, description = "The testing body is not verified: `org_not_verified`; the batch holds 200 files already, or you uploaded 20 to it: `too_many_attachments`", body = ErrorBody),
        (status = 413, description = "Over 10 MB: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not a PDF: `unsupported_file`", body = ErrorBody),
        (status = 422, description = "No *file* field: `validation_failed`", body = ErrorBody),
    ))]
pub async fn upload_report(
    State(trace): State<Trace>,
    AuthUser(actor): AuthUser,
    ApiPath(org): ApiPath<OrgId>,
    ApiQuery(q): ApiQuery<ReportQuery>,
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
            let a = trace
                .add_lab_report(&actor, org, &q.code, &name, bytes)
                .await?;
            return Ok((StatusCode::CREATED, Json(AttachmentView::of(&a))));
        }
    }
    Err(TraceError::field(FieldError::new(
        "file",
        "required",
        "请选择要上传的报告",
        "choose a report to upload",
    ))
    .into())
}

/// Record a third-party test (第三方检测) on the batch of `code`: it joins the batch's hashed
/// record with the lab's name; a failed test blocks the batch and recalls it.
#[utoipa::path(post, path = "/api/v1/labs/{org}/checks", tag = "trace",
    params(("org" = Uuid, Path, description = "The testing body")),
    request_body = LabCheckRequest,
    responses(
        (status = 201, description = "The test, chained", body = LabCheckView),
        (status = 400, description = "Bad body: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not a member of a testing body, or a member of the batch's seller: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No batch has that code: `not_found`", body = ErrorBody),
        (status = 409, description = "The testing body is not verified: `org_not_verified`; another record was written at the same moment: `concurrent_update`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "Field errors (sampling time, items, conclusion, reports, correction) or a wrongly typed body: `validation_failed`", body = ErrorBody),
    ))]
pub async fn record_check(
    State(trace): State<Trace>,
    AuthUser(actor): AuthUser,
    ApiPath(org): ApiPath<OrgId>,
    ApiJson(req): ApiJson<LabCheckRequest>,
) -> ApiResult<(StatusCode, Json<LabCheckView>)> {
    let r = trace.record_lab_check(&actor, org, req).await?;
    Ok((
        StatusCode::CREATED,
        Json(LabCheckView::of(&r.check, Some(r.hash))),
    ))
}

/// The tests a testing body recorded, newest first (at most 500; its members and the
/// operator).
#[utoipa::path(get, path = "/api/v1/labs/{org}/checks", tag = "trace",
    params(("org" = Uuid, Path, description = "The testing body")),
    responses(
        (status = 200, description = "Its tests, newest first", body = Vec<LabCheckView>),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not its member or the operator: `forbidden`", body = ErrorBody),
        (status = 404, description = "Not an organisation id: `not_found`", body = ErrorBody),
    ))]
pub async fn list_checks(
    State(trace): State<Trace>,
    AuthUser(actor): AuthUser,
    ApiPath(org): ApiPath<OrgId>,
) -> ApiResult<Json<Vec<LabCheckView>>> {
    let list = trace.lab_checks_of(&actor, org).await?;
    Ok(Json(
        list.iter().map(|c| LabCheckView::of(c, None)).collect(),
    ))
}
