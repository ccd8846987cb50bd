//! Writing the rollups: the live path adds one event's [`Delta`] in one transaction (exactly
//! once per event), and the rebuild recomputes everything from the orders, refunds and
//! shipments in one pass, sorted by payment time so distinct buyers per day, week and month are
//! counted with bounded memory.
//!
//! The two paths agree by construction: both fold the same [`facts`](crate::facts) functions
//! over the same records. A rebuild records a watermark (the instant it started); the live path
//! ignores sales, refunds and shipments from before it (or at it) — the rebuild counted them.

use crate::facts::{
    Delivery, Delta, Dim, Grain, Group, Sale, Sums, day_number, refund_delta, sale_delta,
    shipment_delta,
};
use crate::sale::Lookup;
use crate::sql::{Sql, get, get_i64};
use chrono::{DateTime, NaiveDate, Utc};
use farmgate_orders::store::{line, order, refund, shipment, shipment_batch, sub_order};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DatabaseConnection, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect, TransactionTrait,
};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::time::Instant;
use uuid::Uuid;

/// The additive columns of `stats_sales`, in [`sum_values`] order.
pub const SUM_COLS: [&str; 14] = [
    "orders",
    "lines",
    "goods_fen",
    "shipping_fen",
    "refund_fen",
    "refunds",
    "weight_grams",
    "qty_jin",
    "qty_kg",
    "qty_box",
    "qty_bag",
    "qty_piece",
    "shipped_fen",
    "traced_fen",
];

pub fn sum_values(s: &Sums) -> [i64; 14] {
    [
        s.orders,
        s.lines,
        s.goods_fen,
        s.shipping_fen,
        s.refund_fen,
        s.refunds,
        s.weight_grams,
        s.qty[0],
        s.qty[1],
        s.qty[2],
        s.qty[3],
        s.qty[4],
        s.shipped_fen,
        s.traced_fen,
    ]
}

pub fn sums_from(v: &[i64; 14]) -> Sums {
    Sums {
        orders: v[0],
        lines: v[1],
        goods_fen: v[2],
        shipping_fen: v[3],
        refund_fen: v[4],
        refunds: v[5],
        weight_grams: v[6],
        qty: [v[7], v[8], v[9], v[10], v[11]],
        shipped_fen: v[12],
        traced_fen: v[13],
    }
}

const WATERMARK: &str = "rebuild:watermark";
/// Rows per multi-row statement (SQLite allows 32 766 bound values).
const CHUNK: usize = 1_000;

/// Group → stored id, creating groups not seen before (and refreshing labels).
pub async fn key_ids<C: ConnectionTrait>(
    c: &C,
    groups: &[&Group],
    known: &mut HashMap<(Dim, String), i64>,
) -> Result<(), DbErr> {
    let mut missing: Vec<&Group> = groups
        .iter()
        .copied()
        .filter(|g| !known.contains_key(&(g.dim, g.code.clone())))
        .collect();
    missing.sort();
    missing.dedup_by(|a, b| a.id() == b.id());
    let backend = c.get_database_backend();
    for chunk in missing.chunks(CHUNK / 4) {
        let mut q = Sql::new(backend);
        q.push("INSERT INTO stats_keys (dim, code, label, label_en) VALUES ");
        for (i, g) in chunk.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.bind_list([
                g.dim.as_str().to_owned(),
                g.code.clone(),
                g.label.clone(),
                g.label_en.clone(),
            ]);
        }
        q.push(
            " ON CONFLICT (dim, code) DO UPDATE SET label = excluded.label, \
             label_en = excluded.label_en",
        );
        q.execute(c).await?;
        let mut q = Sql::new(backend);
        q.push("SELECT id, dim, code FROM stats_keys WHERE ");
        for (i, g) in chunk.iter().enumerate() {
            if i > 0 {
                q.push(" OR ");
            }
            q.push("(dim = ")
                .bind(g.dim.as_str())
                .push(" AND code = ")
                .bind(g.code.clone())
                .push(")");
        }
        for row in q.all(c).await? {
            let dim: String = get(&row, "dim")?;
            let dim = Dim::parse(&dim).ok_or_else(|| DbErr::Custom(format!("dim {dim}")))?;
            known.insert((dim, get(&row, "code")?), get(&row, "id")?);
        }
    }
    Ok(())
}

/// Buyer → small integer.
pub async fn buyer_ids<C: ConnectionTrait>(
    c: &C,
    buyers: &[Uuid],
    known: &mut HashMap<Uuid, i64>,
) -> Result<(), DbErr> {
    let mut missing: Vec<Uuid> = buyers
        .iter()
        .copied()
        .filter(|b| !known.contains_key(b))
        .collect();
    missing.sort();
    missing.dedup();
    let backend = c.get_database_backend();
    for chunk in missing.chunks(CHUNK) {
        let mut q = Sql::new(backend);
        q.push("INSERT INTO stats_buyer_ids (account_id) VALUES ");
        for (i, b) in chunk.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.push("(").bind(b.to_string()).push(")");
        }
        q.push(" ON CONFLICT (account_id) DO NOTHING");
        q.execute(c).await?;
        let mut q = Sql::new(backend);
        q.push("SELECT id, account_id FROM stats_buyer_ids WHERE account_id IN ")
            .bind_list(chunk.iter().map(ToString::to_string));
        for row in q.all(c).await? {
            let account: String = get(&row, "account_id")?;
            let account = Uuid::parse_str(&account)
                .map_err(|e| DbErr::Custom(format!("stats_buyer_ids {account}: {e}")))?;
            known.insert(account, get(&row, "id")?);
        }
    }
    Ok(())
}

fn id_of(known: &HashMap<(Dim, String), i64>, g: &Group) -> Result<i64, DbErr> {
    known
        .get(&(g.dim, g.code.clone()))
        .copied()
        .ok_or_else(|| DbErr::Custom(format!("no key id for {:?}", g.id())))
}

/// A row of `stats_prices`: (key, basis, day, price).
type PriceKey = (i64, &'static str, i32, i64);

/// A row of `stats_sales`: (key, grain, bucket, dim) → sums and buyers.
type RowKey = (i64, i16, i32, Dim);

/// Adds sums (and buyers) to rows, creating missing ones.
async fn upsert_sales<C: ConnectionTrait>(
    c: &C,
    rows: &[(RowKey, Sums, i64)],
    additive: bool,
) -> Result<(), DbErr> {
    let backend = c.get_database_backend();
    for chunk in rows.chunks(CHUNK / 2) {
        let mut q = Sql::new(backend);
        q.push("INSERT INTO stats_sales (key_id, grain, bucket, dim, buyers, ");
        q.push(&SUM_COLS.join(", "));
        q.push(") VALUES ");
        for (i, ((key, grain, bucket, dim), sums, buyers)) in chunk.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.push("(")
                .bind(*key)
                .push(", ")
                .bind(*grain)
                .push(", ")
                .bind(*bucket)
                .push(", ")
                .bind(dim.as_str())
                .push(", ")
                .bind(*buyers);
            for v in sum_values(sums) {
                q.push(", ").bind(v);
            }
            q.push(")");
        }
        if additive {
            q.push(" ON CONFLICT (key_id, grain, bucket) DO UPDATE SET buyers = stats_sales.buyers + excluded.buyers");
            for col in SUM_COLS {
                q.push(&format!(", {col} = stats_sales.{col} + excluded.{col}"));
            }
        }
        q.execute(c).await?;
    }
    Ok(())
}

async fn upsert_prices<C: ConnectionTrait>(
    c: &C,
    rows: &[(PriceKey, (i64, i64))],
) -> Result<(), DbErr> {
    let backend = c.get_database_backend();
    for chunk in rows.chunks(CHUNK) {
        let mut q = Sql::new(backend);
        q.push("INSERT INTO stats_prices (key_id, basis, day, price_fen, quantity, lines) VALUES ");
        for (i, ((key, basis, day, price), (qty, lines))) in chunk.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.push("(")
                .bind(*key)
                .push(", ")
                .bind(*basis)
                .push(", ")
                .bind(*day)
                .push(", ")
                .bind(*price)
                .push(", ")
                .bind(*qty)
                .push(", ")
                .bind(*lines)
                .push(")");
        }
        q.push(
            " ON CONFLICT (key_id, basis, day, price_fen) DO UPDATE SET \
             quantity = stats_prices.quantity + excluded.quantity, \
             lines = stats_prices.lines + excluded.lines",
        );
        q.execute(c).await?;
    }
    Ok(())
}

async fn insert_buyer_days<C: ConnectionTrait>(
    c: &C,
    rows: &[(i64, i64, i32)],
) -> Result<u64, DbErr> {
    let backend = c.get_database_backend();
    let mut n = 0;
    for chunk in rows.chunks(CHUNK * 2) {
        let mut q = Sql::new(backend);
        q.push("INSERT INTO stats_buyer_days (key_id, buyer, day) VALUES ");
        for (i, (key, buyer, day)) in chunk.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.bind_list([*key, *buyer, i64::from(*day)]);
        }
        q.push(" ON CONFLICT (key_id, buyer, day) DO NOTHING");
        n += q.execute(c).await?;
    }
    Ok(n)
}

async fn upsert_delivered<C: ConnectionTrait>(
    c: &C,
    rows: &[((i64, i32), i64)],
) -> Result<(), DbErr> {
    let backend = c.get_database_backend();
    for chunk in rows.chunks(CHUNK * 2) {
        let mut q = Sql::new(backend);
        q.push("INSERT INTO stats_delivered (key_id, day, delivered) VALUES ");
        for (i, ((key, day), n)) in chunk.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.bind_list([*key, i64::from(*day), *n]);
        }
        q.push(
            " ON CONFLICT (key_id, day) DO UPDATE SET \
             delivered = stats_delivered.delivered + excluded.delivered",
        );
        q.execute(c).await?;
    }
    Ok(())
}

/// Counts one received parcel (the live path).
pub async fn apply_delivery<C: ConnectionTrait>(c: &C, d: &Delivery) -> Result<(), DbErr> {
    let mut keys = HashMap::new();
    let groups: Vec<&Group> = d.groups.iter().collect();
    key_ids(c, &groups, &mut keys).await?;
    let mut rows = Vec::new();
    for g in &d.groups {
        rows.push(((id_of(&keys, g)?, day_number(d.day)), 1));
    }
    upsert_delivered(c, &rows).await
}

/// The rebuild's watermark, if a rebuild ran.
pub async fn watermark<C: ConnectionTrait>(c: &C) -> Result<Option<DateTime<Utc>>, DbErr> {
    let mut q = Sql::new(c.get_database_backend());
    q.push("SELECT value FROM stats_applied WHERE event_key = ")
        .bind(WATERMARK);
    let Some(row) = q.all(c).await?.into_iter().next() else {
        return Ok(None);
    };
    let v: Option<String> = get(&row, "value")?;
    Ok(v.and_then(|v| DateTime::parse_from_rfc3339(&v).ok())
        .map(|t| t.to_utc()))
}

/// Records that `event_key` is applied; false when it already was.
pub async fn mark_applied<C: ConnectionTrait>(c: &C, event_key: &str) -> Result<bool, DbErr> {
    let mut q = Sql::new(c.get_database_backend());
    q.push("INSERT INTO stats_applied (event_key) VALUES (")
        .bind(event_key)
        .push(") ON CONFLICT (event_key) DO NOTHING");
    Ok(q.execute(c).await? == 1)
}

/// Adds one event's delta (the live path). Distinct buyers: a buyer new to a group's day adds
/// one to the day; new to its week or month (no other day of theirs in it), one to those.
pub async fn apply<C: ConnectionTrait>(c: &C, delta: &Delta) -> Result<(), DbErr> {
    let mut keys = HashMap::new();
    let groups: Vec<&Group> = delta
        .sums
        .keys()
        .map(|(g, _)| g)
        .chain(delta.prices.keys().map(|(g, _, _, _)| g))
        .collect();
    key_ids(c, &groups, &mut keys).await?;
    let mut rows: HashMap<RowKey, (Sums, i64)> = HashMap::new();
    for ((g, day), s) in &delta.sums {
        let key = id_of(&keys, g)?;
        for grain in Grain::ALL {
            let r = rows
                .entry((key, grain.code(), day_number(grain.start(*day)), g.dim))
                .or_default();
            r.0.add(s);
        }
    }
    let mut buyers = HashMap::new();
    let ids: Vec<Uuid> = delta.buyers.iter().map(|(b, _, _)| *b).collect();
    buyer_ids(c, &ids, &mut buyers).await?;
    for (b, g, day) in &delta.buyers {
        let key = id_of(&keys, g)?;
        let buyer = buyers
            .get(b)
            .copied()
            .ok_or_else(|| DbErr::Custom(format!("no id for buyer {b}")))?;
        let d = day_number(*day);
        if insert_buyer_days(c, &[(key, buyer, d)]).await? == 0 {
            continue;
        }
        for grain in Grain::ALL {
            let start = grain.start(*day);
            let (from, to) = (day_number(start), day_number(grain.next(start)));
            let mut q = Sql::new(c.get_database_backend());
            q.push("SELECT COUNT(*) AS n FROM stats_buyer_days WHERE key_id = ")
                .bind(key)
                .push(" AND buyer = ")
                .bind(buyer)
                .push(" AND day >= ")
                .bind(from)
                .push(" AND day < ")
                .bind(to);
            let n = match q.all(c).await?.first() {
                Some(r) => get_i64(r, "n")?,
                None => 0,
            };
            if n == 1 {
                rows.entry((key, grain.code(), from, g.dim)).or_default().1 += 1;
            }
        }
    }
    let rows: Vec<(RowKey, Sums, i64)> = rows.into_iter().map(|(k, (s, b))| (k, s, b)).collect();
    upsert_sales(c, &rows, true).await?;
    let mut prices = Vec::new();
    for ((g, basis, day, price), v) in &delta.prices {
        prices.push(((id_of(&keys, g)?, *basis, day_number(*day), *price), *v));
    }
    upsert_prices(c, &prices).await
}

/// What a rebuild did.
#[derive(Clone, Debug, serde::Serialize)]
pub struct RebuildReport {
    pub orders: u64,
    pub refunds: u64,
    pub shipments: u64,
    pub sales_rows: u64,
    pub buyer_day_rows: u64,
    pub price_rows: u64,
    pub deliveries: u64,
    pub seconds: f64,
    pub watermark: DateTime<Utc>,
}

/// Running state of a rebuild: rows of the current day, week and month are kept until the
/// sorted orders move past them.
#[derive(Default)]
struct Acc {
    keys: HashMap<(Dim, String), i64>,
    buyer_ids: HashMap<Uuid, i64>,
    rows: HashMap<RowKey, (Sums, i64)>,
    day: Option<NaiveDate>,
    seen: [HashSet<(i64, i64)>; 3],
    bucket: [Option<NaiveDate>; 3],
    buyer_days: Vec<(i64, i64, i32)>,
    prices: HashMap<PriceKey, (i64, i64)>,
    delivered: HashMap<(i64, i32), i64>,
    report_rows: u64,
    report_buyer_days: u64,
}

impl Acc {
    /// Writes rows of buckets that ended before `day` (all of them when `day` is None).
    async fn flush<C: ConnectionTrait>(
        &mut self,
        c: &C,
        day: Option<NaiveDate>,
    ) -> Result<(), DbErr> {
        let done: Vec<RowKey> = self
            .rows
            .keys()
            .filter(|(_, grain, bucket, _)| match day {
                None => true,
                Some(d) => {
                    let g = match grain {
                        0 => Grain::Day,
                        1 => Grain::Week,
                        _ => Grain::Month,
                    };
                    day_number(g.start(d)) != *bucket
                }
            })
            .copied()
            .collect();
        let mut out = Vec::with_capacity(done.len());
        for k in done {
            if let Some((s, b)) = self.rows.remove(&k) {
                out.push((k, s, b));
            }
        }
        self.report_rows += out.len() as u64;
        upsert_sales(c, &out, false).await?;
        self.report_buyer_days += insert_buyer_days(c, &self.buyer_days).await?;
        self.buyer_days.clear();
        Ok(())
    }

    async fn add<C: ConnectionTrait>(
        &mut self,
        c: &C,
        sale: &Sale,
        delta: &Delta,
    ) -> Result<(), DbErr> {
        if self.day.is_some_and(|d| d != sale.day) {
            self.flush(c, Some(sale.day)).await?;
        }
        self.day = Some(sale.day);
        for (i, grain) in Grain::ALL.into_iter().enumerate() {
            let start = grain.start(sale.day);
            if self.bucket[i] != Some(start) {
                self.bucket[i] = Some(start);
                self.seen[i].clear();
            }
        }
        for ((g, day), s) in &delta.sums {
            let key = id_of(&self.keys, g)?;
            for grain in Grain::ALL {
                let r = self
                    .rows
                    .entry((key, grain.code(), day_number(grain.start(*day)), g.dim))
                    .or_default();
                r.0.add(s);
            }
        }
        for (b, g, day) in &delta.buyers {
            let key = id_of(&self.keys, g)?;
            let buyer = self
                .buyer_ids
                .get(b)
                .copied()
                .ok_or_else(|| DbErr::Custom(format!("no id for buyer {b}")))?;
            for (i, grain) in Grain::ALL.into_iter().enumerate() {
                if self.seen[i].insert((key, buyer)) {
                    if i == 0 {
                        self.buyer_days.push((key, buyer, day_number(*day)));
                    }
                    self.rows
                        .entry((key, grain.code(), day_number(grain.start(*day)), g.dim))
                        .or_default()
                        .1 += 1;
                }
            }
        }
        for ((g, basis, day, price), (q, l)) in &delta.prices {
            let e = self
                .prices
                .entry((id_of(&self.keys, g)?, *basis, day_number(*day), *price))
                .or_default();
            e.0 += q;
            e.1 += l;
        }
        Ok(())
    }
}

/// Recomputes every rollup from the orders, refunds and shipments, in one transaction (readers
/// see the old figures until it commits).
pub async fn rebuild(db: &DatabaseConnection, now: DateTime<Utc>) -> Result<RebuildReport, DbErr> {
    let started = Instant::now();
    let txn = db.begin().await?;
    for t in [
        "stats_sales",
        "stats_buyer_days",
        "stats_prices",
        "stats_delivered",
        "stats_applied",
    ] {
        txn.execute_unprepared(&format!("DELETE FROM {t}")).await?;
    }
    let lookup = Lookup::load(&txn, None, None).await?;
    let mut acc = Acc::default();
    let (mut orders, mut refunds, mut shipments, mut deliveries) = (0u64, 0u64, 0u64, 0u64);
    let mut after: Option<(DateTime<Utc>, Uuid)> = None;
    const PAGE: u64 = 2_000;
    loop {
        let mut q = order::Entity::find()
            .filter(order::Column::PaidAt.is_not_null())
            .filter(order::Column::PaidAt.lte(now))
            .order_by_asc(order::Column::PaidAt)
            .order_by_asc(order::Column::Id)
            .limit(PAGE);
        if let Some((t, id)) = after {
            q = q.filter(
                sea_orm::Condition::any()
                    .add(order::Column::PaidAt.gt(t))
                    .add(
                        sea_orm::Condition::all()
                            .add(order::Column::PaidAt.eq(t))
                            .add(order::Column::Id.gt(id)),
                    ),
            );
        }
        let page = q.all(&txn).await?;
        let Some(last) = page.last() else { break };
        after = last.paid_at.map(|t| (t, last.id));
        let ids: Vec<Uuid> = page.iter().map(|o| o.id).collect();
        let subs = sub_order::Entity::find()
            .filter(sub_order::Column::OrderId.is_in(ids.clone()))
            .all(&txn)
            .await?;
        let lines = line::Entity::find()
            .filter(line::Column::OrderId.is_in(ids.clone()))
            .all(&txn)
            .await?;
        let refund_rows = refund::Entity::find()
            .filter(refund::Column::OrderId.is_in(ids.clone()))
            .filter(refund::Column::SubOrderId.is_not_null())
            .filter(refund::Column::CreatedAt.lte(now))
            .all(&txn)
            .await?;
        let ship_rows = shipment::Entity::find()
            .filter(shipment::Column::OrderId.is_in(ids.clone()))
            .filter(shipment::Column::ShippedAt.lte(now))
            .all(&txn)
            .await?;
        let traced: HashSet<Uuid> = shipment_batch::Entity::find()
            .filter(
                shipment_batch::Column::ShipmentId
                    .is_in(ship_rows.iter().map(|s| s.id).collect::<Vec<_>>()),
            )
            .all(&txn)
            .await?
            .into_iter()
            .map(|b| b.line_id)
            .collect();
        let mut subs_of: HashMap<Uuid, Vec<sub_order::Model>> = HashMap::new();
        for s in subs {
            subs_of.entry(s.order_id).or_default().push(s);
        }
        let mut lines_of: HashMap<Uuid, Vec<line::Model>> = HashMap::new();
        for l in lines {
            lines_of.entry(l.order_id).or_default().push(l);
        }
        let mut sales = Vec::with_capacity(page.len());
        let mut parcels = Vec::new();
        for o in &page {
            let subs = subs_of.remove(&o.id).unwrap_or_default();
            let lines = lines_of.remove(&o.id).unwrap_or_default();
            for s in subs
                .iter()
                .filter(|s| s.received_at.is_some_and(|t| t <= now))
            {
                let carrier = ship_rows
                    .iter()
                    .find(|x| x.sub_order_id == s.id)
                    .map(|x| x.carrier.as_str());
                if let Some(d) = lookup.delivery(s, &lines, carrier) {
                    parcels.push(d);
                }
            }
            let Some(sale) = lookup.sale(o, &subs, &lines) else {
                continue;
            };
            let mut delta = sale_delta(&sale);
            for r in refund_rows.iter().filter(|r| r.order_id == o.id) {
                if let Some(sub) = r.sub_order_id {
                    delta.merge(refund_delta(&sale, sub, r.amount_fen));
                    refunds += 1;
                }
            }
            for s in ship_rows.iter().filter(|s| s.order_id == o.id) {
                let lines: BTreeSet<Uuid> = sale
                    .lines
                    .iter()
                    .filter(|l| l.sub_order_id == s.sub_order_id && traced.contains(&l.line_id))
                    .map(|l| l.line_id)
                    .collect();
                delta.merge(shipment_delta(&sale, s.sub_order_id, &lines));
                shipments += 1;
            }
            orders += 1;
            sales.push((sale, delta));
        }
        let groups: Vec<&Group> = sales
            .iter()
            .flat_map(|(_, d)| {
                d.sums
                    .keys()
                    .map(|(g, _)| g)
                    .chain(d.prices.keys().map(|(g, _, _, _)| g))
            })
            .chain(parcels.iter().flat_map(|p| p.groups.iter()))
            .collect();
        key_ids(&txn, &groups, &mut acc.keys).await?;
        for p in &parcels {
            for g in &p.groups {
                *acc.delivered
                    .entry((id_of(&acc.keys, g)?, day_number(p.day)))
                    .or_default() += 1;
            }
        }
        deliveries += parcels.len() as u64;
        let buyers: Vec<Uuid> = sales.iter().map(|(s, _)| s.buyer).collect();
        buyer_ids(&txn, &buyers, &mut acc.buyer_ids).await?;
        for (sale, delta) in &sales {
            acc.add(&txn, sale, delta).await?;
        }
    }
    acc.flush(&txn, None).await?;
    let prices: Vec<_> = acc.prices.drain().collect();
    let price_rows = prices.len() as u64;
    upsert_prices(&txn, &prices).await?;
    let delivered: Vec<_> = acc.delivered.drain().collect();
    upsert_delivered(&txn, &delivered).await?;
    let mut q = Sql::new(txn.get_database_backend());
    q.push("INSERT INTO stats_applied (event_key, value) VALUES (")
        .bind(WATERMARK)
        .push(", ")
        .bind(now.to_rfc3339())
        .push(")");
    q.execute(&txn).await?;
    txn.commit().await?;
    Ok(RebuildReport {
        orders,
        refunds,
        shipments,
        sales_rows: acc.report_rows,
        buyer_day_rows: acc.report_buyer_days,
        price_rows,
        deliveries,
        seconds: started.elapsed().as_secs_f64(),
        watermark: now,
    })
}
