//! Issue #20, external reference price series (statistics):
//! - `stats_external_series`: one series a (source, category, product, unit) — e.g. a wholesale
//!   market's daily price of 红富士 per 斤 — uploaded by the operator as CSV; `product` is `''`
//!   for a category-wide price. Shown beside the platform's own prices on the price board, always
//!   labelled external, and never mixed into the platform's figures (no rollup reads it).
//! - `stats_external_prices`: one price a series and Shanghai day (day number as in the
//!   rollups), in fen per the series' unit. Re-uploading a row replaces that day's price, so an
//!   upload of the same rows changes nothing.

use crate::util::{drop_tables, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("stats_external_series")
                .col(string_len("id", 36).primary_key())
                .col(string_len("source", 60))
                .col(string_len("category_id", 36))
                .col(string_len("product", 60))
                .col(string_len("unit", 8))
                .col(string_len("created_by", 36))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_stats_external_series_key")
                .table("stats_external_series")
                .col("source")
                .col("category_id")
                .col("product")
                .col("unit")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_stats_external_series_category",
            "stats_external_series",
            &["category_id"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("stats_external_prices")
                .col(string_len("series_id", 36))
                .col(integer("day"))
                .col(big_integer("price_fen"))
                .primary_key(Index::create().col("series_id").col("day"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(m, &["stats_external_prices", "stats_external_series"]).await
    }
}
