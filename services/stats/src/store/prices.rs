//! `stats_prices`: how much of a category sold at each unit price on each day, per basis (kg,
//! or the sold unit when the weight is unknown) — enough for weighted averages and medians.

use super::CHUNK;
use super::sql::{Sql, get, get_i64};
use crate::domain::day_number;
use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DbErr};
use std::collections::BTreeMap;

/// A row's key: (category key, basis, day number, price in fen per basis).
pub type PriceKey = (i64, &'static str, i32, i64);

/// (price, quantity, lines) sold at that price.
pub type Point = (i64, i64, i64);

/// Adds (quantity, lines) to rows, creating missing ones.
pub async fn upsert<C: ConnectionTrait>(
    c: &C,
    rows: &[(PriceKey, (i64, i64))],
) -> Result<(), DbErr> {
    let backend = c.get_database_backend();
    for chunk in rows.chunks(CHUNK) {
        let mut q = Sql::new(backend);
        q.push("INSERT INTO stats_prices (key_id, basis, day, price_fen, quantity, lines) VALUES ");
        for (i, ((key, basis, day, price), (qty, lines))) in chunk.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.push("(")
                .bind(*key)
                .push(", ")
                .bind(*basis)
                .push(", ")
                .bind(*day)
                .push(", ")
                .bind(*price)
                .push(", ")
                .bind(*qty)
                .push(", ")
                .bind(*lines)
                .push(")");
        }
        q.push(
            " ON CONFLICT (key_id, basis, day, price_fen) DO UPDATE SET \
             quantity = stats_prices.quantity + excluded.quantity, \
             lines = stats_prices.lines + excluded.lines",
        );
        q.execute(c).await?;
    }
    Ok(())
}

/// Every category's price points (not the board's category × township or × product ones) over [from, to], by (category key, basis).
pub async fn all_points<C: ConnectionTrait>(
    c: &C,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<BTreeMap<(i64, String), Vec<Point>>, DbErr> {
    let mut q = Sql::new(c.get_database_backend());
    q.push(
        "SELECT key_id, basis, price_fen, CAST(SUM(quantity) AS BIGINT) AS quantity, \
         CAST(SUM(lines) AS BIGINT) AS lines FROM stats_prices WHERE key_id IN \
         (SELECT id FROM stats_keys WHERE dim = 'category') AND day >= ",
    )
    .bind(day_number(from))
    .push(" AND day <= ")
    .bind(day_number(to))
    .push(" GROUP BY key_id, basis, price_fen");
    let mut out: BTreeMap<(i64, String), Vec<Point>> = BTreeMap::new();
    for r in q.all(c).await? {
        out.entry((get(&r, "key_id")?, get(&r, "basis")?))
            .or_default()
            .push((
                get_i64(&r, "price_fen")?,
                get_i64(&r, "quantity")?,
                get_i64(&r, "lines")?,
            ));
    }
    Ok(out)
}

/// One category's price points over [from, to] by basis: (day number, price, quantity, lines).
pub async fn day_points<C: ConnectionTrait>(
    c: &C,
    key: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<BTreeMap<String, Vec<(i32, i64, i64, i64)>>, DbErr> {
    let mut q = Sql::new(c.get_database_backend());
    q.push("SELECT basis, day, price_fen, quantity, lines FROM stats_prices WHERE key_id = ")
        .bind(key)
        .push(" AND day >= ")
        .bind(day_number(from))
        .push(" AND day <= ")
        .bind(day_number(to));
    let mut out: BTreeMap<String, Vec<(i32, i64, i64, i64)>> = BTreeMap::new();
    for r in q.all(c).await? {
        out.entry(get(&r, "basis")?).or_default().push((
            get(&r, "day")?,
            get_i64(&r, "price_fen")?,
            get_i64(&r, "quantity")?,
            get_i64(&r, "lines")?,
        ));
    }
    Ok(out)
}

/// The price points of these groups over [from, to], by (group key, basis).
pub async fn points_of<C: ConnectionTrait>(
    c: &C,
    keys: &[i64],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<BTreeMap<(i64, String), Vec<Point>>, DbErr> {
    let mut out: BTreeMap<(i64, String), Vec<Point>> = BTreeMap::new();
    for chunk in keys.chunks(500) {
        let mut q = Sql::new(c.get_database_backend());
        q.push(
            "SELECT key_id, basis, price_fen, CAST(SUM(quantity) AS BIGINT) AS quantity, \
             CAST(SUM(lines) AS BIGINT) AS lines FROM stats_prices WHERE key_id IN ",
        )
        .bind_list(chunk.iter().copied())
        .push(" AND day >= ")
        .bind(day_number(from))
        .push(" AND day <= ")
        .bind(day_number(to))
        .push(" GROUP BY key_id, basis, price_fen");
        for r in q.all(c).await? {
            out.entry((get(&r, "key_id")?, get(&r, "basis")?))
                .or_default()
                .push((
                    get_i64(&r, "price_fen")?,
                    get_i64(&r, "quantity")?,
                    get_i64(&r, "lines")?,
                ));
        }
    }
    Ok(out)
}
