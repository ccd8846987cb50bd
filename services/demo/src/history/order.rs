//! One order's whole life: who buys what, when it was paid, acknowledged, shipped, delivered
//! and received, and now and then refunded, as rows for the writer. Pure computation over the
//! catalogue and the buyers; nothing here touches the database.

use super::basket::Pick;
use super::buyers::Pool;
use super::calendar::{BUSINESS_HOURS, CONSUMER_HOURS, time_of_day};
use super::places::{person_name, place, transit_days};
use super::products::Catalogue;
use super::random::{jitter, normal, pick, secs, uuid_at};
use super::writer::{Batch, OrderRow, SubRow, v};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use farmgate_catalog::domain::{Tier, unit_price};
use farmgate_kernel::Money;
use farmgate_kernel::clock::shanghai;
use farmgate_orders::domain::{
    Address, EventKind, OrderStatus, PaymentMethod, SubOrderStatus, commission, order_number,
    shipping_fee, start_of, window_closes_at,
};
use rand::Rng;
use rand::rngs::StdRng;
use sea_orm::Value;
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// (carrier, waybill prefix, weight).
pub(super) const CARRIERS: &[(&str, &str, u32)] = &[
    ("顺丰速运", "SF", 35),
    ("中通快递", "ZT", 20),
    ("圆通速递", "YT", 15),
    ("韵达快递", "YD", 10),
    ("京东物流", "JDV", 12),
    ("中国邮政", "EMS", 8),
];

const REFUND_REASONS: &[&str] = &[
    "运输途中挤压破损，按破损数量退款",
    "部分果实腐烂，协商部分退款",
    "实际重量不足，退差价",
    "包装破损漏液，退款",
    "收货后发现变质，全额退款",
    "商品与描述不符，全额退款",
    "发货延误，补偿部分货款",
];

const BANKS: &[&str] = &["ICBC", "ABC", "BOC", "CCB", "PSBC", "JXRCU"];

pub(super) struct Gen {
    pub(super) cat: Catalogue,
    pub(super) consumers: Pool,
    pub(super) businesses: Pool,
    /// Distributions: everything a person would see.
    pub(super) rng: StdRng,
    /// Ids and numbers, salted with what the database holds so runs never collide.
    pub(super) ids: StdRng,
    pub(super) operator: Option<Uuid>,
    pub(super) business_share: f64,
    pub(super) dest_prefix: Vec<f64>,
    pub(super) carrier_prefix: Vec<f64>,
    pub(super) end: DateTime<Utc>,
    pub(super) start_day: NaiveDate,
    pub(super) days: u32,
    pub(super) gateway_pay_within: Duration,
    pub(super) offline_pay_within: Duration,
    pub(super) auto_receive_after: Duration,
    pub(super) gateway_provider: &'static str,
    pub(super) offline_provider: &'static str,
    pub(super) order_seq: u64,
    pub(super) number_salt: u64,
    pub(super) shipment_seq: u64,
    // what was made
    pub(super) lines: u64,
    pub(super) refunds: u64,
    pub(super) shipments: u64,
}

/// An entry of an order's log: when, which sub-order, what, who, and its data.
type LogEntry = (
    DateTime<Utc>,
    Option<Uuid>,
    EventKind,
    Option<Uuid>,
    serde_json::Value,
);

impl Gen {
    /// One paid order, with what happened to it until `end`.
    #[expect(
        clippy::too_many_lines,
        reason = "one order's whole life, in the order it happens"
    )]
    pub(super) fn order(
        &mut self,
        b: &mut Batch,
        day: u32,
        date: NaiveDate,
        limit: u32,
        weights: &(Vec<f64>, Vec<f64>),
    ) -> bool {
        let weekday = date.weekday();
        let office = !matches!(weekday, Weekday::Sat | Weekday::Sun);
        let p_business = self.business_share * if office { 1.2 } else { 0.5 };
        let business = self.rng.random_bool(p_business.clamp(0.0, 1.0));
        let pool = if business {
            &self.businesses
        } else {
            &self.consumers
        };
        let Some(buyer) = pool.pick(day, &mut self.rng).or_else(|| {
            // No business buyer had joined yet: a consumer buys instead.
            self.consumers.pick(day, &mut self.rng)
        }) else {
            return false;
        };
        let business = buyer.org.is_some();
        let hours = if business {
            &BUSINESS_HOURS
        } else {
            &CONSUMER_HOURS
        };
        let (account, org, buyer_name, buyer_phone, home) = (
            buyer.account,
            buyer.org,
            buyer.name.clone(),
            buyer.phone.clone(),
            buyer.home.clone(),
        );
        let picks = self.basket(if business { &weights.1 } else { &weights.0 }, business);
        if picks.is_empty() {
            return false;
        }
        // When: paid at a plausible hour of the day, placed a little before.
        let secs_in_day = time_of_day(&mut self.rng, hours, limit);
        let paid_at = jitter(
            &mut self.rng,
            start_of(date) + Duration::seconds(i64::from(secs_in_day)),
        )
        .min(self.end - Duration::seconds(1));
        let method = if business {
            if self.rng.random_bool(0.75) {
                PaymentMethod::Offline
            } else {
                PaymentMethod::Gateway
            }
        } else if self.rng.random_bool(0.92) {
            PaymentMethod::Gateway
        } else {
            PaymentMethod::Offline
        };
        let created_at = paid_at
            - match method {
                PaymentMethod::Gateway => secs(&mut self.rng, 15, 360),
                PaymentMethod::Offline => secs(&mut self.rng, 1_800, 20 * 3_600),
            };
        let pay_by = created_at
            + match method {
                PaymentMethod::Gateway => self.gateway_pay_within,
                PaymentMethod::Offline => self.offline_pay_within,
            };
        // Where to: home, or now and then a present to someone elsewhere.
        let (name, phone, to) = if !business && self.rng.random_bool(0.1) {
            let p = place(&mut self.rng, &self.dest_prefix);
            let phone = format!("13{:09}", self.rng.random_range(0..1_000_000_000u64));
            (person_name(&mut self.rng), phone, p)
        } else {
            (buyer_name, buyer_phone, home)
        };
        let address = Address {
            name,
            phone,
            province: to.province.clone(),
            city: to.city.clone(),
            district: to.district.clone(),
            street: to.street.clone(),
            region_code: farmgate_orders::domain::divisions::Divisions::get().code_for(
                &to.province,
                &to.city,
                &to.district,
            ),
        };

        let order_id = uuid_at(&mut self.ids, created_at);
        self.order_seq += 1;
        // A bijection of the sequence onto 8 digits (the factor is prime to 10): numbers of one
        // run never repeat, and look as random as checkout's.
        let suffix = ((self.number_salt + self.order_seq) * 61_803_399 + 13_579) % 100_000_000;
        let number = order_number(created_at, suffix as u32);
        let order_index = b.orders.len();

        // Sub-orders in seller id order (as checkout numbers them).
        let mut by_seller: BTreeMap<Uuid, Vec<&Pick>> = BTreeMap::new();
        for p in &picks {
            let seller = self.cat.sellers[self.cat.listings[p.listing].seller].id;
            by_seller.entry(seller).or_default().push(p);
        }
        let (transit_lo, transit_hi) = transit_days(&to.province);
        let end = self.end;
        let (mut goods_total, mut shipping_total) = (0i64, 0i64);
        let mut events: Vec<LogEntry> = Vec::new();
        // (sub-order, its total, when it was received, its lines' amounts): for a refund.
        let mut received_subs: Vec<(Uuid, i64, DateTime<Utc>, Vec<i64>)> = Vec::new();
        let mut sub_rows: Vec<(usize, Uuid, Vec<Value>)> = Vec::new();
        for (seq, (seller_id, lines)) in by_seller.iter().enumerate() {
            let seller_ix = self.cat.listings[lines[0].listing].seller;
            let staff = self.cat.sellers[seller_ix].staff;
            let sub_id = uuid_at(&mut self.ids, created_at);
            let mut goods = 0i64;
            let mut grams = 0i64;
            let mut commission_total = 0i64;
            let mut windows: Vec<i32> = Vec::new();
            let mut line_ids: Vec<(Uuid, usize, i64)> = Vec::new();
            let mut line_fens = Vec::new();
            for p in lines {
                let l = &self.cat.listings[p.listing];
                let s = &l.skus[p.sku];
                let f = self.price_factor(l, date);
                let retail = ((s.price_fen as f64 * f / 10.0).round() as i64 * 10).max(10);
                let tiers: Vec<Tier> = s
                    .tiers
                    .iter()
                    .map(|t| Tier {
                        min_quantity: t.min_quantity,
                        price: ((t.price as f64 * f / 10.0).round() as i64 * 10).clamp(10, retail),
                    })
                    .collect();
                let unit = unit_price(Money::from_fen(retail), &tiers, p.quantity, business);
                let line_fen = unit.fen() * p.quantity;
                let cm = commission(Money::from_fen(line_fen), l.commission_bp).fen();
                let line_id = uuid_at(&mut self.ids, created_at);
                b.lines.push(vec![
                    v(line_id),
                    v(order_id),
                    v(sub_id),
                    v(l.id),
                    v(s.id),
                    v(self.category_of(p.listing)),
                    v(l.title.clone()),
                    v(s.name.clone()),
                    v(s.unit.as_str()),
                    v(p.quantity),
                    v(retail),
                    v(unit.fen()),
                    v(line_fen),
                    v(l.commission_bp),
                    v(cm),
                    v(l.claim_window_hours),
                    v(s.weight_grams),
                ]);
                self.lines += 1;
                goods += line_fen;
                grams += i64::from(s.weight_grams) * p.quantity;
                commission_total += cm;
                windows.push(l.claim_window_hours);
                line_ids.push((line_id, p.listing, p.quantity));
                line_fens.push(line_fen);
            }
            let shipping = shipping_fee(Money::from_fen(goods), grams, business).fen();
            let total = goods + shipping;
            goods_total += goods;
            shipping_total += shipping;

            // The seller's part of the story: acknowledged, shipped, delivered, received.
            let separate_ack = self.rng.random_bool(0.7);
            let ack_secs = (normal(&mut self.rng) * 1.3 + 600f64.ln())
                .exp()
                .clamp(30.0, 72_000.0);
            let ack_at = paid_at
                + Duration::seconds(ack_secs as i64)
                + Duration::milliseconds(self.rng.random_range(0..1000));
            let ship_after = secs(&mut self.rng, 4 * 3_600, 52 * 3_600);
            let ship_at = jitter(
                &mut self.rng,
                (paid_at + ship_after).max(ack_at + Duration::minutes(10)),
            );
            let delivered = ship_at + secs(&mut self.rng, transit_lo * 86_400, transit_hi * 86_400);
            let auto_at = ship_at + self.auto_receive_after;
            let automatic = self.rng.random_bool(0.15);
            let received_at = if automatic {
                auto_at
            } else {
                (delivered + secs(&mut self.rng, 3_600, 72 * 3_600)).min(auto_at)
            };
            let acknowledged_at = if separate_ack { ack_at } else { ship_at };
            let shipped = ship_at < end;
            let received = shipped && received_at < end;
            let status = if received {
                SubOrderStatus::Received
            } else if shipped {
                SubOrderStatus::Shipped
            } else if separate_ack && ack_at < end {
                SubOrderStatus::Acknowledged
            } else {
                SubOrderStatus::Paid
            };
            if acknowledged_at < end {
                let mut data =
                    json!({"seconds_since_paid": (acknowledged_at - paid_at).num_seconds().max(0)});
                if !separate_ack {
                    data["with_shipment"] = json!(true);
                }
                events.push((
                    acknowledged_at,
                    Some(sub_id),
                    EventKind::Acknowledged,
                    Some(staff),
                    data,
                ));
            }
            let closes = window_closes_at(received_at, windows.iter().copied());
            if shipped {
                let shipment_id = uuid_at(&mut self.ids, ship_at);
                let carrier = if self.rng.random_bool(0.7) {
                    self.cat.sellers[seller_ix].carrier
                } else {
                    pick(&self.carrier_prefix, &mut self.rng).unwrap_or(0)
                };
                let (carrier_name, prefix, _) = CARRIERS[carrier];
                self.shipment_seq += 1;
                // A bijection onto 12 digits: waybills of one run never repeat.
                let waybill =
                    100_000_000_000u64 + (self.shipment_seq * 104_729 + 7_777) % 900_000_000_000;
                let tracking = format!("{prefix}{waybill}");
                b.shipments.push(vec![
                    v(shipment_id),
                    v(order_id),
                    v(sub_id),
                    v(*seller_id),
                    v(carrier_name),
                    v(tracking.clone()),
                    v(staff),
                    v(ship_at),
                ]);
                self.shipments += 1;
                let mut codes: Vec<String> = Vec::new();
                for (line_id, listing, _) in &line_ids {
                    // The latest batch of the listing that was ready when the parcel left.
                    let Some(bt) = self.cat.listings[*listing]
                        .batches
                        .iter()
                        .filter(|bt| bt.ready <= ship_at)
                        .max_by_key(|bt| bt.ready)
                    else {
                        continue;
                    };
                    b.shipment_batches.push(vec![
                        v(shipment_id),
                        v(*line_id),
                        v(bt.id),
                        v(bt.code.clone()),
                        v(bt.lot.clone()),
                    ]);
                    if !codes.contains(&bt.code) {
                        codes.push(bt.code.clone());
                    }
                }
                events.push((
                    ship_at,
                    Some(sub_id),
                    EventKind::Shipped,
                    Some(staff),
                    json!({"shipment_id": shipment_id, "carrier": carrier_name, "tracking_no": tracking, "trace_codes": codes}),
                ));
                if received {
                    events.push((
                        received_at,
                        Some(sub_id),
                        EventKind::Received,
                        if automatic { None } else { Some(account) },
                        json!({"automatic": automatic, "window_closes_at": closes}),
                    ));
                    received_subs.push((sub_id, total, received_at, line_fens.clone()));
                }
            }
            sub_rows.push((
                seq + 1,
                sub_id,
                vec![
                    v(sub_id),
                    v(order_id),
                    v(*seller_id),
                    v(goods),
                    v(shipping),
                    v(total),
                    v(commission_total),
                    v(status.as_str()),
                    v(Some(paid_at)),
                    v((acknowledged_at < end && (separate_ack || shipped))
                        .then_some(acknowledged_at)),
                    v(shipped.then_some(ship_at)),
                    v(received.then_some(received_at)),
                    v(created_at),
                    v(shipped.then_some(auto_at)),
                    v(received.then_some(closes)),
                    // refunded_fen, filled in below
                    v(0i64),
                ],
            ));
        }
        let total = goods_total + shipping_total;

        // About 3 % of orders: a refund of part of a line, a whole line or the whole parcel,
        // a day or two after it arrived.
        let mut refunded: HashMap<Uuid, i64> = HashMap::new();
        if !received_subs.is_empty() && self.rng.random_bool(0.031) {
            let (sub_id, sub_total, received_at, fens) =
                received_subs[self.rng.random_range(0..received_subs.len())].clone();
            let after = secs(&mut self.rng, 2 * 3_600, 40 * 3_600);
            let at = jitter(&mut self.rng, received_at + after);
            let line = fens[self.rng.random_range(0..fens.len())];
            let r: f64 = self.rng.random();
            let amount = if r < 0.6 {
                ((line as f64 * self.rng.random_range(0.2..0.6) / 10.0).round() as i64 * 10)
                    .max(100)
            } else if r < 0.85 {
                line
            } else {
                sub_total
            }
            .clamp(1, sub_total);
            if at < end && amount > 0 {
                let refund_id = uuid_at(&mut self.ids, at);
                let reason = if amount == sub_total {
                    REFUND_REASONS[4 + self.rng.random_range(0..2)]
                } else {
                    REFUND_REASONS[self.rng.random_range(0..4)]
                };
                let (provider, provider_ref) = match method {
                    PaymentMethod::Gateway => {
                        (self.gateway_provider, format!("SBXR{}", refund_id.simple()))
                    }
                    PaymentMethod::Offline => (
                        self.offline_provider,
                        format!("OFFLINE-{}", refund_id.simple()),
                    ),
                };
                b.refunds.push(vec![
                    v(refund_id),
                    v(order_id),
                    v(Some(sub_id)),
                    v(amount),
                    v(reason),
                    v(provider),
                    v("succeeded"),
                    v(Some(provider_ref)),
                    v(format!("history:{}", refund_id.simple())),
                    v(self.operator),
                    v(at),
                    v(Some(at + secs(&mut self.rng, 5, 600))),
                ]);
                self.refunds += 1;
                refunded.insert(sub_id, amount);
                events.push((
                    at,
                    Some(sub_id),
                    EventKind::Refunded,
                    self.operator,
                    json!({"refund_id": refund_id, "amount_fen": amount, "reason": reason}),
                ));
            }
        }
        let order_refunded: i64 = refunded.values().sum();
        for (seq, sub_id, mut values) in sub_rows {
            if let (Some(amount), Some(slot)) = (refunded.get(&sub_id), values.get_mut(15)) {
                *slot = v(*amount);
            }
            b.subs.push(SubRow {
                order: order_index,
                seq,
                values,
            });
        }

        // The order, its payment and its log.
        let reference = match method {
            PaymentMethod::Gateway => format!("SBX{}", uuid_at(&mut self.ids, paid_at).simple()),
            PaymentMethod::Offline => format!(
                "{}-{}-{:04}",
                BANKS[self.rng.random_range(0..BANKS.len())],
                paid_at.with_timezone(&shanghai()).format("%Y%m%d"),
                self.rng.random_range(0..10_000)
            ),
        };
        let confirmed_by = match method {
            PaymentMethod::Gateway => None,
            PaymentMethod::Offline => self.operator,
        };
        b.orders.push(OrderRow {
            number,
            created_at,
            values: vec![
                v(order_id),
                v(account),
                v(org),
                v(business),
                v(json!(address)),
                v(goods_total),
                v(shipping_total),
                v(total),
                v(method.as_str()),
                v(OrderStatus::Paid.as_str()),
                v(pay_by),
                v(Some(paid_at)),
                v(None::<String>),
                v(None::<String>),
                v(None::<String>),
                v(created_at),
                v(order_refunded),
            ],
        });
        let payment_id = uuid_at(&mut self.ids, paid_at);
        b.payments.push(vec![
            v(payment_id),
            v(order_id),
            v(method.as_str()),
            v(total),
            v("succeeded"),
            v(Some(reference.clone())),
            v(confirmed_by),
            v(paid_at),
            v(Some(paid_at)),
        ]);
        events.push((
            created_at,
            None,
            EventKind::Placed,
            Some(account),
            json!({"payment_method": method, "pay_by": pay_by}),
        ));
        events.push((
            paid_at,
            None,
            EventKind::Paid,
            confirmed_by,
            json!({"provider": method, "reference": reference, "amount_fen": total}),
        ));
        events.sort_by_key(|e| e.0);
        for (at, sub, kind, actor, data) in events {
            let id = uuid_at(&mut self.ids, at);
            b.events.push(vec![
                v(id),
                v(order_id),
                v(sub),
                v(kind.as_str()),
                v(actor),
                v(data),
                v(at),
            ]);
        }
        true
    }

    fn category_of(&self, listing: usize) -> Uuid {
        self.cat.listings[listing].category
    }
}
