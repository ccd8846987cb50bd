//! Issue #20, the county's market in public — independent quality checks, the quality bulletin
//! and news (资讯):
//! - `organisations.accreditation_no` (identity): a testing body's (检测机构) accreditation —
//!   its CMA certificate or CNAS number — which the operator checks before verifying it; NULL
//!   for every other kind;
//! - `lab_checks` (trace): one row per third-party test (`lab_check` record) chained onto a
//!   batch's record, so a lab's list, the public quality bulletin and the recall job find them
//!   without reading every record; the record in the chain is the truth, this row its index,
//!   written in the same transaction and never changed (a correction is a new record, naming
//!   the one it corrects in `corrects_seq`).

use crate::util::{drop_tables, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("organisations")
                .add_column(string_len_null("accreditation_no", 40))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("lab_checks")
                .col(uuid("id").primary_key())
                .col(uuid("batch_id"))
                .col(string_len("code", 16))
                .col(integer("seq"))
                .col(uuid("event_id"))
                .col(uuid("listing_id"))
                .col(uuid("seller_org_id"))
                .col(uuid("lab_org_id"))
                .col(string_len("lab_name", 100))
                .col(uuid("recorded_by"))
                .col(string_len("check_kind", 16))
                .col(string_len("result", 8))
                .col(string_len("report_no", 60))
                .col(timestamp_with_time_zone("sampled_at"))
                .col(timestamp_with_time_zone("recorded_at"))
                .col(integer_null("corrects_seq"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_lab_checks_batch_seq")
                .table("lab_checks")
                .col("batch_id")
                .col("seq")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_lab_checks_lab",
            "lab_checks",
            &["lab_org_id", "recorded_at"],
        ))
        .await?;
        m.create_index(index(
            "ix_lab_checks_result",
            "lab_checks",
            &["result", "recorded_at"],
        ))
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(m, &["lab_checks"]).await?;
        m.alter_table(
            Table::alter()
                .table("organisations")
                .drop_column("accreditation_no")
                .to_owned(),
        )
        .await
    }
}
