//! After-sales over HTTP: the route list (all in `/api/v1/openapi.json`, tag `aftersales`),
//! handlers grouped like the use cases, and the views they answer with. Handlers extract,
//! call the service and map the result; every error response names the codes it can carry.

mod bulletin;
mod claims;
mod decide;
mod evidence;
mod quality;
mod recall;
mod recourse;
mod thread;
pub mod views;

use crate::Aftersales;
use crate::service::{ClaimRecord, Role, role_on};
use axum::extract::{DefaultBodyLimit, FromRef};
use farmgate_catalog::images::MAX_UPLOAD_BYTES;
use farmgate_identity::{Actor, Identity};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use views::ClaimView;

/// A claim as the caller sees it (the operator's view for staff who are not a party).
/// A claim as `actor` sees it (their role on it decides what it shows).
pub(crate) fn claim_view(r: &ClaimRecord, actor: &Actor) -> ClaimView {
    let role = role_on(actor, &r.claim).unwrap_or(Role::Operator);
    ClaimView::of(r, role, actor.account_id.as_uuid())
}

pub fn router<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Aftersales: FromRef<S>,
    Identity: FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(evidence::evidence_file))
        .routes(routes!(claims::file_claim))
        .routes(routes!(claims::claim_options))
        .routes(routes!(claims::my_claims))
        .routes(routes!(claims::seller_claims))
        .routes(routes!(claims::ops_claims))
        .routes(routes!(claims::get_claim))
        .routes(routes!(decide::respond))
        .routes(routes!(decide::accept))
        .routes(routes!(decide::escalate))
        .routes(routes!(decide::decide))
        .routes(routes!(thread::post_message))
        .routes(routes!(thread::rate))
        .routes(routes!(recall::recall))
        .routes(routes!(recall::recalls))
        .routes(routes!(recall::my_recall_notices))
        .routes(routes!(recall::take_recall_refund))
        .routes(routes!(recourse::recourses))
        .routes(routes!(recourse::recourse_totals))
        .routes(routes!(recourse::recourse))
        .routes(routes!(recourse::collect))
        .routes(routes!(recourse::write_off))
        .routes(routes!(quality::quality))
        .routes(routes!(quality::flagged_buyers))
        .routes(routes!(bulletin::bulletin))
        .route("/quality", axum::routing::get(bulletin::page))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(evidence::upload_evidence))
                .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES + 64 * 1024)),
        )
}
