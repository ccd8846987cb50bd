//! A seller's own sales (its console's analytics, issue #20): what its paid orders add up to by
//! time bucket, product and destination province, and how many of its buyers came back. Pure:
//! the records come in, the figures go out, unit-tested.
//!
//! Money is what was paid for the goods and the seller's shipping (gross, before refunds), in
//! fen; a sale counts on the Shanghai day it was paid. A *repeat buyer* placed two or more paid
//! orders with the seller in the period. The seller sees its own buyers' figures unsuppressed:
//! it already knows them (it ships to them); no buyer is named in the figures or the exports.

use super::{Grain, day_number, shanghai_day};
use chrono::{DateTime, NaiveDate, Utc};
use farmgate_kernel::id::{AccountId, OrderId};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use utoipa::ToSchema;

/// One sold line as the seller's analytics see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SoldLine {
    pub order: OrderId,
    pub buyer: AccountId,
    pub paid_at: DateTime<Utc>,
    /// The listing (id) and its title when bought.
    pub product: String,
    pub title: String,
    pub province: String,
    pub line_fen: i64,
    /// This line's share of its part's shipping (the parts are split by the caller).
    pub shipping_fen: i64,
}

/// What a group sold.
#[derive(Clone, Debug, Default, Serialize, ToSchema, PartialEq, Eq)]
pub struct SalesRow {
    pub key: String,
    pub label: String,
    pub label_en: String,
    pub orders: i64,
    pub lines: i64,
    pub goods_fen: i64,
    pub shipping_fen: i64,
    /// Distinct buyers.
    pub buyers: i64,
}

/// A seller's sales over a period.
#[derive(Clone, Debug, Serialize, ToSchema, PartialEq, Eq)]
pub struct SellerSales {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub by: String,
    pub total: SalesRow,
    /// Buyers with two or more paid orders in the period.
    pub repeat_buyers: i64,
    /// Their share of the buyers, basis points.
    pub repeat_share_bp: i64,
    /// Every bucket of the period, empty ones included.
    pub series: Vec<SalesRow>,
    /// By product, most sold first.
    pub products: Vec<SalesRow>,
    /// By destination province, most sold first.
    pub provinces: Vec<SalesRow>,
}

#[derive(Default)]
struct Acc {
    orders: HashSet<OrderId>,
    buyers: HashSet<AccountId>,
    lines: i64,
    goods: i64,
    shipping: i64,
}

impl Acc {
    fn add(&mut self, l: &SoldLine) {
        self.orders.insert(l.order);
        self.buyers.insert(l.buyer);
        self.lines += 1;
        self.goods += l.line_fen;
        self.shipping += l.shipping_fen;
    }

    fn row(&self, key: String, label: String, label_en: String) -> SalesRow {
        SalesRow {
            key,
            label,
            label_en,
            orders: i64::try_from(self.orders.len()).unwrap_or(i64::MAX),
            lines: self.lines,
            goods_fen: self.goods,
            shipping_fen: self.shipping,
            buyers: i64::try_from(self.buyers.len()).unwrap_or(i64::MAX),
        }
    }
}

fn ranked(groups: HashMap<String, (String, Acc)>) -> Vec<SalesRow> {
    let mut rows: Vec<SalesRow> = groups
        .into_iter()
        .map(|(key, (label, acc))| acc.row(key, label.clone(), label))
        .collect();
    rows.sort_by(|a, b| {
        (b.goods_fen + b.shipping_fen)
            .cmp(&(a.goods_fen + a.shipping_fen))
            .then(a.label.cmp(&b.label))
    });
    rows
}

/// The figures of `lines` (paid in [from, to], Shanghai days), bucketed by `grain`.
pub fn seller_sales(
    lines: &[SoldLine],
    (from, to): (NaiveDate, NaiveDate),
    grain: Grain,
) -> SellerSales {
    let mut total = Acc::default();
    let mut buckets: BTreeMap<i32, Acc> = BTreeMap::new();
    let mut products: HashMap<String, (String, Acc)> = HashMap::new();
    let mut provinces: HashMap<String, (String, Acc)> = HashMap::new();
    let mut orders_of: HashMap<AccountId, HashSet<OrderId>> = HashMap::new();
    for l in lines {
        let day = shanghai_day(l.paid_at);
        if day < from || day > to {
            continue;
        }
        total.add(l);
        buckets
            .entry(day_number(grain.start(day)))
            .or_default()
            .add(l);
        products
            .entry(l.product.clone())
            .or_insert_with(|| (l.title.clone(), Acc::default()))
            .1
            .add(l);
        provinces
            .entry(l.province.clone())
            .or_insert_with(|| (l.province.clone(), Acc::default()))
            .1
            .add(l);
        orders_of.entry(l.buyer).or_default().insert(l.order);
    }
    let repeat = i64::try_from(orders_of.values().filter(|o| o.len() >= 2).count()).unwrap_or(0);
    let buyers = i64::try_from(orders_of.len()).unwrap_or(0);
    let mut series = Vec::new();
    let mut start = grain.start(from);
    while start <= to {
        let (label, label_en) = grain.label(start);
        let row = match buckets.get(&day_number(start)) {
            Some(acc) => acc.row(start.to_string(), label, label_en),
            None => SalesRow {
                key: start.to_string(),
                label,
                label_en,
                ..SalesRow::default()
            },
        };
        series.push(row);
        start = grain.next(start);
    }
    SellerSales {
        from,
        to,
        by: grain.as_str().to_owned(),
        total: total.row("all".to_owned(), "全部".to_owned(), "All".to_owned()),
        repeat_buyers: repeat,
        repeat_share_bp: super::share(repeat, buyers),
        series,
        products: ranked(products),
        provinces: ranked(provinces),
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn line(
        order: OrderId,
        buyer: AccountId,
        when: &str,
        product: &str,
        province: &str,
        fen: i64,
    ) -> SoldLine {
        SoldLine {
            order,
            buyer,
            paid_at: at(when),
            product: product.to_owned(),
            title: format!("{product}标题"),
            province: province.to_owned(),
            line_fen: fen,
            shipping_fen: 100,
        }
    }

    #[test]
    fn sales_add_up_by_day_product_and_province_and_repeat_buyers_are_counted() {
        let (a, b) = (AccountId::new(), AccountId::new());
        let (o1, o2, o3) = (OrderId::new(), OrderId::new(), OrderId::new());
        let lines = vec![
            // Buyer a: two orders (one with two lines), a repeat buyer.
            line(o1, a, "2026-12-01T02:00:00Z", "p1", "广东省", 1000),
            line(o1, a, "2026-12-01T02:00:00Z", "p2", "广东省", 500),
            line(o2, a, "2026-12-03T02:00:00Z", "p1", "上海市", 1000),
            // Buyer b: one order, paid 2026-12-02 23:30 in Beijing (15:30 UTC).
            line(o3, b, "2026-12-02T15:30:00Z", "p1", "广东省", 2000),
            // Outside the period: ignored.
            line(
                OrderId::new(),
                b,
                "2026-12-09T02:00:00Z",
                "p1",
                "广东省",
                9999,
            ),
        ];

        let s = seller_sales(&lines, (d("2026-12-01"), d("2026-12-04")), Grain::Day);

        assert_eq!(
            (
                s.total.orders,
                s.total.lines,
                s.total.goods_fen,
                s.total.shipping_fen,
                s.total.buyers
            ),
            (3, 4, 4500, 400, 2)
        );
        assert_eq!((s.repeat_buyers, s.repeat_share_bp), (1, 5000));
        let days: Vec<(String, i64)> = s
            .series
            .iter()
            .map(|r| (r.key.clone(), r.goods_fen))
            .collect();
        assert_eq!(
            days,
            [
                ("2026-12-01".to_owned(), 1500),
                ("2026-12-02".to_owned(), 2000),
                ("2026-12-03".to_owned(), 1000),
                ("2026-12-04".to_owned(), 0)
            ]
        );
        assert_eq!(s.products[0].key, "p1");
        assert_eq!(
            (
                s.products[0].goods_fen,
                s.products[0].orders,
                s.products[0].buyers
            ),
            (4000, 3, 2)
        );
        assert_eq!(s.products[0].label, "p1标题");
        let provinces: Vec<(&str, i64)> = s
            .provinces
            .iter()
            .map(|r| (r.key.as_str(), r.goods_fen))
            .collect();
        assert_eq!(provinces, [("广东省", 3500), ("上海市", 1000)]);
        let weekly = seller_sales(&lines, (d("2026-12-01"), d("2026-12-04")), Grain::Week);
        assert_eq!(weekly.series.len(), 1);
        assert_eq!(weekly.series[0].goods_fen, 4500);
    }

    #[test]
    fn nothing_sold_is_zeros_not_a_division_by_zero() {
        let s = seller_sales(&[], (d("2026-12-01"), d("2026-12-31")), Grain::Month);
        assert_eq!(
            (s.total.orders, s.repeat_share_bp, s.series.len()),
            (0, 0, 1)
        );
        assert!(s.products.is_empty() && s.provinces.is_empty());
    }
}
