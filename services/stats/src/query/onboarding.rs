//! Organisations verified over time, by kind, through identity's read model.

use super::require_official;
use crate::Stats;
use crate::domain::{Grain, shanghai_day};
use crate::error::Result;
use chrono::{Duration, NaiveDate};
use farmgate_identity::read::stats as identity;
use farmgate_identity::{Actor, OrgKind};
use farmgate_orders::domain::start_of;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use utoipa::ToSchema;

#[derive(Clone, Debug, Default, Serialize, ToSchema, PartialEq)]
pub struct OnboardingRow {
    pub key: String,
    pub label: String,
    pub label_en: String,
    /// Organisations verified in the bucket, by kind (cooperative, family_farm, …).
    pub kinds: BTreeMap<String, i64>,
    /// Of them, sellers (every kind but business buyers).
    pub sellers: i64,
    pub business_buyers: i64,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct OnboardingReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub by: String,
    pub total: OnboardingRow,
    pub rows: Vec<OnboardingRow>,
}

fn every_kind() -> BTreeMap<String, i64> {
    OrgKind::ALL
        .iter()
        .map(|k| (k.as_str().to_owned(), 0))
        .collect()
}

impl Stats {
    /// Sellers and business buyers verified over time (organisations are public facts; no
    /// person is named).
    #[tracing::instrument(skip_all, fields(%from, %to, by = grain.as_str()))]
    pub async fn onboarding(
        &self,
        actor: &Actor,
        (from, to): (NaiveDate, NaiveDate),
        grain: Grain,
    ) -> Result<OnboardingReport> {
        require_official(actor)?;
        let c = self.read();
        let mut rows: Vec<OnboardingRow> = Vec::new();
        let mut index: HashMap<NaiveDate, usize> = HashMap::new();
        let mut start = grain.start(from);
        while start <= to {
            let (label, label_en) = grain.label(start);
            index.insert(start, rows.len());
            rows.push(OnboardingRow {
                key: start.to_string(),
                label,
                label_en,
                kinds: every_kind(),
                ..OnboardingRow::default()
            });
            start = grain.next(start);
        }
        let mut total = OnboardingRow {
            key: "all".to_owned(),
            label: "合计".to_owned(),
            label_en: "Total".to_owned(),
            kinds: every_kind(),
            ..OnboardingRow::default()
        };
        let verified =
            identity::verified_between(c, start_of(from), start_of(to + Duration::days(1))).await?;
        for v in verified {
            let day = shanghai_day(v.verified_at);
            let Some(i) = index.get(&grain.start(day)).copied() else {
                continue;
            };
            for row in [&mut rows[i], &mut total] {
                *row.kinds.entry(v.kind.as_str().to_owned()).or_default() += 1;
                if v.kind.is_seller() {
                    row.sellers += 1;
                } else {
                    row.business_buyers += 1;
                }
            }
        }
        Ok(OnboardingReport {
            from,
            to,
            by: grain.as_str().to_owned(),
            total,
            rows,
        })
    }
}
