//! Sales by time or by a dimension, with the small-group rule applied.

use super::{By, require_official};
use crate::Stats;
use crate::domain::{Dim, Figures, Grain, MIN_BUYERS, Row, Sums, day_number, hide_complement};
use crate::error::Result;
use crate::store::{buyers, keys, sales};
use chrono::{Duration, NaiveDate};
use farmgate_identity::Actor;
use sea_orm::ConnectionTrait;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Filter {
    pub dim: String,
    pub key: String,
    pub label: String,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SalesReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub by: String,
    pub filter: Option<Filter>,
    pub total: Figures,
    pub rows: Vec<Row>,
    /// Everything not listed (groups of fewer than five buyers, and for sellers and products,
    /// those below the top), so rows + other = total.
    pub other: Option<Figures>,
    /// How many groups are in `other`.
    pub other_groups: i64,
}

enum Breakdown {
    Time(Vec<Row>),
    /// Listed rows, their sums, and how many groups are not listed.
    Dim((Vec<Row>, Sums, i64)),
}

impl Stats {
    /// Sales by time or by a dimension.
    #[tracing::instrument(skip_all, fields(by = by.as_str(), %from, %to))]
    pub async fn sales(
        &self,
        actor: &Actor,
        (from, to): (NaiveDate, NaiveDate),
        by: By,
        filter: Option<(Dim, String)>,
        limit: u32,
    ) -> Result<SalesReport> {
        require_official(actor)?;
        let db = self.read();
        let (filter_info, key_id) = match &filter {
            Some((dim, code)) => {
                let k = self.check_filter(*dim, code).await?;
                let f = Filter {
                    dim: dim.as_str().to_owned(),
                    key: code.clone(),
                    label: k
                        .as_ref()
                        .map(|k| k.label.clone())
                        .unwrap_or_else(|| code.clone()),
                };
                (Some(f), k.map(|k| k.id))
            }
            None => (None, keys::key(db, Dim::Total, "all").await?.map(|k| k.id)),
        };
        // The total and the breakdown are independent reads: run them side by side.
        let ((total_sums, total_buyers), breakdown) = match by {
            By::Time(grain) => {
                let (t, rows) = futures_util::try_join!(
                    group_total(db, key_id, from, to),
                    time_rows(db, key_id, grain, from, to)
                )?;
                (t, Breakdown::Time(rows))
            }
            By::Dim(dim) => {
                let (t, d) = futures_util::try_join!(
                    group_total(db, key_id, from, to),
                    dim_rows(db, dim, from, to, limit)
                )?;
                (t, Breakdown::Dim(d))
            }
        };
        let total = Figures::of(&total_sums, Some(total_buyers));
        let (rows, other, other_groups) = match breakdown {
            Breakdown::Time(mut rows) => {
                if total.suppressed {
                    for r in &mut rows {
                        r.figures = Figures::hidden();
                    }
                } else {
                    hide_complement(&mut rows);
                }
                (rows, None, 0)
            }
            // Too few buyers in all: nothing is broken down.
            Breakdown::Dim(_) if total.suppressed => (Vec::new(), Some(total.clone()), 0),
            Breakdown::Dim((rows, listed, n)) => {
                let mut other = total_sums;
                subtract(&mut other, &listed);
                let mut other = Figures::of(&other, None);
                // Orders of different groups overlap (one order, two townships): only sums
                // are additive.
                other.orders = None;
                (rows, Some(other), n)
            }
        };
        Ok(SalesReport {
            from,
            to,
            by: by.as_str().to_owned(),
            filter: filter_info,
            total,
            rows,
            other,
            other_groups,
        })
    }
}

/// Total figures of one group (or none) over the period, and its distinct buyers.
pub(super) async fn group_total<C: ConnectionTrait>(
    c: &C,
    key: Option<i64>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<(Sums, i64)> {
    let Some(key) = key else {
        return Ok((Sums::default(), 0));
    };
    let sums = sales::key_sums(c, key, from, to).await?;
    let b = buyers::distinct(c, &[key], from, to).await?;
    Ok((sums, b.get(&key).copied().unwrap_or(0)))
}

/// Every bucket of the period, zero-filled; edge buckets that stick out of the period are
/// summed from their days inside it.
pub(super) async fn time_rows<C: ConnectionTrait>(
    c: &C,
    key: Option<i64>,
    grain: Grain,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Row>> {
    let stored = match key {
        Some(key) => sales::buckets(c, key, grain, from, to).await?,
        None => Default::default(),
    };
    let mut rows = Vec::new();
    let mut start = grain.start(from);
    while start <= to {
        let next = grain.next(start);
        let last = next - Duration::days(1);
        let (sums, buyers) = if start >= from && last <= to {
            stored.get(&day_number(start)).copied().unwrap_or_default()
        } else {
            let (a, b) = (start.max(from), last.min(to));
            group_total(c, key, a, b).await?
        };
        let (label, label_en) = grain.label(start);
        rows.push(Row {
            key: start.to_string(),
            label,
            label_en,
            figures: Figures::of(&sums, Some(buyers)),
        });
        start = next;
    }
    Ok(rows)
}

struct Listed {
    sums: Sums,
    row: Row,
}

/// Groups of a dimension over the period, largest GMV first, with what they add up to; small
/// groups are left out (the caller shows them as `other`).
async fn dim_rows<C: ConnectionTrait>(
    c: &C,
    dim: Dim,
    from: NaiveDate,
    to: NaiveDate,
    limit: u32,
) -> Result<(Vec<Row>, Sums, i64)> {
    let mut groups = sales::dim_sums(c, dim, from, to).await?;
    groups.retain(|(_, s)| !s.is_zero());
    groups.sort_by(|a, b| {
        (b.1.goods_fen + b.1.shipping_fen)
            .cmp(&(a.1.goods_fen + a.1.shipping_fen))
            .then(a.0.cmp(&b.0))
    });
    let want = if dim.is_ranked() {
        usize::try_from(limit).unwrap_or(20)
    } else {
        usize::MAX
    };
    let mut rows = Vec::new();
    let mut listed = Sums::default();
    let mut small = 0usize;
    let mut at = 0;
    // Ranked dimensions: look at candidates a page at a time until `want` pass the rule.
    while at < groups.len() && rows.len() < want {
        let page = if dim.is_ranked() {
            (want - rows.len()).max(8) * 2
        } else {
            groups.len()
        };
        let chunk: Vec<(i64, Sums)> = groups[at..(at + page).min(groups.len())].to_vec();
        at += chunk.len();
        let ids: Vec<i64> = chunk.iter().map(|(k, _)| *k).collect();
        let b = buyers::distinct(c, &ids, from, to).await?;
        let names = keys::keys_by_id(c, &ids).await?;
        for (id, sums) in chunk {
            let n = b.get(&id).copied().unwrap_or(0);
            if n < MIN_BUYERS {
                small += 1;
                continue;
            }
            if rows.len() >= want {
                continue;
            }
            listed.add(&sums);
            let k = names.get(&id);
            rows.push(Listed {
                sums,
                row: Row {
                    key: k.map(|k| k.code.clone()).unwrap_or_default(),
                    label: k.map(|k| k.label.clone()).unwrap_or_default(),
                    label_en: k.map(|k| k.label_en.clone()).unwrap_or_default(),
                    figures: Figures::of(&sums, Some(n)),
                },
            });
        }
    }
    // Complementary suppression: one hidden group alone in `other` could be read off as
    // total − listed, so the smallest listed group joins it.
    if small == 0 && at < groups.len() && groups.len() - rows.len() == 1 {
        // The one group left out for the limit: is it small too?
        let (id, _) = groups[groups.len() - 1];
        let b = buyers::distinct(c, &[id], from, to).await?;
        if b.get(&id).copied().unwrap_or(0) < MIN_BUYERS {
            small = 1;
        }
    }
    if small == 1 && groups.len() - rows.len() == 1 && rows.pop().is_some() {
        listed = Sums::default();
        for r in &rows {
            listed.add(&r.sums);
        }
    }
    let other_groups = i64::try_from(groups.len() - rows.len()).unwrap_or(0);
    let rows = rows.into_iter().map(|r| r.row).collect();
    Ok((rows, listed, other_groups))
}

fn subtract(a: &mut Sums, b: &Sums) {
    let mut neg = *b;
    neg.orders = -neg.orders;
    neg.lines = -neg.lines;
    neg.goods_fen = -neg.goods_fen;
    neg.shipping_fen = -neg.shipping_fen;
    neg.refund_fen = -neg.refund_fen;
    neg.refunds = -neg.refunds;
    neg.weight_grams = -neg.weight_grams;
    for q in &mut neg.qty {
        *q = -*q;
    }
    neg.shipped_fen = -neg.shipped_fen;
    neg.traced_fen = -neg.traced_fen;
    a.add(&neg);
}
