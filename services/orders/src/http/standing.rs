//! Standing orders (定期订单, issue #22): the buyer sets up, changes, pauses, resumes and ends
//! them; the seller accepts or declines; both read them with the history of their periods.

use super::PageQuery;
use crate::Orders;
use crate::domain::PaymentMethod;
use crate::domain::standing::{
    RunOutcome, ScheduleInput, StandingMove, StandingStatus, generate_at,
};
use crate::service::{Shortage, Standing, StandingLine, StandingOrderRequest};
use crate::store::standing_order_run;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use farmgate_identity::AuthUser;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiJson, ApiPath, ApiQuery, ApiResult};
use farmgate_kernel::Paged;
use farmgate_kernel::id::{AddressId, OrderId, OrgId};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// One period of a standing order: what it came to.
#[derive(Debug, Serialize, ToSchema)]
pub struct StandingRunView {
    /// The delivery date (Shanghai).
    pub period: NaiveDate,
    /// `generated`, `short` (nothing in stock: no order), `paused` (paused or waiting for the
    /// seller then) or `failed` (the address gone, the orderer no longer orders for the buyer,
    /// a line off sale).
    pub outcome: RunOutcome,
    /// The order made, an ordinary order (`GET /api/v1/orders/{id}`).
    pub order_id: Option<OrderId>,
    /// Lines reduced or left out for want of stock.
    pub shortages: Vec<Shortage>,
    pub created_at: DateTime<Utc>,
}

impl StandingRunView {
    fn of(r: &standing_order_run::Model) -> Self {
        Self {
            period: r.period,
            outcome: r.outcome,
            order_id: r.order_id.map(OrderId),
            shortages: serde_json::from_value(r.shortages.clone()).unwrap_or_default(),
            created_at: r.created_at,
        }
    }
}

/// A standing order.
#[derive(Debug, Serialize, ToSchema)]
pub struct StandingOrderView {
    pub id: Uuid,
    pub buyer_org_id: OrgId,
    pub seller_org_id: OrgId,
    /// The orderer: generated orders are theirs, under their role at the time.
    pub created_by: Uuid,
    pub lines: Vec<StandingLine>,
    pub schedule: ScheduleInput,
    pub lead_days: i32,
    pub start_date: NaiveDate,
    pub end_date: Option<NaiveDate>,
    pub address_id: AddressId,
    pub payment_method: PaymentMethod,
    /// `pending` (waits for the seller), `active`, `paused`, `declined`, `ended`.
    pub status: StandingStatus,
    /// The next delivery date whose order will be made, and when it will be (none when the
    /// standing order is not accepted, ended or past its end date).
    pub next_delivery: Option<NaiveDate>,
    pub next_generation_at: Option<DateTime<Utc>>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// On `GET /api/v1/standing-orders/{id}`: its periods, newest first (the latest 100).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runs: Option<Vec<StandingRunView>>,
}

impl StandingOrderView {
    fn of(s: &Standing) -> Self {
        let r = &s.row;
        Self {
            id: r.id,
            buyer_org_id: OrgId(r.buyer_org_id),
            seller_org_id: OrgId(r.seller_org_id),
            created_by: r.created_by,
            lines: s.lines.clone(),
            schedule: s.schedule.input(),
            lead_days: r.lead_days,
            start_date: r.start_date,
            end_date: r.end_date,
            address_id: AddressId(r.address_id),
            payment_method: r.payment_method,
            status: r.status,
            next_delivery: r.next_period,
            next_generation_at: r.next_period.map(|p| generate_at(p, r.lead_days)),
            accepted_at: r.accepted_at,
            created_at: r.created_at,
            updated_at: r.updated_at,
            runs: None,
        }
    }
}

/// Set up a standing order for the business buyer `{id}`: its owner, a purchasing manager or
/// a purchaser, for a verified business buyer they order for. It waits for the seller's
/// acceptance; nothing is generated until then.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/standing-orders", tag = "standing-orders", params(("id" = Uuid, Path)),
    request_body = StandingOrderRequest,
    responses(
        (status = 201, description = "Set up; waits for the seller", body = StandingOrderView),
        (status = 400, description = "`malformed_json`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden` (not one who orders for this verified business buyer), `cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found`: not an id", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "`validation_failed`: *lines* (1–20), *lines[i].sku_id* (`not_found`: not the seller's; not_on_sale: delisted or switched off — sold out is accepted; duplicate), *lines[i].quantity* (1–9,999), *schedule.weekdays*, *schedule.days*, *lead_days* (0–14), *start_date*, *end_date*, *address_id*, *payment_method*", body = ErrorBody),
    ))]
pub async fn create_standing_order(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(org): ApiPath<OrgId>,
    ApiJson(req): ApiJson<StandingOrderRequest>,
) -> ApiResult<(StatusCode, Json<StandingOrderView>)> {
    let s = orders.create_standing_order(&actor, org, &req).await?;
    Ok((StatusCode::CREATED, Json(StandingOrderView::of(&s))))
}

/// The standing orders an organisation buys (a business buyer) or sells (a seller) by,
/// newest first: its members and platform staff.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/standing-orders", tag = "standing-orders", params(("id" = Uuid, Path), PageQuery),
    responses(
        (status = 200, description = "A page of standing orders", body = Paged<StandingOrderView>),
        (status = 400, description = "`invalid_query`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`", body = ErrorBody),
        (status = 404, description = "`not_found`: not an id", body = ErrorBody),
    ))]
pub async fn org_standing_orders(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(org): ApiPath<OrgId>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<Paged<StandingOrderView>>> {
    let page = orders.standing_orders_of_org(&actor, org, q.page()).await?;
    Ok(Json(page.map(|s| StandingOrderView::of(&s))))
}

/// One standing order with the history of its periods: the buyer's and the seller's members,
/// platform staff.
#[utoipa::path(get, path = "/api/v1/standing-orders/{id}", tag = "standing-orders", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The standing order and its runs", body = StandingOrderView),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 404, description = "`not_found` (also another organisation's)", body = ErrorBody),
    ))]
pub async fn get_standing_order(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<StandingOrderView>> {
    let (s, runs) = orders.standing_order(&actor, id).await?;
    let mut v = StandingOrderView::of(&s);
    v.runs = Some(runs.iter().map(StandingRunView::of).collect());
    Ok(Json(v))
}

/// Change a standing order (the whole of it again): its orderers. New lines or schedule send
/// it back to the seller (`pending`); a new address or payment way alone does not.
#[utoipa::path(put, path = "/api/v1/standing-orders/{id}", tag = "standing-orders", params(("id" = Uuid, Path)),
    request_body = StandingOrderRequest,
    responses(
        (status = 200, description = "Changed", body = StandingOrderView),
        (status = 400, description = "`malformed_json`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`, `cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "`standing_order_state` (declined or ended)", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "`validation_failed`: as when set up, and *seller_org_id* (cannot_change)", body = ErrorBody),
    ))]
pub async fn change_standing_order(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<StandingOrderRequest>,
) -> ApiResult<Json<StandingOrderView>> {
    let s = orders.change_standing_order(&actor, id, &req).await?;
    Ok(Json(StandingOrderView::of(&s)))
}

async fn move_it(
    orders: &Orders,
    actor: &farmgate_identity::Actor,
    id: Uuid,
    mv: StandingMove,
) -> ApiResult<Json<StandingOrderView>> {
    let s = orders.move_standing_order(actor, id, mv).await?;
    Ok(Json(StandingOrderView::of(&s)))
}

/// The seller accepts a standing order (a selling member of the verified seller): the first
/// period's order is scheduled.
#[utoipa::path(post, path = "/api/v1/standing-orders/{id}/accept", tag = "standing-orders", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "Accepted", body = StandingOrderView),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden` (not its seller), `cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found` (also another seller's)", body = ErrorBody),
        (status = 409, description = "`standing_order_state` (not waiting for acceptance)", body = ErrorBody),
    ))]
pub async fn accept_standing_order(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<StandingOrderView>> {
    move_it(&orders, &actor, id, StandingMove::Accept).await
}

/// The seller declines a standing order waiting for acceptance.
#[utoipa::path(post, path = "/api/v1/standing-orders/{id}/decline", tag = "standing-orders", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "Declined", body = StandingOrderView),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden` (not its seller), `cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "`standing_order_state` (not waiting for acceptance)", body = ErrorBody),
    ))]
pub async fn decline_standing_order(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<StandingOrderView>> {
    move_it(&orders, &actor, id, StandingMove::Decline).await
}

/// The buyer pauses an active standing order: periods pass without an order until resumed.
#[utoipa::path(post, path = "/api/v1/standing-orders/{id}/pause", tag = "standing-orders", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "Paused", body = StandingOrderView),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden` (not one who orders for its buyer), `cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "`standing_order_state` (not active)", body = ErrorBody),
    ))]
pub async fn pause_standing_order(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<StandingOrderView>> {
    move_it(&orders, &actor, id, StandingMove::Pause).await
}

/// The buyer resumes a paused standing order: the next period's order is made again.
#[utoipa::path(post, path = "/api/v1/standing-orders/{id}/resume", tag = "standing-orders", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "Resumed", body = StandingOrderView),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden` (not one who orders for its buyer), `cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "`standing_order_state` (not paused)", body = ErrorBody),
    ))]
pub async fn resume_standing_order(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<StandingOrderView>> {
    move_it(&orders, &actor, id, StandingMove::Resume).await
}

/// The buyer ends a standing order for good (orders already made stand).
#[utoipa::path(post, path = "/api/v1/standing-orders/{id}/end", tag = "standing-orders", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "Ended", body = StandingOrderView),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden` (not one who orders for its buyer), `cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "`standing_order_state` (declined or ended already)", body = ErrorBody),
    ))]
pub async fn end_standing_order(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<StandingOrderView>> {
    move_it(&orders, &actor, id, StandingMove::End).await
}
