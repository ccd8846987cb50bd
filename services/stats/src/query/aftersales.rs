//! After-sales quality for the county: the after-sales room computes the figures from its
//! claims (few); the parcels delivered (many) come from the rollups, so a year answers without
//! counting sub-orders.

use super::require_official;
use crate::Stats;
use crate::domain::Dim;
use crate::error::Result;
use crate::store::delivered;
use chrono::NaiveDate;
use farmgate_aftersales::metrics::{Delivered, GroupBy, QualityReport};
use farmgate_identity::Actor;

impl Stats {
    #[tracing::instrument(skip_all, fields(%from, %to, ?group_by))]
    pub async fn aftersales_quality(
        &self,
        actor: &Actor,
        (from, to): (NaiveDate, NaiveDate),
        group_by: GroupBy,
    ) -> Result<QualityReport> {
        require_official(actor)?;
        let dim = match group_by {
            GroupBy::SellerKind => Dim::SellerKind,
            GroupBy::Category => Dim::Category,
            GroupBy::Carrier => Dim::Carrier,
            GroupBy::Seller => Dim::Seller,
        };
        let mut parcels = Delivered::default();
        for g in delivered::by_group(self.read(), &[Dim::Total, dim], from, to).await? {
            let n = u64::try_from(g.parcels).unwrap_or(0);
            if g.dim == Dim::Total {
                parcels.total = n;
            } else {
                parcels.groups.insert(g.code, (g.label, g.label_en, n));
            }
        }
        Ok(self
            .aftersales()
            .quality_with(actor, from, to, group_by, None, Some(parcels))
            .await?)
    }
}
