//! Price trends: quantity-weighted average and median price with the min–max band.

use super::require_official;
use crate::Stats;
use crate::domain::{Dim, Grain, day_number, price_summary};
use crate::error::Result;
use crate::store::{keys, prices};
use chrono::NaiveDate;
use farmgate_identity::Actor;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;

#[derive(Clone, Debug, Default, Serialize, ToSchema, PartialEq)]
pub struct PriceRow {
    pub key: String,
    pub label: String,
    pub label_en: String,
    /// Per what the prices are: "kg", or the sold unit when the weight is unknown.
    pub basis: String,
    /// Quantity-weighted average, fen per basis.
    pub avg_fen: Option<i64>,
    /// Quantity-weighted median.
    pub median_fen: Option<i64>,
    pub min_fen: Option<i64>,
    pub max_fen: Option<i64>,
    /// Quantity in the basis (grams when the basis is kg).
    pub quantity: i64,
    pub lines: i64,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PriceReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub by: Option<String>,
    pub category: Option<PriceRow>,
    pub rows: Vec<PriceRow>,
}

impl PriceRow {
    /// A row summarising (price, quantity, lines) points.
    fn of(
        (key, label, label_en): (String, String, String),
        basis: String,
        points: &mut [(i64, i64, i64)],
    ) -> Self {
        let (avg, median, min, max, quantity, lines) = price_summary(points);
        PriceRow {
            key,
            label,
            label_en,
            basis,
            avg_fen: avg,
            median_fen: median,
            min_fen: min,
            max_fen: max,
            quantity,
            lines,
        }
    }
}

impl Stats {
    /// Price trends: every category's price summary over the period, or one category's by
    /// time bucket.
    #[tracing::instrument(skip_all, fields(%from, %to, category = category.as_deref()))]
    pub async fn prices(
        &self,
        actor: &Actor,
        (from, to): (NaiveDate, NaiveDate),
        grain: Grain,
        category: Option<String>,
    ) -> Result<PriceReport> {
        require_official(actor)?;
        let c = self.read();
        let Some(code) = category else {
            let by_key = prices::all_points(c, from, to).await?;
            let ids: Vec<i64> = by_key.keys().map(|(k, _)| *k).collect();
            let names = keys::keys_by_id(c, &ids).await?;
            // One basis per category: the one most lines were sold in.
            let mut best: BTreeMap<i64, PriceRow> = BTreeMap::new();
            for ((id, basis), mut pts) in by_key {
                let k = names.get(&id);
                let name = (
                    k.map(|k| k.code.clone()).unwrap_or_default(),
                    k.map(|k| k.label.clone()).unwrap_or_default(),
                    k.map(|k| k.label_en.clone()).unwrap_or_default(),
                );
                let row = PriceRow::of(name, basis, &mut pts);
                if best.get(&id).is_none_or(|b| b.lines < row.lines) {
                    best.insert(id, row);
                }
            }
            let mut rows: Vec<PriceRow> = best.into_values().collect();
            rows.sort_by(|a, b| b.lines.cmp(&a.lines).then(a.label.cmp(&b.label)));
            return Ok(PriceReport {
                from,
                to,
                by: None,
                category: None,
                rows,
            });
        };
        let Some(k) = self.check_filter(Dim::Category, &code).await? else {
            // A category never sold: known, but nothing to show.
            return Ok(PriceReport {
                from,
                to,
                by: Some(grain.as_str().to_owned()),
                category: Some(PriceRow {
                    key: code,
                    ..PriceRow::default()
                }),
                rows: Vec::new(),
            });
        };
        let mut points = prices::day_points(c, k.id, from, to).await?;
        let basis = points
            .iter()
            .max_by_key(|(_, v)| v.iter().map(|p| p.3).sum::<i64>())
            .map(|(b, _)| b.clone())
            .unwrap_or_else(|| "kg".to_owned());
        let pts = points.remove(&basis).unwrap_or_default();
        let mut all: Vec<(i64, i64, i64)> = pts.iter().map(|p| (p.1, p.2, p.3)).collect();
        let category = PriceRow::of(
            (k.code.clone(), k.label.clone(), k.label_en.clone()),
            basis.clone(),
            &mut all,
        );
        let mut rows = Vec::new();
        let mut start = grain.start(from);
        while start <= to {
            let next = grain.next(start);
            let (a, b) = (day_number(start.max(from)), day_number(next) - 1);
            let mut bucket: Vec<(i64, i64, i64)> = pts
                .iter()
                .filter(|p| p.0 >= a && p.0 <= b)
                .map(|p| (p.1, p.2, p.3))
                .collect();
            let (label, label_en) = grain.label(start);
            rows.push(PriceRow::of(
                (start.to_string(), label, label_en),
                basis.clone(),
                &mut bucket,
            ));
            start = next;
        }
        Ok(PriceReport {
            from,
            to,
            by: Some(grain.as_str().to_owned()),
            category: Some(category),
            rows,
        })
    }
}
