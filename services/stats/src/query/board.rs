//! The public price board (行情): what each category sold at today, this week and over the
//! last 30 days, and one category's trend, townships and products — for anyone, from the same
//! price rollups as the officials' price trends (so a category's figures equal theirs for the
//! same period), with every group of fewer than [`MIN_BUYERS`](crate::MIN_BUYERS) distinct
//! buyers left out (see [`crate::domain::board`]). No buyer, order or seller account is named:
//! a product is its listing (public anyway), a township its name.

use super::ExternalLine;
use crate::Stats;
use crate::domain::{BoardPrice, Dim, Grain, board_price, day_number, shown, shown_parts};
use crate::error::{Result, StatsError};
use crate::store::prices::Point;
use crate::store::{buyers, keys, prices, sales};
use chrono::{Duration, NaiveDate};
use farmgate_catalog::read::stats as catalog;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use utoipa::ToSchema;

/// The trend lengths the board offers, and how each is bucketed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TrendDays {
    /// 30 days, day by day.
    D30,
    /// 90 days, week by week (from Monday).
    D90,
    /// 365 days, month by month.
    D365,
}

impl TrendDays {
    pub fn parse(s: &str) -> Option<TrendDays> {
        match s {
            "30" => Some(TrendDays::D30),
            "90" => Some(TrendDays::D90),
            "365" => Some(TrendDays::D365),
            _ => None,
        }
    }

    pub fn days(self) -> i64 {
        match self {
            TrendDays::D30 => 30,
            TrendDays::D90 => 90,
            TrendDays::D365 => 365,
        }
    }

    pub fn grain(self) -> Grain {
        match self {
            TrendDays::D30 => Grain::Day,
            TrendDays::D90 => Grain::Week,
            TrendDays::D365 => Grain::Month,
        }
    }

    /// The first day: `days` back from `today`, moved to the start of its bucket so that no
    /// bucket is cut (a cut bucket's buyers would be counted over more days than its prices).
    pub fn from(self, today: NaiveDate) -> NaiveDate {
        self.grain().start(today - Duration::days(self.days() - 1))
    }
}

/// One category on the board.
#[derive(Clone, Debug, Serialize, ToSchema, PartialEq)]
pub struct BoardCategory {
    /// The category id.
    pub key: String,
    pub label: String,
    pub label_en: String,
    /// Today (Asia/Shanghai); `null` when fewer than five buyers bought it today.
    pub today: Option<BoardPrice>,
    /// This week, Monday to today; `null` below five buyers.
    pub week: Option<BoardPrice>,
    /// The last 30 days; `null` below five buyers.
    pub days30: Option<BoardPrice>,
}

/// The board: every category with at least five buyers over the last 365 days.
#[derive(Clone, Debug, Serialize, ToSchema, PartialEq)]
pub struct Board {
    /// Today in Asia/Shanghai.
    pub today: NaiveDate,
    /// Monday of this week.
    pub week_from: NaiveDate,
    /// Groups with fewer distinct buyers than this are not shown.
    pub min_buyers: i64,
    pub categories: Vec<BoardCategory>,
    /// Reference prices other markets publish, uploaded by the operator: each series' latest
    /// price over the last 365 days. Shown beside ours, labelled external with its source;
    /// never part of the figures above.
    pub external: Vec<ExternalLine>,
}

/// A township or product of a category over the trend's period.
#[derive(Clone, Debug, Serialize, ToSchema, PartialEq)]
pub struct BoardPart {
    /// Township: `county/township`; product: the listing id.
    pub key: String,
    pub label: String,
    pub label_en: String,
    pub price: BoardPrice,
}

/// One bucket of a trend.
#[derive(Clone, Debug, Serialize, ToSchema, PartialEq)]
pub struct TrendPoint {
    /// First day of the bucket.
    pub start: NaiveDate,
    pub label: String,
    pub label_en: String,
    /// `null`: nothing sold, or fewer than five buyers in the bucket.
    pub price: Option<BoardPrice>,
}

/// One category's board.
#[derive(Clone, Debug, Serialize, ToSchema, PartialEq)]
pub struct CategoryBoard {
    pub key: String,
    pub label: String,
    pub label_en: String,
    pub today_date: NaiveDate,
    pub today: Option<BoardPrice>,
    pub week: Option<BoardPrice>,
    /// 30, 90 or 365.
    pub days: i64,
    /// day (30 days), week (90) or month (365).
    pub grain: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Whether the category had five buyers or more over the period; when not, the period's
    /// price, the trend's figures, townships and products are all empty.
    pub published: bool,
    pub period: Option<BoardPrice>,
    pub trend: Vec<TrendPoint>,
    pub townships: Vec<BoardPart>,
    pub products: Vec<BoardPart>,
    /// The category's external reference series over the period, each price by day (see
    /// [`Board::external`]).
    pub external: Vec<ExternalLine>,
}

/// The basis most lines were sold in (the officials' choice), and its summary.
fn best(points: BTreeMap<(i64, String), Vec<Point>>) -> HashMap<i64, BoardPrice> {
    let mut out: HashMap<i64, BoardPrice> = HashMap::new();
    for ((id, basis), mut pts) in points {
        if let Some(p) = board_price(&basis, &mut pts)
            && out.get(&id).is_none_or(|b| b.lines < p.lines)
        {
            out.insert(id, p);
        }
    }
    out
}

/// Summaries of the groups over [from, to], only for the groups with five buyers or more.
async fn shown_prices<C: sea_orm::ConnectionTrait>(
    c: &C,
    ids: &[i64],
    (from, to): (NaiveDate, NaiveDate),
) -> Result<HashMap<i64, BoardPrice>> {
    let counts = buyers::distinct(c, ids, from, to).await?;
    let ok: Vec<i64> = ids
        .iter()
        .copied()
        .filter(|id| shown(counts.get(id).copied().unwrap_or(0)))
        .collect();
    if ok.is_empty() {
        return Ok(HashMap::new());
    }
    Ok(best(prices::points_of(c, &ok, from, to).await?))
}

impl Stats {
    /// Today in Asia/Shanghai.
    pub fn today(&self) -> NaiveDate {
        crate::domain::shanghai_day(self.infra().clock.now())
    }

    /// The public board: every category sold to five buyers or more over the last 365 days,
    /// with today's, this week's and the last 30 days' prices (each hidden below five buyers).
    #[tracing::instrument(skip_all)]
    pub async fn board(&self) -> Result<Board> {
        let c = self.read();
        let today = self.today();
        let week_from = Grain::Week.start(today);
        let cats = keys::keys_of(c, &[Dim::Category]).await?;
        let ids: Vec<i64> = cats.iter().map(|k| k.key.id).collect();
        let year = buyers::distinct(c, &ids, today - Duration::days(364), today).await?;
        let listed: Vec<i64> = ids
            .iter()
            .copied()
            .filter(|id| shown(year.get(id).copied().unwrap_or(0)))
            .collect();
        let mut day = shown_prices(c, &listed, (today, today)).await?;
        let mut week = shown_prices(c, &listed, (week_from, today)).await?;
        let mut d30 = shown_prices(c, &listed, (today - Duration::days(29), today)).await?;
        let mut categories: Vec<BoardCategory> = cats
            .into_iter()
            .filter(|k| listed.contains(&k.key.id))
            .map(|k| BoardCategory {
                today: day.remove(&k.key.id),
                week: week.remove(&k.key.id),
                days30: d30.remove(&k.key.id),
                key: k.key.code,
                label: k.key.label,
                label_en: k.key.label_en,
            })
            .collect();
        // Most sold over 30 days first, then by name.
        categories.sort_by(|a, b| {
            let lines = |c: &BoardCategory| c.days30.as_ref().map_or(0, |p| p.lines);
            lines(b).cmp(&lines(a)).then(a.label.cmp(&b.label))
        });
        Ok(Board {
            today,
            week_from,
            min_buyers: crate::MIN_BUYERS,
            categories,
            external: self
                .external_lines(None, (today - Duration::days(364), today), false)
                .await?,
        })
    }

    /// One category's board over 30, 90 or 365 days. `NotFound` for a category the catalogue
    /// does not know.
    #[tracing::instrument(skip_all, fields(category = code))]
    pub async fn board_category(&self, code: &str, days: TrendDays) -> Result<CategoryBoard> {
        let c = self.read();
        let today = self.today();
        let from = days.from(today);
        let grain = days.grain();
        let Some(k) = keys::key(c, Dim::Category, code).await? else {
            let known = match code.parse() {
                Ok(id) => catalog::category_exists(c, id).await?,
                Err(_) => false,
            };
            if !known {
                return Err(StatsError::NotFound);
            }
            let (name, name_en) = catalog::categories(c)
                .await?
                .into_iter()
                .find(|n| n.id.to_string() == code)
                .map(|n| (n.name, n.name_en))
                .unwrap_or_default();
            return Ok(CategoryBoard {
                key: code.to_owned(),
                label: name,
                label_en: name_en,
                today_date: today,
                today: None,
                week: None,
                days: days.days(),
                grain: grain.as_str().to_owned(),
                from,
                to: today,
                published: false,
                period: None,
                trend: trend_buckets(grain, from, today, &HashMap::new()),
                townships: Vec::new(),
                products: Vec::new(),
                external: self.external_lines(Some(code), (from, today), true).await?,
            });
        };
        let id = [k.id];
        let today_price = shown_prices(c, &id, (today, today)).await?.remove(&k.id);
        let week = shown_prices(c, &id, (Grain::Week.start(today), today))
            .await?
            .remove(&k.id);
        let period = shown_prices(c, &id, (from, today)).await?.remove(&k.id);
        let mut board = CategoryBoard {
            key: k.code.clone(),
            label: k.label.clone(),
            label_en: k.label_en.clone(),
            today_date: today,
            today: today_price,
            week,
            days: days.days(),
            grain: grain.as_str().to_owned(),
            from,
            to: today,
            published: period.is_some(),
            period,
            trend: trend_buckets(grain, from, today, &HashMap::new()),
            townships: Vec::new(),
            products: Vec::new(),
            external: self
                .external_lines(Some(&k.code), (from, today), true)
                .await?,
        };
        let Some(basis) = board.period.as_ref().map(|p| p.basis.clone()) else {
            return Ok(board);
        };
        // The trend: the period's basis, each bucket shown only with five buyers in it.
        let counts = sales::buckets(c, k.id, grain, from, today).await?;
        let mut points = prices::day_points(c, k.id, from, today).await?;
        let pts = points.remove(&basis).unwrap_or_default();
        let mut shown_buckets: HashMap<i32, BoardPrice> = HashMap::new();
        for (bucket, (_, b)) in &counts {
            if !shown(*b) {
                continue;
            }
            let start = crate::domain::from_day_number(*bucket);
            let (a, z) = (*bucket, day_number(grain.next(start)) - 1);
            let mut mine: Vec<(i64, i64, i64)> = pts
                .iter()
                .filter(|p| p.0 >= a && p.0 <= z)
                .map(|p| (p.1, p.2, p.3))
                .collect();
            if let Some(p) = board_price(&basis, &mut mine) {
                shown_buckets.insert(*bucket, p);
            }
        }
        board.trend = trend_buckets(grain, from, today, &shown_buckets);
        board.townships = self
            .board_parts(Dim::CategoryTownship, &k.code, (from, today), false)
            .await?;
        board.products = self
            .board_parts(Dim::CategoryProduct, &k.code, (from, today), true)
            .await?;
        Ok(board)
    }

    /// A category's townships or products over the period, five buyers or more each, and
    /// none left alone to be subtracted.
    async fn board_parts(
        &self,
        dim: Dim,
        category: &str,
        period: (NaiveDate, NaiveDate),
        product: bool,
    ) -> Result<Vec<BoardPart>> {
        let c = self.read();
        let prefix = format!("{category}@");
        let parts = keys::keys_with_prefix(c, dim, &prefix).await?;
        if parts.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = parts.iter().map(|k| k.id).collect();
        let counts = buyers::distinct(c, &ids, period.0, period.1).await?;
        let mut all = best(prices::points_of(c, &ids, period.0, period.1).await?);
        let flags = shown_parts(
            &parts
                .iter()
                .map(|k| {
                    (
                        counts.get(&k.id).copied().unwrap_or(0),
                        all.get(&k.id).map_or(0, |p| p.lines),
                    )
                })
                .collect::<Vec<_>>(),
        );
        let mut out: Vec<BoardPart> = parts
            .into_iter()
            .zip(flags)
            .filter(|(_, ok)| *ok)
            .filter_map(|(k, _)| {
                let price = all.remove(&k.id)?;
                let key = k.code.strip_prefix(&prefix).unwrap_or(&k.code).to_owned();
                Some(BoardPart {
                    key,
                    label_en: if product { k.label_en } else { k.label.clone() },
                    label: k.label,
                    price,
                })
            })
            .collect();
        out.sort_by(|a, b| {
            b.price
                .lines
                .cmp(&a.price.lines)
                .then(a.label.cmp(&b.label))
        });
        Ok(out)
    }
}

/// Every bucket of [from, to] with its shown price, if any.
fn trend_buckets(
    grain: Grain,
    from: NaiveDate,
    to: NaiveDate,
    shown: &HashMap<i32, BoardPrice>,
) -> Vec<TrendPoint> {
    let mut out = Vec::new();
    let mut start = grain.start(from);
    while start <= to {
        let (label, label_en) = grain.label(start);
        out.push(TrendPoint {
            start,
            label,
            label_en,
            price: shown.get(&day_number(start)).cloned(),
        });
        start = grain.next(start);
    }
    out
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn trends_start_on_a_whole_bucket() {
        // 2026-12-07 is a Monday.
        let today = d("2026-12-09");
        assert_eq!(TrendDays::D30.from(today), d("2026-11-10"));
        assert_eq!(TrendDays::D90.from(today), d("2026-09-07"));
        assert_eq!(TrendDays::D365.from(today), d("2025-12-01"));
        assert_eq!(
            trend_buckets(Grain::Day, d("2026-11-10"), today, &HashMap::new()).len(),
            30
        );
        assert_eq!(
            trend_buckets(Grain::Month, d("2025-12-01"), today, &HashMap::new()).len(),
            13
        );
        assert_eq!(TrendDays::parse("7"), None);
        assert_eq!(TrendDays::parse("90"), Some(TrendDays::D90));
    }
}
