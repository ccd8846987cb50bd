//! Issue #16, reconciliation (对账): each provider's daily bill is compared with the ledger by
//! a daily job; a run per provider and bill day (one at a time: the unique key), and the
//! differences it found, which people resolve with a note — the ledger is never changed by it.

use crate::util::{drop_tables, fk, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("reconciliation_runs")
                .col(uuid("id").primary_key())
                .col(string_len("provider", 32))
                .col(date("bill_date"))
                .col(string_len("status", 16))
                .col(big_integer("bill_entries"))
                .col(big_integer("matched"))
                .col(big_integer("differences"))
                .col(string_len_null("error", 500))
                .col(uuid_null("triggered_by"))
                .col(timestamp_with_time_zone("started_at"))
                .col(timestamp_with_time_zone_null("finished_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_reconciliation_runs_day")
                .table("reconciliation_runs")
                .col("provider")
                .col("bill_date")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("reconciliation_differences")
                .col(uuid("id").primary_key())
                .col(uuid("run_id"))
                .col(string_len("provider", 32))
                .col(date("bill_date"))
                .col(string_len("kind", 32))
                .col(string_len_null("out_trade_no", 64))
                .col(string_len_null("out_refund_no", 64))
                .col(string_len_null("transaction_id", 64))
                .col(big_integer_null("ours_fen"))
                .col(big_integer_null("theirs_fen"))
                .col(boolean("resolved"))
                .col(string_len_null("resolution", 500))
                .col(uuid_null("resolved_by"))
                .col(timestamp_with_time_zone_null("resolved_at"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "fk_reconciliation_differences_run",
                    ("reconciliation_differences", "run_id"),
                    ("reconciliation_runs", "id"),
                    true,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_reconciliation_differences_run",
            "reconciliation_differences",
            &["run_id"],
        ))
        .await?;
        m.create_index(index(
            "ix_reconciliation_differences_open",
            "reconciliation_differences",
            &["resolved", "provider", "kind"],
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(m, &["reconciliation_differences", "reconciliation_runs"]).await
    }
}
