//! Buying over HTTP: the route list (which also yields the OpenAPI document), handler files
//! grouped like the use cases, and the views (who sees what). Handlers stay thin: extract,
//! call the use case, map the result. Each documents the error codes it can answer.

mod addresses;
mod cart;
mod console;
mod deadlines;
mod favourites;
mod orders;
mod payment_view;
mod payments;
mod reconcile;
mod review_moderation;
mod reviews;
mod shipping;
pub mod views;
mod wechat;

pub use addresses::*;
pub use cart::*;
pub use console::*;
pub use deadlines::*;
pub use favourites::*;
pub use orders::*;
pub use payment_view::PaymentView;
pub use payments::*;
pub use reconcile::*;
pub use review_moderation::*;
pub use reviews::*;
pub use shipping::*;
pub use wechat::*;

use crate::Orders;
use axum::extract::{DefaultBodyLimit, FromRef};
use axum::http::HeaderMap;
use farmgate_catalog::images::MAX_UPLOAD_BYTES;
use farmgate_identity::Identity;
use farmgate_kernel::Page;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// A page of a list.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    pub limit: Option<farmgate_kernel::Limit>,
    pub offset: Option<farmgate_kernel::Offset>,
}

impl PageQuery {
    fn page(&self) -> Page {
        Page {
            limit: self.limit,
            offset: self.offset,
        }
    }
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

pub fn router<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Orders: FromRef<S>,
    Identity: FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(list_addresses, add_address))
        .routes(routes!(update_address, delete_address))
        .routes(routes!(recognise_address))
        .routes(routes!(regions))
        .routes(routes!(region_children))
        .routes(routes!(get_cart))
        .routes(routes!(add_to_cart))
        .routes(routes!(quote))
        .routes(routes!(shipping_terms))
        .routes(routes!(my_favourites))
        .routes(routes!(favourite_state, add_favourite, remove_favourite))
        .routes(routes!(set_cart_quantity, remove_from_cart))
        .routes(routes!(checkout, my_orders))
        .routes(routes!(my_order_counts))
        .routes(routes!(get_order))
        .routes(routes!(cancel))
        .routes(routes!(confirm_offline_payment))
        .routes(routes!(seller_sub_orders))
        .routes(routes!(acknowledge))
        .routes(routes!(bulk_acknowledge))
        .routes(routes!(bulk_ship))
        .routes(routes!(pay))
        .routes(routes!(payment_methods))
        .routes(routes!(wechat_authorize))
        .routes(routes!(wechat_oauth))
        .routes(routes!(sandbox_intent))
        .routes(routes!(sandbox_complete))
        .routes(routes!(webhook))
        .routes(routes!(refund))
        .routes(routes!(ship))
        .routes(routes!(correct_waybill))
        .routes(routes!(weigh_line))
        .routes(routes!(logistics))
        .routes(routes!(carrier_callback))
        .routes(routes!(carriers))
        .routes(routes!(kuaidi100_push))
        .routes(routes!(receive))
        .routes(routes!(cancel_overdue))
        .routes(routes!(request_cancel))
        .routes(routes!(accept_cancel))
        .routes(routes!(refuse_cancel))
        .routes(routes!(review))
        .routes(routes!(listing_reviews))
        .routes(routes!(reply_to_review))
        .routes(routes!(report_review))
        .routes(routes!(hide_review))
        .routes(routes!(restore_review))
        .routes(routes!(keep_review))
        .routes(routes!(review_reports))
        .routes(routes!(hidden_reviews))
        .routes(routes!(settlement))
        .routes(routes!(platform_money))
        .routes(routes!(ops_orders))
        .routes(routes!(fulfilment))
        .routes(routes!(reconciliation_runs, start_reconciliation))
        .routes(routes!(reconciliation_run))
        .routes(routes!(reconciliation_differences))
        .routes(routes!(resolve_difference))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(upload_review_photo))
                .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES + 64 * 1024)),
        )
}
