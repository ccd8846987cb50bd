//! What officials may see of a group: its figures, or nothing when it has fewer than
//! [`MIN_BUYERS`] buyers — and, when exactly one bucket would be hidden, a second one with it,
//! so the hidden one cannot be computed as the total minus the rest.

use super::MIN_BUYERS;
use super::facts::Sums;
use super::groups::UNITS;
use farmgate_kernel::stats::bp;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// Figures of a group; `None` where hidden (fewer than five buyers).
#[derive(Clone, Debug, Default, Serialize, ToSchema, PartialEq)]
pub struct Figures {
    pub orders: Option<i64>,
    pub buyers: Option<i64>,
    pub lines: Option<i64>,
    pub goods_fen: Option<i64>,
    pub shipping_fen: Option<i64>,
    /// Goods and shipping paid (gross).
    pub gmv_fen: Option<i64>,
    pub refund_fen: Option<i64>,
    pub refunds: Option<i64>,
    /// GMV after refunds.
    pub net_fen: Option<i64>,
    /// Quantity normalised to weight where the unit or the SKU's net weight gives it.
    pub weight_grams: Option<i64>,
    /// Quantity by sold unit (jin, kg, box, bag, piece).
    pub quantities: Option<BTreeMap<String, i64>>,
    pub shipped_fen: Option<i64>,
    pub traced_fen: Option<i64>,
    /// Share of shipped value packed from a traced batch.
    pub traced_share_bp: Option<i64>,
    /// Fewer than five buyers: not shown on its own.
    pub suppressed: bool,
}

impl Figures {
    pub fn of(s: &Sums, buyers: Option<i64>) -> Self {
        if buyers.is_some_and(|b| b > 0 && b < MIN_BUYERS) {
            return Figures {
                suppressed: true,
                ..Figures::default()
            };
        }
        let gmv = s.goods_fen + s.shipping_fen;
        Figures {
            orders: Some(s.orders),
            buyers,
            lines: Some(s.lines),
            goods_fen: Some(s.goods_fen),
            shipping_fen: Some(s.shipping_fen),
            gmv_fen: Some(gmv),
            refund_fen: Some(s.refund_fen),
            refunds: Some(s.refunds),
            net_fen: Some(gmv - s.refund_fen),
            weight_grams: Some(s.weight_grams),
            quantities: Some(
                UNITS
                    .iter()
                    .zip(s.qty)
                    .map(|(u, q)| ((*u).to_owned(), q))
                    .collect(),
            ),
            shipped_fen: Some(s.shipped_fen),
            traced_fen: Some(s.traced_fen),
            traced_share_bp: Some(share(s.traced_fen, s.shipped_fen)),
            suppressed: false,
        }
    }

    /// The figures of a hidden group.
    pub fn hidden() -> Self {
        Figures::of(&Sums::default(), Some(1))
    }
}

/// One listed group (or time bucket) and its figures.
#[derive(Clone, Debug, Serialize, ToSchema, PartialEq)]
pub struct Row {
    pub key: String,
    pub label: String,
    pub label_en: String,
    #[serde(flatten)]
    pub figures: Figures,
}

/// `part` of `whole` in basis points (0 when there is no whole).
pub fn share(part: i64, whole: i64) -> i64 {
    i64::try_from(bp(
        u64::try_from(part).unwrap_or(0),
        u64::try_from(whole).unwrap_or(0),
    ))
    .unwrap_or(0)
}

/// When exactly one time bucket is hidden, total − the others would show it: hide the
/// smallest shown bucket with sales too.
pub fn hide_complement(rows: &mut [Row]) {
    if rows.iter().filter(|r| r.figures.suppressed).count() != 1 {
        return;
    }
    let smallest = rows
        .iter_mut()
        .filter(|r| !r.figures.suppressed && r.figures.orders.is_some_and(|o| o > 0))
        .min_by_key(|r| r.figures.gmv_fen.unwrap_or(0));
    if let Some(r) = smallest {
        r.figures = Figures::hidden();
    }
}

/// Average, median, min and max of (price, quantity, lines) points, with the quantity and
/// lines they add up to. Average and median are weighted by quantity.
pub fn price_summary(
    points: &mut [(i64, i64, i64)],
) -> (Option<i64>, Option<i64>, Option<i64>, Option<i64>, i64, i64) {
    points.sort_unstable();
    let qty: i64 = points.iter().map(|p| p.1).sum();
    let lines: i64 = points.iter().map(|p| p.2).sum();
    if qty <= 0 {
        return (None, None, None, None, 0, lines);
    }
    let value: i128 = points
        .iter()
        .map(|(p, q, _)| i128::from(*p) * i128::from(*q))
        .sum();
    let avg = i64::try_from((value * 2 + i128::from(qty)) / (2 * i128::from(qty))).ok();
    // The weighted median: the price at which half the quantity is reached.
    let half = (i128::from(qty) + 1) / 2;
    let mut run: i128 = 0;
    let mut median = None;
    for (p, q, _) in points.iter() {
        run += i128::from(*q);
        if run >= half {
            median = Some(*p);
            break;
        }
    }
    (
        avg,
        median,
        points.first().map(|p| p.0),
        points.last().map(|p| p.0),
        qty,
        lines,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(key: &str, orders: i64, buyers: i64, gmv: i64) -> Row {
        let sums = Sums {
            orders,
            goods_fen: gmv,
            ..Sums::default()
        };
        Row {
            key: key.to_owned(),
            label: key.to_owned(),
            label_en: key.to_owned(),
            figures: Figures::of(&sums, Some(buyers)),
        }
    }

    #[test]
    fn one_hidden_bucket_takes_the_smallest_shown_one_with_it() {
        let mut rows = vec![
            row("a", 9, 8, 9_000),
            row("b", 2, 2, 500),
            row("c", 0, 0, 0),
            row("d", 6, 6, 3_000),
        ];
        assert!(rows[1].figures.suppressed);
        hide_complement(&mut rows);
        let hidden: Vec<&str> = rows
            .iter()
            .filter(|r| r.figures.suppressed)
            .map(|r| r.key.as_str())
            .collect();
        assert_eq!(hidden, ["b", "d"], "the empty bucket stays a visible zero");
        assert!(rows[3].figures.gmv_fen.is_none());
        // Two hidden already: nothing more to do.
        let mut rows = vec![row("a", 9, 8, 9_000), row("b", 2, 2, 1), row("c", 1, 1, 1)];
        hide_complement(&mut rows);
        assert!(!rows[0].figures.suppressed);
    }

    #[test]
    fn figures_hide_everything_below_five_buyers() {
        let s = Sums {
            orders: 3,
            goods_fen: 100,
            shipping_fen: 10,
            refund_fen: 5,
            ..Sums::default()
        };
        let f = Figures::of(&s, Some(4));
        assert!(
            f.suppressed && f.gmv_fen.is_none() && f.buyers.is_none() && f.quantities.is_none()
        );
        let f = Figures::of(&s, Some(5));
        assert_eq!((f.gmv_fen, f.net_fen), (Some(110), Some(105)));
        assert_eq!(Figures::of(&Sums::default(), Some(0)).gmv_fen, Some(0));
    }

    #[test]
    fn prices_are_weighted_by_quantity() {
        let mut pts = vec![(300, 1, 1), (100, 5, 1), (200, 1, 1)];
        assert_eq!(
            price_summary(&mut pts),
            (Some(143), Some(100), Some(100), Some(300), 7, 3)
        );
    }
}
