//! The order history as the county statistics (`farmgate-stats`) read it.
//!
//! Who: the statistics rollups. Why: they fold every paid order, refund, shipment and received
//! parcel into per-day sums — live, one outbox event at a time (`orders.paid`, `.refunded`,
//! `.shipped`, `.received`), and in a rebuild over the whole history. The rebuild must read
//! orders in payment order, a page at a time with everything that hangs off them, so it keeps
//! bounded memory over a million orders with a handful of queries per page; the use-case API
//! (one order as its buyer sees it) cannot do that. So this is a deliberate bulk read model:
//! plain records with only the columns the statistics use, nothing personal beyond the
//! destination's province and city.

use crate::domain::SubOrderStatus;
use crate::store::{line, order, presale_reservation, refund, shipment, shipment_batch, sub_order};
use chrono::{DateTime, Utc};
use farmgate_kernel::id::{
    AccountId, CategoryId, ListingId, OrderId, OrderLineId, OrgId, RefundId, ShipmentId, SkuId,
    SubOrderId,
};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, QueryFilter,
    QueryOrder, QuerySelect,
};
use std::collections::{BTreeSet, HashSet};
use uuid::Uuid;

/// An order: who bought it, whether and when it was paid, and where it went.
#[derive(Clone, Debug, PartialEq)]
pub struct Order {
    pub id: OrderId,
    pub buyer: AccountId,
    /// The business buyer's organisation; `None` for a consumer.
    pub buyer_org: Option<OrgId>,
    pub paid_at: Option<DateTime<Utc>>,
    /// The delivery address snapshot's province and city, as written (nothing finer is read).
    pub province: Option<String>,
    pub city: Option<String>,
}

/// One seller's part of an order.
#[derive(Clone, Debug, PartialEq)]
pub struct Part {
    pub id: SubOrderId,
    pub order_id: OrderId,
    pub seller: OrgId,
    pub shipping_fen: i64,
    pub status: SubOrderStatus,
    /// Parts created after the payment are after-sales replacements, not sales.
    pub created_at: DateTime<Utc>,
    pub received_at: Option<DateTime<Utc>>,
}

/// One order line, with the catalogue ids it was sold under.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub id: OrderLineId,
    pub order_id: OrderId,
    pub sub_order_id: SubOrderId,
    pub listing_id: ListingId,
    pub sku_id: SkuId,
    pub category_id: CategoryId,
    /// The listing's title when it was bought.
    pub title: String,
    /// The sold unit's stored name (`jin`, `kg`, `box` …).
    pub unit: String,
    pub quantity: i64,
    pub unit_price_fen: i64,
    pub line_fen: i64,
}

/// A refund recorded against a sub-order (or, with no sub-order, against the whole order: a
/// double payment returned).
#[derive(Clone, Debug, PartialEq)]
pub struct Refund {
    pub id: RefundId,
    pub order_id: OrderId,
    pub sub_order_id: Option<SubOrderId>,
    pub amount_fen: i64,
    pub created_at: DateTime<Utc>,
}

/// A parcel a seller sent.
#[derive(Clone, Debug, PartialEq)]
pub struct Shipment {
    pub id: ShipmentId,
    pub order_id: OrderId,
    pub sub_order_id: SubOrderId,
    pub carrier: String,
    pub shipped_at: DateTime<Utc>,
}

/// An order with its parts and lines.
#[derive(Clone, Debug, PartialEq)]
pub struct OrderRecord {
    pub order: Order,
    pub parts: Vec<Part>,
    pub lines: Vec<Line>,
}

/// A sub-order as a parcel: its lines and the carrier of its (first) shipment.
#[derive(Clone, Debug, PartialEq)]
pub struct Parcel {
    pub part: Part,
    pub lines: Vec<Line>,
    pub carrier: Option<String>,
}

/// One page of the history, for the rebuild: paid orders in payment order, and everything of
/// theirs that happened up to the rebuild's instant.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct HistoryPage {
    /// Paid at or before the instant, ordered by (paid_at, id).
    pub orders: Vec<Order>,
    pub parts: Vec<Part>,
    pub lines: Vec<Line>,
    /// Refunds against a sub-order, recorded at or before the instant (money returned for a
    /// double payment is not about a sale and is left out).
    pub refunds: Vec<Refund>,
    /// Shipments sent at or before the instant.
    pub shipments: Vec<Shipment>,
    /// Lines of those shipments packed from a traced batch.
    pub traced_lines: HashSet<OrderLineId>,
}

impl HistoryPage {
    /// Where the next page starts (`None` when this one is empty).
    pub fn cursor(&self) -> Option<(DateTime<Utc>, OrderId)> {
        self.orders
            .last()
            .and_then(|o| o.paid_at.map(|t| (t, o.id)))
    }
}

// ---- rows as stored (statuses read into enums once, here)

#[derive(FromQueryResult)]
struct OrderRow {
    id: Uuid,
    buyer_account_id: Uuid,
    buyer_org_id: Option<Uuid>,
    paid_at: Option<DateTime<Utc>>,
    address: serde_json::Value,
}

impl From<OrderRow> for Order {
    fn from(r: OrderRow) -> Self {
        let part = |k: &str| {
            r.address
                .get(k)
                .and_then(serde_json::Value::as_str)
                .map(str::to_owned)
        };
        Order {
            province: part("province"),
            city: part("city"),
            id: OrderId(r.id),
            buyer: AccountId(r.buyer_account_id),
            buyer_org: r.buyer_org_id.map(OrgId),
            paid_at: r.paid_at,
        }
    }
}

#[derive(FromQueryResult)]
struct PartRow {
    id: Uuid,
    order_id: Uuid,
    seller_org_id: Uuid,
    shipping_fen: i64,
    status: String,
    created_at: DateTime<Utc>,
    received_at: Option<DateTime<Utc>>,
}

impl TryFrom<PartRow> for Part {
    type Error = DbErr;
    fn try_from(r: PartRow) -> Result<Self, DbErr> {
        let status = SubOrderStatus::parse(&r.status).ok_or_else(|| {
            DbErr::Custom(format!("sub-order {} has status {:?}", r.id, r.status))
        })?;
        Ok(Part {
            id: SubOrderId(r.id),
            order_id: OrderId(r.order_id),
            seller: OrgId(r.seller_org_id),
            shipping_fen: r.shipping_fen,
            status,
            created_at: r.created_at,
            received_at: r.received_at,
        })
    }
}

#[derive(FromQueryResult)]
struct LineRow {
    id: Uuid,
    order_id: Uuid,
    sub_order_id: Uuid,
    listing_id: Uuid,
    sku_id: Uuid,
    category_id: Uuid,
    title: String,
    unit: String,
    quantity: i64,
    unit_price_fen: i64,
    line_fen: i64,
}

impl From<LineRow> for Line {
    fn from(r: LineRow) -> Self {
        Line {
            id: OrderLineId(r.id),
            order_id: OrderId(r.order_id),
            sub_order_id: SubOrderId(r.sub_order_id),
            listing_id: ListingId(r.listing_id),
            sku_id: SkuId(r.sku_id),
            category_id: CategoryId(r.category_id),
            title: r.title,
            unit: r.unit,
            quantity: r.quantity,
            unit_price_fen: r.unit_price_fen,
            line_fen: r.line_fen,
        }
    }
}

#[derive(FromQueryResult)]
struct RefundRow {
    id: Uuid,
    order_id: Uuid,
    sub_order_id: Option<Uuid>,
    amount_fen: i64,
    created_at: DateTime<Utc>,
}

impl From<RefundRow> for Refund {
    fn from(r: RefundRow) -> Self {
        Refund {
            id: RefundId(r.id),
            order_id: OrderId(r.order_id),
            sub_order_id: r.sub_order_id.map(SubOrderId),
            amount_fen: r.amount_fen,
            created_at: r.created_at,
        }
    }
}

#[derive(FromQueryResult)]
struct ShipmentRow {
    id: Uuid,
    order_id: Uuid,
    sub_order_id: Uuid,
    carrier: String,
    shipped_at: DateTime<Utc>,
}

impl From<ShipmentRow> for Shipment {
    fn from(r: ShipmentRow) -> Self {
        Shipment {
            id: ShipmentId(r.id),
            order_id: OrderId(r.order_id),
            sub_order_id: SubOrderId(r.sub_order_id),
            carrier: r.carrier,
            shipped_at: r.shipped_at,
        }
    }
}

/// The ids of pre-sale deposit orders (issue #22): never a sale to the statistics — live or
/// rebuilt, they and their refunds are not read. The pre-sale's sale is its balance order,
/// counted once when paid (the filled quantity, at the balance's amount).
fn deposit_orders() -> sea_orm::sea_query::SelectStatement {
    sea_orm::sea_query::Query::select()
        .column(presale_reservation::Column::DepositOrderId)
        .from(presale_reservation::Entity)
        .to_owned()
}

fn orders() -> sea_orm::Select<order::Entity> {
    use order::Column as C;
    order::Entity::find()
        .select_only()
        .columns([
            C::Id,
            C::BuyerAccountId,
            C::BuyerOrgId,
            C::PaidAt,
            C::Address,
        ])
        .filter(C::Id.not_in_subquery(deposit_orders()))
}

fn parts() -> sea_orm::Select<sub_order::Entity> {
    use sub_order::Column as C;
    sub_order::Entity::find()
        .select_only()
        .columns([
            C::Id,
            C::OrderId,
            C::SellerOrgId,
            C::ShippingFen,
            C::Status,
            C::CreatedAt,
            C::ReceivedAt,
        ])
        .filter(C::OrderId.not_in_subquery(deposit_orders()))
}

fn lines() -> sea_orm::Select<line::Entity> {
    use line::Column as C;
    line::Entity::find().select_only().columns([
        C::Id,
        C::OrderId,
        C::SubOrderId,
        C::ListingId,
        C::SkuId,
        C::CategoryId,
        C::Title,
        C::Unit,
        C::Quantity,
        C::UnitPriceFen,
        C::LineFen,
    ])
}

fn refunds() -> sea_orm::Select<refund::Entity> {
    use refund::Column as C;
    refund::Entity::find().select_only().columns([
        C::Id,
        C::OrderId,
        C::SubOrderId,
        C::AmountFen,
        C::CreatedAt,
    ])
}

fn shipments() -> sea_orm::Select<shipment::Entity> {
    use shipment::Column as C;
    shipment::Entity::find().select_only().columns([
        C::Id,
        C::OrderId,
        C::SubOrderId,
        C::Carrier,
        C::ShippedAt,
    ])
}

async fn parts_where<C: ConnectionTrait>(db: &C, cond: Condition) -> Result<Vec<Part>, DbErr> {
    parts()
        .filter(cond)
        .into_model::<PartRow>()
        .all(db)
        .await?
        .into_iter()
        .map(Part::try_from)
        .collect()
}

async fn lines_where<C: ConnectionTrait>(db: &C, cond: Condition) -> Result<Vec<Line>, DbErr> {
    Ok(lines()
        .filter(cond)
        .into_model::<LineRow>()
        .all(db)
        .await?
        .into_iter()
        .map(Line::from)
        .collect())
}

/// One order with its parts and lines (the live path: an order was paid, refunded, shipped).
pub async fn order_record<C: ConnectionTrait>(
    db: &C,
    id: OrderId,
) -> Result<Option<OrderRecord>, DbErr> {
    let Some(o) = orders()
        .filter(order::Column::Id.eq(id.0))
        .into_model::<OrderRow>()
        .one(db)
        .await?
    else {
        return Ok(None);
    };
    let parts = parts_where(
        db,
        Condition::all().add(sub_order::Column::OrderId.eq(id.0)),
    )
    .await?;
    let lines = lines_where(db, Condition::all().add(line::Column::OrderId.eq(id.0))).await?;
    Ok(Some(OrderRecord {
        order: o.into(),
        parts,
        lines,
    }))
}

/// One refund (the live path: `orders.refunded`).
pub async fn refund<C: ConnectionTrait>(db: &C, id: RefundId) -> Result<Option<Refund>, DbErr> {
    Ok(refunds()
        .filter(refund::Column::Id.eq(id.0))
        .into_model::<RefundRow>()
        .one(db)
        .await?
        .map(Refund::from))
}

/// The shipments of one sub-order (the live path: `orders.shipped`).
pub async fn shipments_of<C: ConnectionTrait>(
    db: &C,
    sub_order: SubOrderId,
) -> Result<Vec<Shipment>, DbErr> {
    Ok(shipments()
        .filter(shipment::Column::SubOrderId.eq(sub_order.0))
        .into_model::<ShipmentRow>()
        .all(db)
        .await?
        .into_iter()
        .map(Shipment::from)
        .collect())
}

/// The lines of these shipments that were packed from a traced batch.
pub async fn traced_lines<C: ConnectionTrait>(
    db: &C,
    shipments: &[ShipmentId],
) -> Result<BTreeSet<OrderLineId>, DbErr> {
    Ok(traced_line_ids(db, shipments).await?.into_iter().collect())
}

async fn traced_line_ids<C: ConnectionTrait>(
    db: &C,
    shipments: &[ShipmentId],
) -> Result<Vec<OrderLineId>, DbErr> {
    if shipments.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<Uuid> = shipments.iter().map(|s| s.0).collect();
    let rows: Vec<Uuid> = shipment_batch::Entity::find()
        .select_only()
        .column(shipment_batch::Column::LineId)
        .filter(shipment_batch::Column::ShipmentId.is_in(ids))
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows.into_iter().map(OrderLineId).collect())
}

/// One sub-order as a parcel (the live path: `orders.received`).
pub async fn parcel<C: ConnectionTrait>(
    db: &C,
    sub_order: SubOrderId,
) -> Result<Option<Parcel>, DbErr> {
    let Some(part) = parts_where(
        db,
        Condition::all().add(sub_order::Column::Id.eq(sub_order.0)),
    )
    .await?
    .into_iter()
    .next() else {
        return Ok(None);
    };
    let lines = lines_where(
        db,
        Condition::all().add(line::Column::SubOrderId.eq(sub_order.0)),
    )
    .await?;
    let carrier: Option<String> = shipment::Entity::find()
        .select_only()
        .column(shipment::Column::Carrier)
        .filter(shipment::Column::SubOrderId.eq(sub_order.0))
        .into_tuple()
        .one(db)
        .await?;
    Ok(Some(Parcel {
        part,
        lines,
        carrier,
    }))
}

/// The next `limit` orders paid at or before `up_to`, after `after` in (paid_at, id) order,
/// with their parts, lines, refunds and shipments up to `up_to`: six queries a page, whatever
/// its size, so a rebuild over a million orders reads them in bounded memory.
pub async fn history_page<C: ConnectionTrait>(
    db: &C,
    up_to: DateTime<Utc>,
    after: Option<(DateTime<Utc>, OrderId)>,
    limit: u64,
) -> Result<HistoryPage, DbErr> {
    use order::Column as O;
    let mut q = orders()
        .filter(O::PaidAt.is_not_null())
        .filter(O::PaidAt.lte(up_to))
        .order_by_asc(O::PaidAt)
        .order_by_asc(O::Id)
        .limit(limit);
    if let Some((t, id)) = after {
        q = q.filter(
            Condition::any()
                .add(O::PaidAt.gt(t))
                .add(Condition::all().add(O::PaidAt.eq(t)).add(O::Id.gt(id.0))),
        );
    }
    let orders: Vec<Order> = q
        .into_model::<OrderRow>()
        .all(db)
        .await?
        .into_iter()
        .map(Order::from)
        .collect();
    if orders.is_empty() {
        return Ok(HistoryPage::default());
    }
    let ids: Vec<Uuid> = orders.iter().map(|o| o.id.0).collect();
    let parts = parts_where(
        db,
        Condition::all().add(sub_order::Column::OrderId.is_in(ids.clone())),
    )
    .await?;
    let lines = lines_where(
        db,
        Condition::all().add(line::Column::OrderId.is_in(ids.clone())),
    )
    .await?;
    let refunds: Vec<Refund> = refunds()
        .filter(refund::Column::OrderId.is_in(ids.clone()))
        .filter(refund::Column::SubOrderId.is_not_null())
        .filter(refund::Column::CreatedAt.lte(up_to))
        .into_model::<RefundRow>()
        .all(db)
        .await?
        .into_iter()
        .map(Refund::from)
        .collect();
    let shipments: Vec<Shipment> = shipments()
        .filter(shipment::Column::OrderId.is_in(ids))
        .filter(shipment::Column::ShippedAt.lte(up_to))
        .into_model::<ShipmentRow>()
        .all(db)
        .await?
        .into_iter()
        .map(Shipment::from)
        .collect();
    let shipped: Vec<ShipmentId> = shipments.iter().map(|s| s.id).collect();
    let traced_lines = traced_line_ids(db, &shipped).await?.into_iter().collect();
    Ok(HistoryPage {
        orders,
        parts,
        lines,
        refunds,
        shipments,
        traced_lines,
    })
}

/// One seller's sales paid in [`from`, `until`): the orders, the seller's parts created at
/// payment (a later replacement is a remedy, not a sale) and their lines — for the seller's own
/// analytics in `farmgate-stats` (its console: by day, product and destination province, and
/// how many buyers came back). Bounded by the period (at most a year of one seller), read in
/// chunks of 500 ids.
pub async fn seller_sales<C: ConnectionTrait>(
    db: &C,
    seller: OrgId,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<OrderRecord>, DbErr> {
    use sub_order::Column as S;
    let parts = parts_where(
        db,
        Condition::all()
            .add(S::SellerOrgId.eq(seller.0))
            .add(S::PaidAt.gte(from))
            .add(S::PaidAt.lt(until)),
    )
    .await?;
    let mut order_ids: Vec<Uuid> = parts.iter().map(|p| p.order_id.0).collect();
    order_ids.sort();
    order_ids.dedup();
    let part_ids: Vec<Uuid> = parts.iter().map(|p| p.id.0).collect();
    let mut lines = Vec::new();
    for chunk in part_ids.chunks(500) {
        lines.extend(
            lines_where(
                db,
                Condition::all().add(line::Column::SubOrderId.is_in(chunk.to_vec())),
            )
            .await?,
        );
    }
    let mut out = Vec::new();
    for chunk in order_ids.chunks(500) {
        let rows = orders()
            .filter(order::Column::Id.is_in(chunk.to_vec()))
            .into_model::<OrderRow>()
            .all(db)
            .await?;
        for row in rows {
            let order: Order = row.into();
            let Some(paid_at) = order.paid_at else {
                continue;
            };
            let mine: Vec<Part> = parts
                .iter()
                .filter(|p| p.order_id == order.id && p.created_at <= paid_at)
                .cloned()
                .collect();
            let ids: Vec<SubOrderId> = mine.iter().map(|p| p.id).collect();
            let my_lines: Vec<Line> = lines
                .iter()
                .filter(|l| ids.contains(&l.sub_order_id))
                .cloned()
                .collect();
            out.push(OrderRecord {
                order,
                parts: mine,
                lines: my_lines,
            });
        }
    }
    out.sort_by_key(|r| (r.order.paid_at, r.order.id));
    Ok(out)
}
