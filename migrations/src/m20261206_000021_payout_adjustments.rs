//! Issue #16: a refund charged to a seller after its sub-order was paid out is taken back from
//! the seller's next payout. Each such refund leaves one adjustment (negative fen, unique by
//! refund, so a redelivered event counts once); a batch nets a seller's open adjustments into
//! its payout (`payout_id`), and a failed payout lets them go again.

use crate::util::{drop_tables, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("payout_adjustments")
                .col(uuid("id").primary_key())
                .col(uuid("org_id"))
                .col(uuid("sub_order_id"))
                .col(uuid("refund_id"))
                .col(big_integer("amount_fen"))
                .col(uuid_null("payout_id"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_payout_adjustments_refund")
                .table("payout_adjustments")
                .col("refund_id")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_payout_adjustments_org",
            "payout_adjustments",
            &["org_id", "payout_id"],
        ))
        .await?;
        m.create_index(index(
            "ix_payout_adjustments_sub_order",
            "payout_adjustments",
            &["sub_order_id"],
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(m, &["payout_adjustments"]).await
    }
}
