//! The public price board's rules (行情): a group's price summary in the units a farmer and a
//! shopper think in (斤 and 公斤), and which groups may be shown at all.
//!
//! Units. Prices are stored per kilogram (fen per kg, rounded half up per line from the SKU's
//! unit price and its weight: see [`price_point`](super::price_point)) where the weight is
//! known, else per sold unit. A 斤 is exactly 500 g, so the price per 斤 is half the price per
//! kg, in whole fen rounded half up (199 fen/kg → 100 fen/斤). The per-斤 average is halved from
//! the exact weighted sum, not from the rounded per-kg average, so it is the nearest fen to the
//! true figure; median, lowest and highest are single prices, halved half up. A 斤 sold at
//! 999 fen is stored as 1998 fen/kg and comes back as exactly 999 fen/斤.
//!
//! Small groups. A group (a category, a category's township or product, a time bucket) with
//! fewer than [`MIN_BUYERS`] distinct buyers is not shown: its price could point at one
//! person's purchase. When exactly one of a category's townships or products would be hidden,
//! the smallest shown one is hidden with it, so its volume cannot be computed as the
//! category's minus the rest (the officials' rule, [`hide_complement`](super::hide_complement)).

use super::MIN_BUYERS;
use super::figures::price_summary;
use serde::Serialize;
use utoipa::ToSchema;

/// What a group sold at, over a period.
#[derive(Clone, Debug, Serialize, ToSchema, PartialEq, Eq)]
pub struct BoardPrice {
    /// Per what `avg_fen` … `max_fen` are: "kg", or the sold unit (box, bag, piece) when the
    /// weight of what was sold is unknown.
    pub basis: String,
    /// Quantity-weighted average, fen per basis (half up).
    pub avg_fen: i64,
    /// Quantity-weighted median, fen per basis.
    pub median_fen: i64,
    pub min_fen: i64,
    pub max_fen: i64,
    /// The same prices per 斤 (500 g), when the basis is kg.
    pub per_jin: Option<JinPrice>,
    /// Volume: grams when the basis is kg, else the count of sold units.
    pub quantity: i64,
    /// Order lines sold.
    pub lines: i64,
}

/// Prices per 斤, fen, half up.
#[derive(Clone, Copy, Debug, Serialize, ToSchema, PartialEq, Eq)]
pub struct JinPrice {
    pub avg_fen: i64,
    pub median_fen: i64,
    pub min_fen: i64,
    pub max_fen: i64,
}

/// `n / d` rounded half up (both non-negative, `d` > 0).
fn div_half_up(n: i128, d: i128) -> i64 {
    i64::try_from((n * 2 + d) / (2 * d)).unwrap_or(i64::MAX)
}

/// Fen per kg → fen per 斤, half up.
pub fn per_jin(fen_per_kg: i64) -> i64 {
    div_half_up(i128::from(fen_per_kg), 2)
}

/// The summary of (price, quantity, lines) points in `basis`; `None` when nothing was sold.
pub fn board_price(basis: &str, points: &mut [(i64, i64, i64)]) -> Option<BoardPrice> {
    let (avg, median, min, max, quantity, lines) = price_summary(points);
    let (avg, median, min, max) = (avg?, median?, min?, max?);
    let per_jin = (basis == "kg").then(|| {
        let value: i128 = points
            .iter()
            .map(|(p, q, _)| i128::from(*p) * i128::from(*q))
            .sum();
        JinPrice {
            avg_fen: div_half_up(value, 2 * i128::from(quantity)),
            median_fen: per_jin(median),
            min_fen: per_jin(min),
            max_fen: per_jin(max),
        }
    });
    Some(BoardPrice {
        basis: basis.to_owned(),
        avg_fen: avg,
        median_fen: median,
        min_fen: min,
        max_fen: max,
        per_jin,
        quantity,
        lines,
    })
}

/// Whether a group with `buyers` distinct buyers may be shown.
pub fn shown(buyers: i64) -> bool {
    buyers >= MIN_BUYERS
}

/// Which of a category's parts (townships, products) may be shown, given each part's distinct
/// buyers and volume: those with enough buyers, except that when exactly one part with sales
/// is hidden, the smallest shown part (by volume) is hidden with it. Returns a flag per part.
pub fn shown_parts(parts: &[(i64, i64)]) -> Vec<bool> {
    let mut out: Vec<bool> = parts.iter().map(|(b, _)| shown(*b)).collect();
    let hidden = parts
        .iter()
        .zip(&out)
        .filter(|((b, _), s)| !**s && *b > 0)
        .count();
    if hidden == 1 {
        let smallest = (0..parts.len())
            .filter(|&i| out[i])
            .min_by_key(|&i| parts[i].1);
        if let Some(i) = smallest {
            out[i] = false;
        }
    }
    out
}

/// Where a price sits in a group's distribution: the quantity-weighted quartiles and the
/// shares of the quantity sold cheaper and dearer, in basis points.
#[derive(Clone, Copy, Debug, Serialize, ToSchema, PartialEq, Eq)]
pub struct Position {
    pub p25_fen: i64,
    pub median_fen: i64,
    pub p75_fen: i64,
    /// Share of the quantity sold at a lower price.
    pub below_bp: i64,
    /// Share of the quantity sold at a higher price.
    pub above_bp: i64,
}

/// The position of `price` among (price, quantity, lines) points; `None` when nothing sold.
/// A quantile is the lowest price at which that share of the quantity is reached.
pub fn position(points: &mut [(i64, i64, i64)], price: i64) -> Option<Position> {
    points.sort_unstable();
    let qty: i128 = points.iter().map(|p| i128::from(p.1)).sum();
    if qty <= 0 {
        return None;
    }
    let quantile = |num: i128, den: i128| {
        let mut run: i128 = 0;
        for (p, q, _) in points.iter() {
            run += i128::from(*q);
            if run * den >= qty * num {
                return *p;
            }
        }
        points.last().map_or(0, |p| p.0)
    };
    let bp = |part: i128| i64::try_from((part * 10_000 * 2 + qty) / (2 * qty)).unwrap_or(0);
    let below: i128 = points
        .iter()
        .filter(|p| p.0 < price)
        .map(|p| i128::from(p.1))
        .sum();
    let above: i128 = points
        .iter()
        .filter(|p| p.0 > price)
        .map(|p| i128::from(p.1))
        .sum();
    Some(Position {
        p25_fen: quantile(1, 4),
        median_fen: quantile(1, 2),
        p75_fen: quantile(3, 4),
        below_bp: bp(below),
        above_bp: bp(above),
    })
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    #[test]
    fn a_jin_is_half_a_kilogram_rounded_half_up() {
        assert_eq!(per_jin(1998), 999);
        assert_eq!(per_jin(199), 100);
        assert_eq!(per_jin(1), 1);
        assert_eq!(per_jin(0), 0);
        assert_eq!(per_jin(1596), 798);
    }

    #[test]
    fn the_jin_average_is_halved_from_the_exact_sum_not_the_rounded_kg_average() {
        // 1 kg at 301 fen and 2 kg at 300: 901/3 = 300.33 fen/kg → 300; per 斤 150.17 → 150.
        let mut pts = vec![(301, 1000, 1), (300, 2000, 1)];
        let p = board_price("kg", &mut pts).unwrap();
        assert_eq!(
            (p.avg_fen, p.median_fen, p.min_fen, p.max_fen),
            (300, 300, 300, 301)
        );
        let j = p.per_jin.unwrap();
        assert_eq!(
            (j.avg_fen, j.median_fen, j.min_fen, j.max_fen),
            (150, 150, 150, 151)
        );
        assert_eq!((p.quantity, p.lines), (3000, 2));
        // 1 kg at 300 and 1 kg at 301: 300.5 → 301 per kg; 150.25 → 150 per 斤, where halving
        // the rounded 301 would give 151.
        let mut pts = vec![(300, 1000, 1), (301, 1000, 1)];
        let p = board_price("kg", &mut pts).unwrap();
        assert_eq!((p.avg_fen, p.per_jin.unwrap().avg_fen), (301, 150));
        assert_eq!(per_jin(301), 151);
        // 3 kg at 101 fen: 50.5 → 51 per 斤 on every figure.
        let mut pts = vec![(101, 3000, 3)];
        let j = board_price("kg", &mut pts).unwrap().per_jin.unwrap();
        assert_eq!(
            (j.avg_fen, j.median_fen, j.min_fen, j.max_fen),
            (51, 51, 51, 51)
        );
    }

    #[test]
    fn prices_per_box_have_no_jin_figures_and_nothing_sold_is_nothing() {
        let mut pts = vec![(2990, 3, 3)];
        let p = board_price("box", &mut pts).unwrap();
        assert_eq!(
            (p.basis.as_str(), p.avg_fen, p.per_jin),
            ("box", 2990, None)
        );
        assert_eq!(board_price("kg", &mut []), None);
    }

    #[test]
    fn four_buyers_are_hidden_five_are_shown() {
        assert!(!shown(4));
        assert!(shown(5));
        assert!(!shown(0));
    }

    #[test]
    fn one_hidden_part_takes_the_smallest_shown_part_with_it() {
        // a: 9 buyers, b: 2 (hidden), c: 6 with the least volume, d: never sold.
        let parts = [(9, 9_000), (2, 10), (6, 3_000), (0, 0)];
        assert_eq!(shown_parts(&parts), [true, false, false, false]);
        // Two hidden already: the others stay.
        assert_eq!(
            shown_parts(&[(9, 9_000), (2, 10), (1, 5)]),
            [true, false, false]
        );
        // Nothing hidden: all shown.
        assert_eq!(shown_parts(&[(5, 1), (7, 2)]), [true, true]);
        // The only shown part goes too when one other is hidden.
        assert_eq!(shown_parts(&[(6, 100), (3, 50)]), [false, false]);
    }

    #[test]
    fn a_price_is_placed_by_the_quantity_sold_cheaper_and_dearer() {
        // 1 kg at 700, 2 kg at 800, 1 kg at 1000 (grams).
        let mut pts = vec![(1000, 1000, 1), (700, 1000, 1), (800, 2000, 2)];
        let p = position(&mut pts, 900).unwrap();
        assert_eq!((p.p25_fen, p.median_fen, p.p75_fen), (700, 800, 800));
        assert_eq!((p.below_bp, p.above_bp), (7_500, 2_500));
        let p = position(&mut pts, 800).unwrap();
        assert_eq!(
            (p.below_bp, p.above_bp),
            (2_500, 2_500),
            "the same price is neither"
        );
        let p = position(&mut pts, 600).unwrap();
        assert_eq!((p.below_bp, p.above_bp), (0, 10_000));
        // Shares round half up: 1 of 3 is 3333 bp.
        let mut pts = vec![(1, 1, 1), (2, 2, 1)];
        assert_eq!(position(&mut pts, 2).unwrap().below_bp, 3_333);
        assert_eq!(position(&mut [], 5), None);
    }
}
