//! Issue #23: the outbox worker claims by lane, so a flood in one (a full reindex) never delays
//! another (a payment deadline). Each event carries its lane, given at enqueue from its topic
//! (`Outbox::route`); events written before this migration are in the default lane. The
//! partial index answers a lane's question — what is undelivered and due, oldest first —
//! without reading the other lanes' backlog or the delivered history.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("outbox_events")
                .add_column(string_len("lane", 16).default("default"))
                .to_owned(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared(
                "CREATE INDEX ix_outbox_events_lane_due ON outbox_events (lane, available_at) \
                 WHERE delivered_at IS NULL",
            )
            .await?;
        Ok(())
    }
}
