//! Finance over HTTP: the route list (all in `/api/v1/openapi.json`, tag `finance`), handlers
//! by use case, and the views (`views.rs`: account numbers whole for finance only). Handlers
//! extract, call the service and map the result; every error response names its codes.

mod accounts;
mod batches;
mod payouts;
pub mod views;

use crate::Finance;
use axum::extract::FromRef;
use farmgate_identity::Identity;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Finance: FromRef<S>,
    Identity: FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(accounts::org_account, accounts::submit_account))
        .routes(routes!(accounts::account_queue))
        .routes(routes!(accounts::verify_account))
        .routes(routes!(accounts::reject_account))
        .routes(routes!(batches::create_payout_batch, batches::list_batches))
        .routes(routes!(batches::get_payout_batch))
        .routes(routes!(batches::export_batch))
        .routes(routes!(payouts::mark_paid))
        .routes(routes!(payouts::mark_failed))
        .routes(routes!(payouts::get_payout))
        .routes(routes!(payouts::org_payouts))
        .routes(routes!(payouts::open_adjustments))
}
