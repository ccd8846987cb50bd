//! The customer's side (agents use the same routes for one ticket): open, list, read, write,
//! close, reopen, rate.

use super::views::{TicketPage, TicketView};
use crate::Desk;
use crate::domain::TicketId;
use crate::service::{NewTicket, NewTicketMessage, SurveyAnswer, Viewer};
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use farmgate_identity::AuthUser;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiJson, ApiPath, ApiQuery, ApiResult};
use farmgate_kernel::Page;

/// Open a ticket (a buyer or a seller, from any page). The answer carries the deadlines
/// (`respond_by`, `resolve_by`) and the countdown. Send an `Idempotency-Key` header (at most 80
/// characters): a retry with the same key and body answers with the same ticket (200).
#[utoipa::path(post, path = "/api/v1/desk/tickets", tag = "desk",
    request_body = NewTicket,
    params(("Idempotency-Key" = Option<String>, Header)),
    responses(
        (status = 201, description = "The ticket, with its deadlines", body = TicketView),
        (status = 200, description = "A retry (same key, same body): the ticket opened the first time", body = TicketView),
        (status = 400, description = "Unreadable body: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Agents register calls instead (`forbidden`); `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 409, description = "The `Idempotency-Key` came with another ticket: `idempotency_key_reused`", body = ErrorBody),
        (status = 413, description = "Body too large: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "Field errors (subject, body, contact_phone, link_id — a record the caller may not see is `not_found`; `Idempotency-Key` too long): `validation_failed`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn open_ticket(
    State(desk): State<Desk>,
    AuthUser(actor): AuthUser,
    headers: HeaderMap,
    ApiJson(req): ApiJson<NewTicket>,
) -> ApiResult<(StatusCode, Json<TicketView>)> {
    let key = headers.get("idempotency-key").and_then(|v| v.to_str().ok());
    let (r, created) = desk.open(&actor, &req, key).await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((status, Json(TicketView::of(&r, desk.infra().clock.now()))))
}

/// The caller's own tickets.
#[utoipa::path(get, path = "/api/v1/desk/tickets", tag = "desk", params(Page),
    responses(
        (status = 200, description = "The caller's tickets, the running deadline first", body = TicketPage),
        (status = 400, description = "Bad paging: `invalid_query`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn my_tickets(
    State(desk): State<Desk>,
    AuthUser(actor): AuthUser,
    ApiQuery(page): ApiQuery<Page>,
) -> ApiResult<Json<TicketPage>> {
    let l = desk.my_tickets(&actor, page).await?;
    Ok(Json(TicketPage::of(
        &l,
        Viewer::Customer,
        desk.infra().clock.now(),
    )))
}

/// One ticket with its conversation: its customer sees the replies; agents see everything
/// (phones, internal notes, follow-ups, the customer's records).
#[utoipa::path(get, path = "/api/v1/desk/tickets/{id}", tag = "desk", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The ticket", body = TicketView),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 404, description = "No such ticket of the caller's: `not_found`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn get_ticket(
    State(desk): State<Desk>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<TicketId>,
) -> ApiResult<Json<TicketView>> {
    let r = desk.ticket(&actor, id).await?;
    Ok(Json(TicketView::of(&r, desk.infra().clock.now())))
}

/// A message: an agent's reply (or internal note, `internal: true`), or the customer writing.
#[utoipa::path(post, path = "/api/v1/desk/tickets/{id}/messages", tag = "desk", params(("id" = Uuid, Path)),
    request_body = NewTicketMessage,
    responses(
        (status = 201, description = "The ticket with the message", body = TicketView),
        (status = 400, description = "Unreadable: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "A customer's note (`forbidden`); `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such ticket of the caller's: `not_found`", body = ErrorBody),
        (status = 409, description = "Not now: `ticket_closed`, `ticket_merged`, `concurrent_update`", body = ErrorBody),
        (status = 413, description = "Body too large: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "Field errors (body): `validation_failed`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn post_ticket_message(
    State(desk): State<Desk>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<TicketId>,
    ApiJson(req): ApiJson<NewTicketMessage>,
) -> ApiResult<(StatusCode, Json<TicketView>)> {
    let r = desk.post_message(&actor, id, &req).await?;
    Ok((
        StatusCode::CREATED,
        Json(TicketView::of(&r, desk.infra().clock.now())),
    ))
}

/// Close the ticket (an agent, or its customer). Owes a follow-up call and asks for the survey.
#[utoipa::path(post, path = "/api/v1/desk/tickets/{id}/close", tag = "desk", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The ticket, closed", body = TicketView),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not allowed: `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such ticket of the caller's: `not_found`", body = ErrorBody),
        (status = 409, description = "Not now: `ticket_closed`, `ticket_merged`, `concurrent_update`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn close_ticket(
    State(desk): State<Desk>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<TicketId>,
) -> ApiResult<Json<TicketView>> {
    let r = desk.close(&actor, id).await?;
    Ok(Json(TicketView::of(&r, desk.infra().clock.now())))
}

/// The customer reopens their ticket within 7 days of its closing.
#[utoipa::path(post, path = "/api/v1/desk/tickets/{id}/reopen", tag = "desk", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The ticket, open again with a new resolution deadline", body = TicketView),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the ticket's customer: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such ticket of the caller's: `not_found`", body = ErrorBody),
        (status = 409, description = "Not now: `ticket_not_closed`, `reopen_window_passed`, `ticket_merged`, `concurrent_update`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn reopen_ticket(
    State(desk): State<Desk>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<TicketId>,
) -> ApiResult<Json<TicketView>> {
    let r = desk.reopen(&actor, id).await?;
    Ok(Json(TicketView::of(&r, desk.infra().clock.now())))
}

/// The customer rates the closed ticket (speed, attitude, result 1–5, comment), once.
#[utoipa::path(post, path = "/api/v1/desk/tickets/{id}/survey", tag = "desk", params(("id" = Uuid, Path)),
    request_body = SurveyAnswer,
    responses(
        (status = 200, description = "The ticket, rated", body = TicketView),
        (status = 400, description = "Unreadable: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the ticket's customer: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such ticket of the caller's: `not_found`", body = ErrorBody),
        (status = 409, description = "Not now: `ticket_not_closed`, `already_rated`, `ticket_merged`", body = ErrorBody),
        (status = 413, description = "Body too large: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "Field errors (speed, attitude, result, comment): `validation_failed`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn rate_ticket(
    State(desk): State<Desk>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<TicketId>,
    ApiJson(req): ApiJson<SurveyAnswer>,
) -> ApiResult<Json<TicketView>> {
    let r = desk.rate(&actor, id, &req).await?;
    Ok(Json(TicketView::of(&r, desk.infra().clock.now())))
}
