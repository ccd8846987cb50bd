//! The back-office homes: today's work as counts, for a seller's members
//! (`GET /api/v1/orgs/{id}/console`) and for the operator (`GET /api/v1/admin/console`).
//!
//! This module owns no table. Each count comes from the room that owns the data, through that
//! room's `read::console` module (orders, after-sales, catalogue, desk, identity, finance), so
//! every room still reads only its own tables; the server is the one crate that already knows
//! every room, which is why the homes are assembled here rather than in any one of them.
//! Each count is something a page links to as a filtered list.

mod operator;
mod seller;

pub use operator::{
    ClaimsToArbitrate, ListingQueue, MoneyWork, OperatorConsole, OrderWatch, OrgQueue,
    ReportsToModerate, TicketWork,
};
pub use seller::{SellerClaims, SellerConsole, SellerConversations, SellerOrders, SellerStock};

use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The consoles' routes (tag `console`).
pub fn router<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    farmgate_infra::Infra: axum::extract::FromRef<S>,
    farmgate_identity::Identity: axum::extract::FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(seller::seller_console))
        .routes(routes!(operator::operator_console))
}
