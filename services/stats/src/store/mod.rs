//! The statistics' own tables, and the raw-SQL queries over them (multi-row upserts and
//! aggregates read clearer as SQL than through a query builder; [`sql::Sql`] keeps the
//! placeholders right for both backends). Every function takes `&impl ConnectionTrait`, so it
//! runs on the pool, the replica or inside the rollup's transaction.
//!
//! | module | table |
//! | --- | --- |
//! | [`keys`] | `stats_keys`: one row a group (dimension + key) with its labels |
//! | [`sales`] | `stats_sales`: sums of a group × bucket (day, week, month) |
//! | [`buyers`] | `stats_buyer_days` (group × buyer × day) and `stats_buyer_ids` |
//! | [`prices`] | `stats_prices`: quantity and lines of a category × basis × day × price |
//! | [`delivered`] | `stats_delivered`: parcels received of a group × day |
//! | [`external`] | `stats_external_series` and `stats_external_prices`: uploaded reference prices (never in the rollups) |
//! | [`applied`] | `stats_applied`: applied outbox events and the rebuild's watermark |

pub mod applied;
pub mod buyers;
pub mod delivered;
pub mod external;
pub mod keys;
pub mod prices;
pub mod sales;
pub mod sql;

use sea_orm::{ConnectionTrait, DbErr};

/// Rows per multi-row statement (SQLite allows 32 766 bound values).
pub const CHUNK: usize = 1_000;

/// Every table the rebuild recomputes (the keys stay: their ids are stable).
const REBUILT: [&str; 5] = [
    "stats_sales",
    "stats_buyer_days",
    "stats_prices",
    "stats_delivered",
    "stats_applied",
];

/// Empties every rolled-up table, for the rebuild (inside its transaction).
pub async fn clear<C: ConnectionTrait>(c: &C) -> Result<(), DbErr> {
    for t in REBUILT {
        c.execute_unprepared(&format!("DELETE FROM {t}")).await?;
    }
    Ok(())
}
