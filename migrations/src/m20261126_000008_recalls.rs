//! Batch recalls (召回): one row a recalled batch (who ordered it, why), and one notice per
//! sub-order shipped from it, with the refund offered to its buyer and whether it was taken.

use crate::util::{drop_tables, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("recalls")
                .col(uuid("id").primary_key())
                .col(uuid("batch_id"))
                .col(string_len("code", 24))
                .col(string_len("lot", 40))
                .col(uuid("listing_id"))
                .col(uuid("seller_org_id"))
                .col(string_len("reason", 200))
                .col(uuid("ordered_by"))
                .col(string_len("ordered_role", 16))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        // One recall a batch: ordering it twice returns the first.
        m.create_index(
            Index::create()
                .name("ux_recalls_batch")
                .table("recalls")
                .col("batch_id")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("recall_notices")
                .col(uuid("id").primary_key())
                .col(uuid("recall_id"))
                .col(uuid("order_id"))
                .col(uuid("sub_order_id"))
                .col(uuid("buyer_account_id"))
                .col(json_binary("lines"))
                .col(big_integer("offered_fen"))
                .col(string_len("status", 16))
                .col(uuid_null("refund_id"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("refunded_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_recall_notices_recall",
            "recall_notices",
            &["recall_id"],
        ))
        .await?;
        m.create_index(index(
            "ix_recall_notices_buyer",
            "recall_notices",
            &["buyer_account_id", "created_at"],
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(m, &["recall_notices", "recalls"]).await?;
        Ok(())
    }
}
