//! County statistics (大数据) for officials: sales, prices, traceability, onboarding and
//! after-sales quality, from rollup tables kept up to date by outbox events, so the dashboard
//! never scans the orders. `farmgate stats-rebuild` recomputes the rollups from scratch (the same
//! functions fold the same records, so it gives the same numbers). Reads may go to a replica.
//! Officials see aggregates only: no buyer is named, and groups of fewer than five buyers are
//! not broken down.
//!
//! Owns the `stats_*` tables ([`store`] is private). Reads the other rooms only through what
//! they publish: the read models `farmgate_orders::read::stats`, `farmgate_catalog::read::stats`,
//! `farmgate_identity::read::stats` and `farmgate_trace::read::stats`, and
//! `farmgate_aftersales::metrics` for the after-sales figures. Shop credit levels go to the
//! catalogue for search ranking through its API ([`credit_ranking`]).

pub mod credit_ranking;
pub mod domain;
pub mod error;
pub mod export;
pub mod http;
pub mod jobs;
pub mod query;
pub mod rollup;
mod store;

pub use credit_ranking::{CreditRankingJob, schedule_credit_ranking};
pub use domain::MIN_BUYERS;
pub use error::StatsError;
pub use jobs::RollupJob;
pub use rollup::RebuildReport;

use farmgate_aftersales::Aftersales;
use farmgate_infra::Infra;
use sea_orm::DatabaseConnection;
use std::sync::Arc;

struct Inner {
    infra: Infra,
    read: DatabaseConnection,
    aftersales: Aftersales,
}

/// The statistics service. Cheap to clone.
#[derive(Clone)]
pub struct Stats {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Stats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stats").finish_non_exhaustive()
    }
}

impl Stats {
    /// `read` is where the dashboard's queries go: a read replica when one is configured, else
    /// the primary. Rollups are always written to the primary.
    pub fn new(infra: Infra, read: Option<DatabaseConnection>, aftersales: Aftersales) -> Self {
        let read = read.unwrap_or_else(|| infra.db.clone());
        Self {
            inner: Arc::new(Inner {
                infra,
                read,
                aftersales,
            }),
        }
    }

    pub fn infra(&self) -> &Infra {
        &self.inner.infra
    }

    /// The connection statistics are read from.
    pub fn read(&self) -> &DatabaseConnection {
        &self.inner.read
    }

    pub fn aftersales(&self) -> &Aftersales {
        &self.inner.aftersales
    }

    /// Recomputes every rollup (see [`rollup::rebuild`]).
    #[tracing::instrument(skip_all)]
    pub async fn rebuild(&self) -> Result<RebuildReport, StatsError> {
        let now = self.infra().clock.now();
        Ok(rollup::rebuild(&self.infra().db, now).await?)
    }
}
