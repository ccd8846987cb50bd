//! The seller issues or rejects a requested invoice.

use crate::Invoicing;
use crate::domain::InvoiceId;
use crate::http::views::InvoiceView;
use crate::service::Rejection;
use axum::Json;
use axum::extract::State;
use farmgate_identity::AuthUser;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiJson, ApiPath, ApiResult};

/// Issue a requested invoice (the seller's members; platform finance for the platform's own
/// store): for what was paid less what is refunded now, its PDF stored with its SHA-256. Two
/// requests at once issue it once; the other is told `not_requested`.
#[utoipa::path(post, path = "/api/v1/invoices/{id}/issue", tag = "invoices", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The invoice, issued (or `issuing` while a provincial service has it)", body = InvoiceView),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the seller: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such invoice the caller may see: `not_found`", body = ErrorBody),
        (status = 409, description = "Not now: `not_requested` (issued, being issued or rejected), `nothing_to_invoice`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody),
        (status = 503, description = "The e-invoice service failed: `issuer_unavailable` (the invoice stays requested)", body = ErrorBody)))]
pub async fn issue(
    State(svc): State<Invoicing>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<InvoiceId>,
) -> ApiResult<Json<InvoiceView>> {
    let r = svc.issue_invoice(&actor, id).await?;
    Ok(Json(InvoiceView::of(&r, &actor)))
}

/// Refuse a requested invoice with a reason (the seller's members; platform finance for the
/// platform's own store). The buyer may request again.
#[utoipa::path(post, path = "/api/v1/invoices/{id}/reject", tag = "invoices", params(("id" = Uuid, Path)),
    request_body = Rejection,
    responses(
        (status = 200, description = "The invoice, rejected", body = InvoiceView),
        (status = 400, description = "Unreadable body: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the seller: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such invoice the caller may see: `not_found`", body = ErrorBody),
        (status = 409, description = "Not now: `not_requested`", body = ErrorBody),
        (status = 413, description = "Body too large: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "Field errors (reason): `validation_failed`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn reject_invoice(
    State(svc): State<Invoicing>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<InvoiceId>,
    ApiJson(req): ApiJson<Rejection>,
) -> ApiResult<Json<InvoiceView>> {
    let r = svc.reject_invoice(&actor, id, &req).await?;
    Ok(Json(InvoiceView::of(&r, &actor)))
}
