//! `stats_buyer_ids` (an account → a small integer, never shown) and `stats_buyer_days`
//! (group × buyer × day): distinct buyers over any period, and the small-group rule.

use super::CHUNK;
use super::sql::{Sql, get, get_i64};
use crate::domain::day_number;
use chrono::NaiveDate;
use farmgate_kernel::id::AccountId;
use sea_orm::{ConnectionTrait, DbErr};
use std::collections::HashMap;

/// Buyer → small integer, numbering buyers not seen before.
pub async fn buyer_ids<C: ConnectionTrait>(
    c: &C,
    buyers: &[AccountId],
    known: &mut HashMap<AccountId, i64>,
) -> Result<(), DbErr> {
    let mut missing: Vec<AccountId> = buyers
        .iter()
        .copied()
        .filter(|b| !known.contains_key(b))
        .collect();
    missing.sort();
    missing.dedup();
    let backend = c.get_database_backend();
    for chunk in missing.chunks(CHUNK) {
        let mut q = Sql::new(backend);
        q.push("INSERT INTO stats_buyer_ids (account_id) VALUES ");
        for (i, b) in chunk.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.push("(").bind(b.to_string()).push(")");
        }
        q.push(" ON CONFLICT (account_id) DO NOTHING");
        q.execute(c).await?;
        let mut q = Sql::new(backend);
        q.push("SELECT id, account_id FROM stats_buyer_ids WHERE account_id IN ")
            .bind_list(chunk.iter().map(ToString::to_string));
        for row in q.all(c).await? {
            let account: String = get(&row, "account_id")?;
            let account = account
                .parse::<AccountId>()
                .map_err(|e| DbErr::Custom(format!("stats_buyer_ids {account}: {e}")))?;
            known.insert(account, get(&row, "id")?);
        }
    }
    Ok(())
}

/// Records (key, buyer, day) rows; how many were new.
pub async fn insert_days<C: ConnectionTrait>(
    c: &C,
    rows: &[(i64, i64, i32)],
) -> Result<u64, DbErr> {
    let backend = c.get_database_backend();
    let mut n = 0;
    for chunk in rows.chunks(CHUNK * 2) {
        let mut q = Sql::new(backend);
        q.push("INSERT INTO stats_buyer_days (key_id, buyer, day) VALUES ");
        for (i, (key, buyer, day)) in chunk.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.bind_list([*key, *buyer, i64::from(*day)]);
        }
        q.push(" ON CONFLICT (key_id, buyer, day) DO NOTHING");
        n += q.execute(c).await?;
    }
    Ok(n)
}

/// On how many days in [from, until) (day numbers) the buyer bought in the group.
pub async fn days_of<C: ConnectionTrait>(
    c: &C,
    key: i64,
    buyer: i64,
    from: i32,
    until: i32,
) -> Result<i64, DbErr> {
    let mut q = Sql::new(c.get_database_backend());
    q.push("SELECT COUNT(*) AS n FROM stats_buyer_days WHERE key_id = ")
        .bind(key)
        .push(" AND buyer = ")
        .bind(buyer)
        .push(" AND day >= ")
        .bind(from)
        .push(" AND day < ")
        .bind(until);
    match q.all(c).await?.first() {
        Some(r) => get_i64(r, "n"),
        None => Ok(0),
    }
}

/// Distinct buyers per group over [from, to]. Many groups (a dimension's) are counted in two
/// interleaved halves side by side, on two pooled connections.
pub async fn distinct<C: ConnectionTrait>(
    c: &C,
    keys: &[i64],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<HashMap<i64, i64>, DbErr> {
    if keys.len() < 2 {
        return distinct_in(c, keys, from, to).await;
    }
    let even: Vec<i64> = keys.iter().copied().step_by(2).collect();
    let odd: Vec<i64> = keys.iter().copied().skip(1).step_by(2).collect();
    let (mut a, b) = futures_util::try_join!(
        distinct_in(c, &even, from, to),
        distinct_in(c, &odd, from, to)
    )?;
    a.extend(b);
    Ok(a)
}

async fn distinct_in<C: ConnectionTrait>(
    c: &C,
    keys: &[i64],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<HashMap<i64, i64>, DbErr> {
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

/// The buyers of a group on each day of [from, to], each with the first day they ever bought
/// in the group: `(buyer, day, first day)` (new and returning buyers; never shown, only
/// counted).
pub async fn days_with_first<C: ConnectionTrait>(
    c: &C,
    key: i64,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<(i64, i32, i32)>, DbErr> {
    let mut q = Sql::new(c.get_database_backend());
    q.push(
        "SELECT d.buyer AS buyer, d.day AS day, f.first_day AS first_day FROM stats_buyer_days d \
         JOIN (SELECT buyer, MIN(day) AS first_day FROM stats_buyer_days WHERE key_id = ",
    )
    .bind(key)
    .push(" GROUP BY buyer) f ON f.buyer = d.buyer WHERE d.key_id = ")
    .bind(key)
    .push(" AND d.day >= ")
    .bind(day_number(from))
    .push(" AND d.day <= ")
    .bind(day_number(to));
    let mut out = Vec::new();
    for r in q.all(c).await? {
        out.push((
            get::<i64>(&r, "buyer")?,
            get::<i32>(&r, "day")?,
            get::<i32>(&r, "first_day")?,
        ));
    }
    Ok(out)
}
