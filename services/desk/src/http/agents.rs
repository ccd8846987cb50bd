//! The agents' desk: the queue, hotline calls, assignment, urgency, merges, follow-ups, duty,
//! canned replies, limits, the figures and problem-customer records.

use super::views::{AgentView, CannedReplyView, CustomerRecordView, TicketPage, TicketView};
use crate::Desk;
use crate::domain::{CannedReplyId, CustomerRecordId, TicketId, TicketKind, TicketStatus};
use crate::service::{
    AgentFigures, AgentFiguresQuery, AssignRequest, CannedReplyInput, DeskFigures, DutyChange,
    FiguresQuery, FollowUpItem, FollowUpRecord, HotlineCall, LimitRow, LimitsUpdate, MergeRequest,
    NewCustomerRecord, QueueFilter, UrgencyChange, Viewer,
};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use farmgate_identity::AuthUser;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiJson, ApiPath, ApiQuery, ApiResult};
use farmgate_kernel::Page;
use serde::Deserialize;
use utoipa::IntoParams;
use uuid::Uuid;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueQuery {
    #[param(inline)]
    pub status: Option<TicketStatus>,
    #[param(inline)]
    pub kind: Option<TicketKind>,
    /// One agent's tickets.
    pub assignee: Option<Uuid>,
    /// The caller's own tickets.
    #[serde(default)]
    pub mine: bool,
    #[serde(default)]
    pub unassigned: bool,
    /// Only tickets past their running deadline.
    #[serde(default)]
    pub overdue: bool,
    /// Closed and merged tickets too.
    #[serde(default)]
    pub all: bool,
    pub limit: Option<farmgate_kernel::Limit>,
    pub offset: Option<farmgate_kernel::Offset>,
}

/// The desk's queue (agents): tickets being worked, overdue first, then the nearest deadline.
#[utoipa::path(get, path = "/api/v1/desk/queue", tag = "desk", params(QueueQuery),
    responses(
        (status = 200, description = "The queue", body = TicketPage),
        (status = 400, description = "Bad query: `invalid_query`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not an agent: `forbidden`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn desk_queue(
    State(desk): State<Desk>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<QueueQuery>,
) -> ApiResult<Json<TicketPage>> {
    let f = QueueFilter {
        status: q.status,
        kind: q.kind,
        assignee: q.assignee,
        mine: q.mine,
        unassigned: q.unassigned,
        overdue: q.overdue,
        all: q.all,
    };
    let page = Page {
        limit: q.limit,
        offset: q.offset,
    };
    let l = desk.queue(&actor, &f, page).await?;
    Ok(Json(TicketPage::of(
        &l,
        Viewer::Agent,
        desk.infra().clock.now(),
    )))
}

/// Register a hotline call (热线登记): the ticket is the registering agent's.
#[utoipa::path(post, path = "/api/v1/desk/hotline", tag = "desk",
    request_body = HotlineCall,
    responses(
        (status = 201, description = "The ticket", body = TicketView),
        (status = 400, description = "Unreadable body: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not an agent: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 413, description = "Body too large: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "Field errors (caller_name, phone, summary): `validation_failed`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn register_hotline_call(
    State(desk): State<Desk>,
    AuthUser(actor): AuthUser,
    ApiJson(req): ApiJson<HotlineCall>,
) -> ApiResult<(StatusCode, Json<TicketView>)> {
    let r = desk.hotline(&actor, &req).await?;
    Ok((
        StatusCode::CREATED,
        Json(TicketView::of(&r, desk.infra().clock.now())),
    ))
}

/// An agent takes an unassigned ticket (the second of two at once: `already_assigned`).
#[utoipa::path(post, path = "/api/v1/desk/tickets/{id}/take", tag = "desk", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The ticket, the caller's", body = TicketView),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not an agent: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such ticket: `not_found`", body = ErrorBody),
        (status = 409, description = "Not now: `already_assigned`, `ticket_closed`, `ticket_merged`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn take_ticket(
    State(desk): State<Desk>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<TicketId>,
) -> ApiResult<Json<TicketView>> {
    let r = desk.take(&actor, id).await?;
    Ok(Json(TicketView::of(&r, desk.infra().clock.now())))
}

/// Assign a ticket to an agent of the desk, or round-robin among those on duty.
#[utoipa::path(post, path = "/api/v1/desk/tickets/{id}/assign", tag = "desk", params(("id" = Uuid, Path)),
    request_body = AssignRequest,
    responses(
        (status = 200, description = "The ticket, assigned", body = TicketView),
        (status = 400, description = "Unreadable body: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not an agent: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such ticket or agent: `not_found`", body = ErrorBody),
        (status = 409, description = "Not now: `no_agent_on_duty`, `concurrent_update`, `ticket_closed`, `ticket_merged`", body = ErrorBody),
        (status = 422, description = "A body of the wrong shape or type: `validation_failed`", body = ErrorBody),
        (status = 413, description = "Body too large: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn assign_ticket(
    State(desk): State<Desk>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<TicketId>,
    ApiJson(req): ApiJson<AssignRequest>,
) -> ApiResult<Json<TicketView>> {
    let r = desk.assign(&actor, id, &req).await?;
    Ok(Json(TicketView::of(&r, desk.infra().clock.now())))
}

/// Change a ticket's urgency; its deadlines follow (counted from its opening).
#[utoipa::path(post, path = "/api/v1/desk/tickets/{id}/urgency", tag = "desk", params(("id" = Uuid, Path)),
    request_body = UrgencyChange,
    responses(
        (status = 200, description = "The ticket with its new deadlines", body = TicketView),
        (status = 400, description = "Unreadable body: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not an agent: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such ticket: `not_found`", body = ErrorBody),
        (status = 409, description = "Not now: `ticket_closed`, `ticket_merged`, `concurrent_update`", body = ErrorBody),
        (status = 422, description = "A body of the wrong shape or type: `validation_failed`", body = ErrorBody),
        (status = 413, description = "Body too large: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn change_ticket_urgency(
    State(desk): State<Desk>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<TicketId>,
    ApiJson(req): ApiJson<UrgencyChange>,
) -> ApiResult<Json<TicketView>> {
    let r = desk.change_urgency(&actor, id, &req).await?;
    Ok(Json(TicketView::of(&r, desk.infra().clock.now())))
}

/// Fold a duplicate into another ticket of the same customer.
#[utoipa::path(post, path = "/api/v1/desk/tickets/{id}/merge", tag = "desk", params(("id" = Uuid, Path)),
    request_body = MergeRequest,
    responses(
        (status = 200, description = "The duplicate, merged", body = TicketView),
        (status = 400, description = "Unreadable body: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not an agent: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such ticket: `not_found`", body = ErrorBody),
        (status = 409, description = "Not now: `ticket_closed`, `ticket_merged`, `concurrent_update`", body = ErrorBody),
        (status = 413, description = "Body too large: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "Field errors (into: itself, another customer's, not active): `validation_failed`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn merge_ticket(
    State(desk): State<Desk>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<TicketId>,
    ApiJson(req): ApiJson<MergeRequest>,
) -> ApiResult<Json<TicketView>> {
    let r = desk.merge(&actor, id, &req).await?;
    Ok(Json(TicketView::of(&r, desk.infra().clock.now())))
}

/// Record the outcome of the ticket's owed follow-up call (回访), once.
#[utoipa::path(post, path = "/api/v1/desk/tickets/{id}/follow-up", tag = "desk", params(("id" = Uuid, Path)),
    request_body = FollowUpRecord,
    responses(
        (status = 200, description = "The ticket with the follow-up recorded", body = TicketView),
        (status = 400, description = "Unreadable body: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not an agent: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such ticket, or nothing owed yet: `not_found`", body = ErrorBody),
        (status = 409, description = "Recorded already: `already_followed_up`", body = ErrorBody),
        (status = 413, description = "Body too large: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "Field errors (note): `validation_failed`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn record_follow_up(
    State(desk): State<Desk>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<TicketId>,
    ApiJson(req): ApiJson<FollowUpRecord>,
) -> ApiResult<Json<TicketView>> {
    let r = desk.follow_up(&actor, id, &req).await?;
    Ok(Json(TicketView::of(&r, desk.infra().clock.now())))
}

/// Record the outcome of a resolved claim's follow-up call (回访), once.
#[utoipa::path(post, path = "/api/v1/desk/claim-follow-ups/{id}", tag = "desk", params(("id" = Uuid, Path)),
    request_body = FollowUpRecord,
    responses(
        (status = 200, description = "The follow-up, recorded", body = FollowUpItem),
        (status = 400, description = "Unreadable body: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not an agent: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such follow-up: `not_found`", body = ErrorBody),
        (status = 409, description = "Recorded already: `already_followed_up`", body = ErrorBody),
        (status = 413, description = "Body too large: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "Field errors (outcome, note), a wrongly typed body: `validation_failed`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn record_claim_follow_up(
    State(desk): State<Desk>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<FollowUpRecord>,
) -> ApiResult<Json<FollowUpItem>> {
    Ok(Json(desk.follow_up_claim(&actor, id, &req).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MineQuery {
    /// Only the caller's.
    #[serde(default)]
    pub mine: bool,
}

/// Follow-up calls still owed after closed tickets and resolved claims, oldest first.
#[utoipa::path(get, path = "/api/v1/desk/follow-ups", tag = "desk", params(MineQuery),
    responses(
        (status = 200, description = "Owed follow-ups", body = Vec<FollowUpItem>),
        (status = 400, description = "Bad query: `invalid_query`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not an agent: `forbidden`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn owed_follow_ups(
    State(desk): State<Desk>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<MineQuery>,
) -> ApiResult<Json<Vec<FollowUpItem>>> {
    Ok(Json(desk.open_follow_ups(&actor, q.mine).await?))
}

/// The desk's agents and who is on duty (the caller joins the list).
#[utoipa::path(get, path = "/api/v1/desk/agents", tag = "desk",
    responses(
        (status = 200, description = "Agents", body = Vec<AgentView>),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not an agent: `forbidden`, `read_only`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn desk_agents(
    State(desk): State<Desk>,
    AuthUser(actor): AuthUser,
) -> ApiResult<Json<Vec<AgentView>>> {
    let a = desk.agents(&actor).await?;
    Ok(Json(a.iter().map(AgentView::from).collect()))
}

/// The caller goes on or off duty (round-robin picks among agents on duty).
#[utoipa::path(put, path = "/api/v1/desk/agents", tag = "desk",
    request_body = DutyChange,
    responses(
        (status = 200, description = "Agents", body = Vec<AgentView>),
        (status = 400, description = "Unreadable body: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not an agent: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 422, description = "A body of the wrong shape or type: `validation_failed`", body = ErrorBody),
        (status = 413, description = "Body too large: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn set_duty(
    State(desk): State<Desk>,
    AuthUser(actor): AuthUser,
    ApiJson(req): ApiJson<DutyChange>,
) -> ApiResult<Json<Vec<AgentView>>> {
    let a = desk.set_duty(&actor, &req).await?;
    Ok(Json(a.iter().map(AgentView::from).collect()))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AllQuery {
    /// Inactive ones too.
    #[serde(default)]
    pub all: bool,
}

/// Canned replies (agents).
#[utoipa::path(get, path = "/api/v1/desk/canned-replies", tag = "desk", params(AllQuery),
    responses(
        (status = 200, description = "Canned replies by title", body = Vec<CannedReplyView>),
        (status = 400, description = "Bad query: `invalid_query`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not an agent: `forbidden`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn canned_replies(
    State(desk): State<Desk>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<AllQuery>,
) -> ApiResult<Json<Vec<CannedReplyView>>> {
    let c = desk.canned_replies(&actor, q.all).await?;
    Ok(Json(c.iter().map(CannedReplyView::from).collect()))
}

/// Add a canned reply.
#[utoipa::path(post, path = "/api/v1/desk/canned-replies", tag = "desk",
    request_body = CannedReplyInput,
    responses(
        (status = 201, description = "The canned reply", body = CannedReplyView),
        (status = 400, description = "Unreadable body: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not an agent: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 413, description = "Body too large: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "Field errors (title, body): `validation_failed`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn add_canned_reply(
    State(desk): State<Desk>,
    AuthUser(actor): AuthUser,
    ApiJson(req): ApiJson<CannedReplyInput>,
) -> ApiResult<(StatusCode, Json<CannedReplyView>)> {
    let c = desk.save_canned_reply(&actor, None, &req).await?;
    Ok((StatusCode::CREATED, Json(CannedReplyView::from(&c))))
}

/// Change a canned reply (or retire it: `active: false`).
#[utoipa::path(put, path = "/api/v1/desk/canned-replies/{id}", tag = "desk", params(("id" = Uuid, Path)),
    request_body = CannedReplyInput,
    responses(
        (status = 200, description = "The canned reply", body = CannedReplyView),
        (status = 400, description = "Unreadable body: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not an agent: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such canned reply: `not_found`", body = ErrorBody),
        (status = 413, description = "Body too large: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "Field errors (title, body): `validation_failed`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn change_canned_reply(
    State(desk): State<Desk>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<CannedReplyId>,
    ApiJson(req): ApiJson<CannedReplyInput>,
) -> ApiResult<Json<CannedReplyView>> {
    let c = desk.save_canned_reply(&actor, Some(id), &req).await?;
    Ok(Json(CannedReplyView::from(&c)))
}

/// The response and resolution limits per kind and urgency (agents).
#[utoipa::path(get, path = "/api/v1/desk/limits", tag = "desk",
    responses(
        (status = 200, description = "Every kind × urgency pair", body = Vec<LimitRow>),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not an agent: `forbidden`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn desk_limits(
    State(desk): State<Desk>,
    AuthUser(actor): AuthUser,
) -> ApiResult<Json<Vec<LimitRow>>> {
    Ok(Json(desk.limits(&actor).await?))
}

/// The operator sets some pairs' limits (new tickets get them).
#[utoipa::path(put, path = "/api/v1/desk/limits", tag = "desk",
    request_body = LimitsUpdate,
    responses(
        (status = 200, description = "Every pair", body = Vec<LimitRow>),
        (status = 400, description = "Unreadable body: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the operator: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 413, description = "Body too large: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "Field errors (limits): `validation_failed`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn set_desk_limits(
    State(desk): State<Desk>,
    AuthUser(actor): AuthUser,
    ApiJson(req): ApiJson<LimitsUpdate>,
) -> ApiResult<Json<Vec<LimitRow>>> {
    Ok(Json(desk.set_limits(&actor, &req).await?))
}

/// The desk's figures per agent or kind over a period.
#[utoipa::path(get, path = "/api/v1/desk/figures", tag = "desk", params(FiguresQuery),
    responses(
        (status = 200, description = "The figures", body = DeskFigures),
        (status = 400, description = "Bad query: `invalid_query`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not an agent: `forbidden`", body = ErrorBody),
        (status = 422, description = "Field errors (to): `validation_failed`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn desk_figures(
    State(desk): State<Desk>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<FiguresQuery>,
) -> ApiResult<Json<DeskFigures>> {
    Ok(Json(desk.figures(&actor, &q).await?))
}

/// One agent's own figures over a period (我的指标): the caller's, or any agent's for the
/// operator.
#[utoipa::path(get, path = "/api/v1/desk/agent-figures", tag = "desk", params(AgentFiguresQuery),
    responses(
        (status = 200, description = "The agent's figures, in total and per kind", body = AgentFigures),
        (status = 400, description = "Bad query: `invalid_query`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not an agent, or another agent's (not the operator): `forbidden`", body = ErrorBody),
        (status = 404, description = "No such agent: `not_found`", body = ErrorBody),
        (status = 422, description = "Field errors (to): `validation_failed`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn agent_figures(
    State(desk): State<Desk>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<AgentFiguresQuery>,
) -> ApiResult<Json<AgentFigures>> {
    Ok(Json(desk.agent_figures(&actor, &q).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AccountQuery {
    pub account_id: Uuid,
}

/// An account's problem-customer records, withdrawn ones too (agents).
#[utoipa::path(get, path = "/api/v1/desk/customer-records", tag = "desk", params(AccountQuery),
    responses(
        (status = 200, description = "Records, newest first", body = Vec<CustomerRecordView>),
        (status = 400, description = "Bad query: `invalid_query`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not an agent: `forbidden`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn customer_records(
    State(desk): State<Desk>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<AccountQuery>,
) -> ApiResult<Json<Vec<CustomerRecordView>>> {
    let r = desk.customer_records(&actor, q.account_id).await?;
    Ok(Json(r.iter().map(CustomerRecordView::from).collect()))
}

/// The operator records a note on an account (劣质客户备案).
#[utoipa::path(post, path = "/api/v1/desk/customer-records", tag = "desk",
    request_body = NewCustomerRecord,
    responses(
        (status = 201, description = "The record", body = CustomerRecordView),
        (status = 400, description = "Unreadable body: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the operator: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 413, description = "Body too large: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "Field errors (account_id, evidence, decision): `validation_failed`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn record_customer(
    State(desk): State<Desk>,
    AuthUser(actor): AuthUser,
    ApiJson(req): ApiJson<NewCustomerRecord>,
) -> ApiResult<(StatusCode, Json<CustomerRecordView>)> {
    let r = desk.record_customer(&actor, &req).await?;
    Ok((StatusCode::CREATED, Json(CustomerRecordView::from(&r))))
}

/// The operator withdraws a record (kept, marked withdrawn).
#[utoipa::path(post, path = "/api/v1/desk/customer-records/{id}/withdraw", tag = "desk", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The record, withdrawn", body = CustomerRecordView),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not the operator: `forbidden`, `read_only`, `cross_site_request`", body = ErrorBody),
        (status = 404, description = "No such record: `not_found`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
pub async fn withdraw_customer_record(
    State(desk): State<Desk>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<CustomerRecordId>,
) -> ApiResult<Json<CustomerRecordView>> {
    let r = desk.withdraw_customer_record(&actor, id).await?;
    Ok(Json(CustomerRecordView::from(&r)))
}
