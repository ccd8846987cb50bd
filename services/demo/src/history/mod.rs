//! A realistic order history for the demo county and for benchmarks: back-dated orders, already
//! paid, shipped, received and now and then refunded, spread over a period the way a county
//! marketplace's orders would be.
//!
//! **This is a data generator, not the domain path.** It writes rows straight into the tables
//! (`accounts`, `addresses`, `organisations`, `memberships`, `org_reviews`, `orders`,
//! `sub_orders`, `order_lines`, `payments`, `order_events`, `shipments`, `shipment_batches`,
//! `refunds`) with multi-row INSERT statements, in one transaction per 5,000 orders, so a
//! million orders take minutes instead of the days a million checkouts would (`writer.rs` for
//! the orders' tables, `buyers.rs` for the buyers' accounts and organisations). This is the one
//! place in the workspace that writes another room's tables, deliberately, for bulk speed. What
//! it reads of other rooms goes through their documented read models
//! (`farmgate_identity::read::demo`, `farmgate_catalog::read::demo`,
//! `farmgate_trace::read::demo`, `farmgate_orders::read::demo`), never their `store`. The rows
//! look as the use cases write them (statuses, numbers, snapshots, amounts, event log), but
//! nothing else a use case does happens:
//!
//! - no stock is taken and no listing's `sales` counter moves (the shop looks as it did);
//! - no outbox event is queued (no statistics delta, no notification, no auto-receipt job):
//!   run `farmgate stats-rebuild` afterwards, which recomputes the rollups from these tables;
//! - parcels name the seller's batch of the line's listing (when one was harvested before the
//!   parcel left), but no shipping event is chained onto the batch's trace record;
//! - no reviews, claims, payment intents or logistics events.
//!
//! Buyers are new accounts (phones 170xxxxxxxx after the highest one already there, the
//! password hash copied from the first demo account without a platform role, so they log in with
//! the demo password) plus a few verified business-buyer organisations
//! (licences `91360799MH…`, reused when a previous run made them). Everything is deterministic
//! for a given seed and database: distributions come from one seeded generator, ids and
//! numbers from another salted with what the database already holds, so a second run never
//! collides with the first.
//!
//! The shape: orders per day grow over the period (doubling yearly), with a weekly cycle, an
//! autumn and winter harvest season, the run-up to the Spring Festival (and the couriers'
//! holiday after it), 618 and Double 11; products are chosen by a Zipf law over the listings'
//! popularity, modulated by their category's season (oranges in winter, tea in spring, melons
//! in summer), and their prices move a little with the season; 1–4 lines an order, about 30 %
//! of them from two or more sellers; buyers' activity is heavy-tailed and they join over time;
//! destinations lean to Guangdong, Shanghai, Zhejiang, Jiangsu, Beijing and Jiangxi; payments
//! at plausible Beijing hours; parcels leave within two days, arrive after one to five, and are
//! confirmed (or auto-received after the configured days); about 3 % of orders get a partial or
//! full refund a day or two after they arrived. Only the last days' orders are still waiting
//! for their seller or on their way (over two years about 99 % of parcels shipped and 97 %
//! received): no old order is left needing action in a seller's console.
//!
//! The parts: `calendar.rs` (the period's shape: seasons, festivals, hours, orders per day),
//! `random.rs` (shared draws), `places.rs` (where buyers live, their names), `products.rs` (the
//! shop, read in bulk), `buyers.rs` (who buys; writes their accounts), `basket.rs` (what goes
//! into an order), `order.rs` (one order's life as rows), `writer.rs` (the INSERTs), and this
//! file (the options and the run).

mod basket;
mod buyers;
mod calendar;
mod order;
mod places;
mod products;
mod random;
mod writer;

use crate::Services;
use anyhow::bail;
use buyers::make_buyers;
use calendar::{CONSUMER_HOURS, day_counts, share_before};
use chrono::{DateTime, Duration, Timelike, Utc};
use farmgate_identity::read::demo as identity_read;
use farmgate_kernel::clock::shanghai;
use farmgate_orders::domain::PaymentMethod;
use farmgate_orders::read::demo as orders_read;
use order::{CARRIERS, Gen};
use places::DESTINATIONS;
use products::catalogue;
use rand::SeedableRng;
use rand::rngs::StdRng;
use random::running_total;
use std::time::Instant;
use writer::{Batch, write_batch};

/// What to generate.
#[derive(Clone, Debug)]
pub struct HistoryOptions {
    /// Paid orders in the period.
    pub orders: u64,
    /// Days in the period, ending on the Beijing date of `end`.
    pub days: u32,
    /// New consumer accounts (business buyers come on top: about one per twelve, 6 to 300).
    pub buyers: u32,
    /// Share of orders placed by business buyers (wholesale, tier prices), in percent.
    pub business_share_pct: u32,
    pub seed: u64,
    /// Every generated moment is before this.
    pub end: DateTime<Utc>,
}

impl HistoryOptions {
    /// The demo's history: half a year of a small county's orders.
    pub fn demo(end: DateTime<Utc>) -> Self {
        Self {
            orders: 1_500,
            days: 180,
            buyers: 120,
            business_share_pct: 8,
            seed: 2026,
            end,
        }
    }
}

/// What a run made.
#[derive(Clone, Debug, serde::Serialize)]
pub struct HistoryReport {
    pub orders: u64,
    pub lines: u64,
    /// Buyer accounts created (consumers and business buyers' owners).
    pub buyers: u64,
    pub refunds: u64,
    pub shipments: u64,
    pub seconds: f64,
}

/// Orders per transaction (a day's orders are never split, so a batch may be a little larger).
const BATCH_ORDERS: usize = 5_000;

/// Generates the history (see the module documentation) and returns what it made.
pub async fn generate(services: &Services, opts: &HistoryOptions) -> anyhow::Result<HistoryReport> {
    let started = Instant::now();
    if opts.orders == 0 || opts.days == 0 || opts.buyers == 0 {
        bail!("orders, days and buyers must be at least 1");
    }
    if opts.days > 3_660 {
        bail!("at most ten years (3,660 days)");
    }
    if opts.business_share_pct > 100 {
        bail!("the business share is a percentage (0 to 100)");
    }
    let db = &services.infra.db;
    let mut rng = StdRng::seed_from_u64(opts.seed);
    let cat = catalogue(db, &mut rng).await?;
    if cat.listings.is_empty() {
        bail!(
            "no approved listings of verified sellers to buy from: seed the demo county first \
             (`farmgate seed-demo`)"
        );
    }
    // Salts: what is there already, so ids and numbers of this run are new.
    let existing_orders = orders_read::order_count(db).await?;
    let existing_shipments = orders_read::shipment_count(db).await?;
    let mut ids = StdRng::seed_from_u64(
        opts.seed ^ existing_orders.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0x00F0_0D5E_ED00,
    );
    let operator = identity_read::first_operator(db).await?.map(|a| a.0);

    let end_local = opts.end.with_timezone(&shanghai());
    let end_day = end_local.date_naive();
    let start_day = end_day - Duration::days(i64::from(opts.days) - 1);
    let end_secs = end_local.num_seconds_from_midnight();
    let counts = day_counts(
        &mut rng,
        start_day,
        opts.days,
        opts.orders,
        share_before(&CONSUMER_HOURS, end_secs),
    );
    let day_prefix = running_total(counts.iter().map(|c| *c as f64 + 0.01));
    let dest_prefix = running_total(DESTINATIONS.iter().map(|d| f64::from(d.2)));
    let (consumers, businesses, buyers) = make_buyers(
        db,
        opts,
        &mut rng,
        &mut ids,
        &day_prefix,
        start_day,
        operator,
        &dest_prefix,
    )
    .await?;
    tracing::info!(
        listings = cat.listings.len(),
        sellers = cat.sellers.len(),
        consumers = consumers.buyers.len(),
        businesses = businesses.buyers.len(),
        "history: buyers ready"
    );

    let config = services.orders.config();
    let mut g = Gen {
        cat,
        consumers,
        businesses,
        rng,
        ids,
        operator,
        business_share: f64::from(opts.business_share_pct) / 100.0,
        dest_prefix,
        carrier_prefix: running_total(CARRIERS.iter().map(|c| f64::from(c.2))),
        end: opts.end,
        start_day,
        days: opts.days,
        gateway_pay_within: config.gateway_pay_within,
        offline_pay_within: config.offline_pay_within,
        auto_receive_after: config.auto_receive_after,
        gateway_provider: services.orders.provider(PaymentMethod::Gateway).name(),
        offline_provider: services.orders.provider(PaymentMethod::Offline).name(),
        order_seq: 0,
        number_salt: existing_orders,
        shipment_seq: existing_shipments,
        lines: 0,
        refunds: 0,
        shipments: 0,
    };
    let mut batch = Batch::new();
    let mut made: u64 = 0;
    let mut last_log = Instant::now();
    for (d, n) in counts.iter().enumerate() {
        if *n == 0 {
            continue;
        }
        let day = d as u32;
        let date = g.start_day + Duration::days(i64::from(day));
        let limit = if date == end_day { end_secs } else { 86_400 };
        let weights = g.listing_weights(date);
        let (mut placed, mut tries) = (0u64, 0u64);
        while placed < *n && tries < n * 3 + 10 {
            tries += 1;
            if g.order(&mut batch, day, date, limit, &weights) {
                placed += 1;
            }
        }
        made += placed;
        if batch.orders.len() >= BATCH_ORDERS || day + 1 == g.days {
            write_batch(db, &mut batch, &mut g.ids).await?;
            if last_log.elapsed().as_secs() >= 10 {
                last_log = Instant::now();
                tracing::info!(
                    orders = made,
                    of = opts.orders,
                    day = %date,
                    seconds = started.elapsed().as_secs_f64(),
                    "history: writing"
                );
            }
        }
    }
    if !batch.orders.is_empty() {
        write_batch(db, &mut batch, &mut g.ids).await?;
    }
    Ok(HistoryReport {
        orders: made,
        lines: g.lines,
        buyers,
        refunds: g.refunds,
        shipments: g.shipments,
        seconds: started.elapsed().as_secs_f64(),
    })
}
