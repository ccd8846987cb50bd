//! County statistics (#7): rollups the officials' dashboard reads instead of the orders.
//!
//! - `stats_keys`: one row per group (dimension + key, e.g. township 城关镇, seller <id>) with
//!   its label, so the rollups hold small integers and the dashboard needs no other table.
//! - `stats_buyer_ids`: buyers as small integers (only ever counted, never shown).
//! - `stats_sales`: sums per group and time bucket (grain 0 day, 1 week, 2 month; bucket = the
//!   Shanghai date it starts on, as days since 1970-01-01), and distinct buyers in the bucket.
//! - `stats_buyer_days`: which buyer bought in which group on which day — distinct buyers over
//!   any period, and the small-group rule (fewer than 5 buyers are not broken down).
//! - `stats_prices`: quantity sold per category, price basis, day and unit price, for average,
//!   median and min/max price trends.
//! - `stats_applied`: events already applied (delivery is at least once) and the rebuild's
//!   watermark.
//!
//! Raw SQL per backend: SQLite stores the two big tables WITHOUT ROWID (half the size, one
//! b-tree), which sea-query cannot express.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DatabaseBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

const FIGURES: &str = "orders BIGINT NOT NULL DEFAULT 0, buyers BIGINT NOT NULL DEFAULT 0, \
    lines BIGINT NOT NULL DEFAULT 0, goods_fen BIGINT NOT NULL DEFAULT 0, \
    shipping_fen BIGINT NOT NULL DEFAULT 0, refund_fen BIGINT NOT NULL DEFAULT 0, \
    refunds BIGINT NOT NULL DEFAULT 0, weight_grams BIGINT NOT NULL DEFAULT 0, \
    qty_jin BIGINT NOT NULL DEFAULT 0, qty_kg BIGINT NOT NULL DEFAULT 0, \
    qty_box BIGINT NOT NULL DEFAULT 0, qty_bag BIGINT NOT NULL DEFAULT 0, \
    qty_piece BIGINT NOT NULL DEFAULT 0, shipped_fen BIGINT NOT NULL DEFAULT 0, \
    traced_fen BIGINT NOT NULL DEFAULT 0";

fn statements(backend: DatabaseBackend) -> Vec<String> {
    let (serial, without_rowid) = match backend {
        DatabaseBackend::Postgres => ("BIGSERIAL PRIMARY KEY", ""),
        _ => ("INTEGER PRIMARY KEY AUTOINCREMENT", " WITHOUT ROWID"),
    };
    vec![
        format!(
            "CREATE TABLE stats_keys (id {serial}, dim VARCHAR(32) NOT NULL, code VARCHAR(200) NOT NULL, \
             label VARCHAR(200) NOT NULL, label_en VARCHAR(200) NOT NULL)"
        ),
        "CREATE UNIQUE INDEX ux_stats_keys_dim_code ON stats_keys (dim, code)".to_owned(),
        format!("CREATE TABLE stats_buyer_ids (id {serial}, account_id VARCHAR(36) NOT NULL)"),
        "CREATE UNIQUE INDEX ux_stats_buyer_ids_account ON stats_buyer_ids (account_id)".to_owned(),
        format!(
            "CREATE TABLE stats_sales (key_id BIGINT NOT NULL, grain SMALLINT NOT NULL, \
             bucket INTEGER NOT NULL, dim VARCHAR(32) NOT NULL, {FIGURES}, \
             PRIMARY KEY (key_id, grain, bucket)){without_rowid}"
        ),
        "CREATE INDEX ix_stats_sales_dim ON stats_sales (dim, grain, bucket)".to_owned(),
        format!(
            "CREATE TABLE stats_buyer_days (key_id BIGINT NOT NULL, buyer BIGINT NOT NULL, \
             day INTEGER NOT NULL, PRIMARY KEY (key_id, buyer, day)){without_rowid}"
        ),
        format!(
            "CREATE TABLE stats_prices (key_id BIGINT NOT NULL, basis VARCHAR(8) NOT NULL, \
             day INTEGER NOT NULL, price_fen BIGINT NOT NULL, quantity BIGINT NOT NULL DEFAULT 0, \
             lines BIGINT NOT NULL DEFAULT 0, \
             PRIMARY KEY (key_id, basis, day, price_fen)){without_rowid}"
        ),
        "CREATE TABLE stats_applied (event_key VARCHAR(80) NOT NULL PRIMARY KEY, \
         value VARCHAR(80) NULL)"
            .to_owned(),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let conn = m.get_connection();
        for sql in statements(m.get_database_backend()) {
            conn.execute_unprepared(&sql).await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        crate::util::drop_tables(
            m,
            &[
                "stats_applied",
                "stats_prices",
                "stats_buyer_days",
                "stats_sales",
                "stats_buyer_ids",
                "stats_keys",
            ],
        )
        .await
    }
}
