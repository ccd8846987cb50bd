//! `stats_applied`: the outbox events already added (so a redelivered event adds nothing), and
//! the last rebuild's watermark.

use super::sql::{Sql, get};
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DbErr};

const WATERMARK: &str = "rebuild:watermark";

/// The rebuild's watermark, if a rebuild ran.
pub async fn watermark<C: ConnectionTrait>(c: &C) -> Result<Option<DateTime<Utc>>, DbErr> {
    let mut q = Sql::new(c.get_database_backend());
    q.push("SELECT value FROM stats_applied WHERE event_key = ")
        .bind(WATERMARK);
    let Some(row) = q.all(c).await?.into_iter().next() else {
        return Ok(None);
    };
    let v: Option<String> = get(&row, "value")?;
    Ok(v.and_then(|v| DateTime::parse_from_rfc3339(&v).ok())
        .map(|t| t.to_utc()))
}

/// Records the rebuild's watermark (after [`clear`]).
pub async fn set_watermark<C: ConnectionTrait>(c: &C, at: DateTime<Utc>) -> Result<(), DbErr> {
    let mut q = Sql::new(c.get_database_backend());
    q.push("INSERT INTO stats_applied (event_key, value) VALUES (")
        .bind(WATERMARK)
        .push(", ")
        .bind(at.to_rfc3339())
        .push(")");
    q.execute(c).await?;
    Ok(())
}

/// Records that `event_key` is applied; false when it already was.
pub async fn mark_applied<C: ConnectionTrait>(c: &C, event_key: &str) -> Result<bool, DbErr> {
    let mut q = Sql::new(c.get_database_backend());
    q.push("INSERT INTO stats_applied (event_key) VALUES (")
        .bind(event_key)
        .push(") ON CONFLICT (event_key) DO NOTHING");
    Ok(q.execute(c).await? == 1)
}
