//! The operator's platform analytics (issue #20): platform-wide sales by day, week or month,
//! new and returning buyers, top sellers and products, claim figures and the service desk's —
//! from the same rollups as the officials' statistics (so the totals equal theirs for the same
//! period) but **without the small-group suppression**: the operator runs the trade and has a
//! duty to see every seller's and product's figures. Nothing here names a person: buyers are
//! counted, sellers are businesses and products their listings; the exports carry no personal
//! data either. The operator and platform finance may read it; officials keep their dashboard.

use crate::Stats;
use crate::domain::platform::{BuyerSplit, buyer_split};
use crate::domain::{Dim, Grain, Sums, day_number};
use crate::error::{Result, StatsError};
use crate::store::{buyers, delivered, keys, sales};
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use farmgate_aftersales::metrics::{Delivered, GroupBy, QualityRow};
use farmgate_identity::{Actor, PlatformRole};
use farmgate_kernel::stats::bp;
use serde::Serialize;
use utoipa::ToSchema;

/// A group's (or a bucket's) sales, unsuppressed.
#[derive(Clone, Debug, Default, Serialize, ToSchema, PartialEq, Eq)]
pub struct PlatformRow {
    /// Bucket: its first day; seller: the organisation id; product: the listing id.
    pub key: String,
    pub label: String,
    pub label_en: String,
    pub orders: i64,
    /// Distinct buyers.
    pub buyers: i64,
    /// Of them, first bought on the platform in this period (or bucket), and bought before.
    /// Only for the total and the time buckets.
    pub new_buyers: Option<i64>,
    pub returning_buyers: Option<i64>,
    pub lines: i64,
    pub goods_fen: i64,
    pub shipping_fen: i64,
    /// Goods and shipping paid (gross).
    pub gmv_fen: i64,
    pub refund_fen: i64,
    /// GMV after refunds.
    pub net_fen: i64,
}

impl PlatformRow {
    fn of(key: String, label: String, label_en: String, s: &Sums, buyers: i64) -> Self {
        let gmv = s.goods_fen + s.shipping_fen;
        PlatformRow {
            key,
            label,
            label_en,
            orders: s.orders,
            buyers,
            new_buyers: None,
            returning_buyers: None,
            lines: s.lines,
            goods_fen: s.goods_fen,
            shipping_fen: s.shipping_fen,
            gmv_fen: gmv,
            refund_fen: s.refund_fen,
            net_fen: gmv - s.refund_fen,
        }
    }

    fn with_split(mut self, s: BuyerSplit) -> Self {
        self.new_buyers = Some(s.new);
        self.returning_buyers = Some(s.returning);
        self
    }
}

/// The service desk over the period, and its queue now.
#[derive(Clone, Debug, Default, Serialize, ToSchema, PartialEq, Eq)]
pub struct PlatformDesk {
    /// Buyer–seller conversations whose buyer first wrote in the period.
    pub conversations: i64,
    /// Of them, answered by the seller.
    pub answered: i64,
    pub answered_share_bp: Option<i64>,
    /// Average seconds to the seller's first reply, over the answered ones.
    pub response_avg_secs: Option<i64>,
    /// Tickets open or answered that nobody is assigned to, now.
    pub tickets_unassigned: u64,
    /// Tickets past their response or resolution deadline, now.
    pub tickets_overdue: u64,
    pub oldest_unassigned_at: Option<DateTime<Utc>>,
}

/// The operator's view of the platform over a period.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PlatformReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// day, week or month.
    pub by: String,
    pub total: PlatformRow,
    /// Every bucket of the period, empty ones included (edge buckets cut to the period).
    pub series: Vec<PlatformRow>,
    /// The sellers and products that sold most (GMV), at most `limit` each.
    pub top_sellers: Vec<PlatformRow>,
    pub top_products: Vec<PlatformRow>,
    /// How many sellers and products sold in the period.
    pub sellers: i64,
    pub products: i64,
    /// Claims filed in the period: the platform's figures (as the officials' after-sales view
    /// computes them), and by seller kind.
    pub claims: QualityRow,
    pub claims_by_seller_kind: Vec<QualityRow>,
    pub desk: PlatformDesk,
}

/// The instant a Shanghai day starts.
fn day_start(d: NaiveDate) -> Result<DateTime<Utc>> {
    farmgate_kernel::clock::shanghai()
        .from_local_datetime(&d.and_time(NaiveTime::MIN))
        .single()
        .map(|t| t.to_utc())
        .ok_or_else(|| StatsError::Db(sea_orm::DbErr::Custom(format!("no midnight on {d}"))))
}

/// The operator, and platform finance (who reconciles money against the same sales).
pub fn require_operator_or_finance(actor: &Actor) -> Result<()> {
    actor
        .require_platform(&[PlatformRole::Operator, PlatformRole::Finance])
        .map_err(|_| StatsError::Forbidden)
}

impl Stats {
    /// The platform's figures over [from, to], bucketed by `grain`, with the top `limit`
    /// sellers and products.
    #[tracing::instrument(skip_all, fields(%from, %to, grain = grain.as_str()))]
    pub async fn platform_analytics(
        &self,
        actor: &Actor,
        (from, to): (NaiveDate, NaiveDate),
        grain: Grain,
        limit: usize,
    ) -> Result<PlatformReport> {
        require_operator_or_finance(actor)?;
        let c = self.read();
        let total_key = keys::key(c, Dim::Total, "all").await?.map(|k| k.id);

        // The buckets, cut to the period at its edges.
        let mut ranges: Vec<(NaiveDate, NaiveDate)> = Vec::new();
        let mut start = grain.start(from);
        while start <= to {
            let next = grain.next(start);
            ranges.push((start, next - Duration::days(1)));
            start = next;
        }
        let (total_sums, series_sums, split_rows) = match total_key {
            Some(k) => {
                let total = sales::key_sums(c, k, from, to).await?;
                let stored = sales::buckets(c, k, grain, from, to).await?;
                let mut series = Vec::new();
                for &(a, z) in &ranges {
                    let sums = if a >= from && z <= to {
                        stored.get(&day_number(a)).map(|s| s.0).unwrap_or_default()
                    } else {
                        sales::key_sums(c, k, a.max(from), z.min(to)).await?
                    };
                    series.push(sums);
                }
                (
                    total,
                    series,
                    buyers::days_with_first(c, k, from, to).await?,
                )
            }
            None => (
                Sums::default(),
                vec![Sums::default(); ranges.len()],
                Vec::new(),
            ),
        };
        let mut day_ranges = vec![(day_number(from), day_number(to))];
        day_ranges.extend(
            ranges
                .iter()
                .map(|(a, z)| (day_number((*a).max(from)), day_number((*z).min(to)))),
        );
        let splits = buyer_split(&split_rows, &day_ranges);
        let split_at = |i: usize| splits.get(i).copied().unwrap_or_default();
        let total = PlatformRow::of(
            "all".to_owned(),
            "全平台".to_owned(),
            "Platform".to_owned(),
            &total_sums,
            split_at(0).buyers,
        )
        .with_split(split_at(0));
        let series = ranges
            .iter()
            .zip(series_sums)
            .enumerate()
            .map(|(i, ((a, _), sums))| {
                let s = split_at(i + 1);
                let (label, label_en) = grain.label(*a);
                PlatformRow::of(a.to_string(), label, label_en, &sums, s.buyers).with_split(s)
            })
            .collect();

        let (top_sellers, sellers) = self.top(Dim::Seller, from, to, limit).await?;
        let (top_products, products) = self.top(Dim::Product, from, to, limit).await?;

        // Claims exactly as the officials' after-sales view counts them (parcels from the
        // rollups, claims from the after-sales room), by seller kind.
        let mut parcels = Delivered::default();
        for g in delivered::by_group(c, &[Dim::Total, Dim::SellerKind], from, to).await? {
            let n = u64::try_from(g.parcels).unwrap_or(0);
            if g.dim == Dim::Total {
                parcels.total = n;
            } else {
                parcels.groups.insert(g.code, (g.label, g.label_en, n));
            }
        }
        let quality = self
            .aftersales()
            .quality_with(actor, from, to, GroupBy::SellerKind, None, Some(parcels))
            .await?;

        Ok(PlatformReport {
            from,
            to,
            by: grain.as_str().to_owned(),
            total,
            series,
            top_sellers,
            top_products,
            sellers,
            products,
            claims: quality.total,
            claims_by_seller_kind: quality.rows,
            desk: self.desk_figures(from, to).await?,
        })
    }

    /// A dimension's groups that sold most over the period (GMV, then key), at most `limit`,
    /// and how many sold at all. No small-group rule: the operator sees every seller.
    async fn top(
        &self,
        dim: Dim,
        from: NaiveDate,
        to: NaiveDate,
        limit: usize,
    ) -> Result<(Vec<PlatformRow>, i64)> {
        let c = self.read();
        let mut groups = sales::dim_sums(c, dim, from, to).await?;
        groups.retain(|(_, s)| !s.is_zero());
        groups.sort_by(|a, b| {
            (b.1.goods_fen + b.1.shipping_fen)
                .cmp(&(a.1.goods_fen + a.1.shipping_fen))
                .then(a.0.cmp(&b.0))
        });
        let count = i64::try_from(groups.len()).unwrap_or(i64::MAX);
        groups.truncate(limit);
        let ids: Vec<i64> = groups.iter().map(|(k, _)| *k).collect();
        let b = buyers::distinct(c, &ids, from, to).await?;
        let names = keys::keys_by_id(c, &ids).await?;
        let rows = groups
            .into_iter()
            .map(|(id, sums)| {
                let k = names.get(&id);
                PlatformRow::of(
                    k.map(|k| k.code.clone()).unwrap_or_default(),
                    k.map(|k| k.label.clone()).unwrap_or_default(),
                    k.map(|k| k.label_en.clone()).unwrap_or_default(),
                    &sums,
                    b.get(&id).copied().unwrap_or(0),
                )
            })
            .collect();
        Ok((rows, count))
    }

    /// Conversations opened in [from, to] (those since `from` less those since the day after
    /// `to`: the desk's read model counts from a moment on), and the ticket queue now.
    async fn desk_figures(&self, from: NaiveDate, to: NaiveDate) -> Result<PlatformDesk> {
        let db = &self.infra().db;
        let since = farmgate_desk::read::credit::responses(db, day_start(from)?, None).await?;
        let after =
            farmgate_desk::read::credit::responses(db, day_start(to + Duration::days(1))?, None)
                .await?;
        let (mut conversations, mut answered, mut secs) = (0i64, 0i64, 0i64);
        for r in since.values() {
            conversations += r.conversations;
            answered += r.answered;
            secs += r.response_seconds;
        }
        for r in after.values() {
            conversations -= r.conversations;
            answered -= r.answered;
            secs -= r.response_seconds;
        }
        let queue =
            farmgate_desk::read::console::ticket_queue(db, self.infra().clock.now()).await?;
        Ok(PlatformDesk {
            conversations,
            answered,
            answered_share_bp: (conversations > 0).then(|| {
                i64::try_from(bp(
                    u64::try_from(answered).unwrap_or(0),
                    u64::try_from(conversations).unwrap_or(0),
                ))
                .unwrap_or(0)
            }),
            response_avg_secs: (answered > 0).then(|| secs / answered),
            tickets_unassigned: queue.unassigned,
            tickets_overdue: queue.overdue,
            oldest_unassigned_at: queue.oldest_unassigned_at,
        })
    }
}
