//! The desk over HTTP: the route list (all in `/api/v1/openapi.json`, tag `desk`), handlers
//! grouped like the use cases, and the views they answer with.

mod agents;
mod attachments;
mod conversations;
mod tickets;
pub mod views;

use crate::Desk;
use axum::extract::{DefaultBodyLimit, FromRef};
use farmgate_identity::Identity;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router<S>() -> OpenApiRouter<S>
where
    S: Clone + Send + Sync + 'static,
    Desk: FromRef<S>,
    Identity: FromRef<S>,
{
    OpenApiRouter::new()
        .routes(routes!(tickets::open_ticket, tickets::my_tickets))
        .routes(routes!(tickets::get_ticket))
        .routes(routes!(tickets::post_ticket_message))
        .routes(routes!(tickets::close_ticket))
        .routes(routes!(tickets::reopen_ticket))
        .routes(routes!(tickets::rate_ticket))
        .routes(routes!(agents::desk_queue))
        .routes(routes!(agents::register_hotline_call))
        .routes(routes!(agents::take_ticket))
        .routes(routes!(agents::assign_ticket))
        .routes(routes!(agents::change_ticket_urgency))
        .routes(routes!(agents::merge_ticket))
        .routes(routes!(agents::record_follow_up))
        .routes(routes!(agents::owed_follow_ups))
        .routes(routes!(agents::record_claim_follow_up))
        .routes(routes!(agents::desk_agents, agents::set_duty))
        .routes(routes!(agents::canned_replies, agents::add_canned_reply))
        .routes(routes!(agents::change_canned_reply))
        .routes(routes!(agents::desk_limits, agents::set_desk_limits))
        .routes(routes!(agents::desk_figures))
        .routes(routes!(agents::agent_figures))
        .routes(routes!(agents::customer_records, agents::record_customer))
        .routes(routes!(agents::withdraw_customer_record))
        .routes(routes!(
            conversations::open_conversation,
            conversations::my_conversations
        ))
        .routes(routes!(conversations::get_conversation))
        .routes(routes!(conversations::post_conversation_message))
        .routes(routes!(conversations::seller_inbox))
        .routes(routes!(conversations::conversation_figures))
        .routes(routes!(conversations::report_conversation_message))
        .routes(routes!(conversations::conversation_reports))
        .routes(routes!(conversations::hide_conversation_message))
        .routes(routes!(conversations::dismiss_conversation_report))
        .routes(routes!(attachments::attachment_file))
        .merge(
            OpenApiRouter::new()
                .routes(routes!(attachments::upload_attachment))
                .layer(DefaultBodyLimit::max(
                    farmgate_catalog::images::MAX_UPLOAD_BYTES + 64 * 1024,
                )),
        )
}
