//! `stats_sales`: the additive sums of a group in a bucket (day, week from Monday, month), and
//! the distinct buyers of that bucket.

use super::CHUNK;
use super::sql::{Sql, get, get_i64};
use crate::domain::{Dim, Grain, Sums, day_number, whole_months};
use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DbErr, QueryResult};
use std::collections::HashMap;

/// The additive columns, in [`sum_values`] order.
pub const SUM_COLS: [&str; 14] = [
    "orders",
    "lines",
    "goods_fen",
    "shipping_fen",
    "refund_fen",
    "refunds",
    "weight_grams",
    "qty_jin",
    "qty_kg",
    "qty_box",
    "qty_bag",
    "qty_piece",
    "shipped_fen",
    "traced_fen",
];

/// A row's key: (group key, grain code, bucket day number, dimension).
pub type RowKey = (i64, i16, i32, Dim);

pub fn sum_values(s: &Sums) -> [i64; 14] {
    [
        s.orders,
        s.lines,
        s.goods_fen,
        s.shipping_fen,
        s.refund_fen,
        s.refunds,
        s.weight_grams,
        s.qty[0],
        s.qty[1],
        s.qty[2],
        s.qty[3],
        s.qty[4],
        s.shipped_fen,
        s.traced_fen,
    ]
}

pub fn sums_from(v: &[i64; 14]) -> Sums {
    Sums {
        orders: v[0],
        lines: v[1],
        goods_fen: v[2],
        shipping_fen: v[3],
        refund_fen: v[4],
        refunds: v[5],
        weight_grams: v[6],
        qty: [v[7], v[8], v[9], v[10], v[11]],
        shipped_fen: v[12],
        traced_fen: v[13],
    }
}

/// Writes rows; `additive`: adds to existing rows (the live path), else inserts (the rebuild,
/// which starts from empty tables and writes each row once).
pub async fn upsert<C: ConnectionTrait>(
    c: &C,
    rows: &[(RowKey, Sums, i64)],
    additive: bool,
) -> Result<(), DbErr> {
    let backend = c.get_database_backend();
    for chunk in rows.chunks(CHUNK / 2) {
        let mut q = Sql::new(backend);
        q.push("INSERT INTO stats_sales (key_id, grain, bucket, dim, buyers, ");
        q.push(&SUM_COLS.join(", "));
        q.push(") VALUES ");
        for (i, ((key, grain, bucket, dim), sums, buyers)) in chunk.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.push("(")
                .bind(*key)
                .push(", ")
                .bind(*grain)
                .push(", ")
                .bind(*bucket)
                .push(", ")
                .bind(dim.as_str())
                .push(", ")
                .bind(*buyers);
            for v in sum_values(sums) {
                q.push(", ").bind(v);
            }
            q.push(")");
        }
        if additive {
            q.push(" ON CONFLICT (key_id, grain, bucket) DO UPDATE SET buyers = stats_sales.buyers + excluded.buyers");
            for col in SUM_COLS {
                q.push(&format!(", {col} = stats_sales.{col} + excluded.{col}"));
            }
        }
        q.execute(c).await?;
    }
    Ok(())
}

fn sums_select() -> String {
    SUM_COLS
        .iter()
        .map(|c| format!("CAST(SUM({c}) AS BIGINT) AS {c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn sums_of(row: &QueryResult) -> Result<Sums, DbErr> {
    let mut v = [0i64; 14];
    for (i, c) in SUM_COLS.iter().enumerate() {
        v[i] = get_i64(row, c)?;
    }
    Ok(sums_from(&v))
}

/// `AND (…)`: month rows for the whole months, day rows for the rest of [from, to] — so a
/// year costs a few dozen rows a group whatever the number of orders.
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

/// Sums of one group over [from, to].
pub async fn key_sums<C: ConnectionTrait>(
    c: &C,
    key: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Sums, DbErr> {
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

/// One group's stored buckets of `grain` from the bucket holding `from` to `to`: bucket day
/// number → (sums, distinct buyers of the bucket).
pub async fn buckets<C: ConnectionTrait>(
    c: &C,
    key: i64,
    grain: Grain,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<HashMap<i32, (Sums, i64)>, DbErr> {
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
    let mut out = HashMap::new();
    for r in q.all(c).await? {
        out.insert(get(&r, "bucket")?, (sums_of(&r)?, get_i64(&r, "buyers")?));
    }
    Ok(out)
}

/// Sums of every group of a dimension over [from, to], by group key.
pub async fn dim_sums<C: ConnectionTrait>(
    c: &C,
    dim: Dim,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(i64, Sums)>, DbErr> {
    let mut q = Sql::new(c.get_database_backend());
    q.push(&format!(
        "SELECT key_id, {} FROM stats_sales WHERE dim = ",
        sums_select()
    ))
    .bind(dim.as_str());
    push_period(&mut q, from, to);
    q.push(" GROUP BY key_id");
    let mut out = Vec::new();
    for r in q.all(c).await? {
        out.push((get(&r, "key_id")?, sums_of(&r)?));
    }
    Ok(out)
}
