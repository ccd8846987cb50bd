//! The dashboard's questions, answered from the rollups (and, for scans, batches and
//! onboarding, from the small tables that already are per-day or per-organisation).
//!
//! A period is read from month rows for the whole months inside it and day rows for the days
//! at its edges, so a year costs a few thousand rows whatever the number of orders. Distinct
//! buyers over a period come from `stats_buyer_days`. Groups with fewer than
//! [`MIN_BUYERS`](crate::MIN_BUYERS) buyers are never listed on their own: their sums go to
//! `other`, so every breakdown still adds up to the total.

use crate::error::Result;
use crate::facts::{Dim, Grain, Sums, UNITS, day_number};
use crate::rollup::{SUM_COLS, sums_from};
use crate::sql::{Sql, get, get_i64};
use crate::{MIN_BUYERS, Stats};
use chrono::{Duration, NaiveDate};
use farmgate_identity::{Actor, OrgKind, PlatformRole};
use farmgate_kernel::stats::bp;
use farmgate_kernel::{FieldError, ValidationErrors};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use utoipa::ToSchema;

/// The longest period (three years).
pub const MAX_DAYS: i64 = 1096;
/// The longest period shown day by day.
pub const MAX_DAYS_BY_DAY: i64 = 366;

/// What a breakdown is by: time buckets, or a dimension.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum By {
    Time(Grain),
    Dim(Dim),
}

impl By {
    pub fn parse(s: &str) -> Option<By> {
        Grain::parse(s).map(By::Time).or_else(|| {
            Dim::parse(s)
                .filter(|d| !matches!(d, Dim::Total | Dim::Carrier))
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

fn field(name: &str, code: &'static str, zh: &str, en: &str) -> FieldError {
    FieldError::new(name, code, zh, en)
}

/// Exactly `YYYY-MM-DD`.
fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        })
}

/// Checks a period: both dates, in order, not absurdly long.
pub fn period(
    from: Option<&str>,
    to: Option<&str>,
    max_days: i64,
) -> Result<(NaiveDate, NaiveDate), ValidationErrors> {
    let mut errs = ValidationErrors::new();
    let mut date = |name: &str, v: Option<&str>| match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            errs.push(field(name, "required", "请选择日期", "choose a date"));
            None
        }
        Some(s) => match NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            Ok(d) if is_iso_date(s) => Some(d),
            _ => {
                errs.push(field(
                    name,
                    "invalid",
                    "日期格式应为 YYYY-MM-DD",
                    "dates are YYYY-MM-DD",
                ));
                None
            }
        },
    };
    let (from, to) = (date("from", from), date("to", to));
    let (Some(from), Some(to)) = (from, to) else {
        return Err(errs);
    };
    if to < from {
        errs.push(field(
            "to",
            "before_from",
            "结束日期不能早于开始日期",
            "the end is before the start",
        ));
    } else if (to - from).num_days() + 1 > max_days {
        errs.push(field(
            "to",
            "too_long",
            &format!("统计期间最长 {max_days} 天，请缩短期间或改按周、月查看"),
            &format!("the period is at most {max_days} days; shorten it or view by week or month"),
        ));
    }
    if errs.is_empty() {
        Ok((from, to))
    } else {
        Err(errs)
    }
}

/// Only county officials read the statistics.
pub fn require_official(actor: &Actor) -> Result<()> {
    actor.require_platform(&[PlatformRole::Official])?;
    Ok(())
}

/// Figures of a group; `None` where hidden (fewer than five buyers).
#[derive(Clone, Debug, Default, Serialize, ToSchema, PartialEq)]
pub struct Figures {
    pub orders: Option<i64>,
    pub buyers: Option<i64>,
    pub lines: Option<i64>,
    pub goods_fen: Option<i64>,
    pub shipping_fen: Option<i64>,
    /// Goods and shipping paid (gross).
    pub gmv_fen: Option<i64>,
    pub refund_fen: Option<i64>,
    pub refunds: Option<i64>,
    /// GMV after refunds.
    pub net_fen: Option<i64>,
    /// Quantity normalised to weight where the unit or the SKU's net weight gives it.
    pub weight_grams: Option<i64>,
    /// Quantity by sold unit (jin, kg, box, bag, piece).
    pub quantities: Option<BTreeMap<String, i64>>,
    pub shipped_fen: Option<i64>,
    pub traced_fen: Option<i64>,
    /// Share of shipped value packed from a traced batch.
    pub traced_share_bp: Option<i64>,
    /// Fewer than five buyers: not shown on its own.
    pub suppressed: bool,
}

impl Figures {
    pub fn of(s: &Sums, buyers: Option<i64>) -> Self {
        if buyers.is_some_and(|b| b > 0 && b < MIN_BUYERS) {
            return Figures {
                suppressed: true,
                ..Figures::default()
            };
        }
        let gmv = s.goods_fen + s.shipping_fen;
        Figures {
            orders: Some(s.orders),
            buyers,
            lines: Some(s.lines),
            goods_fen: Some(s.goods_fen),
            shipping_fen: Some(s.shipping_fen),
            gmv_fen: Some(gmv),
            refund_fen: Some(s.refund_fen),
            refunds: Some(s.refunds),
            net_fen: Some(gmv - s.refund_fen),
            weight_grams: Some(s.weight_grams),
            quantities: Some(
                UNITS
                    .iter()
                    .zip(s.qty)
                    .map(|(u, q)| ((*u).to_owned(), q))
                    .collect(),
            ),
            shipped_fen: Some(s.shipped_fen),
            traced_fen: Some(s.traced_fen),
            traced_share_bp: Some(
                i64::try_from(bp(
                    u64::try_from(s.traced_fen).unwrap_or(0),
                    u64::try_from(s.shipped_fen).unwrap_or(0),
                ))
                .unwrap_or(0),
            ),
            suppressed: false,
        }
    }
}

#[derive(Clone, Debug, Serialize, ToSchema, PartialEq)]
pub struct Row {
    pub key: String,
    pub label: String,
    pub label_en: String,
    #[serde(flatten)]
    pub figures: Figures,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Filter {
    pub dim: String,
    pub key: String,
    pub label: String,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SalesReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub by: String,
    pub filter: Option<Filter>,
    pub total: Figures,
    pub rows: Vec<Row>,
    /// Everything not listed (groups of fewer than five buyers, and for sellers and products,
    /// those below the top), so rows + other = total.
    pub other: Option<Figures>,
    /// How many groups are in `other`.
    pub other_groups: i64,
}

fn sums_select() -> String {
    SUM_COLS
        .iter()
        .map(|c| format!("CAST(SUM({c}) AS BIGINT) AS {c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn sums_of(row: &sea_orm::QueryResult) -> Result<Sums> {
    let mut v = [0i64; 14];
    for (i, c) in SUM_COLS.iter().enumerate() {
        v[i] = get_i64(row, c)?;
    }
    Ok(sums_from(&v))
}

/// Whole months inside [from, to] as [m1, m2) (day numbers); empty when none.
fn whole_months(from: NaiveDate, to: NaiveDate) -> (i32, i32) {
    let m1 = if Grain::Month.start(from) == from {
        from
    } else {
        Grain::Month.next(Grain::Month.start(from))
    };
    let after = to + Duration::days(1);
    let m2 = Grain::Month.start(after);
    if m1 >= m2 {
        (0, 0)
    } else {
        (day_number(m1), day_number(m2))
    }
}

/// `AND (…)`: month rows for the whole months, day rows for the rest of [from, to].
fn push_period(q: &mut Sql, from: NaiveDate, to: NaiveDate) {
    let (f, t) = (day_number(from), day_number(to));
    let (m1, m2) = whole_months(from, to);
    if m1 == m2 {
        q.push(" AND grain = 0 AND bucket >= ")
            .bind(f)
            .push(" AND bucket <= ")
            .bind(t);
    } else {
        q.push(" AND ((grain = 2 AND bucket >= ")
            .bind(m1)
            .push(" AND bucket < ")
            .bind(m2)
            .push(") OR (grain = 0 AND ((bucket >= ")
            .bind(f)
            .push(" AND bucket < ")
            .bind(m1)
            .push(") OR (bucket >= ")
            .bind(m2)
            .push(" AND bucket <= ")
            .bind(t)
            .push("))))");
    }
}

pub(crate) struct KeyInfo {
    pub id: i64,
    pub code: String,
    pub label: String,
    pub label_en: String,
}

pub(crate) async fn key<C: ConnectionTrait>(
    c: &C,
    dim: Dim,
    code: &str,
) -> Result<Option<KeyInfo>> {
    let mut q = Sql::new(c.get_database_backend());
    q.push("SELECT id, code, label, label_en FROM stats_keys WHERE dim = ")
        .bind(dim.as_str())
        .push(" AND code = ")
        .bind(code.to_owned());
    match q.all(c).await?.first() {
        Some(r) => Ok(Some(KeyInfo {
            id: get(r, "id")?,
            code: get(r, "code")?,
            label: get(r, "label")?,
            label_en: get(r, "label_en")?,
        })),
        None => Ok(None),
    }
}

async fn keys_by_id<C: ConnectionTrait>(c: &C, ids: &[i64]) -> Result<HashMap<i64, KeyInfo>> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(500) {
        let mut q = Sql::new(c.get_database_backend());
        q.push("SELECT id, code, label, label_en FROM stats_keys WHERE id IN ")
            .bind_list(chunk.iter().copied());
        for r in q.all(c).await? {
            let k = KeyInfo {
                id: get(&r, "id")?,
                code: get(&r, "code")?,
                label: get(&r, "label")?,
                label_en: get(&r, "label_en")?,
            };
            out.insert(k.id, k);
        }
    }
    Ok(out)
}

/// Distinct buyers per key over [from, to]. Many keys (a dimension's groups) are counted in two
/// interleaved halves side by side, on two pooled connections.
async fn buyers<C: ConnectionTrait>(
    c: &C,
    keys: &[i64],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<HashMap<i64, i64>> {
    if keys.len() < 2 {
        return buyers_in(c, keys, from, to).await;
    }
    let even: Vec<i64> = keys.iter().copied().step_by(2).collect();
    let odd: Vec<i64> = keys.iter().copied().skip(1).step_by(2).collect();
    let (mut a, b) =
        futures_util::try_join!(buyers_in(c, &even, from, to), buyers_in(c, &odd, from, to))?;
    a.extend(b);
    Ok(a)
}

async fn buyers_in<C: ConnectionTrait>(
    c: &C,
    keys: &[i64],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<HashMap<i64, i64>> {
    let mut out = HashMap::new();
    for chunk in keys.chunks(500) {
        let mut q = Sql::new(c.get_database_backend());
        // Distinct (key, buyer) pairs first, then counted: both engines stream this along the
        // primary key (key_id, buyer, day) with no sort, where COUNT(DISTINCT) sorts.
        q.push("SELECT key_id, COUNT(*) AS n FROM (SELECT key_id, buyer FROM stats_buyer_days WHERE key_id IN ")
            .bind_list(chunk.iter().copied())
            .push(" AND day >= ")
            .bind(day_number(from))
            .push(" AND day <= ")
            .bind(day_number(to))
            .push(" GROUP BY key_id, buyer) AS pairs GROUP BY key_id");
        for r in q.all(c).await? {
            out.insert(get::<i64>(&r, "key_id")?, get_i64(&r, "n")?);
        }
    }
    Ok(out)
}

/// Sums of one key over [from, to].
async fn key_sums<C: ConnectionTrait>(
    c: &C,
    key: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Sums> {
    let mut q = Sql::new(c.get_database_backend());
    q.push(&format!(
        "SELECT {} FROM stats_sales WHERE key_id = ",
        sums_select()
    ))
    .bind(key);
    push_period(&mut q, from, to);
    match q.all(c).await?.first() {
        Some(r) => sums_of(r),
        None => Ok(Sums::default()),
    }
}

/// Total figures of one group (or all) over the period.
async fn group_total<C: ConnectionTrait>(
    c: &C,
    key: Option<i64>,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<(Sums, i64)> {
    let Some(key) = key else {
        return Ok((Sums::default(), 0));
    };
    let sums = key_sums(c, key, from, to).await?;
    let b = buyers(c, &[key], from, to).await?;
    Ok((sums, b.get(&key).copied().unwrap_or(0)))
}

impl Stats {
    /// Sales by time or by a dimension.
    pub async fn sales(
        &self,
        actor: &Actor,
        (from, to): (NaiveDate, NaiveDate),
        by: By,
        filter: Option<(Dim, String)>,
        limit: u32,
    ) -> Result<SalesReport> {
        require_official(actor)?;
        let db = self.read();
        let (filter_info, key_id) = match &filter {
            Some((dim, code)) => {
                let k = self.check_filter(*dim, code).await?;
                let f = Filter {
                    dim: dim.as_str().to_owned(),
                    key: code.clone(),
                    label: k
                        .as_ref()
                        .map(|k| k.label.clone())
                        .unwrap_or_else(|| code.clone()),
                };
                (Some(f), k.map(|k| k.id))
            }
            None => (None, key(db, Dim::Total, "all").await?.map(|k| k.id)),
        };
        // The total and the breakdown are independent reads: run them side by side.
        let ((total_sums, total_buyers), breakdown) = match by {
            By::Time(grain) => {
                let (t, rows) = futures_util::try_join!(
                    group_total(db, key_id, from, to),
                    time_rows(db, key_id, grain, from, to)
                )?;
                (t, Breakdown::Time(rows))
            }
            By::Dim(dim) => {
                let (t, d) = futures_util::try_join!(
                    group_total(db, key_id, from, to),
                    dim_rows(db, dim, from, to, limit)
                )?;
                (t, Breakdown::Dim(d))
            }
        };
        let total = Figures::of(&total_sums, Some(total_buyers));
        let (rows, other, other_groups) = match breakdown {
            Breakdown::Time(mut rows) => {
                if total.suppressed {
                    for r in &mut rows {
                        r.figures = Figures::of(&Sums::default(), Some(1));
                    }
                } else {
                    hide_complement(&mut rows);
                }
                (rows, None, 0)
            }
            // Too few buyers in all: nothing is broken down.
            Breakdown::Dim(_) if total.suppressed => (Vec::new(), Some(total.clone()), 0),
            Breakdown::Dim((rows, listed, n)) => {
                let mut other = total_sums;
                subtract(&mut other, &listed);
                let mut other = Figures::of(&other, None);
                // Orders of different groups overlap (one order, two townships): only sums
                // are additive.
                other.orders = None;
                (rows, Some(other), n)
            }
        };
        Ok(SalesReport {
            from,
            to,
            by: by.as_str().to_owned(),
            filter: filter_info,
            total,
            rows,
            other,
            other_groups,
        })
    }

    /// A filter must name a group that exists: sold before, or known to the catalogue.
    async fn check_filter(&self, dim: Dim, code: &str) -> Result<Option<KeyInfo>> {
        let db = self.read();
        let found = key(db, dim, code).await?;
        if found.is_some() {
            return Ok(found);
        }
        let known = match dim {
            Dim::SellerKind => OrgKind::parse(code).is_some_and(|k| k.is_seller()),
            Dim::BuyerKind => matches!(code, "consumer" | "business"),
            Dim::Township | Dim::Village => {
                let parts: Vec<&str> = code.split('/').collect();
                let mut q = Sql::new(db.get_database_backend());
                q.push("SELECT COUNT(*) AS n FROM listings WHERE county = ")
                    .bind(parts.first().copied().unwrap_or("").to_owned())
                    .push(" AND township = ")
                    .bind(parts.get(1).copied().unwrap_or("").to_owned());
                if dim == Dim::Village {
                    q.push(" AND village = ")
                        .bind(parts.get(2).copied().unwrap_or("").to_owned());
                }
                let n = match q.all(db).await?.first() {
                    Some(r) => get_i64(r, "n")?,
                    None => 0,
                };
                n > 0 && parts.len() == if dim == Dim::Village { 3 } else { 2 }
            }
            Dim::Category | Dim::CategoryRoot => exists(db, "categories", code).await?,
            Dim::Seller => exists(db, "organisations", code).await?,
            Dim::Product => exists(db, "listings", code).await?,
            Dim::Total | Dim::DestProvince | Dim::DestCity | Dim::Carrier => false,
        };
        if known {
            Ok(None)
        } else {
            Err(field(
                dim.as_str(),
                "unknown",
                "没有这个筛选项（请从列表中选择）",
                "no such group (pick one from the list)",
            )
            .into())
        }
    }
}

async fn exists(db: &DatabaseConnection, table: &str, id: &str) -> Result<bool> {
    let Ok(id) = uuid::Uuid::parse_str(id) else {
        return Ok(false);
    };
    let mut q = Sql::new(db.get_database_backend());
    q.push(&format!("SELECT COUNT(*) AS n FROM {table} WHERE id = "))
        .bind(id);
    Ok(match q.all(db).await?.first() {
        Some(r) => get_i64(r, "n")? > 0,
        None => false,
    })
}

/// Every bucket of the period, zero-filled; edge buckets that stick out of the period are
/// summed from their days inside it.
async fn time_rows<C: ConnectionTrait>(
    c: &C,
    key: Option<i64>,
    grain: Grain,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<Row>> {
    let mut stored: HashMap<i32, (Sums, i64)> = HashMap::new();
    if let Some(key) = key {
        let mut q = Sql::new(c.get_database_backend());
        q.push(&format!(
            "SELECT bucket, buyers, {} FROM stats_sales WHERE key_id = ",
            SUM_COLS.join(", ")
        ))
        .bind(key)
        .push(" AND grain = ")
        .bind(grain.code())
        .push(" AND bucket >= ")
        .bind(day_number(grain.start(from)))
        .push(" AND bucket <= ")
        .bind(day_number(to));
        for r in q.all(c).await? {
            stored.insert(get(&r, "bucket")?, (sums_of(&r)?, get_i64(&r, "buyers")?));
        }
    }
    let mut rows = Vec::new();
    let mut start = grain.start(from);
    while start <= to {
        let next = grain.next(start);
        let last = next - Duration::days(1);
        let (sums, buyers) = if start >= from && last <= to {
            stored.get(&day_number(start)).copied().unwrap_or_default()
        } else {
            let (a, b) = (start.max(from), last.min(to));
            group_total(c, key, a, b).await?
        };
        let (label, label_en) = grain.label(start);
        rows.push(Row {
            key: start.to_string(),
            label,
            label_en,
            figures: Figures::of(&sums, Some(buyers)),
        });
        start = next;
    }
    Ok(rows)
}

struct Listed {
    sums: Sums,
    row: Row,
}

enum Breakdown {
    Time(Vec<Row>),
    /// Listed rows, their sums, and how many groups are not listed.
    Dim((Vec<Row>, Sums, i64)),
}

/// Groups of a dimension over the period, largest GMV first, with what they add up to; small
/// groups are left out (the caller shows them as `other`).
async fn dim_rows<C: ConnectionTrait>(
    c: &C,
    dim: Dim,
    from: NaiveDate,
    to: NaiveDate,
    limit: u32,
) -> Result<(Vec<Row>, Sums, i64)> {
    let mut q = Sql::new(c.get_database_backend());
    q.push(&format!(
        "SELECT key_id, {} FROM stats_sales WHERE dim = ",
        sums_select()
    ))
    .bind(dim.as_str());
    push_period(&mut q, from, to);
    q.push(" GROUP BY key_id");
    let mut groups: Vec<(i64, Sums)> = Vec::new();
    for r in q.all(c).await? {
        groups.push((get(&r, "key_id")?, sums_of(&r)?));
    }
    groups.retain(|(_, s)| !s.is_zero());
    groups.sort_by(|a, b| {
        (b.1.goods_fen + b.1.shipping_fen)
            .cmp(&(a.1.goods_fen + a.1.shipping_fen))
            .then(a.0.cmp(&b.0))
    });
    let want = if dim.is_ranked() {
        usize::try_from(limit).unwrap_or(20)
    } else {
        usize::MAX
    };
    let mut rows = Vec::new();
    let mut listed = Sums::default();
    let mut small = 0usize;
    let mut at = 0;
    // Ranked dimensions: look at candidates a page at a time until `want` pass the rule.
    while at < groups.len() && rows.len() < want {
        let page = if dim.is_ranked() {
            (want - rows.len()).max(8) * 2
        } else {
            groups.len()
        };
        let chunk: Vec<(i64, Sums)> = groups[at..(at + page).min(groups.len())].to_vec();
        at += chunk.len();
        let ids: Vec<i64> = chunk.iter().map(|(k, _)| *k).collect();
        let b = buyers(c, &ids, from, to).await?;
        let names = keys_by_id(c, &ids).await?;
        for (id, sums) in chunk {
            let n = b.get(&id).copied().unwrap_or(0);
            if n < MIN_BUYERS {
                small += 1;
                continue;
            }
            if rows.len() >= want {
                continue;
            }
            listed.add(&sums);
            let k = names.get(&id);
            rows.push(Listed {
                sums,
                row: Row {
                    key: k.map(|k| k.code.clone()).unwrap_or_default(),
                    label: k.map(|k| k.label.clone()).unwrap_or_default(),
                    label_en: k.map(|k| k.label_en.clone()).unwrap_or_default(),
                    figures: Figures::of(&sums, Some(n)),
                },
            });
        }
    }
    // Complementary suppression: one hidden group alone in `other` could be read off as
    // total − listed, so the smallest listed group joins it.
    if small == 0 && at < groups.len() && groups.len() - rows.len() == 1 {
        // The one group left out for the limit: is it small too?
        let (id, _) = groups[groups.len() - 1];
        let b = buyers(c, &[id], from, to).await?;
        if b.get(&id).copied().unwrap_or(0) < MIN_BUYERS {
            small = 1;
        }
    }
    if small == 1 && groups.len() - rows.len() == 1 && rows.pop().is_some() {
        listed = Sums::default();
        for r in &rows {
            listed.add(&r.sums);
        }
    }
    let other_groups = i64::try_from(groups.len() - rows.len()).unwrap_or(0);
    let rows = rows.into_iter().map(|r| r.row).collect();
    Ok((rows, listed, other_groups))
}

/// When exactly one time bucket is hidden, total − the others would show it: hide the
/// smallest shown bucket with sales too.
fn hide_complement(rows: &mut [Row]) {
    if rows.iter().filter(|r| r.figures.suppressed).count() != 1 {
        return;
    }
    let smallest = rows
        .iter_mut()
        .filter(|r| !r.figures.suppressed && r.figures.orders.is_some_and(|o| o > 0))
        .min_by_key(|r| r.figures.gmv_fen.unwrap_or(0));
    if let Some(r) = smallest {
        r.figures = Figures::of(&Sums::default(), Some(1));
    }
}

fn subtract(a: &mut Sums, b: &Sums) {
    let mut neg = *b;
    neg.orders = -neg.orders;
    neg.lines = -neg.lines;
    neg.goods_fen = -neg.goods_fen;
    neg.shipping_fen = -neg.shipping_fen;
    neg.refund_fen = -neg.refund_fen;
    neg.refunds = -neg.refunds;
    neg.weight_grams = -neg.weight_grams;
    for q in &mut neg.qty {
        *q = -*q;
    }
    neg.shipped_fen = -neg.shipped_fen;
    neg.traced_fen = -neg.traced_fen;
    a.add(&neg);
}

// ---------------------------------------------------------------------------------------------
// Prices

#[derive(Clone, Debug, Default, Serialize, ToSchema, PartialEq)]
pub struct PriceRow {
    pub key: String,
    pub label: String,
    pub label_en: String,
    /// Per what the prices are: "kg", or the sold unit when the weight is unknown.
    pub basis: String,
    /// Quantity-weighted average, fen per basis.
    pub avg_fen: Option<i64>,
    /// Quantity-weighted median.
    pub median_fen: Option<i64>,
    pub min_fen: Option<i64>,
    pub max_fen: Option<i64>,
    /// Quantity in the basis (grams when the basis is kg).
    pub quantity: i64,
    pub lines: i64,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PriceReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub by: Option<String>,
    pub category: Option<PriceRow>,
    pub rows: Vec<PriceRow>,
}

/// (price, quantity, lines) sold at that price.
type Point = (i64, i64, i64);

/// Average, median, min and max of (price, quantity) points.
pub fn price_summary(
    points: &mut [(i64, i64, i64)],
) -> (Option<i64>, Option<i64>, Option<i64>, Option<i64>, i64, i64) {
    points.sort_unstable();
    let qty: i64 = points.iter().map(|p| p.1).sum();
    let lines: i64 = points.iter().map(|p| p.2).sum();
    if qty <= 0 {
        return (None, None, None, None, 0, lines);
    }
    let value: i128 = points
        .iter()
        .map(|(p, q, _)| i128::from(*p) * i128::from(*q))
        .sum();
    let avg = i64::try_from((value * 2 + i128::from(qty)) / (2 * i128::from(qty))).ok();
    // The weighted median: the price at which half the quantity is reached.
    let half = (i128::from(qty) + 1) / 2;
    let mut run: i128 = 0;
    let mut median = None;
    for (p, q, _) in points.iter() {
        run += i128::from(*q);
        if run >= half {
            median = Some(*p);
            break;
        }
    }
    (
        avg,
        median,
        points.first().map(|p| p.0),
        points.last().map(|p| p.0),
        qty,
        lines,
    )
}

impl Stats {
    /// Price trends: every category's price summary over the period, or one category's by
    /// time bucket.
    pub async fn prices(
        &self,
        actor: &Actor,
        (from, to): (NaiveDate, NaiveDate),
        grain: Grain,
        category: Option<String>,
    ) -> Result<PriceReport> {
        require_official(actor)?;
        let c = self.read();
        let backend = c.get_database_backend();
        let Some(code) = category else {
            let mut q = Sql::new(backend);
            q.push(
                "SELECT key_id, basis, price_fen, CAST(SUM(quantity) AS BIGINT) AS quantity, \
                 CAST(SUM(lines) AS BIGINT) AS lines FROM stats_prices WHERE day >= ",
            )
            .bind(day_number(from))
            .push(" AND day <= ")
            .bind(day_number(to))
            .push(" GROUP BY key_id, basis, price_fen");
            let mut by_key: BTreeMap<(i64, String), Vec<Point>> = BTreeMap::new();
            for r in q.all(c).await? {
                by_key
                    .entry((get(&r, "key_id")?, get(&r, "basis")?))
                    .or_default()
                    .push((
                        get_i64(&r, "price_fen")?,
                        get_i64(&r, "quantity")?,
                        get_i64(&r, "lines")?,
                    ));
            }
            let ids: Vec<i64> = by_key.keys().map(|(k, _)| *k).collect();
            let names = keys_by_id(c, &ids).await?;
            // One basis per category: the one most lines were sold in.
            let mut best: BTreeMap<i64, PriceRow> = BTreeMap::new();
            for ((id, basis), mut pts) in by_key {
                let (avg, median, min, max, quantity, lines) = price_summary(&mut pts);
                let k = names.get(&id);
                let row = PriceRow {
                    key: k.map(|k| k.code.clone()).unwrap_or_default(),
                    label: k.map(|k| k.label.clone()).unwrap_or_default(),
                    label_en: k.map(|k| k.label_en.clone()).unwrap_or_default(),
                    basis,
                    avg_fen: avg,
                    median_fen: median,
                    min_fen: min,
                    max_fen: max,
                    quantity,
                    lines,
                };
                if best.get(&id).is_none_or(|b| b.lines < row.lines) {
                    best.insert(id, row);
                }
            }
            let mut rows: Vec<PriceRow> = best.into_values().collect();
            rows.sort_by(|a, b| b.lines.cmp(&a.lines).then(a.label.cmp(&b.label)));
            return Ok(PriceReport {
                from,
                to,
                by: None,
                category: None,
                rows,
            });
        };
        let Some(k) = self.check_filter(Dim::Category, &code).await? else {
            // A category never sold: known, but nothing to show.
            return Ok(PriceReport {
                from,
                to,
                by: Some(grain.as_str().to_owned()),
                category: Some(PriceRow {
                    key: code,
                    ..PriceRow::default()
                }),
                rows: Vec::new(),
            });
        };
        let mut q = Sql::new(backend);
        q.push("SELECT basis, day, price_fen, quantity, lines FROM stats_prices WHERE key_id = ")
            .bind(k.id)
            .push(" AND day >= ")
            .bind(day_number(from))
            .push(" AND day <= ")
            .bind(day_number(to));
        let mut points: BTreeMap<String, Vec<(i32, i64, i64, i64)>> = BTreeMap::new();
        for r in q.all(c).await? {
            points.entry(get(&r, "basis")?).or_default().push((
                get(&r, "day")?,
                get_i64(&r, "price_fen")?,
                get_i64(&r, "quantity")?,
                get_i64(&r, "lines")?,
            ));
        }
        let basis = points
            .iter()
            .max_by_key(|(_, v)| v.iter().map(|p| p.3).sum::<i64>())
            .map(|(b, _)| b.clone())
            .unwrap_or_else(|| "kg".to_owned());
        let pts = points.remove(&basis).unwrap_or_default();
        let mut all: Vec<(i64, i64, i64)> = pts.iter().map(|p| (p.1, p.2, p.3)).collect();
        let (avg, median, min, max, quantity, lines) = price_summary(&mut all);
        let category = PriceRow {
            key: k.code.clone(),
            label: k.label.clone(),
            label_en: k.label_en.clone(),
            basis: basis.clone(),
            avg_fen: avg,
            median_fen: median,
            min_fen: min,
            max_fen: max,
            quantity,
            lines,
        };
        let mut rows = Vec::new();
        let mut start = grain.start(from);
        while start <= to {
            let next = grain.next(start);
            let (a, b) = (day_number(start.max(from)), day_number(next) - 1);
            let mut bucket: Vec<(i64, i64, i64)> = pts
                .iter()
                .filter(|p| p.0 >= a && p.0 <= b)
                .map(|p| (p.1, p.2, p.3))
                .collect();
            let (avg, median, min, max, quantity, lines) = price_summary(&mut bucket);
            let (label, label_en) = grain.label(start);
            rows.push(PriceRow {
                key: start.to_string(),
                label,
                label_en,
                basis: basis.clone(),
                avg_fen: avg,
                median_fen: median,
                min_fen: min,
                max_fen: max,
                quantity,
                lines,
            });
            start = next;
        }
        Ok(PriceReport {
            from,
            to,
            by: Some(grain.as_str().to_owned()),
            category: Some(category),
            rows,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Traceability and onboarding

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

fn share(part: i64, whole: i64) -> i64 {
    i64::try_from(bp(
        u64::try_from(part).unwrap_or(0),
        u64::try_from(whole).unwrap_or(0),
    ))
    .unwrap_or(0)
}

impl Stats {
    pub async fn trace(
        &self,
        actor: &Actor,
        (from, to): (NaiveDate, NaiveDate),
        grain: Grain,
    ) -> Result<TraceReport> {
        require_official(actor)?;
        let c = self.read();
        let backend = c.get_database_backend();
        let total_key = key(c, Dim::Total, "all").await?.map(|k| k.id);
        let sales = time_rows(c, total_key, grain, from, to).await?;
        // Scans are counted per batch and day already (trace_scans).
        let mut q = Sql::new(backend);
        q.push("SELECT day, CAST(SUM(scans) AS BIGINT) AS scans FROM trace_scans WHERE day >= ")
            .bind(from)
            .push(" AND day <= ")
            .bind(to)
            .push(" GROUP BY day");
        let mut scans: BTreeMap<NaiveDate, i64> = BTreeMap::new();
        for r in q.all(c).await? {
            scans.insert(get(&r, "day")?, get_i64(&r, "scans")?);
        }
        let (mut shipped, mut traced) = (0, 0);
        let mut rows = Vec::new();
        for s in sales {
            let start: NaiveDate = s.key.parse().unwrap_or(from);
            let next = grain.next(start);
            let n: i64 = scans.range(start..next).map(|(_, n)| n).sum();
            // Shipped value is not personal data: shown even for small buckets, from the sums.
            let (sh, tr) = (s.figures.shipped_fen, s.figures.traced_fen);
            let (sh, tr) = match (sh, tr) {
                (Some(a), Some(b)) => (a, b),
                _ => {
                    let (a, b) = (start.max(from), (next - Duration::days(1)).min(to));
                    let sums = match total_key {
                        Some(k) => key_sums(c, k, a, b).await?,
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
        // Batches started in the period, and their inspections (latest result counts).
        let mut q = Sql::new(backend);
        q.push(
            "SELECT b.id AS id, e.seq AS seq, e.body AS body FROM batches b \
             LEFT JOIN batch_events e ON e.batch_id = b.id AND e.kind = 'inspection' \
             WHERE b.started_on >= ",
        )
        .bind(from)
        .push(" AND b.started_on <= ")
        .bind(to);
        let mut latest: HashMap<uuid::Uuid, Option<(i32, bool)>> = HashMap::new();
        for r in q.all(c).await? {
            let id: uuid::Uuid = get(&r, "id")?;
            let seq: Option<i32> = get(&r, "seq")?;
            let body: Option<serde_json::Value> = get(&r, "body")?;
            let e = latest.entry(id).or_insert(None);
            if let Some(seq) = seq {
                let pass = body
                    .as_ref()
                    .and_then(|b| b.get("result"))
                    .and_then(|v| v.as_str())
                    == Some("pass");
                if e.is_none_or(|(s, _)| s < seq) {
                    *e = Some((seq, pass));
                }
            }
        }
        let batches = i64::try_from(latest.len()).unwrap_or(0);
        let inspected = i64::try_from(latest.values().filter(|v| v.is_some()).count()).unwrap_or(0);
        let passed = i64::try_from(
            latest
                .values()
                .filter(|v| v.is_some_and(|(_, p)| p))
                .count(),
        )
        .unwrap_or(0);
        Ok(TraceReport {
            from,
            to,
            by: grain.as_str().to_owned(),
            total: TraceTotal {
                shipped_fen: shipped,
                traced_fen: traced,
                traced_share_bp: share(traced, shipped),
                scans: scans.values().sum(),
                batches,
                batches_inspected: inspected,
                batches_passed: passed,
            },
            rows,
        })
    }
}

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

impl Stats {
    /// Sellers and business buyers verified over time (organisations are public facts; no
    /// person is named).
    pub async fn onboarding(
        &self,
        actor: &Actor,
        (from, to): (NaiveDate, NaiveDate),
        grain: Grain,
    ) -> Result<OnboardingReport> {
        require_official(actor)?;
        let c = self.read();
        let mut q = Sql::new(c.get_database_backend());
        q.push("SELECT kind, verified_at FROM organisations WHERE verified_at >= ")
            .bind(farmgate_orders::domain::start_of(from))
            .push(" AND verified_at < ")
            .bind(farmgate_orders::domain::start_of(to + Duration::days(1)));
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
                kinds: OrgKind::ALL
                    .iter()
                    .map(|k| (k.as_str().to_owned(), 0))
                    .collect(),
                ..OnboardingRow::default()
            });
            start = grain.next(start);
        }
        let mut total = OnboardingRow {
            key: "all".to_owned(),
            label: "合计".to_owned(),
            label_en: "Total".to_owned(),
            kinds: OrgKind::ALL
                .iter()
                .map(|k| (k.as_str().to_owned(), 0))
                .collect(),
            ..OnboardingRow::default()
        };
        for r in q.all(c).await? {
            let kind: String = get(&r, "kind")?;
            let at: chrono::DateTime<chrono::Utc> = get(&r, "verified_at")?;
            let day = crate::facts::shanghai_day(at);
            let Some(i) = index.get(&grain.start(day)).copied() else {
                continue;
            };
            let seller = OrgKind::parse(&kind).is_some_and(|k| k.is_seller());
            for row in [&mut rows[i], &mut total] {
                *row.kinds.entry(kind.clone()).or_default() += 1;
                if seller {
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

// ---------------------------------------------------------------------------------------------
// After-sales quality

impl Stats {
    /// After-sales quality for the county: claims from the claims table (few), parcels
    /// delivered from the rollups (many), so a year answers without counting sub-orders.
    pub async fn aftersales_quality(
        &self,
        actor: &Actor,
        (from, to): (NaiveDate, NaiveDate),
        group_by: farmgate_aftersales::metrics::GroupBy,
    ) -> Result<farmgate_aftersales::metrics::QualityReport> {
        use farmgate_aftersales::metrics::{Delivered, GroupBy};
        require_official(actor)?;
        let c = self.read();
        let dim = match group_by {
            GroupBy::SellerKind => Dim::SellerKind,
            GroupBy::Category => Dim::Category,
            GroupBy::Carrier => Dim::Carrier,
            GroupBy::Seller => Dim::Seller,
        };
        let mut q = Sql::new(c.get_database_backend());
        q.push(
            "SELECT k.dim AS dim, k.code AS code, k.label AS label, k.label_en AS label_en, \
             CAST(SUM(d.delivered) AS BIGINT) AS n FROM stats_delivered d \
             JOIN stats_keys k ON k.id = d.key_id WHERE k.dim IN (",
        )
        .bind(Dim::Total.as_str())
        .push(", ")
        .bind(dim.as_str())
        .push(") AND d.day >= ")
        .bind(day_number(from))
        .push(" AND d.day <= ")
        .bind(day_number(to))
        .push(" GROUP BY k.dim, k.code, k.label, k.label_en");
        let mut delivered = Delivered::default();
        for r in q.all(c).await? {
            let n = u64::try_from(get_i64(&r, "n")?).unwrap_or(0);
            let d: String = get(&r, "dim")?;
            if d == Dim::Total.as_str() {
                delivered.total = n;
            } else {
                delivered.groups.insert(
                    get(&r, "code")?,
                    (get(&r, "label")?, get(&r, "label_en")?, n),
                );
            }
        }
        Ok(self
            .aftersales()
            .quality_with(actor, from, to, group_by, None, Some(delivered))
            .await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(key: &str, orders: i64, buyers: i64, gmv: i64) -> Row {
        let sums = Sums {
            orders,
            goods_fen: gmv,
            ..Sums::default()
        };
        Row {
            key: key.to_owned(),
            label: key.to_owned(),
            label_en: key.to_owned(),
            figures: Figures::of(&sums, Some(buyers)),
        }
    }

    #[test]
    fn one_hidden_bucket_takes_the_smallest_shown_one_with_it() {
        let mut rows = vec![
            row("a", 9, 8, 9_000),
            row("b", 2, 2, 500),
            row("c", 0, 0, 0),
            row("d", 6, 6, 3_000),
        ];
        assert!(rows[1].figures.suppressed);
        hide_complement(&mut rows);
        let hidden: Vec<&str> = rows
            .iter()
            .filter(|r| r.figures.suppressed)
            .map(|r| r.key.as_str())
            .collect();
        assert_eq!(hidden, ["b", "d"], "the empty bucket stays a visible zero");
        assert!(rows[3].figures.gmv_fen.is_none());
        // Two hidden already: nothing more to do.
        let mut rows = vec![row("a", 9, 8, 9_000), row("b", 2, 2, 1), row("c", 1, 1, 1)];
        hide_complement(&mut rows);
        assert!(!rows[0].figures.suppressed);
    }

    #[test]
    fn figures_hide_everything_below_five_buyers() {
        let s = Sums {
            orders: 3,
            goods_fen: 100,
            shipping_fen: 10,
            refund_fen: 5,
            ..Sums::default()
        };
        let f = Figures::of(&s, Some(4));
        assert!(
            f.suppressed && f.gmv_fen.is_none() && f.buyers.is_none() && f.quantities.is_none()
        );
        let f = Figures::of(&s, Some(5));
        assert_eq!((f.gmv_fen, f.net_fen), (Some(110), Some(105)));
        assert_eq!(Figures::of(&Sums::default(), Some(0)).gmv_fen, Some(0));
    }

    #[test]
    fn periods_use_whole_months_and_the_days_around_them() {
        let d = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default();
        let (m1, m2) = whole_months(d("2026-01-15"), d("2026-04-30"));
        assert_eq!(
            (from_day(m1), from_day(m2)),
            (d("2026-02-01"), d("2026-05-01"))
        );
        assert_eq!(whole_months(d("2026-01-15"), d("2026-02-10")), (0, 0));
        let (m1, m2) = whole_months(d("2026-01-01"), d("2026-01-31"));
        assert_eq!(
            (from_day(m1), from_day(m2)),
            (d("2026-01-01"), d("2026-02-01"))
        );
    }

    fn from_day(n: i32) -> NaiveDate {
        crate::facts::from_day_number(n)
    }

    #[test]
    fn periods_are_checked() {
        assert!(period(Some("2026-01-01"), Some("2026-12-31"), MAX_DAYS_BY_DAY).is_ok());
        let code = |r: Result<(NaiveDate, NaiveDate), ValidationErrors>| {
            r.err()
                .and_then(|e| e.errors().first().map(|f| (f.field.clone(), f.code)))
        };
        assert_eq!(
            code(period(
                Some("2026-01-01"),
                Some("2027-01-02"),
                MAX_DAYS_BY_DAY
            )),
            Some(("to".to_owned(), "too_long"))
        );
        assert_eq!(
            code(period(Some("2026-02-01"), Some("2026-01-01"), MAX_DAYS)),
            Some(("to".to_owned(), "before_from"))
        );
        assert_eq!(
            code(period(Some("26-1-1"), Some("2026-01-01"), MAX_DAYS)),
            Some(("from".to_owned(), "invalid"))
        );
        assert_eq!(
            code(period(None, Some("2026-01-01"), MAX_DAYS)),
            Some(("from".to_owned(), "required"))
        );
        let mut pts = vec![(300, 1, 1), (100, 5, 1), (200, 1, 1)];
        assert_eq!(
            price_summary(&mut pts),
            (Some(143), Some(100), Some(100), Some(300), 7, 3)
        );
    }
}
