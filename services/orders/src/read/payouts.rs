//! What finance (`farmgate-finance`, the payouts) reads of orders, and why. A sub-order's money
//! joins its seller's next payout once it is received and its after-sales window has closed;
//! finance asks which sub-orders those are and what each is worth to its seller, and keeps for
//! itself which of them an active payout already holds.
//!
//! - [`payable_sub_orders`]: the received sub-orders whose after-sales window closed at or
//!   before an instant, of one seller or of all, each with what is payable to its seller as the
//!   settlement statement computes it ([`crate::service::settlement::line_of`]: total − refunds
//!   charged to the seller − commission after refunds). The payable follows the statement,
//!   whatever rule the statement applies to refunds.
//! - [`sub_orders_by_id`]: the same lines for given sub-orders (a seller's payout shows them).
//!
//! - [`refund_sub_order`]: the sub-order a refund was charged on (a refund after a payout is
//!   taken back from the seller's next one).
//! - [`refunds_taken_back`]: those refunds as a payout itemises them (the sub-order's number,
//!   the refund's reason and when it was made).
//!
//! Nothing here writes.

use crate::domain::{PayoutState, SubOrderStatus};
use crate::service::settlement::line_of;
use crate::store::sub_order;
use chrono::{DateTime, Utc};
use farmgate_kernel::Money;
use farmgate_kernel::id::{OrderId, OrgId, SubOrderId};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

/// Ids per `IN (…)` list, far below SQLite's limit of 32 766 bound parameters.
const CHUNK: usize = 1_000;

/// A sub-order as a payout sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PayableSubOrder {
    pub id: SubOrderId,
    pub order_id: OrderId,
    /// The sub-order's number (`202612061234567-1`).
    pub number: String,
    pub seller: OrgId,
    pub received_at: Option<DateTime<Utc>>,
    pub window_closes_at: Option<DateTime<Utc>>,
    /// What the buyer paid for it (goods and shipping).
    pub total: Money,
    /// Refunded so far.
    pub refunded: Money,
    /// The platform's commission after refunds.
    pub commission: Money,
    /// What is owed to the seller for it.
    pub payable: Money,
    /// Whether its window had closed at the instant asked about (always true from
    /// [`payable_sub_orders`]).
    pub window_closed: bool,
}

fn of(s: &sub_order::Model, at: DateTime<Utc>) -> PayableSubOrder {
    let line = line_of(s, at);
    PayableSubOrder {
        id: SubOrderId(s.id),
        order_id: OrderId(s.order_id),
        number: s.number.clone(),
        seller: OrgId(s.seller_org_id),
        received_at: s.received_at,
        window_closes_at: s.window_closes_at,
        total: Money::from_fen(line.total),
        refunded: Money::from_fen(line.refunded),
        commission: Money::from_fen(line.commission),
        payable: Money::from_fen(line.payable),
        window_closed: line.state == PayoutState::Payable,
    }
}

/// The received sub-orders of `seller` (or of every seller) whose after-sales window closed
/// at or before `closed_by`, with something payable (a sub-order refunded in full owes its
/// seller nothing), oldest window first. The caller removes those an active payout holds.
pub async fn payable_sub_orders(
    conn: &impl ConnectionTrait,
    seller: Option<OrgId>,
    closed_by: DateTime<Utc>,
) -> Result<Vec<PayableSubOrder>, DbErr> {
    let mut q = sub_order::Entity::find()
        .filter(
            sub_order::Column::Status
                .is_in(SubOrderStatus::ALL.iter().copied().filter(|s| s.settles())),
        )
        .filter(sub_order::Column::WindowClosesAt.is_not_null())
        .filter(sub_order::Column::WindowClosesAt.lte(closed_by));
    if let Some(org) = seller {
        q = q.filter(sub_order::Column::SellerOrgId.eq(org.as_uuid()));
    }
    let rows = q
        .order_by_asc(sub_order::Column::WindowClosesAt)
        .order_by_asc(sub_order::Column::Id)
        .all(conn)
        .await?;
    Ok(rows
        .iter()
        .map(|s| of(s, closed_by))
        .filter(|p| p.window_closed && p.payable.fen() > 0)
        .collect())
}

/// These sub-orders as a payout shows them, as of `now` (unknown ids are left out), in the
/// order of `ids`.
pub async fn sub_orders_by_id(
    conn: &impl ConnectionTrait,
    ids: &[SubOrderId],
    now: DateTime<Utc>,
) -> Result<Vec<PayableSubOrder>, DbErr> {
    let mut found = std::collections::HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        let rows = sub_order::Entity::find()
            .filter(sub_order::Column::Id.is_in(chunk.iter().map(|i| i.0)))
            .all(conn)
            .await?;
        for s in rows {
            found.insert(s.id, of(&s, now));
        }
    }
    Ok(ids.iter().filter_map(|i| found.remove(&i.0)).collect())
}

/// The sub-order a refund was recorded on (`None`: no such refund, or a stray payment given
/// back, which belongs to no sale).
pub async fn refund_sub_order(
    conn: &impl ConnectionTrait,
    id: farmgate_kernel::id::RefundId,
) -> Result<Option<SubOrderId>, DbErr> {
    Ok(crate::store::refund::Entity::find_by_id(id.0)
        .one(conn)
        .await?
        .and_then(|r| r.sub_order_id.map(SubOrderId)))
}

/// A refund as a payout that takes it back shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefundNote {
    pub id: farmgate_kernel::id::RefundId,
    pub sub_order: Option<SubOrderId>,
    /// The sub-order's number (`202612061234567-1`), empty for a stray payment given back.
    pub number: String,
    /// Why it was refunded (the claim's or the operator's words).
    pub reason: String,
    pub at: DateTime<Utc>,
}

/// These refunds with their sub-orders' numbers (unknown ids are left out).
pub async fn refunds_taken_back(
    conn: &impl ConnectionTrait,
    ids: &[farmgate_kernel::id::RefundId],
) -> Result<Vec<RefundNote>, DbErr> {
    let mut refunds = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        refunds.extend(
            crate::store::refund::Entity::find()
                .filter(crate::store::refund::Column::Id.is_in(chunk.iter().map(|i| i.0)))
                .all(conn)
                .await?,
        );
    }
    let subs: Vec<uuid::Uuid> = refunds.iter().filter_map(|r| r.sub_order_id).collect();
    let mut numbers = std::collections::HashMap::new();
    for chunk in subs.chunks(CHUNK) {
        for s in sub_order::Entity::find()
            .filter(sub_order::Column::Id.is_in(chunk.iter().copied()))
            .all(conn)
            .await?
        {
            numbers.insert(s.id, s.number);
        }
    }
    Ok(refunds
        .into_iter()
        .map(|r| RefundNote {
            id: farmgate_kernel::id::RefundId(r.id),
            sub_order: r.sub_order_id.map(SubOrderId),
            number: r
                .sub_order_id
                .and_then(|s| numbers.get(&s).cloned())
                .unwrap_or_default(),
            reason: r.reason,
            at: r.created_at,
        })
        .collect())
}
