//! The transactional outbox: events written with the change that caused them, and which
//! handler has seen which event.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("outbox_events")
                .col(uuid("id").primary_key())
                .col(string_len("topic", 100))
                .col(json_binary("payload"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("available_at"))
                .col(integer("attempts").default(0))
                .col(text_null("last_error"))
                .col(string_len_null("lease_owner", 64))
                .col(timestamp_with_time_zone_null("lease_until"))
                .col(timestamp_with_time_zone_null("delivered_at"))
                .to_owned(),
        )
        .await?;
        // The worker's question: what is undelivered and due?
        m.create_index(
            Index::create()
                .name("ix_outbox_events_due")
                .table("outbox_events")
                .col("delivered_at")
                .col("available_at")
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("outbox_deliveries")
                .col(uuid("event_id"))
                .col(string_len("handler", 64))
                .col(timestamp_with_time_zone("delivered_at"))
                .primary_key(Index::create().col("event_id").col("handler"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
