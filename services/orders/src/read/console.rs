//! What the back-office consoles (the seller's and the operator's home, served by the server's
//! `console` module) read of orders, and why: each home shows today's work as counts that link
//! to the filtered list, so these are counts and oldest times, never rows.
//!
//! - [`seller_orders`]: one seller's paid sub-orders still to acknowledge, those past or near
//!   their ship-by deadline, and the buyers' open cancellation requests.
//! - [`platform_orders`]: the same across every seller (sub-orders left unacknowledged longer
//!   than the seed practice's ten minutes, and past ship-by), the open reconciliation
//!   differences and the unresolved review reports the operator moderates.
//!
//! Nothing here writes, and no buyer's personal data is read.

use crate::domain::{CancelRequestStatus, SubOrderStatus};
use crate::store::{recon_difference, review_report, sub_order};
use chrono::{DateTime, Duration, Utc};
use farmgate_kernel::id::OrgId;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};

/// How long before its ship-by deadline a part counts as "near" (the seller's home warns).
pub const SHIP_BY_SOON: Duration = Duration::hours(12);

/// How long a paid part may wait for its seller's acknowledgement before the operator's home
/// counts it (the seed practice: contact the buyer within ten minutes).
pub const ACKNOWLEDGE_WITHIN: Duration = Duration::minutes(10);

/// The statuses a part waits to ship in.
const TO_SHIP: [SubOrderStatus; 2] = [SubOrderStatus::Paid, SubOrderStatus::Acknowledged];

/// One seller's order work.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SellerOrders {
    /// Paid, not yet acknowledged.
    pub new_paid: u64,
    /// When the oldest of those was paid.
    pub oldest_paid_at: Option<DateTime<Utc>>,
    /// Paid or acknowledged, its ship-by deadline passed.
    pub ship_by_overdue: u64,
    /// Paid or acknowledged, due to ship within [`SHIP_BY_SOON`].
    pub ship_by_soon: u64,
    /// Buyers' cancellation requests waiting for the seller's answer.
    pub cancel_requests: u64,
}

/// The counts that concern a seller (`None`: every seller).
async fn counts(
    conn: &impl ConnectionTrait,
    seller: Option<OrgId>,
    now: DateTime<Utc>,
) -> Result<SellerOrders, DbErr> {
    let of_seller = || {
        let mut c = Condition::all();
        if let Some(org) = seller {
            c = c.add(sub_order::Column::SellerOrgId.eq(org.as_uuid()));
        }
        c
    };
    let paid = sub_order::Entity::find()
        .filter(of_seller())
        .filter(sub_order::Column::Status.eq(SubOrderStatus::Paid));
    let new_paid = paid.clone().count(conn).await?;
    let oldest_paid_at = paid
        .filter(sub_order::Column::PaidAt.is_not_null())
        .order_by_asc(sub_order::Column::PaidAt)
        .limit(1)
        .one(conn)
        .await?
        .and_then(|s| s.paid_at);
    let to_ship = || {
        sub_order::Entity::find()
            .filter(of_seller())
            .filter(sub_order::Column::Status.is_in(TO_SHIP))
    };
    let ship_by_overdue = to_ship()
        .filter(sub_order::Column::ShipBy.lt(now))
        .count(conn)
        .await?;
    let ship_by_soon = to_ship()
        .filter(sub_order::Column::ShipBy.gte(now))
        .filter(sub_order::Column::ShipBy.lt(now + SHIP_BY_SOON))
        .count(conn)
        .await?;
    let cancel_requests = sub_order::Entity::find()
        .filter(of_seller())
        .filter(sub_order::Column::CancelRequest.eq(CancelRequestStatus::Open))
        .count(conn)
        .await?;
    Ok(SellerOrders {
        new_paid,
        oldest_paid_at,
        ship_by_overdue,
        ship_by_soon,
        cancel_requests,
    })
}

/// One seller's order work at `now`.
pub async fn seller_orders(
    conn: &impl ConnectionTrait,
    seller: OrgId,
    now: DateTime<Utc>,
) -> Result<SellerOrders, DbErr> {
    counts(conn, Some(seller), now).await
}

/// The platform's order work.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PlatformOrders {
    /// Every seller's counts together.
    pub all: SellerOrders,
    /// Paid parts unacknowledged for longer than [`ACKNOWLEDGE_WITHIN`].
    pub unacknowledged_late: u64,
    /// Open payment-reconciliation differences.
    pub reconciliation_differences: u64,
    /// Reported reviews not yet hidden or kept (distinct reviews).
    pub review_reports: u64,
    /// When the oldest open report was made.
    pub oldest_review_report_at: Option<DateTime<Utc>>,
}

/// The platform's order work at `now`.
pub async fn platform_orders(
    conn: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> Result<PlatformOrders, DbErr> {
    let all = counts(conn, None, now).await?;
    let unacknowledged_late = sub_order::Entity::find()
        .filter(sub_order::Column::Status.eq(SubOrderStatus::Paid))
        .filter(sub_order::Column::PaidAt.lt(now - ACKNOWLEDGE_WITHIN))
        .count(conn)
        .await?;
    let reconciliation_differences = recon_difference::Entity::find()
        .filter(recon_difference::Column::Resolved.eq(false))
        .count(conn)
        .await?;
    let open = || review_report::Entity::find().filter(review_report::Column::ResolvedAt.is_null());
    let review_reports = open()
        .select_only()
        .column(review_report::Column::ReviewId)
        .distinct()
        .into_tuple::<uuid::Uuid>()
        .all(conn)
        .await?
        .len() as u64;
    let oldest_review_report_at = open()
        .order_by_asc(review_report::Column::CreatedAt)
        .limit(1)
        .one(conn)
        .await?
        .map(|r| r.created_at);
    Ok(PlatformOrders {
        all,
        unacknowledged_late,
        reconciliation_differences,
        review_reports,
        oldest_review_report_at,
    })
}
