//! Issue #20/#21, shop credit as a search ranking signal: the catalogue's own copy of each
//! seller's credit level (`new`, `a`, `b`, `c`, `d`), written through `Catalog::set_credit_levels`
//! by the server's periodic credit job (statistics computes the level; the catalogue never reads
//! its tables), and carried by the seller's listings' search documents. A seller without a row
//! is neutral (`new`). One row per seller: two replicas writing the same level at once upsert.

use crate::util::drop_tables;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("seller_ranking_signals")
                .col(uuid("seller_org_id").primary_key())
                .col(string_len("credit_level", 8))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(m, &["seller_ranking_signals"]).await
    }
}
