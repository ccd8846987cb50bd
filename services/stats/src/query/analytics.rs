//! A seller's own sales on its console (issue #20), from its orders (read through
//! `farmgate_orders::read::stats::seller_sales`), for its members and the operator.

use crate::Stats;
use crate::domain::analytics::{SellerSales, SoldLine, seller_sales};
use crate::domain::{Grain, split};
use crate::error::{Result, StatsError};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use farmgate_identity::Actor;
use farmgate_kernel::id::OrgId;

/// The instant a Shanghai day starts.
fn day_start(d: NaiveDate) -> Result<DateTime<Utc>> {
    farmgate_kernel::clock::shanghai()
        .from_local_datetime(&d.and_time(NaiveTime::MIN))
        .single()
        .map(|t| t.to_utc())
        .ok_or_else(|| StatsError::Db(sea_orm::DbErr::Custom(format!("no midnight on {d}"))))
}

impl Stats {
    /// The seller's sales paid in the period, by `grain`, product and destination province.
    #[tracing::instrument(skip_all, fields(org.id = %org))]
    pub async fn seller_sales(
        &self,
        actor: &Actor,
        org: OrgId,
        (from, to): (NaiveDate, NaiveDate),
        grain: Grain,
    ) -> Result<SellerSales> {
        actor
            .require_member_or_operator(org)
            .map_err(|_| StatsError::Forbidden)?;
        let records = farmgate_orders::read::stats::seller_sales(
            &self.infra().db,
            org,
            day_start(from)?,
            day_start(to + Duration::days(1))?,
        )
        .await?;
        let mut lines = Vec::new();
        for r in &records {
            let Some(paid_at) = r.order.paid_at else {
                continue;
            };
            let province = r
                .order
                .province
                .clone()
                .filter(|p| !p.trim().is_empty())
                .unwrap_or_else(|| "（未注明）".to_owned());
            for part in &r.parts {
                let mine: Vec<_> = r
                    .lines
                    .iter()
                    .filter(|l| l.sub_order_id == part.id)
                    .collect();
                let weights: Vec<i64> = mine.iter().map(|l| l.line_fen).collect();
                for (l, ship) in mine.iter().zip(split(part.shipping_fen, &weights)) {
                    lines.push(SoldLine {
                        order: r.order.id,
                        buyer: r.order.buyer,
                        paid_at,
                        product: l.listing_id.to_string(),
                        title: l.title.clone(),
                        province: province.clone(),
                        line_fen: l.line_fen,
                        shipping_fen: ship,
                    });
                }
            }
        }
        Ok(seller_sales(&lines, (from, to), grain))
    }
}
