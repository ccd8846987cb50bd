//! Payout batches: make one, list them, read one, export one for the bank (platform finance).

use super::views::BatchView;
use crate::Finance;
use crate::domain::PayoutBatchId;
use crate::error::FinanceError;
use crate::export;
use crate::service::NewBatch;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use farmgate_identity::AuthUser;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiJson, ApiPath, ApiQuery, ApiResult};
use farmgate_kernel::{Page, Paged, wire_enum};
use serde::Deserialize;
use utoipa::IntoParams;

/// Make a payout batch for the period ending on `period_end`: one payout per seller with a
/// verified account, of its sub-orders whose after-sales window closed by the end of that day
/// and that no active payout holds; sellers without a verified account are listed in `held`.
/// Two at the same moment make one batch.
#[utoipa::path(post, path = "/api/v1/finance/payout-batches", tag = "finance",
    request_body = NewBatch,
    responses(
        (status = 201, description = "The batch with its payouts and the sellers held back", body = BatchView),
        (status = 400, description = "Unreadable body: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not platform finance: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 409, description = "Nothing to pay, or another batch took it at the same moment: `nothing_to_pay`, `concurrent_update`", body = ErrorBody),
        (status = 413, description = "Body too large: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "Field errors (period_end: a date, today at the latest): `validation_failed`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn create_payout_batch(
    State(svc): State<Finance>,
    AuthUser(actor): AuthUser,
    ApiJson(req): ApiJson<NewBatch>,
) -> ApiResult<(StatusCode, Json<BatchView>)> {
    let b = svc.create_batch(&actor, &req).await?;
    Ok((StatusCode::CREATED, Json(BatchView::of(&b, &actor))))
}

/// Payout batches, newest first (without their payouts).
#[utoipa::path(get, path = "/api/v1/finance/payout-batches", tag = "finance", params(Page),
    responses(
        (status = 200, description = "One page of batches", body = Paged<BatchView>),
        (status = 400, description = "Bad query: `invalid_query`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not platform finance: `forbidden`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn list_batches(
    State(svc): State<Finance>,
    AuthUser(actor): AuthUser,
    ApiQuery(page): ApiQuery<Page>,
) -> ApiResult<Json<Paged<BatchView>>> {
    let list = svc.batches(&actor, page).await?;
    Ok(Json(list.map(|b| BatchView::of(&b, &actor))))
}

/// One batch with its payouts (account numbers whole).
#[utoipa::path(get, path = "/api/v1/finance/payout-batches/{id}", tag = "finance", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The batch", body = BatchView),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not platform finance: `forbidden`", body = ErrorBody),
        (status = 404, description = "No such batch: `not_found`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn get_payout_batch(
    State(svc): State<Finance>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<PayoutBatchId>,
) -> ApiResult<Json<BatchView>> {
    let b = svc.batch(&actor, id).await?;
    Ok(Json(BatchView::of(&b, &actor)))
}

wire_enum!(
    /// The file type of a batch export.
    ExportFormat {
        Csv => "csv",
        Xlsx => "xlsx",
    }
);

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// `csv` (UTF-8 with BOM) or `xlsx`.
    #[param(inline)]
    pub format: ExportFormat,
}

/// The batch for the bank's batch transfer (批量转账): 序号, 收款账户名称, 收款账号, 收款银行,
/// 开户行, 联行号, 金额 (yuan, two decimals), 用途 — one row per payout still pending.
#[utoipa::path(get, path = "/api/v1/finance/payout-batches/{id}/export", tag = "finance",
    params(("id" = Uuid, Path), ExportQuery),
    responses(
        (status = 200, description = "The file (text/csv with a UTF-8 BOM, or an XLSX workbook)", content(
            (String = "text/csv"),
            (Vec<u8> = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))),
        (status = 400, description = "Bad query (format csv or xlsx): `invalid_query`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not platform finance: `forbidden`", body = ErrorBody),
        (status = 404, description = "No such batch: `not_found`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn export_batch(
    State(svc): State<Finance>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<PayoutBatchId>,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> ApiResult<Response> {
    let b = svc.batch(&actor, id).await?;
    let (bytes, content_type, ext) = match q.format {
        ExportFormat::Csv => (export::csv(&b), "text/csv; charset=utf-8", "csv"),
        ExportFormat::Xlsx => {
            let batch = b.clone();
            let bytes = tokio::task::spawn_blocking(move || export::xlsx(&batch))
                .await
                .map_err(|e| FinanceError::Internal(format!("the XLSX export stopped: {e}")))?
                .map_err(|e| FinanceError::Internal(format!("writing the XLSX export: {e}")))?;
            (
                bytes,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "xlsx",
            )
        }
    };
    let mut resp = bytes.into_response();
    let h = resp.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(v) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{}\"",
        export::filename(&b, ext)
    )) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(resp)
}
