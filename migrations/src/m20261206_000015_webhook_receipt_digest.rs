//! Issue #15, finding 13: a payment notification replayed under an event id already received,
//! but with other content (another amount, outcome, payment or transaction), was answered
//! `duplicate`. Each receipt now keeps the SHA-256 of the notification it accepted, so a replay
//! is compared with it and a different one refused. Receipts from before have none (NULL):
//! those are compared by payment only.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("webhook_receipts")
                .add_column(string_len_null("event_digest", 64))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("webhook_receipts")
                .drop_column("event_digest")
                .to_owned(),
        )
        .await
    }
}
