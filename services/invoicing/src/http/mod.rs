//! Invoicing over HTTP: the route list (all in `/api/v1/openapi.json`, tag `invoices`),
//! handlers grouped like the use cases, and the views they answer with.

mod issue;
mod read;
mod request;
pub mod views;

use crate::Invoicing;
use axum::extract::FromRef;
use farmgate_identity::Identity;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Invoicing: FromRef<S>,
    Identity: FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(request::request_invoice))
        .routes(routes!(read::order_invoices))
        .routes(routes!(read::get_invoice))
        .routes(routes!(read::seller_invoices))
        .routes(routes!(read::platform_invoices))
        .routes(routes!(read::invoice_pdf))
        .routes(routes!(issue::issue))
        .routes(routes!(issue::reject_invoice))
}
