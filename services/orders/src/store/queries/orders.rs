//! Orders, sub-orders, lines and the append-only event log. Status changes are conditional
//! updates from the states the move may start from (`OrderMove::from_states`,
//! `SubOrderMove::from_states`), so two requests at once cannot both make the same move.

use crate::domain::{
    EventKind, LiabilitySplit, OrderFilter, OrderSearch, OrderStatus, OrderTab,
    PlatformOrderFilter, ShipByFilter, SubOrderStatus,
};
use crate::store::{event, line, order, review, sub_order};
use chrono::{DateTime, Utc};
use farmgate_infra::db::UniqueIndex;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, QueryTrait, Select, Set,
};
use serde_json::Value;
use uuid::Uuid;

// ---- Orders

pub async fn order(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<order::Model>, DbErr> {
    order::Entity::find_by_id(id).one(conn).await
}

/// The buyer's order made with this `Idempotency-Key`, if any.
/// Order numbers are unique; a collision of the random part is retried with a new one.
pub const ORDER_NUMBER: UniqueIndex = UniqueIndex {
    name: "ux_orders_number",
    table: "orders",
    columns: &["number"],
};

/// One order per buyer and `Idempotency-Key`: the index a checkout retried at the same moment
/// runs into.
pub const ORDER_IDEMPOTENCY: UniqueIndex = UniqueIndex {
    name: "ux_orders_idempotency",
    table: "orders",
    columns: &["buyer_account_id", "idempotency_key"],
};

pub async fn order_by_idempotency_key(
    conn: &impl ConnectionTrait,
    buyer: Uuid,
    key: &str,
) -> Result<Option<order::Model>, DbErr> {
    order::Entity::find()
        .filter(order::Column::BuyerAccountId.eq(buyer))
        .filter(order::Column::IdempotencyKey.eq(key))
        .one(conn)
        .await
}

/// Moves an order to `to` if it is still in one of `from`; `paid_at` is set with it when given.
/// `false`: another request moved it first.
pub async fn move_order(
    conn: &impl ConnectionTrait,
    id: Uuid,
    from: &[OrderStatus],
    to: OrderStatus,
    paid_at: Option<DateTime<Utc>>,
) -> Result<bool, DbErr> {
    let mut q = order::Entity::update_many().col_expr(order::Column::Status, Expr::value(to));
    if let Some(at) = paid_at {
        q = q.col_expr(order::Column::PaidAt, Expr::value(at));
    }
    let done = q
        .filter(order::Column::Id.eq(id))
        .filter(order::Column::Status.is_in(from.iter().copied()))
        .exec(conn)
        .await?;
    Ok(done.rows_affected == 1)
}

/// A page of a buyer's order ids, newest first, and how many there are.
pub async fn order_ids_of_buyer(
    conn: &impl ConnectionTrait,
    buyer: Uuid,
    offset: u64,
    limit: u64,
) -> Result<(Vec<Uuid>, u64), DbErr> {
    let q = order::Entity::find().filter(order::Column::BuyerAccountId.eq(buyer));
    page_of_ids(conn, q, offset, limit).await
}

/// The buyer's orders in a tab of "我的订单" (the query says what `OrderTab::holds` says).
fn buyer_tab(buyer: Uuid, tab: OrderTab) -> Select<order::Entity> {
    let mut q = order::Entity::find().filter(order::Column::BuyerAccountId.eq(buyer));
    if let Some(s) = tab.order_status() {
        q = q.filter(order::Column::Status.eq(s));
    }
    let wanted = tab.sub_statuses();
    if !wanted.is_empty() {
        // Only this buyer's orders are looked into (the outer filter alone would scan every
        // seller part on the platform for the sub-query).
        let mine = || {
            order::Entity::find()
                .select_only()
                .column(order::Column::Id)
                .filter(order::Column::BuyerAccountId.eq(buyer))
                .into_query()
        };
        let mut parts = sub_order::Entity::find()
            .select_only()
            .column(sub_order::Column::OrderId)
            .filter(sub_order::Column::OrderId.in_subquery(mine()))
            .filter(sub_order::Column::Status.is_in(wanted.iter().copied()));
        if tab.needs_unreviewed_line() {
            let unreviewed = line::Entity::find()
                .select_only()
                .column(line::Column::SubOrderId)
                .filter(line::Column::OrderId.in_subquery(mine()))
                .filter(
                    line::Column::Id.not_in_subquery(
                        review::Entity::find()
                            .select_only()
                            .column(review::Column::LineId)
                            .into_query(),
                    ),
                )
                .into_query();
            parts = parts.filter(sub_order::Column::Id.in_subquery(unreviewed));
        }
        q = q.filter(order::Column::Id.in_subquery(parts.into_query()));
    }
    q
}

/// A page of the buyer's order ids in a tab, newest first, and how many there are.
pub async fn order_ids_of_buyer_in(
    conn: &impl ConnectionTrait,
    buyer: Uuid,
    tab: OrderTab,
    offset: u64,
    limit: u64,
) -> Result<(Vec<Uuid>, u64), DbErr> {
    page_of_ids(conn, buyer_tab(buyer, tab), offset, limit).await
}

/// How many of the buyer's orders each tab holds.
pub async fn buyer_tab_counts(
    conn: &impl ConnectionTrait,
    buyer: Uuid,
) -> Result<Vec<(OrderTab, u64)>, DbErr> {
    let mut out = Vec::with_capacity(OrderTab::ALL.len());
    for tab in OrderTab::ALL {
        out.push((*tab, buyer_tab(buyer, *tab).count(conn).await?));
    }
    Ok(out)
}

/// A page of every order's ids, newest first, narrowed by the platform's filter (status,
/// payment method, order number, seller, ship-by state, placing days, a search text), and how
/// many there are.
pub async fn order_ids(
    conn: &impl ConnectionTrait,
    f: &PlatformOrderFilter,
    now: DateTime<Utc>,
    offset: u64,
    limit: u64,
) -> Result<(Vec<Uuid>, u64), DbErr> {
    let mut q = order::Entity::find()
        .apply_if(f.status, |q, s| q.filter(order::Column::Status.eq(s)))
        .apply_if(f.method, |q, m| {
            q.filter(order::Column::PaymentMethod.eq(m))
        })
        .apply_if(f.number.as_deref(), |q, n| {
            q.filter(order::Column::Number.eq(n))
        })
        .apply_if(f.placed_from, |q, t| {
            q.filter(order::Column::CreatedAt.gte(t))
        })
        .apply_if(f.placed_before, |q, t| {
            q.filter(order::Column::CreatedAt.lt(t))
        });
    if f.seller.is_some() || f.ship_by.is_some() {
        let parts = sub_order::Entity::find()
            .select_only()
            .column(sub_order::Column::OrderId)
            .apply_if(f.seller, |q, s| {
                q.filter(sub_order::Column::SellerOrgId.eq(s))
            })
            .apply_if(f.ship_by, |q, b| q.filter(ship_by_condition(b, now)));
        q = q.filter(order::Column::Id.in_subquery(parts.into_query()));
    }
    if let Some(search) = &f.search {
        q = q.filter(platform_search_condition(conn, search));
    }
    page_of_ids(conn, q, offset, limit).await
}

/// Parts still to ship whose deadline passed (`overdue`) or falls within the next hours (`soon`).
fn ship_by_condition(ship_by: ShipByFilter, now: DateTime<Utc>) -> Condition {
    let open = Condition::all()
        .add(sub_order::Column::Status.is_in([SubOrderStatus::Paid, SubOrderStatus::Acknowledged]));
    match ship_by {
        ShipByFilter::Overdue => open.add(sub_order::Column::ShipBy.lt(now)),
        ShipByFilter::Soon => open
            .add(sub_order::Column::ShipBy.gte(now))
            .add(sub_order::Column::ShipBy.lt(now + crate::read::console::SHIP_BY_SOON)),
    }
}

/// The recipient's name or phone on an order's address snapshot (JSON: jsonb on PostgreSQL,
/// text on SQLite).
fn snapshot_field(conn: &impl ConnectionTrait, field: &'static str) -> Expr {
    match conn.get_database_backend() {
        sea_orm::DbBackend::Postgres => Expr::cust(format!("(\"address\" ->> '{field}')")),
        _ => Expr::cust(format!("json_extract(\"address\", '$.{field}')")),
    }
}

/// Any order matching a search on the platform's list: its number or one of its parts'
/// numbers starts with it, a line's product or SKU name contains it, the recipient's name
/// contains it, or — for 4 or more digits — the recipient's phone contains them (a caller
/// gives the tail of their number).
fn platform_search_condition(conn: &impl ConnectionTrait, search: &OrderSearch) -> Condition {
    use sea_orm::sea_query::{LikeExpr, Query};
    let prefix = || LikeExpr::new(search.prefix_pattern()).escape('\\');
    let contains = || LikeExpr::new(search.contains_pattern()).escape('\\');
    let parts = Query::select()
        .column(sub_order::Column::OrderId)
        .from(sub_order::Entity)
        .and_where(Expr::col(sub_order::Column::Number).like(prefix()))
        .to_owned();
    let lines = Query::select()
        .column(line::Column::OrderId)
        .from(line::Entity)
        .cond_where(
            Condition::any()
                .add(Expr::col(line::Column::Title).like(contains()))
                .add(Expr::col(line::Column::SkuName).like(contains())),
        )
        .to_owned();
    let mut any = Condition::any()
        .add(Expr::col((order::Entity, order::Column::Number)).like(prefix()))
        .add(Expr::col((order::Entity, order::Column::Id)).in_subquery(parts))
        .add(Expr::col((order::Entity, order::Column::Id)).in_subquery(lines))
        .add(snapshot_field(conn, "name").like(contains()));
    let text = search.as_str();
    if text.chars().count() >= 4 && text.chars().all(|c| c.is_ascii_digit()) {
        any = any.add(snapshot_field(conn, "phone").like(contains()));
    }
    any
}

/// A page of the ids of the orders `q` selects, newest first, and how many there are.
async fn page_of_ids(
    conn: &impl ConnectionTrait,
    q: Select<order::Entity>,
    offset: u64,
    limit: u64,
) -> Result<(Vec<Uuid>, u64), DbErr> {
    let q = q.order_by_desc(order::Column::CreatedAt);
    let total = q.clone().count(conn).await?;
    let ids = q
        .offset(offset)
        .limit(limit)
        .all(conn)
        .await?
        .into_iter()
        .map(|o| o.id)
        .collect();
    Ok((ids, total))
}

/// Adds a refund to the order's refunded total (the sub-order's conditional update guards it).
pub async fn add_order_refunded(
    conn: &impl ConnectionTrait,
    id: Uuid,
    amount_fen: i64,
) -> Result<(), DbErr> {
    order::Entity::update_many()
        .col_expr(
            order::Column::RefundedFen,
            Expr::col(order::Column::RefundedFen).add(amount_fen),
        )
        .filter(order::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

// ---- Sub-orders

pub async fn sub_order(
    conn: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<sub_order::Model>, DbErr> {
    sub_order::Entity::find_by_id(id).one(conn).await
}

/// An order's sub-orders, by number (`-1`, `-2` …, replacements `-R1` …).
pub async fn sub_orders_of_order(
    conn: &impl ConnectionTrait,
    order_id: Uuid,
) -> Result<Vec<sub_order::Model>, DbErr> {
    sub_order::Entity::find()
        .filter(sub_order::Column::OrderId.eq(order_id))
        .order_by_asc(sub_order::Column::Number)
        .all(conn)
        .await
}

/// A page of a seller's sub-orders once paid (never the unpaid ones), newest first, by
/// status if asked, and how many there are.
pub async fn paid_sub_orders_of_seller(
    conn: &impl ConnectionTrait,
    seller: Uuid,
    filter: &OrderFilter,
    now: DateTime<Utc>,
    offset: u64,
    limit: u64,
) -> Result<(Vec<sub_order::Model>, u64), DbErr> {
    let mut q = sub_order::Entity::find()
        .filter(sub_order::Column::SellerOrgId.eq(seller))
        .filter(sub_order::Column::Status.ne(SubOrderStatus::PendingPayment))
        .order_by_desc(sub_order::Column::CreatedAt);
    if let Some(s) = filter.status {
        q = q.filter(sub_order::Column::Status.eq(s));
    }
    if let Some(ship_by) = filter.ship_by {
        q = q.filter(ship_by_condition(ship_by, now));
    }
    if let Some(from) = filter.paid_from {
        q = q.filter(sub_order::Column::PaidAt.gte(from));
    }
    if let Some(before) = filter.paid_before {
        q = q.filter(sub_order::Column::PaidAt.lt(before));
    }
    if let Some(search) = &filter.search {
        q = q.filter(search_condition(conn, seller, search));
    }
    let total = q.clone().count(conn).await?;
    let subs = q.offset(offset).limit(limit).all(conn).await?;
    Ok((subs, total))
}

/// A seller's sub-orders matching a search: the number starts with it (an order number
/// finds its parts), a line's product or SKU name contains it, or the recipient's name on
/// the order's address snapshot contains it (what the seller prints on the parcel).
fn search_condition(conn: &impl ConnectionTrait, seller: Uuid, search: &OrderSearch) -> Condition {
    use sea_orm::sea_query::{LikeExpr, Query};
    let contains = || LikeExpr::new(search.contains_pattern()).escape('\\');
    let lines = Query::select()
        .column(line::Column::SubOrderId)
        .from(line::Entity)
        .cond_where(
            Condition::any()
                .add(Expr::col(line::Column::Title).like(contains()))
                .add(Expr::col(line::Column::SkuName).like(contains())),
        )
        .to_owned();
    let name = snapshot_field(conn, "name");
    let recipients = Query::select()
        .column(order::Column::Id)
        .from(order::Entity)
        .and_where(
            Expr::col(order::Column::Id).in_subquery(
                Query::select()
                    .column(sub_order::Column::OrderId)
                    .from(sub_order::Entity)
                    .and_where(Expr::col(sub_order::Column::SellerOrgId).eq(seller))
                    .to_owned(),
            ),
        )
        .and_where(name.like(contains()))
        .to_owned();
    Condition::any()
        .add(
            Expr::col((sub_order::Entity, sub_order::Column::Number))
                .like(LikeExpr::new(search.prefix_pattern()).escape('\\')),
        )
        .add(Expr::col((sub_order::Entity, sub_order::Column::Id)).in_subquery(lines))
        .add(Expr::col((sub_order::Entity, sub_order::Column::OrderId)).in_subquery(recipients))
}

/// Every sub-order of an order follows the order's move (paid together, closed together).
pub async fn set_sub_orders_of_order(
    conn: &impl ConnectionTrait,
    order_id: Uuid,
    to: SubOrderStatus,
    paid: Option<PaidAt>,
) -> Result<(), DbErr> {
    let mut q =
        sub_order::Entity::update_many().col_expr(sub_order::Column::Status, Expr::value(to));
    if let Some(p) = paid {
        q = q.col_expr(sub_order::Column::PaidAt, Expr::value(p.paid_at));
    }
    q.filter(sub_order::Column::OrderId.eq(order_id))
        .exec(conn)
        .await?;
    Ok(())
}

/// The seller has seen it: `acknowledged` at `at`, if still in one of `from`.
pub async fn acknowledge_sub_order(
    conn: &impl ConnectionTrait,
    id: Uuid,
    from: &[SubOrderStatus],
    at: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let done = sub_order::Entity::update_many()
        .col_expr(
            sub_order::Column::Status,
            Expr::value(SubOrderStatus::Acknowledged),
        )
        .col_expr(sub_order::Column::AcknowledgedAt, Expr::value(at))
        .filter(sub_order::Column::Id.eq(id))
        .filter(sub_order::Column::Status.is_in(from.iter().copied()))
        .exec(conn)
        .await?;
    Ok(done.rows_affected == 1)
}

/// When paid sub-orders' times are set (each part's own ship-by follows:
/// [`set_ship_by`]).
#[derive(Clone, Copy, Debug)]
pub struct PaidAt {
    pub paid_at: DateTime<Utc>,
}

/// A paid part's ship-by deadline (each part has its own: its categories' promise).
pub async fn set_ship_by(
    conn: &impl ConnectionTrait,
    id: Uuid,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    sub_order::Entity::update_many()
        .col_expr(sub_order::Column::ShipBy, Expr::value(at))
        .filter(sub_order::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// When a shipped sub-order's times are set.
#[derive(Clone, Copy, Debug)]
pub struct ShippedAt {
    pub shipped_at: DateTime<Utc>,
    /// When an unconfirmed shipment counts as received.
    pub auto_receive_at: DateTime<Utc>,
    /// Shipping without acknowledging first acknowledges it then.
    pub acknowledged_at: DateTime<Utc>,
    /// After the ship-by deadline.
    pub late: bool,
}

/// `shipped`, if still in one of `from`.
pub async fn ship_sub_order(
    conn: &impl ConnectionTrait,
    id: Uuid,
    from: &[SubOrderStatus],
    at: ShippedAt,
) -> Result<bool, DbErr> {
    let done = sub_order::Entity::update_many()
        .col_expr(
            sub_order::Column::Status,
            Expr::value(SubOrderStatus::Shipped),
        )
        .col_expr(sub_order::Column::ShippedAt, Expr::value(at.shipped_at))
        .col_expr(
            sub_order::Column::AutoReceiveAt,
            Expr::value(at.auto_receive_at),
        )
        .col_expr(
            sub_order::Column::AcknowledgedAt,
            Expr::value(at.acknowledged_at),
        )
        .col_expr(sub_order::Column::ShippedLate, Expr::value(at.late))
        .filter(sub_order::Column::Id.eq(id))
        .filter(sub_order::Column::Status.is_in(from.iter().copied()))
        .exec(conn)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Holds a sub-order in one of `from` for the rest of the transaction without changing it
/// (an update that writes its own status back): a move made at the same moment waits for it,
/// or it finds the sub-order moved. `true` when held.
pub async fn hold_sub_order(
    conn: &impl ConnectionTrait,
    id: Uuid,
    from: &[SubOrderStatus],
) -> Result<bool, DbErr> {
    let done = sub_order::Entity::update_many()
        .col_expr(
            sub_order::Column::Status,
            Expr::col(sub_order::Column::Status),
        )
        .filter(sub_order::Column::Id.eq(id))
        .filter(sub_order::Column::Status.is_in(from.iter().copied()))
        .exec(conn)
        .await?;
    Ok(done.rows_affected == 1)
}

/// `received` at `at`, its after-sales window closing at `window_closes_at`, if still in one
/// of `from`.
pub async fn receive_sub_order(
    conn: &impl ConnectionTrait,
    id: Uuid,
    from: &[SubOrderStatus],
    at: DateTime<Utc>,
    window_closes_at: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let done = sub_order::Entity::update_many()
        .col_expr(
            sub_order::Column::Status,
            Expr::value(SubOrderStatus::Received),
        )
        .col_expr(sub_order::Column::ReceivedAt, Expr::value(at))
        .col_expr(
            sub_order::Column::WindowClosesAt,
            Expr::value(window_closes_at),
        )
        .filter(sub_order::Column::Id.eq(id))
        .filter(sub_order::Column::Status.is_in(from.iter().copied()))
        .exec(conn)
        .await?;
    Ok(done.rows_affected == 1)
}

/// `undelivered` at `at` (a shipped part whose claim before receipt refunded all of it), if
/// still in one of `from` and refunded in full (the update's condition, so a claim that left
/// money on it cannot close it). Its automatic receipt is dropped; `window_closes_at = at`:
/// nothing is left to claim, so it settles at once.
pub async fn close_undelivered_sub_order(
    conn: &impl ConnectionTrait,
    id: Uuid,
    from: &[SubOrderStatus],
    at: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let done = sub_order::Entity::update_many()
        .col_expr(
            sub_order::Column::Status,
            Expr::value(SubOrderStatus::Undelivered),
        )
        .col_expr(
            sub_order::Column::AutoReceiveAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(sub_order::Column::WindowClosesAt, Expr::value(at))
        .filter(sub_order::Column::Id.eq(id))
        .filter(sub_order::Column::Status.is_in(from.iter().copied()))
        .filter(
            Expr::col(sub_order::Column::RefundedFen).gte(Expr::col(sub_order::Column::TotalFen)),
        )
        .exec(conn)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Adds a refund, split by liability, to what a sub-order has refunded, only if the total
/// stays within what was paid (`refunded + amount <= total` is the update's condition, so two
/// refunds at once cannot both pass). `false`: it would exceed.
pub async fn add_sub_order_refunded(
    conn: &impl ConnectionTrait,
    id: Uuid,
    split: &LiabilitySplit,
) -> Result<bool, DbErr> {
    let amount_fen = split.total();
    let add = |c: sub_order::Column, v: i64| (c, Expr::col(c).add(v));
    let mut update = sub_order::Entity::update_many();
    for (c, e) in [
        add(sub_order::Column::RefundedFen, amount_fen),
        add(sub_order::Column::RefundedSellerFen, split.seller),
        add(sub_order::Column::RefundedPlatformFen, split.platform),
        add(sub_order::Column::RefundedCarrierFen, split.carrier),
    ] {
        update = update.col_expr(c, e);
    }
    let done = update
        .filter(sub_order::Column::Id.eq(id))
        .filter(
            // What was paid for the part: its total and the extra charges paid on it.
            Expr::col(sub_order::Column::RefundedFen)
                .add(amount_fen)
                .lte(
                    Expr::col(sub_order::Column::TotalFen)
                        .add(Expr::col(sub_order::Column::ExtraFen)),
                ),
        )
        .exec(conn)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Every seller's sub-orders paid from `from` until `until`: the platform's money view.
pub async fn all_sub_orders_paid_between(
    conn: &impl ConnectionTrait,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<sub_order::Model>, DbErr> {
    sub_order::Entity::find()
        .filter(sub_order::Column::PaidAt.gte(from))
        .filter(sub_order::Column::PaidAt.lt(until))
        .order_by_asc(sub_order::Column::SellerOrgId)
        .order_by_asc(sub_order::Column::PaidAt)
        .order_by_asc(sub_order::Column::Id)
        .all(conn)
        .await
}

/// How many sub-orders of an order have a number starting with `prefix` (replacements are
/// numbered `-R1`, `-R2` …).
pub async fn count_sub_orders_numbered(
    conn: &impl ConnectionTrait,
    order_id: Uuid,
    prefix: &str,
) -> Result<u64, DbErr> {
    sub_order::Entity::find()
        .filter(sub_order::Column::OrderId.eq(order_id))
        .filter(sub_order::Column::Number.starts_with(prefix))
        .count(conn)
        .await
}

/// A seller's sub-orders paid from `from` (inclusive) to `until` (exclusive), by payment time.
pub async fn sub_orders_paid_between(
    conn: &impl ConnectionTrait,
    seller: Uuid,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<sub_order::Model>, DbErr> {
    sub_order::Entity::find()
        .filter(sub_order::Column::SellerOrgId.eq(seller))
        .filter(sub_order::Column::PaidAt.gte(from))
        .filter(sub_order::Column::PaidAt.lt(until))
        .order_by_asc(sub_order::Column::PaidAt)
        .order_by_asc(sub_order::Column::Id)
        .all(conn)
        .await
}

// ---- Lines

pub async fn line(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<line::Model>, DbErr> {
    line::Entity::find_by_id(id).one(conn).await
}

pub async fn lines_of_order(
    conn: &impl ConnectionTrait,
    order_id: Uuid,
) -> Result<Vec<line::Model>, DbErr> {
    line::Entity::find()
        .filter(line::Column::OrderId.eq(order_id))
        .all(conn)
        .await
}

pub async fn lines_of_sub_order(
    conn: &impl ConnectionTrait,
    sub_order_id: Uuid,
) -> Result<Vec<line::Model>, DbErr> {
    line::Entity::find()
        .filter(line::Column::SubOrderId.eq(sub_order_id))
        .all(conn)
        .await
}

// ---- The event log

/// An order's events, in the order they happened.
pub async fn events_of_order(
    conn: &impl ConnectionTrait,
    order_id: Uuid,
) -> Result<Vec<event::Model>, DbErr> {
    event::Entity::find()
        .filter(event::Column::OrderId.eq(order_id))
        .order_by_asc(event::Column::At)
        .order_by_asc(event::Column::Id)
        .all(conn)
        .await
}

/// One entry of an order's event log.
#[derive(Clone, Debug)]
pub struct NewEvent {
    pub order_id: Uuid,
    pub sub_order_id: Option<Uuid>,
    pub kind: EventKind,
    pub actor: Option<Uuid>,
    pub data: Value,
    pub at: DateTime<Utc>,
}

/// Appends to an order's event log (never updated, never deleted).
pub async fn append_event(conn: &impl ConnectionTrait, e: NewEvent) -> Result<(), DbErr> {
    event::ActiveModel {
        id: Set(Uuid::now_v7()),
        order_id: Set(e.order_id),
        sub_order_id: Set(e.sub_order_id),
        kind: Set(e.kind),
        actor_id: Set(e.actor),
        data: Set(e.data),
        at: Set(e.at),
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// The replacement sub-order (补发) made for an after-sales remedy with this key, if any: the
/// key is kept on the replacement's event.
pub async fn replacement_made_with_key(
    conn: &impl ConnectionTrait,
    order_id: Uuid,
    key: &str,
) -> Result<Option<Uuid>, DbErr> {
    Ok(event::Entity::find()
        .filter(event::Column::OrderId.eq(order_id))
        .filter(event::Column::Kind.eq(EventKind::Replacement))
        .all(conn)
        .await?
        .into_iter()
        .find(|e| e.data["key"] == key)
        .and_then(|e| e.sub_order_id))
}
