//! `stats_delivered`: parcels received per group (total, seller kind, category, carrier) and
//! day — the claim rate's denominator, so the after-sales view never counts sub-orders.

use super::CHUNK;
use super::sql::{Sql, get, get_i64};
use crate::domain::{Dim, day_number};
use chrono::NaiveDate;
use sea_orm::{ConnectionTrait, DbErr};

/// Parcels of one group over a period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DeliveredGroup {
    pub dim: Dim,
    pub code: String,
    pub label: String,
    pub label_en: String,
    pub parcels: i64,
}

/// Adds parcels to ((key, day number), parcels) rows, creating missing ones.
pub async fn upsert<C: ConnectionTrait>(c: &C, rows: &[((i64, i32), i64)]) -> Result<(), DbErr> {
    let backend = c.get_database_backend();
    for chunk in rows.chunks(CHUNK * 2) {
        let mut q = Sql::new(backend);
        q.push("INSERT INTO stats_delivered (key_id, day, delivered) VALUES ");
        for (i, ((key, day), n)) in chunk.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.bind_list([*key, i64::from(*day), *n]);
        }
        q.push(
            " ON CONFLICT (key_id, day) DO UPDATE SET \
             delivered = stats_delivered.delivered + excluded.delivered",
        );
        q.execute(c).await?;
    }
    Ok(())
}

/// Parcels received over [from, to] by every group of these dimensions.
pub async fn by_group<C: ConnectionTrait>(
    c: &C,
    dims: &[Dim],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<DeliveredGroup>, DbErr> {
    let mut q = Sql::new(c.get_database_backend());
    q.push(
        "SELECT k.dim AS dim, k.code AS code, k.label AS label, k.label_en AS label_en, \
         CAST(SUM(d.delivered) AS BIGINT) AS n FROM stats_delivered d \
         JOIN stats_keys k ON k.id = d.key_id WHERE k.dim IN ",
    )
    .bind_list(dims.iter().map(|d| d.as_str()))
    .push(" AND d.day >= ")
    .bind(day_number(from))
    .push(" AND d.day <= ")
    .bind(day_number(to))
    .push(" GROUP BY k.dim, k.code, k.label, k.label_en");
    let mut out = Vec::new();
    for r in q.all(c).await? {
        let dim: String = get(&r, "dim")?;
        out.push(DeliveredGroup {
            dim: Dim::parse(&dim)
                .ok_or_else(|| DbErr::Custom(format!("stats_keys.dim {dim:?}")))?,
            code: get(&r, "code")?,
            label: get(&r, "label")?,
            label_en: get(&r, "label_en")?,
            parcels: get_i64(&r, "n")?,
        });
    }
    Ok(out)
}
