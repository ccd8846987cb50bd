//! Writing the history: one transaction per batch of about 5,000 orders, each table's rows in
//! multi-row INSERT statements under the databases' bound-value limits.
//!
//! **Writes the orders' tables directly** (`orders`, `sub_orders`, `order_lines`, `payments`,
//! `order_events`, `shipments`, `shipment_batches`, `refunds`) with raw SQL, for bulk speed: a
//! million orders take minutes instead of the days a million checkouts would. The rows look as
//! the use cases write them; order numbers already taken are asked of
//! `farmgate_orders::read::demo`. Nothing else of the orders service runs (no stock, no outbox).

use anyhow::bail;
use chrono::{DateTime, Utc};
use farmgate_infra::db::begin_write;
use farmgate_orders::domain::order_number;
use farmgate_orders::read::demo as orders_read;
use rand::Rng;
use rand::rngs::StdRng;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, Statement, Value};
use std::collections::{HashMap, HashSet};

/// Bound values per statement: SQLite allows 32,766.
const MAX_BINDS: usize = 30_000;
/// Rows per statement at most (a power of two), whatever the width.
const MAX_ROWS: usize = 1_024;

/// Rows of one table, flat (row after row, `cols` values each).
pub(super) struct Rows {
    table: &'static str,
    cols: &'static [&'static str],
    values: Vec<Value>,
}

impl Rows {
    pub(super) fn new(table: &'static str, cols: &'static [&'static str]) -> Self {
        Self {
            table,
            cols,
            values: Vec::new(),
        }
    }

    pub(super) fn push(&mut self, row: Vec<Value>) {
        debug_assert_eq!(row.len(), self.cols.len(), "{}", self.table);
        self.values.extend(row);
    }

    /// Multi-row INSERTs, under the bound-value limit. Statements come in few shapes (full
    /// chunks, then the rest in powers of two): the driver keeps every statement it prepared
    /// per connection, and a statement of a thousand rows is a large program.
    pub(super) async fn write(&mut self, c: &impl ConnectionTrait) -> Result<(), sea_orm::DbErr> {
        let backend = c.get_database_backend();
        let width = self.cols.len();
        let full = 1 << (MAX_BINDS / width).clamp(1, MAX_ROWS).ilog2();
        let mut sql: HashMap<usize, String> = HashMap::new();
        let values = std::mem::take(&mut self.values);
        let mut left = values.len() / width;
        let mut it = values.into_iter();
        while left > 0 {
            let rows = if left >= full {
                full
            } else {
                1 << left.ilog2()
            };
            left -= rows;
            let chunk: Vec<Value> = it.by_ref().take(rows * width).collect();
            let text = sql
                .entry(rows)
                .or_insert_with(|| insert_sql(backend, self.table, self.cols, rows))
                .clone();
            c.execute_raw(Statement::from_sql_and_values(backend, text, chunk))
                .await?;
        }
        Ok(())
    }
}

fn insert_sql(backend: DbBackend, table: &str, cols: &[&str], rows: usize) -> String {
    let mut sql = format!("INSERT INTO {table} ({}) VALUES ", cols.join(", "));
    let mut n = 0;
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..cols.len() {
            if c > 0 {
                sql.push_str(", ");
            }
            n += 1;
            match backend {
                DbBackend::Postgres => {
                    sql.push('$');
                    sql.push_str(&n.to_string());
                }
                _ => sql.push('?'),
            }
        }
        sql.push(')');
    }
    sql
}

pub(super) fn v(x: impl Into<Value>) -> Value {
    x.into()
}

const ORDER_COLS: &[&str] = &[
    "id",
    "number",
    "buyer_account_id",
    "buyer_org_id",
    "wholesale",
    "address",
    "goods_fen",
    "shipping_fen",
    "total_fen",
    "payment_method",
    "status",
    "pay_by",
    "paid_at",
    "idempotency_key",
    "request_hash",
    "note",
    "created_at",
    "refunded_fen",
];
const SUB_COLS: &[&str] = &[
    "id",
    "order_id",
    "number",
    "seller_org_id",
    "goods_fen",
    "shipping_fen",
    "total_fen",
    "commission_fen",
    "status",
    "paid_at",
    "acknowledged_at",
    "shipped_at",
    "received_at",
    "created_at",
    "auto_receive_at",
    "window_closes_at",
    "refunded_fen",
];
const LINE_COLS: &[&str] = &[
    "id",
    "order_id",
    "sub_order_id",
    "listing_id",
    "sku_id",
    "category_id",
    "title",
    "sku_name",
    "unit",
    "quantity",
    "retail_price_fen",
    "unit_price_fen",
    "line_fen",
    "commission_bp",
    "commission_fen",
    "claim_window_hours",
    "weight_grams",
];
const EVENT_COLS: &[&str] = &[
    "id",
    "order_id",
    "sub_order_id",
    "kind",
    "actor_id",
    "data",
    "at",
];
const PAYMENT_COLS: &[&str] = &[
    "id",
    "order_id",
    "provider",
    "amount_fen",
    "status",
    "reference",
    "confirmed_by",
    "created_at",
    "settled_at",
];
const SHIPMENT_COLS: &[&str] = &[
    "id",
    "order_id",
    "sub_order_id",
    "seller_org_id",
    "carrier",
    "tracking_no",
    "shipped_by",
    "shipped_at",
];
const SHIPMENT_BATCH_COLS: &[&str] = &["shipment_id", "line_id", "batch_id", "code", "lot"];
const REFUND_COLS: &[&str] = &[
    "id",
    "order_id",
    "sub_order_id",
    "amount_fen",
    "reason",
    "provider",
    "status",
    "provider_ref",
    "idempotency_key",
    "actor_id",
    "created_at",
    "settled_at",
];

/// One transaction's worth of orders. Orders and sub-orders stay structured until written, so
/// an order number already taken can still be replaced.
pub(super) struct Batch {
    pub(super) orders: Vec<OrderRow>,
    pub(super) subs: Vec<SubRow>,
    pub(super) lines: Rows,
    pub(super) events: Rows,
    pub(super) payments: Rows,
    pub(super) shipments: Rows,
    pub(super) shipment_batches: Rows,
    pub(super) refunds: Rows,
}

pub(super) struct OrderRow {
    pub(super) number: String,
    pub(super) created_at: DateTime<Utc>,
    /// Every column but the number.
    pub(super) values: Vec<Value>,
}

pub(super) struct SubRow {
    /// The order's index in the batch, and the sub-order's position (1, 2 …).
    pub(super) order: usize,
    pub(super) seq: usize,
    pub(super) values: Vec<Value>,
}

impl Batch {
    pub(super) fn new() -> Self {
        Self {
            orders: Vec::new(),
            subs: Vec::new(),
            lines: Rows::new("order_lines", LINE_COLS),
            events: Rows::new("order_events", EVENT_COLS),
            payments: Rows::new("payments", PAYMENT_COLS),
            shipments: Rows::new("shipments", SHIPMENT_COLS),
            shipment_batches: Rows::new("shipment_batches", SHIPMENT_BATCH_COLS),
            refunds: Rows::new("refunds", REFUND_COLS),
        }
    }
}

/// Replaces order numbers the database already has (another run, a real checkout), asking
/// the orders' read model which are taken.
async fn settle_numbers(
    c: &impl ConnectionTrait,
    b: &mut Batch,
    ids: &mut StdRng,
) -> anyhow::Result<()> {
    let mut seen: HashSet<String> = HashSet::with_capacity(b.orders.len());
    for _round in 0..10 {
        let numbers: Vec<String> = b.orders.iter().map(|o| o.number.clone()).collect();
        let taken = orders_read::taken_order_numbers(c, &numbers).await?;
        // Sub-order numbers are made from these when written.
        seen.clear();
        let mut changed = false;
        for o in &mut b.orders {
            if taken.contains(&o.number) || !seen.insert(o.number.clone()) {
                o.number = order_number(o.created_at, ids.random());
                changed = true;
            }
        }
        if !changed {
            return Ok(());
        }
    }
    bail!("could not find free order numbers")
}

/// Writes one batch of orders (and everything that happened to them) in one transaction.
pub(super) async fn write_batch(
    db: &DatabaseConnection,
    b: &mut Batch,
    ids: &mut StdRng,
) -> anyhow::Result<()> {
    let txn = begin_write(db).await?;
    settle_numbers(&txn, b, ids).await?;
    let mut orders = Rows::new("orders", ORDER_COLS);
    let mut numbers: Vec<String> = Vec::with_capacity(b.orders.len());
    for o in b.orders.drain(..) {
        let mut row = o.values;
        row.insert(1, v(o.number.clone()));
        orders.push(row);
        numbers.push(o.number);
    }
    let mut subs = Rows::new("sub_orders", SUB_COLS);
    for s in b.subs.drain(..) {
        let mut row = s.values;
        let number = numbers.get(s.order).cloned().unwrap_or_default();
        row.insert(2, v(format!("{number}-{}", s.seq)));
        subs.push(row);
    }
    orders.write(&txn).await?;
    subs.write(&txn).await?;
    b.lines.write(&txn).await?;
    b.payments.write(&txn).await?;
    b.events.write(&txn).await?;
    b.shipments.write(&txn).await?;
    b.shipment_batches.write(&txn).await?;
    b.refunds.write(&txn).await?;
    txn.commit().await?;
    Ok(())
}
