//! Issue #16: a payout that fails after a refund on one of its sub-orders was already netted
//! into another payout. The sub-order goes back to payable at its reduced value, so the refund
//! taken back must be given back: the failure records a *reversal* (positive fen, the same
//! refund) that the seller's next payout credits. Every adjustment now has a `kind` (`refund`,
//! the rows recorded so far; `reversal`), and the unique index is one row per refund and kind,
//! so a redelivered refund event still counts once and a refund is reversed once at most.
//! `failed_payout_id` names the payout whose failure made a reversal (NULL for refunds).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// SQLite adds one column per ALTER TABLE.
async fn add(m: &SchemaManager<'_>, mut col: ColumnDef) -> Result<(), DbErr> {
    m.alter_table(
        Table::alter()
            .table("payout_adjustments")
            .add_column(&mut col)
            .to_owned(),
    )
    .await
}

async fn drop(m: &SchemaManager<'_>, col: &str) -> Result<(), DbErr> {
    m.alter_table(
        Table::alter()
            .table("payout_adjustments")
            .drop_column(col.to_owned())
            .to_owned(),
    )
    .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        add(m, string_len("kind", 16).default("refund").to_owned()).await?;
        add(m, uuid_null("failed_payout_id")).await?;
        m.drop_index(
            Index::drop()
                .name("ux_payout_adjustments_refund")
                .table("payout_adjustments")
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_payout_adjustments_refund_kind")
                .table("payout_adjustments")
                .col("refund_id")
                .col("kind")
                .unique()
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.get_connection()
            .execute_unprepared("DELETE FROM payout_adjustments WHERE kind <> 'refund'")
            .await?;
        m.drop_index(
            Index::drop()
                .name("ux_payout_adjustments_refund_kind")
                .table("payout_adjustments")
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
        drop(m, "failed_payout_id").await?;
        drop(m, "kind").await
    }
}
