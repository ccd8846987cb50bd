//! A business buyer requests an invoice on a sub-order.

use crate::Invoicing;
use crate::domain::InvoiceRequest;
use crate::http::views::InvoiceView;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use farmgate_identity::AuthUser;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiJson, ApiPath, ApiResult};
use farmgate_kernel::id::SubOrderId;

/// Request an invoice for a paid sub-order (a member of the verified business buyer that placed
/// the order). The title and tax number default to the organisation's name and credit code; a
/// different tax number is refused. One active invoice per sub-order.
#[utoipa::path(post, path = "/api/v1/sub-orders/{id}/invoices", tag = "invoices", params(("id" = Uuid, Path)),
    request_body = InvoiceRequest,
    responses(
        (status = 201, description = "The invoice, requested", body = InvoiceView),
        (status = 400, description = "Unreadable body: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not allowed: `business_buyers_only` (a consumer's own order, or an organisation not verified), `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such sub-order of the caller's organisation: `not_found`", body = ErrorBody),
        (status = 409, description = "Not now: `not_paid`, `invoice_exists`, `nothing_to_invoice`", body = ErrorBody),
        (status = 413, description = "Body too large: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "Field errors (title, tax_no — also when it is not the organisation's credit code —, bank, bank_account, address, phone, email): `validation_failed`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn request_invoice(
    State(svc): State<Invoicing>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<SubOrderId>,
    ApiJson(req): ApiJson<InvoiceRequest>,
) -> ApiResult<(StatusCode, Json<InvoiceView>)> {
    let r = svc.request_invoice(&actor, id, &req).await?;
    Ok((StatusCode::CREATED, Json(InvoiceView::of(&r, &actor))))
}
