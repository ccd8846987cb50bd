//! Traceability: shipped value and the traced share from the rollups, scans and batches
//! through the trace room's read model.

use super::require_official;
use super::sales::time_rows;
use crate::Stats;
use crate::domain::{Dim, Grain, Sums, share};
use crate::error::Result;
use crate::store::{keys, sales};
use chrono::{Duration, NaiveDate};
use farmgate_identity::Actor;
use farmgate_trace::read::stats as trace;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Clone, Debug, Default, Serialize, ToSchema, PartialEq)]
pub struct TraceRow {
    pub key: String,
    pub label: String,
    pub label_en: String,
    pub shipped_fen: i64,
    pub traced_fen: i64,
    pub traced_share_bp: i64,
    pub scans: i64,
}

#[derive(Clone, Debug, Default, Serialize, ToSchema)]
pub struct TraceTotal {
    pub shipped_fen: i64,
    pub traced_fen: i64,
    pub traced_share_bp: i64,
    pub scans: i64,
    /// Batches started in the period.
    pub batches: i64,
    /// Of them, with at least one inspection.
    pub batches_inspected: i64,
    /// Of them, whose latest inspection passed.
    pub batches_passed: i64,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct TraceReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub by: String,
    pub total: TraceTotal,
    pub rows: Vec<TraceRow>,
}

impl Stats {
    #[tracing::instrument(skip_all, fields(%from, %to, by = grain.as_str()))]
    pub async fn trace(
        &self,
        actor: &Actor,
        (from, to): (NaiveDate, NaiveDate),
        grain: Grain,
    ) -> Result<TraceReport> {
        require_official(actor)?;
        let c = self.read();
        let total_key = keys::key(c, Dim::Total, "all").await?.map(|k| k.id);
        let sold = time_rows(c, total_key, grain, from, to).await?;
        let scans = trace::scans_by_day(c, from, to).await?;
        let (mut shipped, mut traced) = (0, 0);
        let mut rows = Vec::new();
        for s in sold {
            let start: NaiveDate = s.key.parse().unwrap_or(from);
            let next = grain.next(start);
            let n: i64 = scans.range(start..next).map(|(_, n)| n).sum();
            // Shipped value is not personal data: shown even for small buckets, from the sums.
            let (sh, tr) = match (s.figures.shipped_fen, s.figures.traced_fen) {
                (Some(a), Some(b)) => (a, b),
                _ => {
                    let (a, b) = (start.max(from), (next - Duration::days(1)).min(to));
                    let sums = match total_key {
                        Some(k) => sales::key_sums(c, k, a, b).await?,
                        None => Sums::default(),
                    };
                    (sums.shipped_fen, sums.traced_fen)
                }
            };
            shipped += sh;
            traced += tr;
            rows.push(TraceRow {
                key: s.key,
                label: s.label,
                label_en: s.label_en,
                shipped_fen: sh,
                traced_fen: tr,
                traced_share_bp: share(tr, sh),
                scans: n,
            });
        }
        let batches = trace::batches_started(c, from, to).await?;
        Ok(TraceReport {
            from,
            to,
            by: grain.as_str().to_owned(),
            total: TraceTotal {
                shipped_fen: shipped,
                traced_fen: traced,
                traced_share_bp: share(traced, shipped),
                scans: scans.values().sum(),
                batches: batches.started,
                batches_inspected: batches.inspected,
                batches_passed: batches.passed,
            },
            rows,
        })
    }
}
