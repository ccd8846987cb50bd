//! The seller's console: its sub-orders, acknowledging one, the settlement statement and how
//! fast it handles orders.

use super::views::OrderView;
use crate::Orders;
use crate::domain::{OrderFilter, ShipByFilter, SubOrderStatus};
use crate::service::bulk::{BulkAcknowledge, BulkResult, BulkShip};
use crate::service::{FulfilmentReport, PlatformMoney, Statement};
use axum::Json;
use axum::extract::State;
use chrono::NaiveDate;
use farmgate_identity::AuthUser;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiJson, ApiPath, ApiQuery, ApiResult, RequestLang};
use farmgate_kernel::id::{OrgId, SubOrderId};
use farmgate_kernel::{Page, Paged};
use serde::Deserialize;
use utoipa::IntoParams;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SubOrderQuery {
    pub status: Option<SubOrderStatus>,
    /// `overdue`: paid or acknowledged past the ship-by deadline; `soon`: due within 12 hours.
    #[param(inline)]
    pub ship_by: Option<ShipByFilter>,
    /// 1–40 characters: the order number's beginning, a product or SKU name, or the
    /// recipient's name.
    pub q: Option<String>,
    /// Paid on or after this day (China time).
    pub from: Option<NaiveDate>,
    /// Paid on or before this day (China time); at most 366 days after `from`.
    pub to: Option<NaiveDate>,
    pub limit: Option<farmgate_kernel::Limit>,
    pub offset: Option<farmgate_kernel::Offset>,
}

/// A seller's paid sub-orders, newest first (members and the operator), narrowed by status,
/// ship-by state, payment days and a search text.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/sub-orders", tag = "orders", params(("id" = Uuid, Path), SubOrderQuery),
    responses(
        (status = 200, description = "A page of orders, each with the seller's part", body = Paged<OrderView>),
        (status = 400, description = "`invalid_query`", body = ErrorBody),
        (status = 422, description = "A search over 40 characters, or a period ending before it starts or longer than 366 days: `validation_failed` (fields q, to)", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`", body = ErrorBody),
        (status = 404, description = "`not_found`: not an id", body = ErrorBody),
    ))]
pub async fn seller_sub_orders(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(org): ApiPath<OrgId>,
    ApiQuery(q): ApiQuery<SubOrderQuery>,
) -> ApiResult<Json<Paged<OrderView>>> {
    let page = Page {
        limit: q.limit,
        offset: q.offset,
    };
    let filter = OrderFilter::parse(q.status, q.ship_by, q.q.as_deref(), q.from, q.to)
        .map_err(crate::error::OrdersError::field)?;
    let list = orders.seller_sub_orders(&actor, org, &filter, page).await?;
    Ok(Json(list.map(|(_, r)| OrderView::of(&r, &actor))))
}

/// The seller has seen a paid sub-order and is preparing it (the time it took is recorded).
#[utoipa::path(post, path = "/api/v1/sub-orders/{id}/acknowledge", tag = "orders", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "Acknowledged (or it was already)", body = OrderView),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`, `cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "Conflict: `cannot_acknowledge`, `org_not_verified`", body = ErrorBody),
    ))]
pub async fn acknowledge(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<SubOrderId>,
) -> ApiResult<Json<OrderView>> {
    let record = orders.acknowledge(&actor, id).await?;
    Ok(Json(OrderView::of(&record, &actor)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SettlementQuery {
    /// First day (Asia/Shanghai), `YYYY-MM-DD`.
    pub from: NaiveDate,
    /// Last day, inclusive.
    pub to: NaiveDate,
    pub limit: Option<farmgate_kernel::Limit>,
    pub offset: Option<farmgate_kernel::Offset>,
}

/// A seller's settlement statement for sub-orders paid in the period: sales, commission,
/// refunds, payable (after-sales window closed) and pending (members and the operator).
#[utoipa::path(get, path = "/api/v1/orgs/{id}/settlement", tag = "payments", params(("id" = Uuid, Path), SettlementQuery),
    responses(
        (status = 200, description = "The statement", body = Statement),
        (status = 400, description = "`invalid_query`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`", body = ErrorBody),
        (status = 404, description = "`not_found`: not an id", body = ErrorBody),
        (status = 422, description = "`validation_failed`: the period", body = ErrorBody),
    ))]
pub async fn settlement(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(org): ApiPath<OrgId>,
    ApiQuery(q): ApiQuery<SettlementQuery>,
) -> ApiResult<Json<Statement>> {
    let page = Page {
        limit: q.limit,
        offset: q.offset,
    };
    Ok(Json(
        orders.settlement(&actor, org, q.from, q.to, page).await?,
    ))
}

/// The platform's money for sub-orders paid in the period (operator and platform finance):
/// received, refunds by who bears them (seller, platform, carrier), commission, owed to
/// sellers (payable and pending), the platform's expense and the carriers' recourse, and each
/// seller's statement totals. `received = refunds.total + commission + owed −
/// platform_expense − carrier_recourse`, to the fen (docs/MONEY.md).
#[utoipa::path(get, path = "/api/v1/platform/money", tag = "payments", params(PeriodQuery),
    responses(
        (status = 200, description = "The period's money", body = PlatformMoney),
        (status = 400, description = "`invalid_query`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not the operator or platform finance", body = ErrorBody),
        (status = 422, description = "`validation_failed`: the period", body = ErrorBody),
    ))]
pub async fn platform_money(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<PeriodQuery>,
) -> ApiResult<Json<PlatformMoney>> {
    Ok(Json(orders.platform_money(&actor, q.from, q.to).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// First day (Asia/Shanghai), `YYYY-MM-DD`.
    pub from: NaiveDate,
    /// Last day, inclusive.
    pub to: NaiveDate,
}

/// How fast a seller acknowledges and ships paid orders (p50/p90, and the share acknowledged
/// within 10 minutes): members and the operator.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/fulfilment", tag = "orders", params(("id" = Uuid, Path), PeriodQuery),
    responses(
        (status = 200, description = "The report", body = FulfilmentReport),
        (status = 400, description = "`invalid_query`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`", body = ErrorBody),
        (status = 404, description = "`not_found`: not an id", body = ErrorBody),
        (status = 422, description = "`validation_failed`: the period", body = ErrorBody),
    ))]
pub async fn fulfilment(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(org): ApiPath<OrgId>,
    ApiQuery(q): ApiQuery<PeriodQuery>,
) -> ApiResult<Json<FulfilmentReport>> {
    Ok(Json(
        orders.fulfilment_report(&actor, org, q.from, q.to).await?,
    ))
}

/// Acknowledges many paid parts of the seller at once (selling members). Each item is done
/// on its own and answered on its own: a part of another seller is `not_found`, a part
/// already past acknowledgement `cannot_acknowledge`, a repeated id `duplicate`; the others
/// are done regardless.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/sub-orders/acknowledge", tag = "orders", params(("id" = Uuid, Path)),
    request_body = BulkAcknowledge,
    responses(
        (status = 200, description = "Each item's result, in the order given", body = BulkResult),
        (status = 400, description = "Unreadable: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not a selling member of this organisation: `forbidden`, `org_not_verified`, `cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found`: not an id", body = ErrorBody),
        (status = 413, description = "Body too large: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "No item or more than 100, or a wrongly typed body: `validation_failed`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody),
    ))]
pub async fn bulk_acknowledge(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    RequestLang(lang): RequestLang,
    ApiPath(org): ApiPath<OrgId>,
    ApiJson(req): ApiJson<BulkAcknowledge>,
) -> ApiResult<Json<BulkResult>> {
    Ok(Json(
        orders.bulk_acknowledge(&actor, org, &req, lang).await?,
    ))
}

/// Ships many parts of the seller at once, each with its own carrier and waybill (selling
/// members). Each item is done on its own and answered on its own, as one shipment would be
/// (`validation_failed` with its fields, `cannot_ship`, `not_found` for another seller's
/// part, `duplicate` for a repeated id); the others are done regardless.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/sub-orders/ship", tag = "orders", params(("id" = Uuid, Path)),
    request_body = BulkShip,
    responses(
        (status = 200, description = "Each item's result, in the order given", body = BulkResult),
        (status = 400, description = "Unreadable: `malformed_json`, `unreadable_body`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not a selling member of this organisation: `forbidden`, `org_not_verified`, `cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found`: not an id", body = ErrorBody),
        (status = 413, description = "Body too large: `payload_too_large`", body = ErrorBody),
        (status = 415, description = "Not JSON: `unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "No item or more than 100, or a wrongly typed body: `validation_failed`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody),
    ))]
pub async fn bulk_ship(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    RequestLang(lang): RequestLang,
    ApiPath(org): ApiPath<OrgId>,
    ApiJson(req): ApiJson<BulkShip>,
) -> ApiResult<Json<BulkResult>> {
    Ok(Json(orders.bulk_ship(&actor, org, &req, lang).await?))
}
