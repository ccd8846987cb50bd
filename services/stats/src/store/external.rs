//! `stats_external_series` and `stats_external_prices`: reference prices other markets publish,
//! uploaded by the operator. Nothing else in this crate reads them: they are shown beside the
//! platform's figures, never added to them.

use super::CHUNK;
use super::sql::{Sql, get, get_i64};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr, QueryResult};
use std::collections::HashMap;

/// A stored series with what it holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeriesRow {
    pub id: String,
    pub source: String,
    pub category_id: String,
    pub product: String,
    pub unit: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Days with a price.
    pub days: i64,
    /// First and last day number with a price.
    pub first_day: Option<i32>,
    pub last_day: Option<i32>,
}

const SERIES_COLS: &str = "s.id, s.source, s.category_id, s.product, s.unit, s.created_at, \
     s.updated_at, COUNT(p.day) AS days, MIN(p.day) AS first_day, MAX(p.day) AS last_day";

fn series_row(r: &QueryResult) -> Result<SeriesRow, DbErr> {
    Ok(SeriesRow {
        id: get(r, "id")?,
        source: get(r, "source")?,
        category_id: get(r, "category_id")?,
        product: get(r, "product")?,
        unit: get(r, "unit")?,
        created_at: get(r, "created_at")?,
        updated_at: get(r, "updated_at")?,
        days: get_i64(r, "days")?,
        first_day: get::<Option<i32>>(r, "first_day")?,
        last_day: get::<Option<i32>>(r, "last_day")?,
    })
}

/// Every series (or one category's), by category, source, product and unit.
pub async fn list<C: ConnectionTrait>(
    c: &C,
    category: Option<&str>,
) -> Result<Vec<SeriesRow>, DbErr> {
    let mut q = Sql::new(c.get_database_backend());
    q.push(&format!(
        "SELECT {SERIES_COLS} FROM stats_external_series s \
         LEFT JOIN stats_external_prices p ON p.series_id = s.id"
    ));
    if let Some(cat) = category {
        q.push(" WHERE s.category_id = ").bind(cat);
    }
    q.push(
        " GROUP BY s.id, s.source, s.category_id, s.product, s.unit, s.created_at, s.updated_at \
         ORDER BY s.category_id, s.source, s.product, s.unit",
    );
    q.all(c).await?.iter().map(series_row).collect()
}

/// One series.
pub async fn one<C: ConnectionTrait>(c: &C, id: &str) -> Result<Option<SeriesRow>, DbErr> {
    let mut q = Sql::new(c.get_database_backend());
    q.push(&format!(
        "SELECT {SERIES_COLS} FROM stats_external_series s \
         LEFT JOIN stats_external_prices p ON p.series_id = s.id WHERE s.id = "
    ))
    .bind(id)
    .push(" GROUP BY s.id, s.source, s.category_id, s.product, s.unit, s.created_at, s.updated_at");
    match q.all(c).await?.first() {
        Some(r) => series_row(r).map(Some),
        None => Ok(None),
    }
}

/// The series' id, created (by `actor`, at `now`) when new: `(id, created)`. Two uploads
/// racing for the same new series both end up with the one row the unique index lets in.
pub async fn find_or_create<C: ConnectionTrait>(
    c: &C,
    (source, category_id, product, unit): (&str, &str, &str, &str),
    actor: &str,
    now: DateTime<Utc>,
) -> Result<(String, bool), DbErr> {
    let new_id = uuid::Uuid::new_v4().to_string();
    let mut q = Sql::new(c.get_database_backend());
    q.push(
        "INSERT INTO stats_external_series (id, source, category_id, product, unit, created_by, \
         created_at, updated_at) VALUES (",
    );
    for v in [new_id.as_str(), source, category_id, product, unit, actor] {
        q.bind(v).push(", ");
    }
    q.bind(now)
        .push(", ")
        .bind(now)
        .push(") ON CONFLICT (source, category_id, product, unit) DO NOTHING");
    let created = q.execute(c).await? == 1;
    let mut q = Sql::new(c.get_database_backend());
    q.push("SELECT id FROM stats_external_series WHERE source = ")
        .bind(source)
        .push(" AND category_id = ")
        .bind(category_id)
        .push(" AND product = ")
        .bind(product)
        .push(" AND unit = ")
        .bind(unit);
    let id = match q.all(c).await?.first() {
        Some(r) => get::<String>(r, "id")?,
        None => return Err(DbErr::RecordNotFound("stats_external_series".to_owned())),
    };
    Ok((id, created))
}

/// Marks the series as changed at `now`.
pub async fn touch<C: ConnectionTrait>(c: &C, id: &str, now: DateTime<Utc>) -> Result<(), DbErr> {
    let mut q = Sql::new(c.get_database_backend());
    q.push("UPDATE stats_external_series SET updated_at = ")
        .bind(now)
        .push(" WHERE id = ")
        .bind(id);
    q.execute(c).await.map(|_| ())
}

/// The stored prices of a series on these days (day number → fen).
pub async fn prices_on<C: ConnectionTrait>(
    c: &C,
    id: &str,
    days: &[i32],
) -> Result<HashMap<i32, i64>, DbErr> {
    let mut out = HashMap::new();
    for chunk in days.chunks(CHUNK) {
        let mut q = Sql::new(c.get_database_backend());
        q.push("SELECT day, price_fen FROM stats_external_prices WHERE series_id = ")
            .bind(id)
            .push(" AND day IN ")
            .bind_list(chunk.iter().copied());
        for r in q.all(c).await? {
            out.insert(get::<i32>(&r, "day")?, get::<i64>(&r, "price_fen")?);
        }
    }
    Ok(out)
}

/// Writes (day number, fen) rows of a series, replacing a day's earlier price.
pub async fn upsert_prices<C: ConnectionTrait>(
    c: &C,
    id: &str,
    rows: &[(i32, i64)],
) -> Result<(), DbErr> {
    for chunk in rows.chunks(CHUNK) {
        let mut q = Sql::new(c.get_database_backend());
        q.push("INSERT INTO stats_external_prices (series_id, day, price_fen) VALUES ");
        for (i, (day, fen)) in chunk.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.push("(")
                .bind(id)
                .push(", ")
                .bind(*day)
                .push(", ")
                .bind(*fen)
                .push(")");
        }
        q.push(" ON CONFLICT (series_id, day) DO UPDATE SET price_fen = excluded.price_fen");
        q.execute(c).await?;
    }
    Ok(())
}

/// Deletes a series and its prices; whether it existed.
pub async fn delete<C: ConnectionTrait>(c: &C, id: &str) -> Result<bool, DbErr> {
    let mut q = Sql::new(c.get_database_backend());
    q.push("DELETE FROM stats_external_prices WHERE series_id = ")
        .bind(id);
    q.execute(c).await?;
    let mut q = Sql::new(c.get_database_backend());
    q.push("DELETE FROM stats_external_series WHERE id = ")
        .bind(id);
    Ok(q.execute(c).await? > 0)
}

/// The prices of these series from day `from` to `to` (day numbers), by series, in day order.
pub async fn points<C: ConnectionTrait>(
    c: &C,
    ids: &[String],
    from: i32,
    to: i32,
) -> Result<HashMap<String, Vec<(i32, i64)>>, DbErr> {
    let mut out: HashMap<String, Vec<(i32, i64)>> = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        let mut q = Sql::new(c.get_database_backend());
        q.push("SELECT series_id, day, price_fen FROM stats_external_prices WHERE series_id IN ")
            .bind_list(chunk.iter().cloned())
            .push(" AND day >= ")
            .bind(from)
            .push(" AND day <= ")
            .bind(to)
            .push(" ORDER BY series_id, day");
        for r in q.all(c).await? {
            out.entry(get(&r, "series_id")?)
                .or_default()
                .push((get(&r, "day")?, get(&r, "price_fen")?));
        }
    }
    Ok(out)
}
