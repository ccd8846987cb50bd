//! Shop credit as a search ranking signal (#20, #21): every [`EVERY`], the credit of every
//! verified seller is recomputed by the published rule ([`Stats::credits`]) and handed to the
//! catalogue ([`Catalog::set_credit_levels`]), which keeps its own copy and reindexes the
//! listings of the sellers whose level changed. Statistics never writes the catalogue's tables
//! and the catalogue never reads these figures.
//!
//! A scheduled outbox event (`stats.credit_ranking.due`, `{"due"}`) that schedules the next one:
//! it survives restarts, [`schedule_credit_ranking`] starts the chain at boot when none is
//! waiting (and then runs at once), and a retried run never schedules twice (the next `due` is
//! a function of this one's, and an identical waiting event is found first).

use crate::Stats;
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use farmgate_catalog::Catalog;
use farmgate_catalog::domain::CreditSignal;
use farmgate_infra::outbox::{BoxError, OutboxEvent, OutboxHandler, waiting_with};
use farmgate_kernel::id::OrgId;
use serde::Deserialize;
use serde_json::json;

/// The outbox topic of a due refresh.
pub const TOPIC: &str = "stats.credit_ranking.due";
/// How often levels are recomputed for search.
pub const EVERY: Duration = Duration::hours(1);

#[derive(Deserialize)]
struct Due {
    due: DateTime<Utc>,
}

/// The first `due + k × EVERY` (k ≥ 1) after `now`: after a long stop, one run, not one per
/// hour missed.
pub fn next_due(due: DateTime<Utc>, now: DateTime<Utc>) -> DateTime<Utc> {
    let mut next = due + EVERY;
    if next <= now {
        let behind = (now - due).num_seconds() / EVERY.num_seconds();
        next = due + EVERY * i32::try_from(behind + 1).unwrap_or(i32::MAX);
    }
    next
}

/// Starts the chain when no refresh is waiting (at boot): one runs now.
pub async fn schedule_credit_ranking(stats: &Stats) -> Result<(), sea_orm::DbErr> {
    use farmgate_infra::outbox::entity::event;
    use sea_orm::{ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter};
    let infra = stats.infra();
    let waiting = event::Entity::find()
        .filter(event::Column::Topic.eq(TOPIC))
        .filter(event::Column::DeliveredAt.is_null())
        .count(&infra.db)
        .await?;
    if waiting == 0 {
        let now = infra.clock.now();
        infra
            .outbox
            .enqueue_at(&infra.db, TOPIC, &json!({ "due": now }), now)
            .await?;
    }
    Ok(())
}

/// Recomputes every seller's credit level and hands the levels to the catalogue.
pub struct CreditRankingJob {
    stats: Stats,
    catalog: Catalog,
}

impl CreditRankingJob {
    pub fn new(stats: Stats, catalog: Catalog) -> Self {
        Self { stats, catalog }
    }

    /// One refresh; returns the sellers whose level changed.
    pub async fn refresh(&self) -> Result<Vec<OrgId>, BoxError> {
        let levels: Vec<(OrgId, CreditSignal)> = self
            .stats
            .credits(None)
            .await?
            .into_iter()
            .map(|c| {
                let level = CreditSignal::parse(c.assessment.level.as_str()).unwrap_or_default();
                (c.org_id, level)
            })
            .collect();
        Ok(self.catalog.set_credit_levels(&levels).await?)
    }
}

#[async_trait]
impl OutboxHandler for CreditRankingJob {
    fn name(&self) -> &'static str {
        "stats.credit_ranking"
    }

    fn handles(&self, topic: &str) -> bool {
        topic == TOPIC
    }

    async fn handle(&self, event: &OutboxEvent) -> Result<(), BoxError> {
        let due: Due = event.parse()?;
        self.refresh().await?;
        let infra = self.stats.infra();
        let next = next_due(due.due, infra.clock.now());
        let payload = json!({ "due": next });
        if !waiting_with(&infra.db, TOPIC, &payload).await? {
            infra
                .outbox
                .enqueue_at(&infra.db, TOPIC, &payload, next)
                .await?;
        }
        Ok(())
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    #[test]
    fn the_next_refresh_is_an_hour_on_and_a_long_stop_runs_once() {
        let due = t("2026-12-07T03:00:00Z");
        assert_eq!(
            next_due(due, t("2026-12-07T03:00:05Z")),
            t("2026-12-07T04:00:00Z")
        );
        assert_eq!(
            next_due(due, t("2026-12-07T04:00:00Z")),
            t("2026-12-07T05:00:00Z")
        );
        assert_eq!(
            next_due(due, t("2026-12-08T02:30:00Z")),
            t("2026-12-08T03:00:00Z")
        );
    }
}
