//! What one sale, refund or shipment adds to the rollups: plain functions over plain data, so
//! the live path (one outbox event at a time) and the rebuild (every order at once) add exactly
//! the same amounts to exactly the same groups.
//!
//! A sale is counted on the Shanghai day its order was paid. Refunds and shipments are counted
//! against that same sale day and the same groups, so "net = gross − refunds" holds per row;
//! an amount spread over lines (shipping, a sub-order's refund) is split in proportion with the
//! largest-remainder rule, so the parts always add up to the whole, to the fen.

use super::groups::{Group, UNITS};
use chrono::{DateTime, NaiveDate, Utc};
use farmgate_kernel::id::{AccountId, OrderId, OrderLineId, SubOrderId};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// Additive figures of one group in one bucket (buyers are counted separately: they are not
/// additive).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sums {
    pub orders: i64,
    pub lines: i64,
    pub goods_fen: i64,
    pub shipping_fen: i64,
    pub refund_fen: i64,
    pub refunds: i64,
    pub weight_grams: i64,
    /// Quantity by sold unit, in the order of [`UNITS`].
    pub qty: [i64; 5],
    pub shipped_fen: i64,
    pub traced_fen: i64,
}

impl Sums {
    pub fn add(&mut self, o: &Sums) {
        self.orders += o.orders;
        self.lines += o.lines;
        self.goods_fen += o.goods_fen;
        self.shipping_fen += o.shipping_fen;
        self.refund_fen += o.refund_fen;
        self.refunds += o.refunds;
        self.weight_grams += o.weight_grams;
        for (a, b) in self.qty.iter_mut().zip(o.qty) {
            *a += b;
        }
        self.shipped_fen += o.shipped_fen;
        self.traced_fen += o.traced_fen;
    }

    pub fn is_zero(&self) -> bool {
        *self == Sums::default()
    }
}

/// A sold line as the statistics see it: amounts, quantity and every group it belongs to.
#[derive(Clone, Debug)]
pub struct SaleLine {
    pub line_id: OrderLineId,
    pub sub_order_id: SubOrderId,
    pub line_fen: i64,
    /// Index into [`UNITS`]; `None` for a unit the statistics do not know.
    pub unit: Option<usize>,
    pub quantity: i64,
    /// Grams in one sold unit, when known (斤/公斤 by definition, else the SKU's net weight).
    pub grams_per_unit: Option<i64>,
    pub unit_price_fen: i64,
    /// The line's category, for price trends.
    pub category: Group,
    /// Every group the line counts in (total, township, village, category, …).
    pub groups: Vec<Group>,
}

/// A paid order: its buyer, the day it counts on, its sub-orders' shipping and its lines.
#[derive(Clone, Debug)]
pub struct Sale {
    pub order_id: OrderId,
    pub buyer: AccountId,
    pub paid_at: DateTime<Utc>,
    pub day: NaiveDate,
    /// (sub-order, shipping fen) of every sub-order that is part of the sale.
    pub shipping: Vec<(SubOrderId, i64)>,
    pub lines: Vec<SaleLine>,
}

/// A parcel received: the day and the groups it counts in (total, seller kind, each of its
/// categories, carrier) — the denominator of the claim rate.
#[derive(Clone, Debug, PartialEq)]
pub struct Delivery {
    pub day: NaiveDate,
    pub groups: Vec<Group>,
}

/// Shares of `total` in proportion to `weights`, adding up to `total` exactly (largest
/// remainder; ties to the earlier part). Equal shares when every weight is zero.
pub fn split(total: i64, weights: &[i64]) -> Vec<i64> {
    if weights.is_empty() {
        return Vec::new();
    }
    let sum: i128 = weights.iter().map(|w| i128::from((*w).max(0))).sum();
    let weights: Vec<i128> = if sum == 0 {
        vec![1; weights.len()]
    } else {
        weights.iter().map(|w| i128::from((*w).max(0))).collect()
    };
    let sum: i128 = weights.iter().sum();
    let total = i128::from(total);
    let mut shares: Vec<i128> = weights.iter().map(|w| total * w / sum).collect();
    let mut rest = total - shares.iter().sum::<i128>();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    // Largest remainder first; a negative total gives negative remainders, handled the same way.
    order.sort_by_key(|&i| std::cmp::Reverse((total * weights[i]).rem_euclid(sum)));
    let step = if rest >= 0 { 1 } else { -1 };
    for i in order.into_iter().cycle() {
        if rest == 0 {
            break;
        }
        shares[i] += step;
        rest -= step;
    }
    shares
        .into_iter()
        .map(|s| i64::try_from(s).unwrap_or(0))
        .collect()
}

/// Each line's share of its sub-order's shipping.
fn shipping_shares(sale: &Sale) -> Vec<i64> {
    let mut out = vec![0; sale.lines.len()];
    for (sub, fen) in &sale.shipping {
        let idx: Vec<usize> = (0..sale.lines.len())
            .filter(|&i| sale.lines[i].sub_order_id == *sub)
            .collect();
        let weights: Vec<i64> = idx.iter().map(|&i| sale.lines[i].line_fen).collect();
        for (i, s) in idx.into_iter().zip(split(*fen, &weights)) {
            out[i] = s;
        }
    }
    out
}

/// What to add: sums per (group, sale day), buyers per (group, day), and price points.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Delta {
    pub sums: BTreeMap<(Group, NaiveDate), Sums>,
    /// (buyer, group, day): the buyer bought in the group that day.
    pub buyers: BTreeSet<(AccountId, Group, NaiveDate)>,
    /// (category, basis, day, price per basis in fen) → (quantity in basis units, lines).
    pub prices: BTreeMap<(Group, &'static str, NaiveDate, i64), (i64, i64)>,
}

impl Delta {
    fn sums_mut(&mut self, g: &Group, day: NaiveDate) -> &mut Sums {
        self.sums.entry((g.clone(), day)).or_default()
    }

    pub fn merge(&mut self, other: Delta) {
        for (k, v) in other.sums {
            self.sums.entry(k).or_default().add(&v);
        }
        self.buyers.extend(other.buyers);
        for (k, (q, l)) in other.prices {
            let e = self.prices.entry(k).or_default();
            e.0 += q;
            e.1 += l;
        }
    }
}

/// Price of one line per kilogram when its weight is known, else per sold unit.
pub fn price_point(l: &SaleLine) -> Option<(&'static str, i64, i64)> {
    if l.quantity <= 0 {
        return None;
    }
    match l.grams_per_unit.filter(|g| *g > 0) {
        Some(g) => {
            // fen per kg, half up.
            let per_kg =
                (i128::from(l.unit_price_fen) * 1000 * 2 + i128::from(g)) / (2 * i128::from(g));
            Some((
                "kg",
                i64::try_from(per_kg).ok()?,
                l.quantity.checked_mul(g)?,
            ))
        }
        None => l.unit.map(|u| (UNITS[u], l.unit_price_fen, l.quantity)),
    }
}

/// What a paid order adds.
pub fn sale_delta(sale: &Sale) -> Delta {
    let mut d = Delta::default();
    let ship = shipping_shares(sale);
    let mut counted: BTreeSet<&Group> = BTreeSet::new();
    for (l, share) in sale.lines.iter().zip(ship) {
        for g in &l.groups {
            let s = d.sums_mut(g, sale.day);
            s.lines += 1;
            s.goods_fen += l.line_fen;
            s.shipping_fen += share;
            if let Some(u) = l.unit {
                s.qty[u] += l.quantity;
            }
            if let Some(g) = l.grams_per_unit {
                s.weight_grams += l.quantity * g;
            }
            counted.insert(g);
        }
        if let Some((basis, price, qty)) = price_point(l) {
            // The category's points (the officials' trends and the board), and the board's
            // category × township and category × product points.
            let board = l.groups.iter().filter(|g| g.dim.is_board_only());
            for g in std::iter::once(&l.category).chain(board) {
                let e = d
                    .prices
                    .entry((g.clone(), basis, sale.day, price))
                    .or_default();
                e.0 += qty;
                e.1 += 1;
            }
        }
    }
    for g in counted {
        d.sums_mut(g, sale.day).orders += 1;
        d.buyers.insert((sale.buyer, g.clone(), sale.day));
    }
    d
}

/// What a refund of `amount` on a sub-order adds: split over the sub-order's lines in
/// proportion to what each line was paid (goods and its shipping share).
pub fn refund_delta(sale: &Sale, sub_order: SubOrderId, amount: i64) -> Delta {
    let mut d = Delta::default();
    let ship = shipping_shares(sale);
    let idx: Vec<usize> = (0..sale.lines.len())
        .filter(|&i| sale.lines[i].sub_order_id == sub_order)
        .collect();
    let weights: Vec<i64> = idx
        .iter()
        .map(|&i| sale.lines[i].line_fen + ship[i])
        .collect();
    let mut counted: BTreeSet<&Group> = BTreeSet::new();
    for (i, part) in idx.into_iter().zip(split(amount, &weights)) {
        for g in &sale.lines[i].groups {
            d.sums_mut(g, sale.day).refund_fen += part;
            counted.insert(g);
        }
    }
    for g in counted {
        d.sums_mut(g, sale.day).refunds += 1;
    }
    d
}

/// What shipping a sub-order adds: its lines' value, and the part packed from a traced batch.
pub fn shipment_delta(
    sale: &Sale,
    sub_order: SubOrderId,
    traced_lines: &BTreeSet<OrderLineId>,
) -> Delta {
    let mut d = Delta::default();
    let ship = shipping_shares(sale);
    for (l, share) in sale.lines.iter().zip(ship) {
        if l.sub_order_id != sub_order {
            continue;
        }
        let value = l.line_fen + share;
        for g in &l.groups {
            let s = d.sums_mut(g, sale.day);
            s.shipped_fen += value;
            if traced_lines.contains(&l.line_id) {
                s.traced_fen += value;
            }
        }
    }
    d
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use crate::domain::Dim;

    fn line(
        sub: SubOrderId,
        fen: i64,
        unit: usize,
        qty: i64,
        grams: Option<i64>,
        town: &str,
    ) -> SaleLine {
        let cat = Group::new(Dim::Category, "rice", "大米", "Rice");
        SaleLine {
            line_id: OrderLineId::new(),
            sub_order_id: sub,
            line_fen: fen,
            unit: Some(unit),
            quantity: qty,
            grams_per_unit: grams,
            unit_price_fen: fen / qty,
            category: cat.clone(),
            groups: vec![
                Group::total(),
                Group::new(Dim::Township, town, town, town),
                cat,
            ],
        }
    }

    fn sale() -> (Sale, SubOrderId, SubOrderId) {
        let (a, b) = (SubOrderId::new(), SubOrderId::new());
        let s = Sale {
            order_id: OrderId::new(),
            buyer: AccountId::new(),
            paid_at: DateTime::parse_from_rfc3339("2026-03-09T02:00:00Z")
                .unwrap()
                .to_utc(),
            day: NaiveDate::from_ymd_opt(2026, 3, 9).unwrap(),
            shipping: vec![(a, 1000), (b, 1)],
            lines: vec![
                line(a, 3000, 2, 1, Some(2500), "城关镇"),
                line(a, 6000, 2, 2, Some(2500), "石桥镇"),
                line(b, 999, 0, 3, Some(500), "城关镇"),
            ],
        };
        (s, a, b)
    }

    #[test]
    fn split_adds_up_and_is_proportional() {
        assert_eq!(split(1000, &[3000, 6000]), vec![333, 667]);
        assert_eq!(split(1, &[1, 1, 1]), vec![1, 0, 0]);
        assert_eq!(split(10, &[0, 0]), vec![5, 5]);
        assert_eq!(split(-7, &[1, 1]), vec![-4, -3]);
        assert!(split(5, &[]).is_empty());
        for total in [0, 1, 99, 12_345, 1_000_001] {
            let parts = split(total, &[7, 13, 1, 0, 29]);
            assert_eq!(parts.iter().sum::<i64>(), total);
            assert!(parts.iter().all(|p| *p >= 0));
        }
    }

    #[test]
    fn a_sale_counts_once_per_group_and_reconciles() {
        let (s, _, _) = sale();
        let d = sale_delta(&s);
        let total = d.sums[&(Group::total(), s.day)];
        assert_eq!(total.orders, 1);
        assert_eq!(total.lines, 3);
        assert_eq!(total.goods_fen, 9999);
        assert_eq!(total.shipping_fen, 1001);
        assert_eq!(total.qty, [3, 0, 3, 0, 0]);
        assert_eq!(total.weight_grams, 2500 * 3 + 1500);
        let town = |t: &str| d.sums[&(Group::new(Dim::Township, t, t, t), s.day)];
        // 城关镇 has lines in both sub-orders: one order, both lines' amounts.
        assert_eq!(town("城关镇").orders, 1);
        assert_eq!(town("城关镇").goods_fen + town("石桥镇").goods_fen, 9999);
        assert_eq!(
            town("城关镇").shipping_fen + town("石桥镇").shipping_fen,
            total.shipping_fen
        );
        assert_eq!(d.buyers.len(), 4);
        // Prices: per kg for the boxes with a net weight, per kg for 斤.
        assert!(d.prices.keys().any(|(_, b, _, p)| *b == "kg" && *p == 1200));
        assert!(d.prices.keys().any(|(_, b, _, p)| *b == "kg" && *p == 666));
    }

    #[test]
    fn refunds_split_over_the_sub_orders_lines_only() {
        let (s, a, b) = sale();
        let d = refund_delta(&s, a, 5001);
        let total = d.sums[&(Group::total(), s.day)];
        assert_eq!(total.refund_fen, 5001);
        assert_eq!(total.refunds, 1);
        let town = |t: &str| d.sums[&(Group::new(Dim::Township, t, t, t), s.day)];
        // Lines paid 3000+333 and 6000+667: 1667 and 3334.
        assert_eq!(town("城关镇").refund_fen, 1667);
        assert_eq!(town("石桥镇").refund_fen, 3334);
        let other = refund_delta(&s, b, 1000);
        assert_eq!(other.sums[&(Group::total(), s.day)].refund_fen, 1000);
        assert!(!other.sums.keys().any(|(g, _)| g.code == "石桥镇"));
    }

    #[test]
    fn shipments_count_traced_value() {
        let (s, a, _) = sale();
        let traced: BTreeSet<OrderLineId> = [s.lines[0].line_id].into();
        let d = shipment_delta(&s, a, &traced);
        let total = d.sums[&(Group::total(), s.day)];
        assert_eq!(total.shipped_fen, 3000 + 333 + 6000 + 667);
        assert_eq!(total.traced_fen, 3333);
    }
}
