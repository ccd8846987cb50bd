//! Issue #17, chain format v2 (services/trace/CHAIN.md §13): a batch records which chain format
//! its events are hashed with (`batches.chain_version`: every batch that exists now is format
//! 1, and stays so forever: its printed code is derived from a v1 hash), and the private
//! openings of v2's salted commitments. A v2 body holds, in place of each personal value (the
//! actor, every phone), `SHA-256(salt ‖ value)`; the salt and the clear value are kept here,
//! read only by the trace service, for its seller and the operator (and whoever they show an
//! opening to). Like `batch_events`, rows are only ever inserted.

use crate::util::index;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("batches")
                .add_column(small_integer("chain_version").default(1))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("trace_commitments")
                .col(uuid("event_id"))
                // A JSON pointer (RFC 6901) into the event's body: `/actor`,
                // `/data/certificate/contact_phone`.
                .col(string_len("path", 200))
                .col(uuid("batch_id"))
                .col(integer("seq"))
                // 32 random bytes, 64 lower-case hex digits.
                .col(string_len("salt", 64))
                .col(string_len("value", 500))
                .col(timestamp_with_time_zone("created_at"))
                .primary_key(Index::create().col("event_id").col("path"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_trace_commitments_batch",
            "trace_commitments",
            &["batch_id", "seq"],
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(
            Table::drop()
                .table("trace_commitments")
                .if_exists()
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("batches")
                .drop_column("chain_version")
                .to_owned(),
        )
        .await
    }
}
