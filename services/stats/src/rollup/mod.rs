//! Writing the rollups: the live path adds one event's [`Delta`] in one transaction (exactly
//! once per event, see [`crate::jobs`]), and the rebuild recomputes everything from the
//! orders, refunds and shipments in one pass, sorted by payment time so distinct buyers per
//! day, week and month are counted with bounded memory.
//!
//! The two paths agree by construction: both fold the same [`domain`](crate::domain)
//! functions over the same records. A rebuild records a watermark (the instant it started);
//! the live path ignores sales, refunds and shipments from before it (or at it) — the rebuild
//! counted them.

pub mod sale;

use crate::domain::{
    Delivery, Delta, Grain, Group, Sale, Sums, day_number, refund_delta, sale_delta, shipment_delta,
};
use crate::store::keys::{KeyIds, id_of, key_ids};
use crate::store::prices::PriceKey;
use crate::store::sales::RowKey;
use crate::store::{self, applied, buyers, delivered, prices, sales};
use chrono::{DateTime, NaiveDate, Utc};
use farmgate_kernel::id::{AccountId, OrderId, OrderLineId, SubOrderId};
use farmgate_orders::read::stats as orders;
use sale::Lookup;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, TransactionTrait};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::time::Instant;

/// Orders a rebuild reads at a time.
const PAGE: u64 = 2_000;

/// Counts one received parcel (the live path).
pub async fn apply_delivery<C: ConnectionTrait>(c: &C, d: &Delivery) -> Result<(), DbErr> {
    let mut keys = KeyIds::new();
    let groups: Vec<&Group> = d.groups.iter().collect();
    key_ids(c, &groups, &mut keys).await?;
    let mut rows = Vec::new();
    for g in &d.groups {
        rows.push(((id_of(&keys, g)?, day_number(d.day)), 1));
    }
    delivered::upsert(c, &rows).await
}

/// Adds one event's delta (the live path). Distinct buyers: a buyer new to a group's day adds
/// one to the day; new to its week or month (no other day of theirs in it), one to those.
pub async fn apply<C: ConnectionTrait>(c: &C, delta: &Delta) -> Result<(), DbErr> {
    let mut keys = KeyIds::new();
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
    let mut ids = HashMap::new();
    let accounts: Vec<AccountId> = delta.buyers.iter().map(|(b, _, _)| *b).collect();
    buyers::buyer_ids(c, &accounts, &mut ids).await?;
    for (b, g, day) in &delta.buyers {
        let key = id_of(&keys, g)?;
        let buyer = ids
            .get(b)
            .copied()
            .ok_or_else(|| DbErr::Custom(format!("no id for buyer {b}")))?;
        let d = day_number(*day);
        if buyers::insert_days(c, &[(key, buyer, d)]).await? == 0 {
            continue;
        }
        for grain in Grain::ALL {
            let start = grain.start(*day);
            let (from, until) = (day_number(start), day_number(grain.next(start)));
            if buyers::days_of(c, key, buyer, from, until).await? == 1 {
                rows.entry((key, grain.code(), from, g.dim)).or_default().1 += 1;
            }
        }
    }
    let rows: Vec<(RowKey, Sums, i64)> = rows.into_iter().map(|(k, (s, b))| (k, s, b)).collect();
    sales::upsert(c, &rows, true).await?;
    let mut points = Vec::new();
    for ((g, basis, day, price), v) in &delta.prices {
        points.push(((id_of(&keys, g)?, *basis, day_number(*day), *price), *v));
    }
    prices::upsert(c, &points).await
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
    keys: KeyIds,
    buyer_ids: HashMap<AccountId, i64>,
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
                Some(d) => day_number(Grain::from_code(*grain).start(d)) != *bucket,
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
        sales::upsert(c, &out, false).await?;
        self.report_buyer_days += buyers::insert_days(c, &self.buyer_days).await?;
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
        for (i, grain) in Grain::ALL.iter().enumerate() {
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
            for (i, grain) in Grain::ALL.iter().enumerate() {
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
    store::clear(&txn).await?;
    let lookup = Lookup::load(&txn, None, None).await?;
    let mut acc = Acc::default();
    let (mut orders, mut refunds, mut shipments, mut deliveries) = (0u64, 0u64, 0u64, 0u64);
    let mut after: Option<(DateTime<Utc>, OrderId)> = None;
    loop {
        let page = orders::history_page(&txn, now, after, PAGE).await?;
        if page.orders.is_empty() {
            break;
        }
        after = page.cursor();
        let mut parts_of: HashMap<OrderId, Vec<orders::Part>> = HashMap::new();
        for s in page.parts {
            parts_of.entry(s.order_id).or_default().push(s);
        }
        let mut lines_of: HashMap<OrderId, Vec<orders::Line>> = HashMap::new();
        for l in page.lines {
            lines_of.entry(l.order_id).or_default().push(l);
        }
        let mut sales = Vec::with_capacity(page.orders.len());
        let mut parcels = Vec::new();
        for o in &page.orders {
            let parts = parts_of.remove(&o.id).unwrap_or_default();
            let lines = lines_of.remove(&o.id).unwrap_or_default();
            for s in parts
                .iter()
                .filter(|s| s.received_at.is_some_and(|t| t <= now))
            {
                let carrier = page
                    .shipments
                    .iter()
                    .find(|x| x.sub_order_id == s.id)
                    .map(|x| x.carrier.as_str());
                if let Some(d) = lookup.delivery(s, &lines, carrier) {
                    parcels.push(d);
                }
            }
            let Some(sale) = lookup.sale(o, &parts, &lines) else {
                continue;
            };
            let mut delta = sale_delta(&sale);
            for r in page.refunds.iter().filter(|r| r.order_id == o.id) {
                if let Some(sub) = r.sub_order_id {
                    delta.merge(refund_delta(&sale, sub, r.amount_fen));
                    refunds += 1;
                }
            }
            for s in page.shipments.iter().filter(|s| s.order_id == o.id) {
                let traced: BTreeSet<OrderLineId> =
                    traced_of(&sale, s.sub_order_id, &page.traced_lines);
                delta.merge(shipment_delta(&sale, s.sub_order_id, &traced));
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
        let accounts: Vec<AccountId> = sales.iter().map(|(s, _)| s.buyer).collect();
        buyers::buyer_ids(&txn, &accounts, &mut acc.buyer_ids).await?;
        for (sale, delta) in &sales {
            acc.add(&txn, sale, delta).await?;
        }
    }
    acc.flush(&txn, None).await?;
    let points: Vec<_> = acc.prices.drain().collect();
    let price_rows = points.len() as u64;
    prices::upsert(&txn, &points).await?;
    let parcels: Vec<_> = acc.delivered.drain().collect();
    delivered::upsert(&txn, &parcels).await?;
    applied::set_watermark(&txn, now).await?;
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

/// The sale's lines of a sub-order that were packed from a traced batch.
fn traced_of(
    sale: &Sale,
    sub_order: SubOrderId,
    traced: &HashSet<OrderLineId>,
) -> BTreeSet<OrderLineId> {
    sale.lines
        .iter()
        .filter(|l| l.sub_order_id == sub_order && traced.contains(&l.line_id))
        .map(|l| l.line_id)
        .collect()
}
