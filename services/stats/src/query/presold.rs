//! Pre-sold volume for officials (订单农业, issue #22: "plant to demand"): what buyers put a
//! paid deposit on, per category and origin township, read through the orders' read model
//! (`farmgate_orders::read::presold`). Pre-sales are few, so this reads them whole rather than
//! keeping a rollup.
//!
//! The small-group rule of the sales views holds here too: a group with fewer than
//! [`MIN_BUYERS`] distinct buyers is not listed on its own (its sums go to `other`); when exactly
//! one group would be hidden, the smallest listed one joins it, so total − listed never gives
//! it away; with fewer than five buyers in all nothing is broken down and the total is hidden.

use super::require_official;
use crate::Stats;
use crate::domain::MIN_BUYERS;
use crate::error::Result;
use farmgate_catalog::read::stats as catalog;
use farmgate_identity::Actor;
use farmgate_orders::read::presold::{PresoldSale, presold};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};
use utoipa::ToSchema;
use uuid::Uuid;

farmgate_kernel::wire_enum!(
    /// What pre-sold volume is broken down by.
    PresoldBy {
        /// The product's category.
        Category => "category",
        /// The origin township (乡镇) of the pre-sold produce.
        Township => "township",
        /// Each category in each township.
        CategoryTownship => "category_township",
    }
);

/// Pre-sold figures of a group; every figure `null` where hidden.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct PresoldFigures {
    /// Paid reservations that stand.
    pub reservations: Option<i64>,
    /// Distinct buyers (not additive across groups: `null` in `other`).
    pub buyers: Option<i64>,
    /// Quantity reserved, by the unit it is sold in (jin, kg, box, bag, piece).
    pub quantities: Option<BTreeMap<String, i64>>,
    /// Deposits held, fen (paid less any shortfall refund).
    pub deposit_fen: Option<i64>,
    /// Fewer than five buyers: not shown on its own.
    pub suppressed: bool,
}

/// One listed group.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct PresoldRow {
    pub key: String,
    pub label: String,
    pub label_en: String,
    #[serde(flatten)]
    pub figures: PresoldFigures,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct PresoldReport {
    pub by: PresoldBy,
    pub total: PresoldFigures,
    /// Groups of at least five buyers, the largest deposits first.
    pub rows: Vec<PresoldRow>,
    /// Everything not listed, so rows + other = total; `null` when nothing is left out.
    pub other: Option<PresoldFigures>,
    /// How many groups are in `other`.
    pub other_groups: i64,
    /// The smallest group shown (five buyers).
    pub min_buyers: i64,
}

/// The running sums of a group.
#[derive(Clone, Debug, Default)]
struct Sums {
    reservations: i64,
    buyers: HashSet<Uuid>,
    quantities: BTreeMap<String, i64>,
    deposit_fen: i64,
}

impl Sums {
    fn add(&mut self, other: &Sums) {
        self.reservations += other.reservations;
        self.buyers.extend(other.buyers.iter().copied());
        for (u, q) in &other.quantities {
            *self.quantities.entry(u.clone()).or_default() += q;
        }
        self.deposit_fen += other.deposit_fen;
    }

    fn buyers(&self) -> i64 {
        i64::try_from(self.buyers.len()).unwrap_or(i64::MAX)
    }

    /// The figures, hidden when 1–4 buyers (a group of none shows its zeros).
    fn figures(&self, with_buyers: bool) -> PresoldFigures {
        let n = self.buyers();
        if with_buyers && n > 0 && n < MIN_BUYERS {
            return PresoldFigures {
                suppressed: true,
                ..PresoldFigures::default()
            };
        }
        PresoldFigures {
            reservations: Some(self.reservations),
            buyers: with_buyers.then_some(n),
            quantities: Some(self.quantities.clone()),
            deposit_fen: Some(self.deposit_fen),
            suppressed: false,
        }
    }
}

/// A group's key and labels (zh, en).
type GroupKey = (String, String, String);

/// Groups the pre-sales' paid reservations; a category without a name reads as its id.
fn group(
    sales: &[PresoldSale],
    by: PresoldBy,
    names: &HashMap<Uuid, (String, String)>,
) -> (Sums, BTreeMap<GroupKey, Sums>) {
    let mut total = Sums::default();
    let mut groups: BTreeMap<GroupKey, Sums> = BTreeMap::new();
    for p in sales.iter().filter(|p| !p.reservations.is_empty()) {
        let cat = p.category_id.unwrap_or_default();
        let (zh, en) = names
            .get(&cat)
            .cloned()
            .unwrap_or_else(|| (cat.to_string(), cat.to_string()));
        let key = match by {
            PresoldBy::Category => (cat.to_string(), zh, en),
            PresoldBy::Township => (p.township.clone(), p.township.clone(), p.township.clone()),
            PresoldBy::CategoryTownship => (
                format!("{cat}@{}", p.township),
                format!("{zh} · {}", p.township),
                format!("{en} · {}", p.township),
            ),
        };
        let g = groups.entry(key).or_default();
        for r in &p.reservations {
            let mut one = Sums {
                reservations: 1,
                deposit_fen: r.deposit_fen,
                ..Sums::default()
            };
            one.buyers.insert(r.buyer);
            one.quantities.insert(p.unit.clone(), r.quantity);
            g.add(&one);
            total.add(&one);
        }
    }
    (total, groups)
}

/// The small-group rule over grouped sums (see the file's comment).
fn report(by: PresoldBy, total: &Sums, groups: BTreeMap<GroupKey, Sums>) -> PresoldReport {
    let min_buyers = MIN_BUYERS;
    let t = total.figures(true);
    if t.suppressed {
        return PresoldReport {
            by,
            total: t,
            rows: Vec::new(),
            other: None,
            other_groups: 0,
            min_buyers,
        };
    }
    let count = groups.len();
    let (mut listed, small): (Vec<_>, Vec<_>) = groups
        .into_iter()
        .partition(|(_, s)| s.buyers() >= MIN_BUYERS);
    // Largest first; the smallest listed is the last.
    listed.sort_by(|a, b| b.1.deposit_fen.cmp(&a.1.deposit_fen).then(a.0.cmp(&b.0)));
    if small.len() == 1 {
        listed.pop();
    }
    let mut shown = Sums::default();
    for (_, s) in &listed {
        shown.add(s);
    }
    let other_groups = i64::try_from(count - listed.len()).unwrap_or(0);
    let other = (other_groups > 0).then(|| {
        let mut o = PresoldFigures {
            reservations: Some(total.reservations - shown.reservations),
            buyers: None,
            quantities: Some(
                total
                    .quantities
                    .iter()
                    .map(|(u, q)| (u.clone(), q - shown.quantities.get(u).copied().unwrap_or(0)))
                    .collect(),
            ),
            deposit_fen: Some(total.deposit_fen - shown.deposit_fen),
            suppressed: false,
        };
        o.quantities
            .get_or_insert_with(BTreeMap::new)
            .retain(|_, q| *q != 0);
        o
    });
    let rows = listed
        .into_iter()
        .map(|((key, label, label_en), s)| PresoldRow {
            key,
            label,
            label_en,
            figures: s.figures(true),
        })
        .collect();
    PresoldReport {
        by,
        total: t,
        rows,
        other,
        other_groups,
        min_buyers,
    }
}

impl Stats {
    /// Pre-sold volume by category, township or both, officials only.
    #[tracing::instrument(skip_all, fields(by = by.as_str()))]
    pub async fn presold(&self, actor: &Actor, by: PresoldBy) -> Result<PresoldReport> {
        require_official(actor)?;
        let db = self.read();
        let sales = presold(db, None).await?;
        let names: HashMap<Uuid, (String, String)> = catalog::categories(db)
            .await?
            .into_iter()
            .map(|c| (c.id.0, (c.name, c.name_en)))
            .collect();
        let (total, groups) = group(&sales, by, &names);
        Ok(report(by, &total, groups))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sums(buyers: u128, deposit: i64) -> Sums {
        let mut s = Sums {
            reservations: i64::try_from(buyers).unwrap_or(0),
            deposit_fen: deposit,
            ..Sums::default()
        };
        for b in 0..buyers {
            s.buyers.insert(Uuid::from_u128(
                b + u128::try_from(deposit).unwrap_or(0) * 1000,
            ));
        }
        s.quantities.insert("box".into(), deposit);
        s
    }

    fn key(k: &str) -> GroupKey {
        (k.into(), k.into(), k.into())
    }

    fn run(groups: Vec<(&str, Sums)>) -> PresoldReport {
        let mut total = Sums::default();
        let mut map = BTreeMap::new();
        for (k, s) in groups {
            total.add(&s);
            map.insert(key(k), s);
        }
        report(PresoldBy::Category, &total, map)
    }

    #[test]
    fn a_lone_small_group_takes_the_smallest_listed_one_with_it() {
        let r = run(vec![
            ("a", sums(6, 900)),
            ("b", sums(5, 300)),
            ("c", sums(2, 50)),
        ]);
        let keys: Vec<&str> = r.rows.iter().map(|r| r.key.as_str()).collect();
        assert_eq!(keys, ["a"]);
        assert_eq!(r.other_groups, 2);
        let other = r.other.unwrap_or_default();
        assert_eq!(other.deposit_fen, Some(350));
        assert_eq!(other.buyers, None);
        assert_eq!(r.total.deposit_fen, Some(1250));
    }

    #[test]
    fn two_small_groups_hide_each_other() {
        let r = run(vec![
            ("a", sums(6, 900)),
            ("b", sums(2, 300)),
            ("c", sums(2, 50)),
        ]);
        assert_eq!(r.rows.len(), 1);
        assert_eq!(r.other_groups, 2);
        assert_eq!(r.other.unwrap_or_default().deposit_fen, Some(350));
    }

    #[test]
    fn fewer_than_five_buyers_in_all_shows_nothing() {
        let r = run(vec![("a", sums(3, 900)), ("b", sums(1, 300))]);
        assert!(r.total.suppressed);
        assert_eq!(r.total.deposit_fen, None);
        assert!(r.rows.is_empty() && r.other.is_none());
    }

    #[test]
    fn big_groups_are_all_listed() {
        let r = run(vec![("a", sums(6, 900)), ("b", sums(5, 300))]);
        assert_eq!(r.rows.len(), 2);
        assert_eq!(r.rows[0].key, "a");
        assert!(r.other.is_none());
        assert_eq!(r.rows[1].figures.buyers, Some(5));
    }
}
