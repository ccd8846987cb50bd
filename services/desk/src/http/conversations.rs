//! Conversations (咨询) over HTTP: the buyer opens and lists, both parties read and write, a
//! seller's inbox and response figure, reports, and the operator's queue.

use crate::Desk;
use crate::service::Party;
use crate::service::conversations::{
    ConversationFigures, ConversationFiguresQuery, ConversationPage, ConversationReportPage,
    ConversationReportView, ConversationText, ConversationView, MessageView,
    NewConversationMessage, OpenConversation, ReportQueueQuery,
};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use farmgate_identity::AuthUser;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiJson, ApiPath, ApiQuery, ApiResult};
use farmgate_kernel::Page;
use farmgate_kernel::id::OrgId;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

/// Open a conversation with the seller of a listing (`listing_id`) or of the caller's order
/// (`order_id`, and `seller_org_id` when it has several): 201 when new, 200 when the caller
/// already has it.
#[utoipa::path(post, path = "/api/v1/conversations", tag = "desk",
    request_body = OpenConversation,
    responses(
        (status = 200, description = "The caller's conversation about it, already open", body = ConversationView),
        (status = 201, description = "A new conversation", body = ConversationView),
        (status = 400, description = "Unreadable body: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Platform staff, or the seller's own member: `forbidden`; `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 413, description = "Body too large: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "Field errors (listing_id, order_id, seller_org_id — a record the caller may not see is `not_found`): `validation_failed`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn open_conversation(
    State(desk): State<Desk>,
    AuthUser(actor): AuthUser,
    ApiJson(req): ApiJson<OpenConversation>,
) -> ApiResult<(StatusCode, Json<ConversationView>)> {
    let (c, new) = desk.open_conversation(&actor, &req).await?;
    let v = desk
        .conversation_view(&c, Party::Buyer, actor.account_id.as_uuid())
        .await?;
    let status = if new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(v)))
}

/// The caller's conversations as a buyer, the latest first, with unread counts.
#[utoipa::path(get, path = "/api/v1/conversations", tag = "desk", params(Page),
    responses(
        (status = 200, description = "A page of conversations", body = ConversationPage),
        (status = 400, description = "Bad paging: `invalid_query`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn my_conversations(
    State(desk): State<Desk>,
    AuthUser(actor): AuthUser,
    ApiQuery(page): ApiQuery<Page>,
) -> ApiResult<Json<ConversationPage>> {
    Ok(Json(desk.my_conversations(&actor, page).await?))
}

#[derive(Clone, Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReadingQuery {
    /// Platform staff only, required for them: why they read it (arbitration; recorded).
    #[serde(default)]
    pub reason: Option<String>,
}

/// One conversation with its messages. A party's reading clears their unread count; platform
/// staff give a `reason`, and the reading is recorded (the audit).
#[utoipa::path(get, path = "/api/v1/conversations/{id}", tag = "desk", params(("id" = Uuid, Path), ReadingQuery),
    responses(
        (status = 200, description = "The conversation", body = ConversationView),
        (status = 400, description = "Bad query: `invalid_query`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 404, description = "No such conversation of the caller's: `not_found`", body = ErrorBody),
        (status = 422, description = "Staff without a reason: `validation_failed`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn get_conversation(
    State(desk): State<Desk>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<ReadingQuery>,
) -> ApiResult<Json<ConversationView>> {
    Ok(Json(
        desk.conversation(&actor, id, q.reason.as_deref()).await?,
    ))
}

/// A message from the buyer or a member of the seller (1–1000 characters). The other side
/// is notified of the first message they have not read (one notice per burst).
#[utoipa::path(post, path = "/api/v1/conversations/{id}/messages", tag = "desk", params(("id" = Uuid, Path)),
    request_body = NewConversationMessage,
    responses(
        (status = 201, description = "The conversation with the message", body = ConversationView),
        (status = 400, description = "Unreadable: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Platform staff read only: `forbidden`; `org_not_verified`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such conversation of the caller's: `not_found`", body = ErrorBody),
        (status = 413, description = "Body too large: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "Field errors (body): `validation_failed`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn post_conversation_message(
    State(desk): State<Desk>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<NewConversationMessage>,
) -> ApiResult<(StatusCode, Json<ConversationView>)> {
    let v = desk.send_conversation_message(&actor, id, &req).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// A seller's inbox (its members), the latest first, with unread counts.
#[utoipa::path(get, path = "/api/v1/orgs/{org}/conversations", tag = "desk", params(("org" = Uuid, Path), Page),
    responses(
        (status = 200, description = "A page of conversations", body = ConversationPage),
        (status = 400, description = "Bad paging: `invalid_query`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not a member: `forbidden`", body = ErrorBody),
        (status = 404, description = "No such organisation (or not an id): `not_found`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn seller_inbox(
    State(desk): State<Desk>,
    AuthUser(actor): AuthUser,
    ApiPath(org): ApiPath<Uuid>,
    ApiQuery(page): ApiQuery<Page>,
) -> ApiResult<Json<ConversationPage>> {
    Ok(Json(desk.seller_inbox(&actor, OrgId(org), page).await?))
}

/// A seller's first-response figure over a period (its members and platform staff).
#[utoipa::path(get, path = "/api/v1/orgs/{org}/conversation-figures", tag = "desk", params(("org" = Uuid, Path), ConversationFiguresQuery),
    responses(
        (status = 200, description = "The figure", body = ConversationFigures),
        (status = 400, description = "Bad query: `invalid_query`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not a member or staff: `forbidden`", body = ErrorBody),
        (status = 404, description = "No such organisation (or not an id): `not_found`", body = ErrorBody),
        (status = 422, description = "Period out of range (to): `validation_failed`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn conversation_figures(
    State(desk): State<Desk>,
    AuthUser(actor): AuthUser,
    ApiPath(org): ApiPath<Uuid>,
    ApiQuery(q): ApiQuery<ConversationFiguresQuery>,
) -> ApiResult<Json<ConversationFigures>> {
    Ok(Json(
        desk.conversation_figures(&actor, OrgId(org), &q).await?,
    ))
}

/// A party reports the other party's message as abusive (`reason`, 1–500 characters), once.
#[utoipa::path(post, path = "/api/v1/conversation-messages/{id}/reports", tag = "desk", params(("id" = Uuid, Path)),
    request_body = ConversationText,
    responses(
        (status = 201, description = "Reported", body = ConversationReportView),
        (status = 400, description = "Unreadable: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "One's own message, or staff: `forbidden`; `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such message of the caller's conversations: `not_found`", body = ErrorBody),
        (status = 409, description = "`already_reported`", body = ErrorBody),
        (status = 413, description = "Body too large: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "Field errors (reason): `validation_failed`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn report_conversation_message(
    State(desk): State<Desk>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<ConversationText>,
) -> ApiResult<(StatusCode, Json<ConversationReportView>)> {
    let r = desk.report_conversation_message(&actor, id, &req).await?;
    Ok((StatusCode::CREATED, Json(r)))
}

/// The operator's queue of reported messages (`status=open`, the default, or `all`).
#[utoipa::path(get, path = "/api/v1/desk/conversation-reports", tag = "desk", params(ReportQueueQuery),
    responses(
        (status = 200, description = "A page of reports with their messages", body = ConversationReportPage),
        (status = 400, description = "Bad query: `invalid_query`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the operator: `forbidden`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn conversation_reports(
    State(desk): State<Desk>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<ReportQueueQuery>,
) -> ApiResult<Json<ConversationReportPage>> {
    Ok(Json(desk.conversation_reports(&actor, &q).await?))
}

/// The operator hides a message with a reason (1–200 characters): kept, not deleted; its
/// open reports are resolved.
#[utoipa::path(post, path = "/api/v1/desk/conversation-messages/{id}/hide", tag = "desk", params(("id" = Uuid, Path)),
    request_body = ConversationText,
    responses(
        (status = 200, description = "The message, hidden", body = MessageView),
        (status = 400, description = "Unreadable: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the operator: `forbidden`; `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "`already_hidden`", body = ErrorBody),
        (status = 413, description = "Body too large: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "Field errors (reason): `validation_failed`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn hide_conversation_message(
    State(desk): State<Desk>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<ConversationText>,
) -> ApiResult<Json<MessageView>> {
    Ok(Json(
        desk.hide_conversation_message(&actor, id, &req).await?,
    ))
}

/// The operator dismisses a report; the message stays.
#[utoipa::path(post, path = "/api/v1/desk/conversation-reports/{id}/dismiss", tag = "desk", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The report, dismissed", body = ConversationReportView),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the operator: `forbidden`; `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "`already_resolved`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn dismiss_conversation_report(
    State(desk): State<Desk>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<ConversationReportView>> {
    Ok(Json(desk.dismiss_conversation_report(&actor, id).await?))
}
