//! The embedded SMS backend's outbox (#15): every text message the server would have sent,
//! kept for the operator to read (and tests to read codes from) when no provider is
//! configured. Newest first, and per phone newest first.

use crate::util::{drop_tables, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("sms_outbox")
                .col(uuid("id").primary_key())
                .col(string_len("phone", 20))
                .col(string_len("template", 32))
                .col(json_binary("params"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_sms_outbox_phone",
            "sms_outbox",
            &["phone", "created_at"],
        ))
        .await?;
        m.create_index(index(
            "ix_sms_outbox_created",
            "sms_outbox",
            &["created_at"],
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(m, &["sms_outbox"]).await
    }
}
