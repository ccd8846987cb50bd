//! One invoice, an order's invoices, a seller's queue, every seller's for platform staff, and
//! the PDF.

use crate::Invoicing;
use crate::domain::{InvoiceId, InvoiceStatus};
use crate::http::views::{InvoiceView, OrderInvoicesView};
use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use farmgate_identity::AuthUser;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiPath, ApiQuery, ApiResult};
use farmgate_kernel::id::{OrderId, OrgId};
use farmgate_kernel::{Page, Paged};
use serde::Deserialize;
use utoipa::IntoParams;

/// An order's invoices as the caller sees them, and what a new request defaults to.
#[utoipa::path(get, path = "/api/v1/orders/{id}/invoices", tag = "invoices", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The invoices of the order the caller may see; `defaults` when the caller may request one", body = OrderInvoicesView),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 404, description = "No such order the caller is party to: `not_found`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn order_invoices(
    State(svc): State<Invoicing>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<OrderId>,
) -> ApiResult<Json<OrderInvoicesView>> {
    let r = svc.order_invoices(&actor, id).await?;
    Ok(Json(OrderInvoicesView::of(&r, &actor)))
}

/// One invoice (its buyer's and seller's members, platform finance, the operator).
#[utoipa::path(get, path = "/api/v1/invoices/{id}", tag = "invoices", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The invoice", body = InvoiceView),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 404, description = "No such invoice the caller may see: `not_found`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn get_invoice(
    State(svc): State<Invoicing>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<InvoiceId>,
) -> ApiResult<Json<InvoiceView>> {
    let r = svc.invoice(&actor, id).await?;
    Ok(Json(InvoiceView::of(&r, &actor)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InvoicesQuery {
    #[param(inline)]
    pub status: Option<InvoiceStatus>,
    pub limit: Option<farmgate_kernel::Limit>,
    pub offset: Option<farmgate_kernel::Offset>,
}

/// A seller's invoices, newest first (its members; platform finance and the operator).
#[utoipa::path(get, path = "/api/v1/orgs/{id}/invoices", tag = "invoices", params(("id" = Uuid, Path), InvoicesQuery),
    responses(
        (status = 200, description = "One page of the seller's invoices", body = Paged<InvoiceView>),
        (status = 400, description = "Bad query: `invalid_query`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not a member of this seller: `forbidden`", body = ErrorBody),
        (status = 404, description = "Malformed id: `not_found`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn seller_invoices(
    State(svc): State<Invoicing>,
    AuthUser(actor): AuthUser,
    ApiPath(org): ApiPath<OrgId>,
    ApiQuery(q): ApiQuery<InvoicesQuery>,
) -> ApiResult<Json<Paged<InvoiceView>>> {
    let page = Page {
        limit: q.limit,
        offset: q.offset,
    };
    let list = svc.seller_invoices(&actor, org, q.status, page).await?;
    Ok(Json(list.map(|r| InvoiceView::of(&r, &actor))))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PlatformInvoicesQuery {
    #[param(inline)]
    pub status: Option<InvoiceStatus>,
    /// Only this seller's (an organisation id), e.g. the platform's own store.
    pub org: Option<uuid::Uuid>,
    pub limit: Option<farmgate_kernel::Limit>,
    pub offset: Option<farmgate_kernel::Offset>,
}

/// Every seller's invoices, newest first, filtered by status and seller: platform finance
/// (who issues and rejects the platform's own store's: `can.issue`) and the operator.
#[utoipa::path(get, path = "/api/v1/finance/invoices", tag = "invoices", params(PlatformInvoicesQuery),
    responses(
        (status = 200, description = "One page of invoices", body = Paged<InvoiceView>),
        (status = 400, description = "Bad query (status, org, limit, offset): `invalid_query`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not platform finance or the operator: `forbidden`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn platform_invoices(
    State(svc): State<Invoicing>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<PlatformInvoicesQuery>,
) -> ApiResult<Json<Paged<InvoiceView>>> {
    let page = Page {
        limit: q.limit,
        offset: q.offset,
    };
    let list = svc
        .platform_invoices(&actor, q.org.map(OrgId), q.status, page)
        .await?;
    Ok(Json(list.map(|r| InvoiceView::of(&r, &actor))))
}

/// The issued invoice's PDF, checked against its recorded SHA-256 first (the `X-Content-SHA256`
/// header repeats it). A stored file that does not match is refused: `invoice_file_altered`.
#[utoipa::path(get, path = "/api/v1/invoices/{id}/pdf", tag = "invoices", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The PDF as issued", content_type = "application/pdf", body = Vec<u8>),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 404, description = "No such issued invoice the caller may see: `not_found`", body = ErrorBody),
        (status = 409, description = "The stored file is not the one issued: `invoice_file_altered`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn invoice_pdf(
    State(svc): State<Invoicing>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<InvoiceId>,
) -> ApiResult<Response> {
    let f = svc.invoice_pdf(&actor, id).await?;
    let mut resp = Response::new(Body::from(f.bytes));
    let h = resp.headers_mut();
    h.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/pdf"),
    );
    if let Ok(v) = HeaderValue::from_str(&format!("inline; filename=\"invoice-{}.pdf\"", f.number))
    {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    if let Ok(v) = HeaderValue::from_str(&f.sha256) {
        h.insert("x-content-sha256", v);
    }
    h.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    Ok(resp)
}
