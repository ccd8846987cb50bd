//! Pre-sales (订单农业, issue #22): a seller opens and closes them; anyone reads them; a buyer
//! reserves and pays the deposit like any order (`POST /orders/{deposit_order_id}/pay`).

use super::{PageQuery, header};
use crate::Orders;
use crate::domain::presale::{BALANCE_RULE, PresaleStatus, ReservationStatus, deposit_fen};
use crate::service::{HarvestRequest, OpenPresaleRequest, ReserveRequest, Reserved, VolumeRow};
use crate::store::presale;
use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use chrono::{DateTime, NaiveDate, Utc};
use farmgate_identity::AuthUser;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiJson, ApiPath, ApiQuery, ApiResult};
use farmgate_kernel::Paged;
use farmgate_kernel::id::{ListingId, OrderId, OrgId, SkuId};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// A pre-sale as everyone sees it: its terms (the cancellation rules before reserving) and how
/// much is left.
#[derive(Debug, Serialize, ToSchema)]
pub struct PresaleView {
    pub id: Uuid,
    pub seller_org_id: OrgId,
    pub listing_id: ListingId,
    pub sku_id: SkuId,
    /// The listing's title and SKU name when opened.
    pub title: String,
    /// The unit quantities count in (斤, 箱 …).
    pub unit: String,
    /// Where it grows: the listing's township (乡镇), and the plot.
    pub township: String,
    pub plot: String,
    /// The expected harvest window (Shanghai dates).
    pub harvest_from: NaiveDate,
    pub harvest_to: NaiveDate,
    pub expected_yield: i64,
    pub max_quantity: i64,
    /// Held by reservations not cancelled (paid or waiting for their deposit).
    pub reserved_quantity: i64,
    /// What can still be reserved.
    pub remaining: i64,
    /// Fen per unit.
    pub price_fen: i64,
    pub deposit_percent: i32,
    /// The deposit of one unit, fen (a reservation's deposit is computed on its whole
    /// quantity, rounded half up, at least one fen).
    pub unit_deposit_fen: i64,
    pub cancellation_rules: String,
    /// The platform's rule for the balance, shown with the seller's rules before reserving:
    /// unpaid by its deadline (72 h after harvest), the reservation is cancelled and the
    /// deposit kept; a failed inspection refunds deposit and balance in full.
    pub balance_rule_zh: &'static str,
    pub balance_rule_en: &'static str,
    /// `open`, `closed`, `harvested`, or `cancelled` (the linked batch failed an inspection).
    pub status: PresaleStatus,
    /// At harvest: the real batch, its trace code (`/t/{code}`) and the actual yield.
    pub batch_id: Option<Uuid>,
    pub batch_code: Option<String>,
    pub actual_yield: Option<i64>,
    pub harvested_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl PresaleView {
    fn of(p: &presale::Model) -> Self {
        Self {
            id: p.id,
            seller_org_id: OrgId(p.seller_org_id),
            listing_id: ListingId(p.listing_id),
            sku_id: SkuId(p.sku_id),
            title: p.title.clone(),
            unit: p.unit.clone(),
            township: p.township.clone(),
            plot: p.plot.clone(),
            harvest_from: p.harvest_from,
            harvest_to: p.harvest_to,
            expected_yield: p.expected_yield,
            max_quantity: p.max_quantity,
            reserved_quantity: p.reserved_quantity,
            remaining: (p.max_quantity - p.reserved_quantity).max(0),
            price_fen: p.price_fen,
            deposit_percent: p.deposit_percent,
            unit_deposit_fen: deposit_fen(p.price_fen, 1, p.deposit_percent),
            cancellation_rules: p.cancellation_rules.clone(),
            balance_rule_zh: BALANCE_RULE.0,
            balance_rule_en: BALANCE_RULE.1,
            status: p.status,
            batch_id: p.batch_id,
            batch_code: p.batch_code.clone(),
            actual_yield: p.actual_yield,
            harvested_at: p.harvested_at,
            created_at: p.created_at,
        }
    }
}

/// A buyer's reservation.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReservationView {
    pub id: Uuid,
    pub quantity: i64,
    /// Fen: what the deposit order asks.
    pub deposit_fen: i64,
    /// The order the deposit is paid through (`POST /api/v1/orders/{id}/pay`).
    pub deposit_order_id: OrderId,
    /// `pending` (deposit unpaid), `reserved` (paid) or `cancelled` (unpaid, lapsed); after
    /// harvest `balance_due`, `balance_paid` (the seller ships it), `unfilled` (nothing
    /// filled: the deposit came back), `forfeited` (balance unpaid by its deadline: the
    /// deposit kept) or `refunded` (the batch failed its inspection, or the seller did not
    /// ship: everything paid came back).
    pub status: ReservationStatus,
    /// At harvest: what the actual yield filled (first come) and the deposit refunded for the
    /// rest (fen).
    pub filled_quantity: i64,
    pub shortfall_refund_fen: i64,
    /// At harvest, when something was filled: the order the balance is paid through
    /// (`POST /api/v1/orders/{id}/pay`, by its `pay_by`) and shipped as, and what it asks:
    /// price × filled − the deposit kept, fen.
    pub balance_order_id: Option<OrderId>,
    pub balance_fen: i64,
    pub created_at: DateTime<Utc>,
    pub presale: PresaleView,
}

impl ReservationView {
    fn of(r: &Reserved) -> Self {
        let v = &r.reservation;
        Self {
            id: v.id,
            quantity: v.quantity,
            deposit_fen: v.deposit_fen,
            deposit_order_id: OrderId(v.deposit_order_id),
            status: v.status,
            filled_quantity: v.filled_quantity,
            shortfall_refund_fen: v.shortfall_refund_fen,
            balance_order_id: v.balance_order_id.map(OrderId),
            balance_fen: v.balance_fen,
            created_at: v.created_at,
            presale: PresaleView::of(&r.presale),
        }
    }
}

/// Open a pre-sale of one of the organisation's SKUs for a planned harvest: a selling member
/// of the verified organisation, or the operator on its behalf.
#[utoipa::path(post, path = "/api/v1/orgs/{id}/presales", tag = "presales", params(("id" = Uuid, Path)),
    request_body = OpenPresaleRequest,
    responses(
        (status = 201, description = "Opened", body = PresaleView),
        (status = 400, description = "`malformed_json`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`, `cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found`: not an id", body = ErrorBody),
        (status = 409, description = "`org_not_verified`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "`validation_failed`: *sku_id* (`not_found`: not the organisation's SKU on sale), a term out of range", body = ErrorBody),
    ))]
pub async fn open_presale(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(org): ApiPath<OrgId>,
    ApiJson(req): ApiJson<OpenPresaleRequest>,
) -> ApiResult<(StatusCode, Json<PresaleView>)> {
    let p = orders.open_presale(&actor, org, &req).await?;
    Ok((StatusCode::CREATED, Json(PresaleView::of(&p))))
}

/// An organisation's pre-sales, newest first: its members and the operator.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/presales", tag = "presales", params(("id" = Uuid, Path), PageQuery),
    responses(
        (status = 200, description = "A page of pre-sales", body = Paged<PresaleView>),
        (status = 400, description = "`invalid_query`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`", body = ErrorBody),
        (status = 404, description = "`not_found`: not an id", body = ErrorBody),
    ))]
pub async fn org_presales(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(org): ApiPath<OrgId>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<Paged<PresaleView>>> {
    let page = orders.presales_of_org(&actor, org, q.page()).await?;
    Ok(Json(page.map(|p| PresaleView::of(&p))))
}

/// Pre-sold volume of an organisation ("plant to demand"): per product and harvest month, what
/// is planned and what buyers put a paid deposit on. Its members and the operator.
#[utoipa::path(get, path = "/api/v1/orgs/{id}/presales/volume", tag = "presales", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "One row per product and harvest month", body = Vec<VolumeRow>),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`: not a member of the organisation, nor the operator", body = ErrorBody),
        (status = 404, description = "`not_found`: not an id", body = ErrorBody),
    ))]
pub async fn presale_volume(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(org): ApiPath<OrgId>,
) -> ApiResult<Json<Vec<VolumeRow>>> {
    Ok(Json(orders.presale_volume(&actor, org).await?))
}

/// The open pre-sales, newest first (public).
#[utoipa::path(get, path = "/api/v1/presales", tag = "presales", params(PageQuery),
    responses(
        (status = 200, description = "A page of open pre-sales", body = Paged<PresaleView>),
        (status = 400, description = "`invalid_query`", body = ErrorBody),
    ))]
pub async fn open_presales(
    State(orders): State<Orders>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<Paged<PresaleView>>> {
    let page = orders.open_presales(q.page()).await?;
    Ok(Json(page.map(|p| PresaleView::of(&p))))
}

/// One pre-sale with its terms (public).
#[utoipa::path(get, path = "/api/v1/presales/{id}", tag = "presales", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The pre-sale", body = PresaleView),
        (status = 404, description = "`not_found`", body = ErrorBody),
    ))]
pub async fn get_presale(
    State(orders): State<Orders>,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<PresaleView>> {
    Ok(Json(PresaleView::of(&orders.presale(id).await?)))
}

/// Close a pre-sale to new reservations (those made stand): its seller or the operator.
/// Closing a closed one returns it as is.
#[utoipa::path(post, path = "/api/v1/presales/{id}/close", tag = "presales", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "Closed", body = PresaleView),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`, `cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "`org_not_verified`", body = ErrorBody),
    ))]
pub async fn close_presale(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<PresaleView>> {
    Ok(Json(PresaleView::of(
        &orders.close_presale(&actor, id).await?,
    )))
}

/// Reserve a quantity for oneself: the capacity is taken at once (never past the maximum) and
/// a deposit order written, paid like any order (`POST /api/v1/orders/{deposit_order_id}/pay`);
/// unpaid by its deadline, it expires and the quantity goes back. Send an `Idempotency-Key`: a
/// retry returns the same reservation.
#[utoipa::path(post, path = "/api/v1/presales/{id}/reservations", tag = "presales", params(("id" = Uuid, Path), ("Idempotency-Key" = Option<String>, Header)),
    request_body = ReserveRequest,
    responses(
        (status = 201, description = "Reserved (or the reservation a retry's key made)", body = ReservationView),
        (status = 400, description = "`malformed_json`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden` (a member of the selling organisation), `cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "Conflict: `presale_full` (less is left), `presale_closed`, `online_payment_unavailable`, `idempotency_key_reused`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "`validation_failed`: *quantity* (1–9,999), *address_id* (not one of the buyer's), *payment_method* (restricted: this account pays online only), *Idempotency-Key* (too long)", body = ErrorBody),
    ))]
pub async fn reserve(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    headers: HeaderMap,
    ApiJson(req): ApiJson<ReserveRequest>,
) -> ApiResult<(StatusCode, Json<ReservationView>)> {
    let key = header(&headers, "idempotency-key");
    let r = orders.reserve(&actor, id, &req, key).await?;
    Ok((StatusCode::CREATED, Json(ReservationView::of(&r))))
}

/// The caller's own reservations, newest first.
#[utoipa::path(get, path = "/api/v1/me/reservations", tag = "presales", params(PageQuery),
    responses(
        (status = 200, description = "A page of reservations", body = Paged<ReservationView>),
        (status = 400, description = "`invalid_query`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
    ))]
pub async fn my_reservations(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<Paged<ReservationView>>> {
    let page = orders.my_reservations(&actor, q.page()).await?;
    Ok(Json(page.map(|r| ReservationView::of(&r))))
}

/// Harvest: link the real batch (of the pre-sale's listing, with a passed inspection) and the
/// actual yield, once. The paid reservations are filled first come; the deposit of every part
/// not filled is refunded at once (seller-liable), exactly once however often this is sent;
/// each filled reservation is billed its balance as an order of its own (`balance_order_id`),
/// due `presale_balance_pay_hours` (72) later, which the seller ships from this batch once
/// paid. Should the batch later fail an inspection, the pre-sale is cancelled and every
/// deposit and unshipped balance refunded.
#[utoipa::path(post, path = "/api/v1/presales/{id}/harvest", tag = "presales", params(("id" = Uuid, Path)),
    request_body = HarvestRequest,
    responses(
        (status = 200, description = "Harvested", body = PresaleView),
        (status = 400, description = "`malformed_json`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`, `cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "Conflict: `already_harvested`, `deposits_pending` (a deposit neither paid nor lapsed), `concurrent_update`, `org_not_verified`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "`validation_failed`: *actual_yield* out of range; *batch_id* that may not ship (not_found, wrong_listing, batch_recalled, batch_blocked, not_inspected, chain_broken)", body = ErrorBody),
    ))]
pub async fn harvest(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<HarvestRequest>,
) -> ApiResult<Json<PresaleView>> {
    Ok(Json(PresaleView::of(
        &orders.harvest(&actor, id, &req).await?,
    )))
}
