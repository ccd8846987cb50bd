//! Buying over HTTP: the route list (which also yields the OpenAPI document), handler files
//! grouped like the use cases, and the views (who sees what). Handlers stay thin: extract,
//! call the use case, map the result. Each documents the error codes it can answer.

mod addresses;
mod approvals;
mod cart;
mod console;
mod credit;
mod deadlines;
mod delivery;
mod favourites;
mod orders;
mod payment_view;
mod payments;
mod presales;
mod reconcile;
mod review_moderation;
mod reviews;
mod rfqs;
mod shipping;
mod standing;
pub mod views;
mod wechat;

pub use addresses::*;
pub use approvals::*;
pub use cart::*;
pub use console::*;
pub use credit::*;
pub use deadlines::*;
pub use delivery::*;
pub use favourites::*;
pub use orders::*;
pub use payment_view::PaymentView;
pub use payments::*;
pub use presales::*;
pub use reconcile::*;
pub use review_moderation::*;
pub use reviews::*;
pub use rfqs::*;
pub use shipping::*;
pub use standing::*;
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
        .routes(routes!(approve_order))
        .routes(routes!(reject_order))
        .routes(routes!(org_approvals))
        .routes(routes!(confirm_offline_payment))
        .routes(routes!(seller_sub_orders))
        .routes(routes!(acknowledge))
        .routes(routes!(bulk_acknowledge))
        .routes(routes!(bulk_ship))
        .routes(routes!(pay))
        .routes(routes!(pay_extra))
        .routes(routes!(decline_extra))
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
        .routes(routes!(open_presale, org_presales))
        .routes(routes!(open_presales))
        .routes(routes!(presale_volume))
        .routes(routes!(get_presale))
        .routes(routes!(close_presale))
        .routes(routes!(harvest))
        .routes(routes!(reserve))
        .routes(routes!(my_reservations))
        .routes(routes!(create_standing_order, org_standing_orders))
        .routes(routes!(get_standing_order, change_standing_order))
        .routes(routes!(accept_standing_order))
        .routes(routes!(decline_standing_order))
        .routes(routes!(pause_standing_order))
        .routes(routes!(resume_standing_order))
        .routes(routes!(end_standing_order))
        .routes(routes!(reconciliation_runs, start_reconciliation))
        .routes(routes!(reconciliation_run))
        .routes(routes!(reconciliation_differences))
        .routes(routes!(resolve_difference))
        .routes(routes!(get_credit_line, set_credit_line))
        .routes(routes!(pay_on_credit))
        .routes(routes!(org_statements))
        .routes(routes!(get_statement))
        .routes(routes!(record_statement_payment))
        .routes(routes!(receivables))
        .routes(routes!(post_rfq))
        .routes(routes!(org_rfqs))
        .routes(routes!(get_rfq))
        .routes(routes!(close_rfq))
        .routes(routes!(quote_rfq))
        .routes(routes!(revise_quote))
        .routes(routes!(withdraw_quote))
        .routes(routes!(accept_quote))
        .routes(routes!(delivery_windows, create_delivery_window))
        .routes(routes!(change_delivery_window, delete_delivery_window))
        .routes(routes!(delivery_slots))
        .routes(routes!(deliveries))
        .routes(routes!(sub_order_delivery))
        .routes(routes!(book_delivery_slot, cancel_delivery_slot))
        .routes(routes!(sign_delivery_note))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(upload_delivery_photo, delivery_photo))
                .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES + 64 * 1024)),
        )
        .merge(
            OpenApiRouter::new()
                .routes(routes!(upload_review_photo))
                .layer(DefaultBodyLimit::max(MAX_UPLOAD_BYTES + 64 * 1024)),
        )
}
