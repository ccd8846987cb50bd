//! What the county statistics (`farmgate-stats`) need to know about traceability.
//!
//! Who: the dashboard's traceability view. Why: officials see how often consumers scan trace
//! codes and how many batches were started, inspected and passed in a period. Scans are
//! already counted per batch and day here (`trace_scans`), so a year costs a few hundred rows;
//! the inspection rule (a batch's latest inspection decides) is this crate's, so it is applied
//! here rather than in the statistics.

use crate::domain::EventKind;
use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DatabaseBackend, DbErr, Statement, Value};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// Batches started in a period, and what their inspections say.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct BatchesStarted {
    pub started: i64,
    /// Of them, with at least one inspection.
    pub inspected: i64,
    /// Of them, whose latest inspection passed.
    pub passed: i64,
}

/// `$n` on PostgreSQL, `?` elsewhere.
fn placeholder(backend: DatabaseBackend, n: usize) -> String {
    match backend {
        DatabaseBackend::Postgres => format!("${n}"),
        _ => "?".to_owned(),
    }
}

/// Trace-code scans per Shanghai day in [`from`, `to`] (days without scans are absent).
pub async fn scans_by_day<C: ConnectionTrait>(
    db: &C,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<BTreeMap<NaiveDate, i64>, DbErr> {
    let b = db.get_database_backend();
    let sql = format!(
        "SELECT day, CAST(SUM(scans) AS BIGINT) AS scans FROM trace_scans \
         WHERE day >= {} AND day <= {} GROUP BY day",
        placeholder(b, 1),
        placeholder(b, 2)
    );
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            b,
            sql,
            [Value::from(from), Value::from(to)],
        ))
        .await?;
    let mut out = BTreeMap::new();
    for r in rows {
        let day: NaiveDate = r.try_get("", "day")?;
        let n: Option<i64> = r.try_get("", "scans")?;
        out.insert(day, n.unwrap_or(0));
    }
    Ok(out)
}

/// Batches started in [`from`, `to`], with their inspections (the latest result counts).
pub async fn batches_started<C: ConnectionTrait>(
    db: &C,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<BatchesStarted, DbErr> {
    let b = db.get_database_backend();
    let sql = format!(
        "SELECT b.id AS id, e.seq AS seq, e.body AS body FROM batches b \
         LEFT JOIN batch_events e ON e.batch_id = b.id AND e.kind = {} \
         WHERE b.started_on >= {} AND b.started_on <= {}",
        placeholder(b, 1),
        placeholder(b, 2),
        placeholder(b, 3)
    );
    let rows = db
        .query_all_raw(Statement::from_sql_and_values(
            b,
            sql,
            [
                Value::from(EventKind::Inspection.as_str()),
                Value::from(from),
                Value::from(to),
            ],
        ))
        .await?;
    let mut latest: HashMap<Uuid, Option<(i32, bool)>> = HashMap::new();
    for r in rows {
        let id: Uuid = r.try_get("", "id")?;
        let seq: Option<i32> = r.try_get("", "seq")?;
        let body: Option<serde_json::Value> = r.try_get("", "body")?;
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
    let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    Ok(BatchesStarted {
        started: count(latest.len()),
        inspected: count(latest.values().filter(|v| v.is_some()).count()),
        passed: count(
            latest
                .values()
                .filter(|v| v.is_some_and(|(_, p)| p))
                .count(),
        ),
    })
}
