//! External reference prices (issue #20): the operator uploads, lists, downloads and deletes
//! them; the price board shows them beside the platform's own prices, labelled with their
//! source. They are read only here: no rollup, view or export of the platform's figures
//! touches them.

use crate::Stats;
use crate::domain::external::{self, KnownCategory, Rejected};
use crate::domain::{day_number, from_day_number};
use crate::error::{Result, StatsError};
use crate::store::external as store;
use chrono::{DateTime, NaiveDate, Utc};
use farmgate_catalog::read::stats as catalog;
use farmgate_identity::Actor;
use farmgate_kernel::{FieldError, ValidationErrors};
use sea_orm::TransactionTrait;
use serde::Serialize;
use std::collections::HashMap;
use utoipa::ToSchema;

/// A series as the operator manages it.
#[derive(Clone, Debug, Serialize, ToSchema, PartialEq)]
pub struct ExternalSeries {
    pub id: String,
    /// Who publishes it (e.g. a wholesale market).
    pub source: String,
    /// The category id, and its names.
    pub category_key: String,
    pub category_label: String,
    pub category_label_en: String,
    /// A product within the category; empty for the category as a whole.
    pub product: String,
    /// jin, kg, box, bag or piece.
    pub unit: String,
    /// Days with a price, and the first and last of them.
    pub days: i64,
    pub first_day: Option<NaiveDate>,
    pub last_day: Option<NaiveDate>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What an upload did.
#[derive(Clone, Debug, Serialize, ToSchema, PartialEq, Eq)]
pub struct UploadReport {
    /// Data rows read.
    pub rows: u64,
    /// Series the file holds, and how many of them are new.
    pub series: u64,
    pub series_created: u64,
    /// Days priced for the first time, re-priced, and already at that price.
    pub prices_added: u64,
    pub prices_changed: u64,
    pub prices_unchanged: u64,
}

/// One day's external price.
#[derive(Clone, Debug, Serialize, ToSchema, PartialEq, Eq)]
pub struct ExternalPoint {
    pub day: NaiveDate,
    /// fen per the series' unit.
    pub price_fen: i64,
}

/// An external series on the public board: always shown as external, with its source.
#[derive(Clone, Debug, Serialize, ToSchema, PartialEq)]
pub struct ExternalLine {
    pub id: String,
    /// Always `true`: this is not the platform's figure.
    pub external: bool,
    pub source: String,
    pub category_key: String,
    pub category_label: String,
    pub category_label_en: String,
    pub product: String,
    pub unit: String,
    /// The latest price in the window.
    pub latest: Option<ExternalPoint>,
    /// Every price in the window, by day (the category board's trend window; empty on the
    /// board's list).
    pub points: Vec<ExternalPoint>,
}

/// The upload's problems as field errors: `line_<n>.<column>` (or `csv` for the file as a
/// whole), the line in the message too, so a person can find it.
fn rejected(r: Rejected) -> StatsError {
    let mut errs = ValidationErrors::new();
    for p in &r.problems {
        let (zh, en) = p.problem.text();
        let (field, zh, en) = match (p.line, p.column) {
            (0, _) => ("csv".to_owned(), zh, en),
            (n, None) => (
                format!("line_{n}"),
                format!("第{n}行：{zh}"),
                format!("line {n}: {en}"),
            ),
            (n, Some(c)) => (
                format!("line_{n}.{c}"),
                format!("第{n}行 {c}：{zh}"),
                format!("line {n}, {c}: {en}"),
            ),
        };
        errs.push(FieldError::new(field, p.problem.code(), zh, en));
    }
    if r.total > r.problems.len() {
        let more = r.total - r.problems.len();
        errs.push(FieldError::new(
            "csv",
            "too_many_problems",
            format!("另有{more}处错误未列出"),
            format!("{more} more problems not listed"),
        ));
    }
    StatsError::Invalid(errs)
}

fn require_operator(actor: &Actor) -> Result<()> {
    actor.require_operator().map_err(|_| StatsError::Forbidden)
}

impl Stats {
    async fn category_names<C: sea_orm::ConnectionTrait>(
        c: &C,
    ) -> Result<HashMap<String, (String, String)>> {
        Ok(catalog::categories(c)
            .await?
            .into_iter()
            .map(|n| (n.id.to_string(), (n.name, n.name_en)))
            .collect())
    }

    fn series_of(r: store::SeriesRow, names: &HashMap<String, (String, String)>) -> ExternalSeries {
        let (label, label_en) = names.get(&r.category_id).cloned().unwrap_or_default();
        ExternalSeries {
            id: r.id,
            source: r.source,
            category_key: r.category_id,
            category_label: label,
            category_label_en: label_en,
            product: r.product,
            unit: r.unit,
            days: r.days,
            first_day: r.first_day.map(from_day_number),
            last_day: r.last_day.map(from_day_number),
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }

    /// Checks a CSV file row by row and stores its prices (all or nothing). Operator only.
    #[tracing::instrument(skip_all, fields(bytes = text.len()))]
    pub async fn external_upload(&self, actor: &Actor, text: &str) -> Result<UploadReport> {
        require_operator(actor)?;
        let db = &self.infra().db;
        let categories: Vec<KnownCategory> = catalog::categories(db)
            .await?
            .into_iter()
            .map(|n| KnownCategory {
                id: n.id.to_string(),
                name: n.name,
                name_en: n.name_en,
            })
            .collect();
        let upload = external::parse(text, &categories, self.today()).map_err(rejected)?;
        let now = self.infra().clock.now();
        let who = actor.account_id.to_string();
        let mut report = UploadReport {
            rows: upload.rows as u64,
            series: upload.series.len() as u64,
            series_created: 0,
            prices_added: 0,
            prices_changed: 0,
            prices_unchanged: 0,
        };
        let txn = db.begin().await?;
        for (key, days) in &upload.series {
            let (id, created) = store::find_or_create(
                &txn,
                (&key.source, &key.category_id, &key.product, key.unit),
                &who,
                now,
            )
            .await?;
            report.series_created += u64::from(created);
            let wanted: Vec<(i32, i64)> = days.iter().map(|(d, p)| (day_number(*d), *p)).collect();
            let day_numbers: Vec<i32> = wanted.iter().map(|(d, _)| *d).collect();
            let stored = store::prices_on(&txn, &id, &day_numbers).await?;
            let mut write = Vec::new();
            for (d, p) in wanted {
                match stored.get(&d) {
                    Some(old) if *old == p => report.prices_unchanged += 1,
                    Some(_) => {
                        report.prices_changed += 1;
                        write.push((d, p));
                    }
                    None => {
                        report.prices_added += 1;
                        write.push((d, p));
                    }
                }
            }
            if !write.is_empty() {
                store::upsert_prices(&txn, &id, &write).await?;
                store::touch(&txn, &id, now).await?;
            }
        }
        txn.commit().await?;
        tracing::info!(
            series = report.series,
            added = report.prices_added,
            changed = report.prices_changed,
            "external prices uploaded"
        );
        Ok(report)
    }

    /// Every external series. Operator only.
    pub async fn external_list(&self, actor: &Actor) -> Result<Vec<ExternalSeries>> {
        require_operator(actor)?;
        let db = &self.infra().db;
        let names = Self::category_names(db).await?;
        Ok(store::list(db, None)
            .await?
            .into_iter()
            .map(|r| Self::series_of(r, &names))
            .collect())
    }

    /// One series and all its prices, for the download. Operator only.
    pub async fn external_series(
        &self,
        actor: &Actor,
        id: &str,
    ) -> Result<(ExternalSeries, Vec<ExternalPoint>)> {
        require_operator(actor)?;
        let db = &self.infra().db;
        let row = store::one(db, id).await?.ok_or(StatsError::NotFound)?;
        let names = Self::category_names(db).await?;
        let mut pts = store::points(db, std::slice::from_ref(&row.id), i32::MIN, i32::MAX).await?;
        let points = pts
            .remove(&row.id)
            .unwrap_or_default()
            .into_iter()
            .map(|(d, p)| ExternalPoint {
                day: from_day_number(d),
                price_fen: p,
            })
            .collect();
        Ok((Self::series_of(row, &names), points))
    }

    /// Deletes a series and its prices. Operator only.
    #[tracing::instrument(skip_all, fields(series.id = %id))]
    pub async fn external_delete(&self, actor: &Actor, id: &str) -> Result<()> {
        require_operator(actor)?;
        let txn = self.infra().db.begin().await?;
        let found = store::delete(&txn, id).await?;
        txn.commit().await?;
        if found {
            tracing::info!("external price series deleted");
            Ok(())
        } else {
            Err(StatsError::NotFound)
        }
    }

    /// The external series shown on the board (of one category, or all), with their prices
    /// from `from` to `to`; `with_points`: keep every point, else only the latest.
    pub async fn external_lines(
        &self,
        category: Option<&str>,
        (from, to): (NaiveDate, NaiveDate),
        with_points: bool,
    ) -> Result<Vec<ExternalLine>> {
        let c = self.read();
        let rows = store::list(c, category).await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let names = Self::category_names(c).await?;
        let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
        let mut pts = store::points(c, &ids, day_number(from), day_number(to)).await?;
        let mut out = Vec::new();
        for r in rows {
            let points: Vec<ExternalPoint> = pts
                .remove(&r.id)
                .unwrap_or_default()
                .into_iter()
                .map(|(d, p)| ExternalPoint {
                    day: from_day_number(d),
                    price_fen: p,
                })
                .collect();
            let Some(latest) = points.last().cloned() else {
                continue;
            };
            let (label, label_en) = names.get(&r.category_id).cloned().unwrap_or_default();
            out.push(ExternalLine {
                id: r.id,
                external: true,
                source: r.source,
                category_key: r.category_id,
                category_label: label,
                category_label_en: label_en,
                product: r.product,
                unit: r.unit,
                latest: Some(latest),
                points: if with_points { points } else { Vec::new() },
            });
        }
        Ok(out)
    }
}
