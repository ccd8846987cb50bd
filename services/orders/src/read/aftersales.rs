//! What after-sales (`farmgate-aftersales`) reads of orders, and why. Orders own the
//! sub-orders, their lines and parcels; after-sales only ever reads them through these:
//!
//! - [`claimable_sub_order`]: filing a claim and showing one — the sub-order's lines with what
//!   was bought and paid, what is refunded so far, and when it was received and its window
//!   closes. [`refundable`] reads what is left of the payment afresh before an amount is offered,
//!   decided or refunded.
//! - [`waybill`]: the carrier and tracking number a carrier recourse quotes.
//! - [`parcel_progress`]: a claim before receipt ("not received", "lost") — when the parcel
//!   shipped, when its tracking last moved, whether the carrier reported it lost.
//! - [`refund_by_key`]: the refund after-sales already made under its key (`recall:{notice}`),
//!   for a recall refund taken twice at the same moment: the second answers with the first's.
//! - [`has_shipped_from_batch`], [`sub_orders_shipped_from_batch`]: a recall reaches every buyer
//!   of a batch, found through the shipment–batch links.
//! - [`delivered_parcels`], [`carriers_of`], [`line_categories`], [`parcels_received_by_buyer`]:
//!   the service-quality figures (claims per delivered parcel, by seller, carrier or category)
//!   and the buyers whose claim rate stands out.
//!
//! Money is paid fen as orders recorded it; nothing here writes.

use crate::domain::{Address, LogisticsKind, LogisticsSource, SubOrderStatus};
use crate::store::{line, order, shipment, shipment_batch, shipment_event, sub_order};
use chrono::{DateTime, Utc};
use farmgate_kernel::Money;
use farmgate_kernel::id::{
    AccountId, BatchId, CategoryId, OrderId, OrderLineId, OrgId, RefundId, SubOrderId,
};
use sea_orm::sea_query::{Expr, ExprTrait, Query, SelectStatement};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, JoinType,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, RelationDef,
};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// Ids per `IN (…)` list, far below SQLite's limit of 32 766 bound parameters.
const CHUNK: usize = 1_000;

// ---------------------------------------------------------------------------------------------
// The claimable part of a sub-order

/// The claimable part of a sub-order: what was bought and paid, what is refunded so far, and
/// the times the after-sales window runs by. A claim may be filed only once it is
/// [`received`](Self::received).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimableSubOrder {
    pub id: SubOrderId,
    pub order_id: OrderId,
    pub order_number: String,
    pub buyer: AccountId,
    pub seller: OrgId,
    /// The buyer confirmed receipt (or the parcel counted as received).
    pub received: bool,
    pub received_at: Option<DateTime<Utc>>,
    /// When the after-sales window closes (the longest claim window of its lines after receipt).
    pub window_closes_at: Option<DateTime<Utc>>,
    /// Who to reach about it: the name and phone of the delivery address.
    pub contact_name: String,
    pub contact_phone: String,
    pub goods: Money,
    pub shipping: Money,
    /// What was paid for it (goods and shipping).
    pub total: Money,
    /// Refunded so far; never above `total`.
    pub refunded: Money,
    pub lines: Vec<ClaimableLine>,
}

impl ClaimableSubOrder {
    /// What is left of the payment: the most any refund can still return.
    pub fn refundable(&self) -> Money {
        Money::from_fen(self.total.fen() - self.refunded.fen())
    }
}

/// One line of a claimable sub-order, as bought.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ClaimableLine {
    pub id: OrderLineId,
    pub title: String,
    pub sku_name: String,
    pub unit: String,
    /// Units bought.
    pub quantity: i64,
    /// The price paid per unit.
    pub unit_price: Money,
}

/// The columns of a sub-order this module reads (its status as stored, whatever type the
/// entity gives it).
#[derive(FromQueryResult)]
struct SubRow {
    id: Uuid,
    order_id: Uuid,
    seller_org_id: Uuid,
    status: String,
    received_at: Option<DateTime<Utc>>,
    window_closes_at: Option<DateTime<Utc>>,
    goods_fen: i64,
    shipping_fen: i64,
    total_fen: i64,
    refunded_fen: i64,
}

async fn sub_row(conn: &impl ConnectionTrait, id: SubOrderId) -> Result<Option<SubRow>, DbErr> {
    sub_order::Entity::find_by_id(id.0)
        .select_only()
        .columns([
            sub_order::Column::Id,
            sub_order::Column::OrderId,
            sub_order::Column::SellerOrgId,
            sub_order::Column::Status,
            sub_order::Column::ReceivedAt,
            sub_order::Column::WindowClosesAt,
            sub_order::Column::GoodsFen,
            sub_order::Column::ShippingFen,
            sub_order::Column::TotalFen,
            sub_order::Column::RefundedFen,
        ])
        .into_model::<SubRow>()
        .one(conn)
        .await
}

/// The claimable part of a sub-order with its lines; `None` when there is no such sub-order.
pub async fn claimable_sub_order(
    conn: &impl ConnectionTrait,
    id: SubOrderId,
) -> Result<Option<ClaimableSubOrder>, DbErr> {
    let Some(s) = sub_row(conn, id).await? else {
        return Ok(None);
    };
    let Some(o) = order::Entity::find_by_id(s.order_id).one(conn).await? else {
        return Ok(None);
    };
    let address: Address = serde_json::from_value(o.address.clone()).unwrap_or_default();
    let lines = line::Entity::find()
        .filter(line::Column::SubOrderId.eq(s.id))
        .all(conn)
        .await?
        .into_iter()
        .map(|l| ClaimableLine {
            id: OrderLineId(l.id),
            title: l.title,
            sku_name: l.sku_name,
            unit: l.unit,
            quantity: l.quantity,
            unit_price: Money::from_fen(l.unit_price_fen),
        })
        .collect();
    Ok(Some(ClaimableSubOrder {
        id: SubOrderId(s.id),
        order_id: OrderId(o.id),
        order_number: o.number,
        buyer: AccountId(o.buyer_account_id),
        seller: OrgId(s.seller_org_id),
        received: s.status == SubOrderStatus::Received.as_str(),
        received_at: s.received_at,
        window_closes_at: s.window_closes_at,
        contact_name: address.name,
        contact_phone: address.phone,
        goods: Money::from_fen(s.goods_fen),
        shipping: Money::from_fen(s.shipping_fen),
        total: Money::from_fen(s.total_fen),
        refunded: Money::from_fen(s.refunded_fen),
        lines,
    }))
}

/// What is left of a sub-order's payment, as it stands now; `None` when there is no such
/// sub-order.
pub async fn refundable(
    conn: &impl ConnectionTrait,
    id: SubOrderId,
) -> Result<Option<Money>, DbErr> {
    let row: Option<(i64, i64)> = sub_order::Entity::find_by_id(id.0)
        .select_only()
        .columns([sub_order::Column::TotalFen, sub_order::Column::RefundedFen])
        .into_tuple()
        .one(conn)
        .await?;
    Ok(row.map(|(total, refunded)| Money::from_fen(total - refunded)))
}

/// The refund made on an order under `key`, if any: its id and amount.
pub async fn refund_by_key(
    conn: &impl ConnectionTrait,
    order: OrderId,
    key: &str,
) -> Result<Option<(RefundId, Money)>, DbErr> {
    Ok(
        crate::store::queries::payments::refund_by_key(conn, order.0, key)
            .await?
            .map(|r| (RefundId(r.id), Money::from_fen(r.amount_fen))),
    )
}

/// A parcel's carrier and tracking number.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Waybill {
    pub carrier: String,
    pub tracking_no: String,
}

/// The waybill of a sub-order's parcel, once it has shipped.
pub async fn waybill(
    conn: &impl ConnectionTrait,
    sub_order_id: SubOrderId,
) -> Result<Option<Waybill>, DbErr> {
    Ok(shipment::Entity::find()
        .filter(shipment::Column::SubOrderId.eq(sub_order_id.0))
        .one(conn)
        .await?
        .map(|s| Waybill {
            carrier: s.carrier,
            tracking_no: s.tracking_no,
        }))
}

/// A parcel on its way, as a claim before receipt needs it: whether it is still unreceived,
/// when it shipped, when its tracking last moved, and whether the carrier said it is lost.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParcelProgress {
    /// Shipped and not yet received (nor cancelled).
    pub in_transit: bool,
    pub shipped_at: DateTime<Utc>,
    /// The latest logistics event, or the shipment when there is none.
    pub last_moved_at: DateTime<Utc>,
    /// The carrier (not the seller) reported the parcel lost.
    pub carrier_reported_lost: bool,
}

/// The progress of a sub-order's parcel; `None` when it has not shipped.
pub async fn parcel_progress(
    conn: &impl ConnectionTrait,
    sub_order_id: SubOrderId,
) -> Result<Option<ParcelProgress>, DbErr> {
    let Some(s) = sub_row(conn, sub_order_id).await? else {
        return Ok(None);
    };
    let Some(ship) = shipment::Entity::find()
        .filter(shipment::Column::SubOrderId.eq(sub_order_id.0))
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let events = shipment_event::Entity::find()
        .filter(shipment_event::Column::ShipmentId.eq(ship.id))
        .all(conn)
        .await?;
    let last_moved_at = events
        .iter()
        .map(|e| e.at)
        .chain(std::iter::once(ship.shipped_at))
        .max()
        .unwrap_or(ship.shipped_at);
    Ok(Some(ParcelProgress {
        in_transit: s.status == SubOrderStatus::Shipped.as_str(),
        shipped_at: ship.shipped_at,
        last_moved_at,
        carrier_reported_lost: events
            .iter()
            .any(|e| e.kind == LogisticsKind::Lost && e.source == LogisticsSource::Carrier),
    }))
}

// ---------------------------------------------------------------------------------------------
// The sub-orders shipped from a batch

/// A sub-order with a parcel packed from a batch, with what a recall notice needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShippedFromBatch {
    pub sub_order_id: SubOrderId,
    pub order_id: OrderId,
    pub buyer: AccountId,
    /// What is left of its payment.
    pub refundable: Money,
    /// Its lines packed from the batch.
    pub lines: Vec<ShippedLine>,
}

/// A line packed from a batch, as bought.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShippedLine {
    pub id: OrderLineId,
    pub title: String,
    pub quantity: i64,
    pub unit: String,
    /// What was paid for the line.
    pub amount: Money,
}

/// `SELECT line_id FROM shipment_batches WHERE batch_id = ?`
fn lines_packed_from(batch: BatchId) -> SelectStatement {
    Query::select()
        .column(shipment_batch::Column::LineId)
        .from(shipment_batch::Entity)
        .and_where(Expr::col(shipment_batch::Column::BatchId).eq(batch.0))
        .to_owned()
}

/// The sub-orders of the parcels linked to the batch.
fn sub_orders_with_a_parcel_from(batch: BatchId) -> SelectStatement {
    Query::select()
        .column((shipment::Entity, shipment::Column::SubOrderId))
        .from(shipment::Entity)
        .inner_join(
            shipment_batch::Entity,
            Expr::col((shipment_batch::Entity, shipment_batch::Column::ShipmentId))
                .equals((shipment::Entity, shipment::Column::Id)),
        )
        .and_where(Expr::col((shipment_batch::Entity, shipment_batch::Column::BatchId)).eq(batch.0))
        .to_owned()
}

/// The sub-orders of the lines linked to the batch.
fn sub_orders_of_lines_from(batch: BatchId) -> SelectStatement {
    Query::select()
        .column(line::Column::SubOrderId)
        .from(line::Entity)
        .and_where(Expr::col(line::Column::Id).in_subquery(lines_packed_from(batch)))
        .to_owned()
}

fn sub_order_to_order() -> RelationDef {
    sub_order::Entity::belongs_to(order::Entity)
        .from(sub_order::Column::OrderId)
        .to(order::Column::Id)
        .into()
}

/// Whether any parcel was packed from the batch.
pub async fn has_shipped_from_batch(
    conn: &impl ConnectionTrait,
    batch: BatchId,
) -> Result<bool, DbErr> {
    let n = shipment_batch::Entity::find()
        .filter(shipment_batch::Column::BatchId.eq(batch.0))
        .count(conn)
        .await?;
    Ok(n > 0)
}

/// Every sub-order with a parcel packed from the batch, with its buyer, what is left of its
/// payment and its lines from the batch; by sub-order id, lines by line id. The links are
/// joined in the database (no id list is bound), so a batch with any history answers.
pub async fn sub_orders_shipped_from_batch(
    conn: &impl ConnectionTrait,
    batch: BatchId,
) -> Result<Vec<ShippedFromBatch>, DbErr> {
    let mut lines: BTreeMap<Uuid, Vec<ShippedLine>> = BTreeMap::new();
    for l in line::Entity::find()
        .filter(line::Column::Id.in_subquery(lines_packed_from(batch)))
        .order_by_asc(line::Column::Id)
        .all(conn)
        .await?
    {
        lines.entry(l.sub_order_id).or_default().push(ShippedLine {
            id: OrderLineId(l.id),
            title: l.title,
            quantity: l.quantity,
            unit: l.unit,
            amount: Money::from_fen(l.line_fen),
        });
    }
    let subs: Vec<(Uuid, Uuid, Uuid, i64, i64)> = sub_order::Entity::find()
        .select_only()
        .column(sub_order::Column::Id)
        .column(sub_order::Column::OrderId)
        .column(order::Column::BuyerAccountId)
        .column(sub_order::Column::TotalFen)
        .column(sub_order::Column::RefundedFen)
        .join(JoinType::InnerJoin, sub_order_to_order())
        .filter(sub_order::Column::Id.in_subquery(sub_orders_of_lines_from(batch)))
        .filter(sub_order::Column::Id.in_subquery(sub_orders_with_a_parcel_from(batch)))
        .order_by_asc(sub_order::Column::Id)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(subs
        .into_iter()
        .filter_map(|(id, order_id, buyer, total, refunded)| {
            Some(ShippedFromBatch {
                sub_order_id: SubOrderId(id),
                order_id: OrderId(order_id),
                buyer: AccountId(buyer),
                refundable: Money::from_fen(total - refunded),
                lines: lines.remove(&id)?,
            })
        })
        .collect())
}

// ---------------------------------------------------------------------------------------------
// Delivered parcels, for the service-quality figures

/// How delivered parcels are counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParcelGroup {
    Seller,
    Carrier,
    /// A parcel counts once under each category of its lines.
    Category,
}

/// What a group of delivered parcels shares.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ParcelKey {
    Seller(OrgId),
    Carrier(String),
    Category(CategoryId),
}

/// Parcels delivered in a period: how many in all, and how many per group.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DeliveredParcels {
    pub total: u64,
    pub groups: Vec<(ParcelKey, u64)>,
}

fn count(n: i64) -> u64 {
    u64::try_from(n).unwrap_or(0)
}

/// Delivered sub-orders: received, with the receipt in `[from, until)`, of one seller or all.
fn delivered(from: DateTime<Utc>, until: DateTime<Utc>, seller: Option<OrgId>) -> Condition {
    let mut c = Condition::all()
        .add(sub_order::Column::Status.eq(SubOrderStatus::Received.as_str()))
        .add(sub_order::Column::ReceivedAt.gte(from))
        .add(sub_order::Column::ReceivedAt.lt(until));
    if let Some(s) = seller {
        c = c.add(sub_order::Column::SellerOrgId.eq(s.0));
    }
    c
}

/// Delivered parcels by seller, carrier or category in a period (`[from, until)`), of one
/// seller or all. Counted in the database: a year of parcels is a few rows.
pub async fn delivered_parcels(
    conn: &impl ConnectionTrait,
    (from, until): (DateTime<Utc>, DateTime<Utc>),
    seller: Option<OrgId>,
    by: ParcelGroup,
) -> Result<DeliveredParcels, DbErr> {
    let cond = delivered(from, until, seller);
    let total = sub_order::Entity::find()
        .filter(cond.clone())
        .count(conn)
        .await?;
    let subs = Query::select()
        .column(sub_order::Column::Id)
        .from(sub_order::Entity)
        .cond_where(cond.clone())
        .to_owned();
    let groups = match by {
        ParcelGroup::Seller => {
            let rows: Vec<(Uuid, i64)> = sub_order::Entity::find()
                .select_only()
                .column(sub_order::Column::SellerOrgId)
                .column_as(Expr::col(sub_order::Column::Id).count(), "n")
                .filter(cond)
                .group_by(sub_order::Column::SellerOrgId)
                .into_tuple()
                .all(conn)
                .await?;
            rows.into_iter()
                .map(|(k, n)| (ParcelKey::Seller(OrgId(k)), count(n)))
                .collect()
        }
        ParcelGroup::Carrier => {
            let rows: Vec<(String, i64)> = shipment::Entity::find()
                .select_only()
                .column(shipment::Column::Carrier)
                .column_as(
                    Expr::col(shipment::Column::SubOrderId).count_distinct(),
                    "n",
                )
                .filter(shipment::Column::SubOrderId.in_subquery(subs))
                .group_by(shipment::Column::Carrier)
                .into_tuple()
                .all(conn)
                .await?;
            rows.into_iter()
                .map(|(k, n)| (ParcelKey::Carrier(k), count(n)))
                .collect()
        }
        ParcelGroup::Category => {
            let rows: Vec<(Uuid, i64)> = line::Entity::find()
                .select_only()
                .column(line::Column::CategoryId)
                .column_as(Expr::col(line::Column::SubOrderId).count_distinct(), "n")
                .filter(line::Column::SubOrderId.in_subquery(subs))
                .group_by(line::Column::CategoryId)
                .into_tuple()
                .all(conn)
                .await?;
            rows.into_iter()
                .map(|(k, n)| (ParcelKey::Category(CategoryId(k)), count(n)))
                .collect()
        }
    };
    Ok(DeliveredParcels { total, groups })
}

/// The carrier of each of these sub-orders that has shipped.
pub async fn carriers_of(
    conn: &impl ConnectionTrait,
    sub_orders: &[SubOrderId],
) -> Result<HashMap<SubOrderId, String>, DbErr> {
    let mut out = HashMap::new();
    for chunk in sub_orders.chunks(CHUNK) {
        let rows: Vec<(Uuid, String)> = shipment::Entity::find()
            .select_only()
            .columns([shipment::Column::SubOrderId, shipment::Column::Carrier])
            .filter(shipment::Column::SubOrderId.is_in(chunk.iter().map(|s| s.0)))
            .into_tuple()
            .all(conn)
            .await?;
        out.extend(rows.into_iter().map(|(s, c)| (SubOrderId(s), c)));
    }
    Ok(out)
}

/// The category each of these lines was bought under.
pub async fn line_categories(
    conn: &impl ConnectionTrait,
    lines: &[OrderLineId],
) -> Result<HashMap<OrderLineId, CategoryId>, DbErr> {
    let mut out = HashMap::new();
    for chunk in lines.chunks(CHUNK) {
        let rows: Vec<(Uuid, Uuid)> = line::Entity::find()
            .select_only()
            .columns([line::Column::Id, line::Column::CategoryId])
            .filter(line::Column::Id.is_in(chunk.iter().map(|l| l.0)))
            .into_tuple()
            .all(conn)
            .await?;
        out.extend(
            rows.into_iter()
                .map(|(l, c)| (OrderLineId(l), CategoryId(c))),
        );
    }
    Ok(out)
}

/// Sub-orders received since a time: how many in all, and per buyer.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReceivedByBuyer {
    pub total: u64,
    pub buyers: Vec<(AccountId, u64)>,
}

/// Sub-orders with a receipt at or after `since` (whatever happened to them later), in all and
/// per buyer: the denominators of the buyers' and the platform's claim rates.
pub async fn parcels_received_by_buyer(
    conn: &impl ConnectionTrait,
    since: DateTime<Utc>,
) -> Result<ReceivedByBuyer, DbErr> {
    let total = sub_order::Entity::find()
        .filter(sub_order::Column::ReceivedAt.gte(since))
        .count(conn)
        .await?;
    let rows: Vec<(Uuid, i64)> = sub_order::Entity::find()
        .select_only()
        .column(order::Column::BuyerAccountId)
        .column_as(
            Expr::col((sub_order::Entity, sub_order::Column::Id)).count(),
            "n",
        )
        .join(JoinType::InnerJoin, sub_order_to_order())
        .filter(sub_order::Column::ReceivedAt.gte(since))
        .group_by(order::Column::BuyerAccountId)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(ReceivedByBuyer {
        total,
        buyers: rows
            .into_iter()
            .map(|(b, n)| (AccountId(b), count(n)))
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::{DbBackend, QueryTrait};

    /// A batch shipped to any number of buyers is found with the batch id as the only bound
    /// value: SQLite refuses statements with more than 32 766.
    #[test]
    fn the_sub_orders_of_a_batch_are_found_without_binding_their_ids() {
        let batch = BatchId::new();
        let lines = line::Entity::find()
            .filter(line::Column::Id.in_subquery(lines_packed_from(batch)))
            .build(DbBackend::Sqlite);
        assert_eq!(lines.values.map(|v| v.0.len()), Some(1), "{}", lines.sql);
        let subs = sub_order::Entity::find()
            .filter(sub_order::Column::Id.in_subquery(sub_orders_of_lines_from(batch)))
            .filter(sub_order::Column::Id.in_subquery(sub_orders_with_a_parcel_from(batch)))
            .build(DbBackend::Sqlite);
        assert_eq!(subs.values.map(|v| v.0.len()), Some(2), "{}", subs.sql);
    }
}
