//! A seller's home: paid orders to acknowledge, parts past or near their ship-by deadline,
//! cancellation requests, claims awaiting the seller's answer (with the nearest deadline),
//! conversations with unread messages, and SKUs low on stock. Members of the organisation
//! and the operator only.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, Utc};
use farmgate_identity::AuthUser;
use farmgate_infra::Infra;
use farmgate_infra::http::error::ErrorBody;
use farmgate_infra::http::{ApiError, ApiPath, ApiResult};
use farmgate_kernel::id::OrgId;
use serde::Serialize;
use utoipa::ToSchema;

/// The seller's order work.
#[derive(Debug, Serialize, ToSchema)]
pub struct SellerOrders {
    /// Paid, not yet acknowledged (the list: status `paid`).
    pub new_paid: u64,
    /// When the oldest of those was paid (UTC).
    pub oldest_paid_at: Option<DateTime<Utc>>,
    /// Paid or acknowledged, past the ship-by deadline (the list: `ship_by=overdue`).
    pub ship_by_overdue: u64,
    /// Paid or acknowledged, to ship within `ship_by_soon_hours` (the list: `ship_by=soon`).
    pub ship_by_soon: u64,
    pub ship_by_soon_hours: i64,
    /// Buyers' cancellation requests waiting for an answer.
    pub cancel_requests: u64,
}

/// Claims waiting for the seller's answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct SellerClaims {
    /// Status `awaiting_seller`.
    pub awaiting_answer: u64,
    /// Of those, past the answer deadline.
    pub overdue: u64,
    /// The nearest answer deadline (UTC), possibly past.
    pub next_due: Option<DateTime<Utc>>,
}

/// Buyers waiting in the inbox.
#[derive(Debug, Serialize, ToSchema)]
pub struct SellerConversations {
    /// Conversations with messages no member has read.
    pub unread: u64,
}

/// Stock running out.
#[derive(Debug, Serialize, ToSchema)]
pub struct SellerStock {
    /// SKUs on sale with `low_stock_threshold` units or fewer (sold out included).
    pub low: u64,
    pub low_stock_threshold: i64,
}

/// A seller's work today.
#[derive(Debug, Serialize, ToSchema)]
pub struct SellerConsole {
    pub org_id: uuid::Uuid,
    /// When the counts were taken (UTC).
    pub at: DateTime<Utc>,
    pub orders: SellerOrders,
    pub claims: SellerClaims,
    pub conversations: SellerConversations,
    pub stock: SellerStock,
}

/// A seller's home: today's work as counts, each the length of a filtered list (members of
/// the organisation and the operator).
#[utoipa::path(get, path = "/api/v1/orgs/{id}/console", tag = "console", params(("id" = Uuid, Path)),
    responses(
        (status = 200, description = "The counts", body = SellerConsole),
        (status = 401, description = "Not logged in: `unauthenticated`", body = ErrorBody),
        (status = 403, description = "Not a member of this organisation (nor the operator): `forbidden`", body = ErrorBody),
        (status = 404, description = "No such organisation (or not an id): `not_found`", body = ErrorBody),
        (status = 500, description = "Our failure: `internal`", body = ErrorBody)))]
#[tracing::instrument(skip_all, fields(org.id = %org))]
pub async fn seller_console(
    State(infra): State<Infra>,
    AuthUser(actor): AuthUser,
    ApiPath(org): ApiPath<OrgId>,
) -> ApiResult<Json<SellerConsole>> {
    actor.require_member_or_operator(org)?;
    let db = &infra.db;
    if !farmgate_identity::read::console::org_exists(db, org).await? {
        return Err(ApiError::not_found("没有这个组织", "no such organisation"));
    }
    let now = infra.clock.now();
    let o = farmgate_orders::read::console::seller_orders(db, org, now).await?;
    let c = farmgate_aftersales::read::console::seller_claims(db, org, now).await?;
    let unread = farmgate_desk::read::console::seller_conversations(db, org).await?;
    let low = farmgate_catalog::read::console::low_stock(db, org).await?;
    Ok(Json(SellerConsole {
        org_id: org.as_uuid(),
        at: now,
        orders: SellerOrders {
            new_paid: o.new_paid,
            oldest_paid_at: o.oldest_paid_at,
            ship_by_overdue: o.ship_by_overdue,
            ship_by_soon: o.ship_by_soon,
            ship_by_soon_hours: farmgate_orders::read::console::SHIP_BY_SOON.num_hours(),
            cancel_requests: o.cancel_requests,
        },
        claims: SellerClaims {
            awaiting_answer: c.count,
            overdue: c.overdue,
            next_due: c.next_due,
        },
        conversations: SellerConversations { unread },
        stock: SellerStock {
            low,
            low_stock_threshold: farmgate_catalog::read::console::LOW_STOCK,
        },
    }))
}
