//! The dashboard's questions, answered from the rollups (and, for scans, batches and
//! onboarding, through the owning rooms' read models of their small per-day or
//! per-organisation tables). One file per view; every answer is officials-only.
//!
//! A period is read from month rows for the whole months inside it and day rows for the days
//! at its edges, so a year costs a few thousand rows whatever the number of orders. Distinct
//! buyers over a period come from `stats_buyer_days`. Groups with fewer than
//! [`MIN_BUYERS`](crate::domain::MIN_BUYERS) buyers are never listed on their own: their sums
//! go to `other`, so every breakdown still adds up to the total.

mod aftersales;
mod analytics;
mod board;
mod credit;
mod dimensions;
mod external;
mod onboarding;
mod platform;
mod position;
mod presold;
mod prices;
mod sales;
mod trace;

pub use board::{Board, BoardCategory, BoardPart, CategoryBoard, TrendDays, TrendPoint};
pub use credit::{SellerCredit, WINDOW_DAYS, whole_months};
pub use dimensions::{Choice, Dimensions};
pub use external::{ExternalLine, ExternalPoint, ExternalSeries, UploadReport};
pub use onboarding::{OnboardingReport, OnboardingRow};
pub use platform::{PlatformDesk, PlatformReport, PlatformRow, require_operator_or_finance};
pub use position::{Per, PricePosition};
pub use presold::{PresoldBy, PresoldFigures, PresoldReport, PresoldRow};
pub use prices::{PriceReport, PriceRow};
pub use sales::{Filter, SalesReport};
pub use trace::{TraceReport, TraceRow, TraceTotal};

use crate::Stats;
use crate::domain::{BuyerKind, Dim, Grain};
use crate::error::{Field, Result, StatsError};
use crate::store::keys::{self, KeyInfo};
use farmgate_catalog::read::stats as catalog;
use farmgate_identity::read::stats as identity;
use farmgate_identity::{Actor, OrgKind, PlatformRole};

/// What a breakdown is by: time buckets, or a dimension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum By {
    Time(Grain),
    Dim(Dim),
}

impl By {
    /// A grain, or a dimension sales can be broken down by (not `total`, not `carrier`).
    pub fn parse(s: &str) -> Option<By> {
        Grain::parse(s).map(By::Time).or_else(|| {
            Dim::parse(s)
                .filter(|d| !matches!(d, Dim::Total | Dim::Carrier) && !d.is_board_only())
                .map(By::Dim)
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            By::Time(g) => g.as_str(),
            By::Dim(d) => d.as_str(),
        }
    }
}

/// Only county officials read the statistics.
pub fn require_official(actor: &Actor) -> Result<()> {
    actor
        .require_platform(&[PlatformRole::Official])
        .map_err(|_| StatsError::Forbidden)
}

impl Stats {
    /// A filter must name a group that exists: sold before (its stored key), or known to the
    /// catalogue or identity. `None`: known, but never sold.
    async fn check_filter(&self, dim: Dim, code: &str) -> Result<Option<KeyInfo>> {
        let db = self.read();
        let found = keys::key(db, dim, code).await?;
        if found.is_some() {
            return Ok(found);
        }
        let known = match dim {
            Dim::SellerKind => OrgKind::parse(code).is_some_and(|k| k.is_seller()),
            Dim::BuyerKind => BuyerKind::parse(code).is_some(),
            Dim::Township | Dim::Village => {
                let parts: Vec<&str> = code.split('/').collect();
                let at = |i: usize| parts.get(i).copied().unwrap_or("");
                let village = (dim == Dim::Village).then(|| at(2));
                catalog::origin_listed(db, at(0), at(1), village).await?
                    && parts.len() == if dim == Dim::Village { 3 } else { 2 }
            }
            Dim::Category | Dim::CategoryRoot => match code.parse() {
                Ok(id) => catalog::category_exists(db, id).await?,
                Err(_) => false,
            },
            Dim::Seller => match code.parse() {
                Ok(id) => identity::org_exists(db, id).await?,
                Err(_) => false,
            },
            Dim::Product => match code.parse() {
                Ok(id) => catalog::listing_exists(db, id).await?,
                Err(_) => false,
            },
            Dim::Total
            | Dim::DestProvince
            | Dim::DestCity
            | Dim::Carrier
            | Dim::CategoryTownship
            | Dim::CategoryProduct => false,
        };
        if known {
            Ok(None)
        } else {
            Err(Field::UnknownFilter.at(dim.as_str()).into())
        }
    }
}
