//! Requests for quotation (询价 → 报价 → 订单, issue #22): a business buyer posts, closes and
//! accepts; invited sellers quote, revise and withdraw. An acceptance answers with the order it
//! placed, paid like any order (`POST /api/v1/orders/{id}/pay`).

use super::PageQuery;
use super::views::OrderView;
use crate::Orders;
use crate::domain::Address;
use crate::domain::rfq::{QuoteState, RfqStatus};
use crate::service::{AcceptQuoteRequest, PostRfqRequest, QuoteDetail, RfqDetail, RfqQuoteRequest};
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::{DateTime, NaiveDate, Utc};
use farmgate_identity::AuthUser;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiJson, ApiPath, ApiQuery, ApiResult};
use farmgate_kernel::Paged;
use farmgate_kernel::id::{CategoryId, ListingId, OrderId, OrgId, SkuId};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// A quote: the buyer sees every quote on its RFQ, a seller only its own.
#[derive(Debug, Serialize, ToSchema)]
pub struct RfqQuoteView {
    pub id: Uuid,
    pub rfq_id: Uuid,
    pub seller_org_id: OrgId,
    pub seller_name: String,
    /// The SKU the order will be of, its listing title and SKU name, and its unit.
    pub sku_id: SkuId,
    pub title: String,
    pub unit: String,
    /// Fen per unit, the price the order's line carries.
    pub unit_price_fen: i64,
    pub quantity: i64,
    /// `unit_price_fen × quantity`, fen.
    pub total_fen: i64,
    pub expires_at: DateTime<Utc>,
    pub note: Option<String>,
    /// `open`, `expired` (open past `expires_at`), `withdrawn` or `accepted`.
    pub state: QuoteState,
    /// Moves on with each revision.
    pub version: i32,
    /// The order the acceptance placed.
    pub order_id: Option<OrderId>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl RfqQuoteView {
    fn of(d: &QuoteDetail) -> Self {
        let q = &d.quote;
        Self {
            id: q.id,
            rfq_id: q.rfq_id,
            seller_org_id: OrgId(q.seller_org_id),
            seller_name: d.seller_name.clone(),
            sku_id: SkuId(q.sku_id),
            title: q.title.clone(),
            unit: q.unit.clone(),
            unit_price_fen: q.unit_price_fen,
            quantity: q.quantity,
            total_fen: q.unit_price_fen.saturating_mul(q.quantity),
            expires_at: q.expires_at,
            note: q.note.clone(),
            state: d.state,
            version: q.version,
            order_id: q.order_id.map(OrderId),
            accepted_at: q.accepted_at,
            created_at: q.created_at,
            updated_at: q.updated_at,
        }
    }
}

/// A seller an RFQ was sent to.
#[derive(Debug, Serialize, ToSchema)]
pub struct RfqSellerView {
    pub id: OrgId,
    pub name: String,
}

/// An RFQ as the viewer may see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct RfqView {
    pub id: Uuid,
    /// `XJ` + Beijing date + 8 digits.
    pub number: String,
    pub buyer_org_id: OrgId,
    pub buyer_name: String,
    pub category_id: CategoryId,
    /// The category's names (zh-CN, English).
    pub category_name: Option<String>,
    pub category_name_en: Option<String>,
    pub listing_id: Option<ListingId>,
    pub title: String,
    pub quantity: i64,
    pub unit: String,
    pub quality: Option<String>,
    pub deliver_from: NaiveDate,
    pub deliver_to: NaiveDate,
    /// Where to deliver; a seller sees province, city and district only (the rest empty).
    pub place: Address,
    pub closes_at: DateTime<Utc>,
    /// Whether invited sellers may still quote.
    pub quoting_open: bool,
    /// Sent to every seller listing in the category (else to chosen ones).
    pub whole_category: bool,
    pub status: RfqStatus,
    /// The viewer is of the buyer.
    pub as_buyer: bool,
    /// The sellers asked (the buyer only; empty for a seller).
    pub sellers: Vec<RfqSellerView>,
    /// Every quote for the buyer; a seller's own for a seller.
    pub quotes: Vec<RfqQuoteView>,
    pub created_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

impl RfqView {
    fn of(d: &RfqDetail) -> Self {
        let r = &d.rfq;
        Self {
            id: r.id,
            number: r.number.clone(),
            buyer_org_id: OrgId(r.buyer_org_id),
            buyer_name: d.buyer_name.clone(),
            category_id: CategoryId(r.category_id),
            category_name: d.category_name.as_ref().map(|c| c.0.clone()),
            category_name_en: d.category_name.as_ref().map(|c| c.1.clone()),
            listing_id: r.listing_id.map(ListingId),
            title: r.title.clone(),
            quantity: r.quantity,
            unit: r.unit.clone(),
            quality: r.quality.clone(),
            deliver_from: r.deliver_from,
            deliver_to: r.deliver_to,
            place: d.place(),
            closes_at: r.closes_at,
            quoting_open: d.quoting_open(),
            whole_category: r.whole_category,
            status: r.status,
            as_buyer: d.as_buyer,
            sellers: d
                .sellers
                .iter()
                .map(|(id, name)| RfqSellerView {
                    id: *id,
                    name: name.clone(),
                })
                .collect(),
            quotes: d.quotes.iter().map(RfqQuoteView::of).collect(),
            created_at: r.created_at,
            closed_at: r.closed_at,
        }
    }
}

/// Post an RFQ: an owner, manager or purchaser of a verified business buyer. It goes to the
/// chosen verified sellers, or to every seller with an approved listing in the category; each
/// seller's members are told.
#[utoipa::path(post, path = "/api/v1/rfqs", tag = "rfqs", request_body = PostRfqRequest,
    responses(
        (status = 201, description = "Posted", body = RfqView),
        (status = 400, description = "`malformed_json`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden` (not ordering for a verified business buyer), `cross_site_request`, `read_only`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "`validation_failed`: *title*, *quantity*, *unit*, *quality*, *deliver_from*, *deliver_to*, *closes_at* out of range; *address_id*, *category_id*, *listing_id* not found; *sellers* (not_found: not a verified seller; none; too_many)", body = ErrorBody),
    ))]
pub async fn post_rfq(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiJson(req): ApiJson<PostRfqRequest>,
) -> ApiResult<(StatusCode, Json<RfqView>)> {
    let d = orders.post_rfq(&actor, &req).await?;
    Ok((StatusCode::CREATED, Json(RfqView::of(&d))))
}

/// An organisation's RFQs, newest first, for its members: a business buyer's own (with every
/// quote), or those sent to a seller (with its own quotes).
#[utoipa::path(get, path = "/api/v1/orgs/{id}/rfqs", tag = "rfqs", params(("id" = Uuid, Path), PageQuery),
    responses(
        (status = 200, description = "A page of RFQs", body = Paged<RfqView>),
        (status = 400, description = "`invalid_query`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden`", body = ErrorBody),
        (status = 404, description = "`not_found`: not an id", body = ErrorBody),
    ))]
pub async fn org_rfqs(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(org): ApiPath<OrgId>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<Json<Paged<RfqView>>> {
    let page = orders.rfqs_of_org(&actor, org, q.page()).await?;
    Ok(Json(page.map(|d| RfqView::of(&d))))
}

/// One RFQ: for the buyer's members (every quote) and the invited sellers' (their own quotes).
#[utoipa::path(get, path = "/api/v1/rfqs/{id}", tag = "rfqs", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The RFQ", body = RfqView),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 404, description = "`not_found` (also when it is not the caller's to see)", body = ErrorBody),
    ))]
pub async fn get_rfq(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<RfqView>> {
    Ok(Json(RfqView::of(&orders.rfq_for(&actor, id).await?)))
}

/// Close an RFQ: no more quotes or acceptances (orders placed stand). Closing a closed one
/// returns it as is.
#[utoipa::path(post, path = "/api/v1/rfqs/{id}/close", tag = "rfqs", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "Closed", body = RfqView),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden` (the buyer's staff), `cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
    ))]
pub async fn close_rfq(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<RfqView>> {
    Ok(Json(RfqView::of(&orders.close_rfq(&actor, id).await?)))
}

/// Quote on an RFQ the caller's organisation was sent, while quoting is open: one of its SKUs
/// on sale, a unit price, the quantity it can supply, until when. The buyer is told.
#[utoipa::path(post, path = "/api/v1/rfqs/{id}/quotes", tag = "rfqs", params(("id" = Uuid, Path)),
    request_body = RfqQuoteRequest,
    responses(
        (status = 201, description = "Quoted", body = RfqQuoteView),
        (status = 400, description = "`malformed_json`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden` (the buyer itself), `cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found` (also when it was not sent to the caller's organisation)", body = ErrorBody),
        (status = 409, description = "`rfq_closed`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "`validation_failed`: *sku_id* (not_found: not a SKU on sale of an invited organisation of the caller; other_category: not in the RFQ's category or a sub-category of it), *unit_price_fen*, *quantity*, *expires_at*, *note* out of range", body = ErrorBody),
    ))]
pub async fn quote_rfq(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<RfqQuoteRequest>,
) -> ApiResult<(StatusCode, Json<RfqQuoteView>)> {
    let q = orders.quote_rfq(&actor, id, &req).await?;
    Ok((StatusCode::CREATED, Json(RfqQuoteView::of(&q))))
}

/// Revise an open quote (the seller's members) while the RFQ is open; its version moves on.
#[utoipa::path(put, path = "/api/v1/rfq-quotes/{id}", tag = "rfqs", params(("id" = Uuid, Path)),
    request_body = RfqQuoteRequest,
    responses(
        (status = 200, description = "Revised", body = RfqQuoteView),
        (status = 400, description = "`malformed_json`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "`quote_closed` (accepted, withdrawn or revised meanwhile), `quote_expired`, `rfq_closed`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "`validation_failed`: as for a new quote", body = ErrorBody),
    ))]
pub async fn revise_quote(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<RfqQuoteRequest>,
) -> ApiResult<Json<RfqQuoteView>> {
    Ok(Json(RfqQuoteView::of(
        &orders.revise_quote(&actor, id, &req).await?,
    )))
}

/// Withdraw an open (or expired) quote, until it is accepted.
#[utoipa::path(post, path = "/api/v1/rfq-quotes/{id}/withdraw", tag = "rfqs", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "Withdrawn", body = RfqQuoteView),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
        (status = 409, description = "`quote_closed` (accepted or withdrawn already)", body = ErrorBody),
    ))]
pub async fn withdraw_quote(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<RfqQuoteView>> {
    Ok(Json(RfqQuoteView::of(
        &orders.withdraw_quote(&actor, id).await?,
    )))
}

/// Accept a quote (an owner, manager or purchaser of the buyer): an ordinary order of the
/// quoted SKU and quantity at the quoted unit price, stock taken, waiting for approval above
/// the owner's limit like any order, paid as usual. Accepted once: a second acceptance, also
/// at the same moment, answers `quote_closed`.
#[utoipa::path(post, path = "/api/v1/rfq-quotes/{id}/accept", tag = "rfqs", params(("id" = Uuid, Path)),
    request_body = AcceptQuoteRequest,
    responses(
        (status = 201, description = "The order placed", body = OrderView),
        (status = 400, description = "`malformed_json`", body = ErrorBody),
        (status = 401, description = "`unauthenticated`", body = ErrorBody),
        (status = 403, description = "`forbidden` (the buyer's staff), `cross_site_request`, `read_only`", body = ErrorBody),
        (status = 404, description = "`not_found` (also another organisation's quote)", body = ErrorBody),
        (status = 409, description = "Conflict: `quote_closed`, `quote_expired`, `rfq_closed`, `sold_out`, `unavailable`, `online_payment_unavailable`", body = ErrorBody),
        (status = 415, description = "`unsupported_media_type`", body = ErrorBody),
        (status = 422, description = "`validation_failed`: *address_id* (not one of the caller's), *note*, *payment_method* (restricted)", body = ErrorBody),
    ))]
pub async fn accept_quote(
    State(orders): State<Orders>,
    AuthUser(actor): AuthUser,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<AcceptQuoteRequest>,
) -> ApiResult<(StatusCode, Json<OrderView>)> {
    let record = orders.accept_quote(&actor, id, &req).await?;
    Ok((StatusCode::CREATED, Json(OrderView::of(&record, &actor))))
}
