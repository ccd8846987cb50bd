//! What invoicing (`farmgate-invoicing`) reads of orders, and why. Orders own the orders,
//! sub-orders, lines and refunds; invoicing only reads them through these:
//!
//! - [`invoiceable_sub_order`]: requesting and issuing an invoice for one sub-order — who
//!   bought it (the account and the business buyer organisation it was placed for), who sold
//!   it, whether it is paid, what was paid and refunded so far, and the lines an invoice lists.
//! - [`order_parties`]: the order page lists the invoices of an order for its buyer and its
//!   sellers; this says who they are.
//! - [`refund_order`]: a refund was recorded (`orders.refunded`); the order and sub-order it
//!   touched, so an invoice already issued for it is marked for a red reversal (红冲).
//! - [`refunded_of`]: what is refunded now of some sub-orders (the red-reversal check).
//!
//! Money is fen as orders recorded it; nothing here writes.

use crate::domain::SubOrderStatus;
use crate::store::{line, order, refund, sub_order};
use chrono::{DateTime, Utc};
use farmgate_kernel::Money;
use farmgate_kernel::id::{AccountId, OrderId, OrgId, RefundId, SubOrderId};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use std::collections::HashMap;

/// A sub-order as an invoice for it needs it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvoiceableSubOrder {
    pub id: SubOrderId,
    pub number: String,
    pub order_id: OrderId,
    pub order_number: String,
    /// The account that placed the order.
    pub buyer: AccountId,
    /// The business buyer organisation the order was placed for (wholesale), if any.
    pub buyer_org: Option<OrgId>,
    pub seller: OrgId,
    /// Paid (and not cancelled): an invoice may be requested.
    pub paid: bool,
    pub paid_at: Option<DateTime<Utc>>,
    pub goods: Money,
    pub shipping: Money,
    /// What was paid for it (goods and shipping).
    pub total: Money,
    /// Refunded so far; never above `total`.
    pub refunded: Money,
    pub lines: Vec<InvoiceableLine>,
}

/// One line of a sub-order, as bought.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvoiceableLine {
    pub title: String,
    pub sku_name: String,
    pub unit: String,
    pub quantity: i64,
    pub unit_price: Money,
    /// `quantity × unit_price`, as recorded at checkout.
    pub amount: Money,
}

/// A sub-order with its order and lines; `None` when there is no such sub-order.
pub async fn invoiceable_sub_order(
    conn: &impl ConnectionTrait,
    id: SubOrderId,
) -> Result<Option<InvoiceableSubOrder>, DbErr> {
    let Some(s) = sub_order::Entity::find_by_id(id.0).one(conn).await? else {
        return Ok(None);
    };
    let Some(o) = order::Entity::find_by_id(s.order_id).one(conn).await? else {
        return Ok(None);
    };
    let lines = line::Entity::find()
        .filter(line::Column::SubOrderId.eq(s.id))
        .order_by_asc(line::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(|l| InvoiceableLine {
            title: l.title,
            sku_name: l.sku_name,
            unit: l.unit,
            quantity: l.quantity,
            unit_price: Money::from_fen(l.unit_price_fen),
            amount: Money::from_fen(l.line_fen),
        })
        .collect();
    let paid = s.paid_at.is_some()
        && !matches!(
            s.status,
            SubOrderStatus::PendingPayment | SubOrderStatus::Cancelled
        );
    Ok(Some(InvoiceableSubOrder {
        id: SubOrderId(s.id),
        number: s.number,
        order_id: OrderId(o.id),
        order_number: o.number,
        buyer: AccountId(o.buyer_account_id),
        buyer_org: o.buyer_org_id.map(OrgId),
        seller: OrgId(s.seller_org_id),
        paid,
        paid_at: s.paid_at,
        goods: Money::from_fen(s.goods_fen),
        shipping: Money::from_fen(s.shipping_fen),
        total: Money::from_fen(s.total_fen),
        refunded: Money::from_fen(s.refunded_fen),
        lines,
    }))
}

/// Who an order is between: its buyer (account and organisation) and each sub-order's seller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrderParties {
    pub order_id: OrderId,
    pub buyer: AccountId,
    pub buyer_org: Option<OrgId>,
    pub sellers: Vec<(SubOrderId, OrgId)>,
}

/// The parties of an order; `None` when there is no such order.
pub async fn order_parties(
    conn: &impl ConnectionTrait,
    id: OrderId,
) -> Result<Option<OrderParties>, DbErr> {
    let Some(o) = order::Entity::find_by_id(id.0).one(conn).await? else {
        return Ok(None);
    };
    let sellers = sub_order::Entity::find()
        .filter(sub_order::Column::OrderId.eq(o.id))
        .order_by_asc(sub_order::Column::Id)
        .all(conn)
        .await?
        .into_iter()
        .map(|s| (SubOrderId(s.id), OrgId(s.seller_org_id)))
        .collect();
    Ok(Some(OrderParties {
        order_id: OrderId(o.id),
        buyer: AccountId(o.buyer_account_id),
        buyer_org: o.buyer_org_id.map(OrgId),
        sellers,
    }))
}

/// The order (and sub-order, when the refund names one) a refund was recorded on.
pub async fn refund_order(
    conn: &impl ConnectionTrait,
    id: RefundId,
) -> Result<Option<(OrderId, Option<SubOrderId>)>, DbErr> {
    Ok(refund::Entity::find_by_id(id.0)
        .one(conn)
        .await?
        .map(|r| (OrderId(r.order_id), r.sub_order_id.map(SubOrderId))))
}

/// What is refunded now of each of these sub-orders (absent: no such sub-order).
pub async fn refunded_of(
    conn: &impl ConnectionTrait,
    ids: &[SubOrderId],
) -> Result<HashMap<SubOrderId, Money>, DbErr> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(sub_order::Entity::find()
        .filter(sub_order::Column::Id.is_in(ids.iter().map(|i| i.0)))
        .all(conn)
        .await?
        .into_iter()
        .map(|s| (SubOrderId(s.id), Money::from_fen(s.refunded_fen)))
        .collect())
}
