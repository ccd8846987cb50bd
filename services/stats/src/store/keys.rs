//! `stats_keys`: one row a group, so the big tables hold a small integer instead of the
//! group's dimension, key and labels.

use super::CHUNK;
use super::sql::{Sql, get};
use crate::domain::{Dim, Group};
use sea_orm::{ConnectionTrait, DbErr};
use std::collections::HashMap;

/// Stored ids of the groups seen so far.
pub type KeyIds = HashMap<(Dim, String), i64>;

/// A stored group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyInfo {
    pub id: i64,
    pub code: String,
    pub label: String,
    pub label_en: String,
}

/// A stored group with its dimension (the filter pickers).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DimKey {
    pub dim: Dim,
    pub key: KeyInfo,
}

/// Group → stored id, creating groups not seen before (and refreshing labels).
pub async fn key_ids<C: ConnectionTrait>(
    c: &C,
    groups: &[&Group],
    known: &mut KeyIds,
) -> Result<(), DbErr> {
    let mut missing: Vec<&Group> = groups
        .iter()
        .copied()
        .filter(|g| !known.contains_key(&(g.dim, g.code.clone())))
        .collect();
    missing.sort();
    missing.dedup_by(|a, b| a.id() == b.id());
    let backend = c.get_database_backend();
    for chunk in missing.chunks(CHUNK / 4) {
        let mut q = Sql::new(backend);
        q.push("INSERT INTO stats_keys (dim, code, label, label_en) VALUES ");
        for (i, g) in chunk.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.bind_list([
                g.dim.as_str().to_owned(),
                g.code.clone(),
                g.label.clone(),
                g.label_en.clone(),
            ]);
        }
        q.push(
            " ON CONFLICT (dim, code) DO UPDATE SET label = excluded.label, \
             label_en = excluded.label_en",
        );
        q.execute(c).await?;
        let mut q = Sql::new(backend);
        q.push("SELECT id, dim, code FROM stats_keys WHERE ");
        for (i, g) in chunk.iter().enumerate() {
            if i > 0 {
                q.push(" OR ");
            }
            q.push("(dim = ")
                .bind(g.dim.as_str())
                .push(" AND code = ")
                .bind(g.code.clone())
                .push(")");
        }
        for row in q.all(c).await? {
            let dim: String = get(&row, "dim")?;
            let dim =
                Dim::parse(&dim).ok_or_else(|| DbErr::Custom(format!("stats_keys.dim {dim:?}")))?;
            known.insert((dim, get(&row, "code")?), get(&row, "id")?);
        }
    }
    Ok(())
}

/// The stored id of a group [`key_ids`] has seen.
pub fn id_of(known: &KeyIds, g: &Group) -> Result<i64, DbErr> {
    known
        .get(&(g.dim, g.code.clone()))
        .copied()
        .ok_or_else(|| DbErr::Custom(format!("no key id for {:?}", g.id())))
}

fn key_info(r: &sea_orm::QueryResult) -> Result<KeyInfo, DbErr> {
    Ok(KeyInfo {
        id: get(r, "id")?,
        code: get(r, "code")?,
        label: get(r, "label")?,
        label_en: get(r, "label_en")?,
    })
}

/// One group, if it ever sold.
pub async fn key<C: ConnectionTrait>(
    c: &C,
    dim: Dim,
    code: &str,
) -> Result<Option<KeyInfo>, DbErr> {
    let mut q = Sql::new(c.get_database_backend());
    q.push("SELECT id, code, label, label_en FROM stats_keys WHERE dim = ")
        .bind(dim.as_str())
        .push(" AND code = ")
        .bind(code.to_owned());
    q.all(c).await?.first().map(key_info).transpose()
}

/// The groups with these ids.
pub async fn keys_by_id<C: ConnectionTrait>(
    c: &C,
    ids: &[i64],
) -> Result<HashMap<i64, KeyInfo>, DbErr> {
    let mut out = HashMap::new();
    for chunk in ids.chunks(500) {
        let mut q = Sql::new(c.get_database_backend());
        q.push("SELECT id, code, label, label_en FROM stats_keys WHERE id IN ")
            .bind_list(chunk.iter().copied());
        for r in q.all(c).await? {
            let k = key_info(&r)?;
            out.insert(k.id, k);
        }
    }
    Ok(out)
}

/// Every group of these dimensions, by dimension and label.
pub async fn keys_of<C: ConnectionTrait>(c: &C, dims: &[Dim]) -> Result<Vec<DimKey>, DbErr> {
    let mut q = Sql::new(c.get_database_backend());
    q.push("SELECT id, dim, code, label, label_en FROM stats_keys WHERE dim IN ")
        .bind_list(dims.iter().map(|d| d.as_str()))
        .push(" ORDER BY dim, label");
    let mut out = Vec::new();
    for r in q.all(c).await? {
        let dim: String = get(&r, "dim")?;
        let dim =
            Dim::parse(&dim).ok_or_else(|| DbErr::Custom(format!("stats_keys.dim {dim:?}")))?;
        out.push(DimKey {
            dim,
            key: key_info(&r)?,
        });
    }
    Ok(out)
}

/// The groups of `dim` whose code starts with `prefix` (a category id and `@`: the board's
/// category × township and category × product groups). The prefix holds no `%` or `_`.
pub async fn keys_with_prefix<C: ConnectionTrait>(
    c: &C,
    dim: Dim,
    prefix: &str,
) -> Result<Vec<KeyInfo>, DbErr> {
    let mut q = Sql::new(c.get_database_backend());
    q.push("SELECT id, code, label, label_en FROM stats_keys WHERE dim = ")
        .bind(dim.as_str())
        .push(" AND code LIKE ")
        .bind(format!("{prefix}%"))
        .push(" ORDER BY label");
    q.all(c).await?.iter().map(key_info).collect()
}
