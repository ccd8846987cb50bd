//! Statistics over HTTP, for county officials. Every view answers JSON, or with
//! `format=csv|xlsx` the same rows as a download, encoded row by row into the response body.
//! Handlers are thin: check the parameters ([`params`]), ask [`Stats`], shape the answer; the
//! exports' columns are next to their view.

mod aftersales;
mod analytics;
mod board;
mod credit;
mod dimensions;
mod download;
mod external;
mod onboarding;
pub mod params;
mod platform;
mod presold;
mod prices;
mod sales;
mod trace;

use crate::Stats;
use axum::extract::FromRef;
use farmgate_identity::Identity;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub use params::StatsQuery;

/// Every statistics route.
pub fn router<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Stats: FromRef<S>,
    Identity: FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(sales::sales))
        .routes(routes!(presold::presold))
        .routes(routes!(prices::prices))
        .routes(routes!(trace::trace))
        .routes(routes!(onboarding::onboarding))
        .routes(routes!(aftersales::aftersales))
        .routes(routes!(dimensions::dimensions))
        .routes(routes!(board::price_board))
        .routes(routes!(board::category_prices))
        .routes(routes!(board::price_position))
        .routes(routes!(credit::seller_credit))
        .routes(routes!(credit::credit_list))
        .routes(routes!(analytics::seller_sales))
        .routes(routes!(platform::platform_analytics))
        .routes(routes!(external::upload_external, external::list_external))
        .routes(routes!(
            external::external_series,
            external::delete_external
        ))
}
