//! Issue #17: the trace transparency log (services/trace/CHAIN.md §10). Every recorded trace
//! event becomes a leaf of an append-only RFC 6962 Merkle tree, written in the same transaction
//! as the event. `trace_log_state` is the one row whose lock serialises appends (its `size` is
//! the tree's size); `trace_log_leaves` holds the leaves (what binds a code, a seq and an event
//! hash); `trace_log_hashes` the tree's stored hashes (Crosby–Wallach order, as Go's tlog
//! stores them), from which hash tiles and proofs are served; `trace_log_checkpoints` the
//! signed checkpoints, published or refused.

use crate::util::drop_tables;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("trace_log_state")
                .col(integer("id").primary_key())
                .col(big_integer("size"))
                .to_owned(),
        )
        .await?;
        let mut empty = Query::insert();
        empty
            .into_table("trace_log_state")
            .columns(["id", "size"])
            .values([1.into(), 0i64.into()])
            .map_err(|e| DbErr::Migration(format!("the empty log's state row: {e}")))?;
        m.exec_stmt(empty).await?;
        m.create_table(
            Table::create()
                .table("trace_log_leaves")
                .col(big_integer("idx").primary_key())
                .col(uuid("batch_id"))
                .col(string("code"))
                .col(integer("seq"))
                .col(string("event_hash"))
                .col(timestamp_with_time_zone("logged_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_trace_log_leaves_code_seq")
                .table("trace_log_leaves")
                .col("code")
                .col("seq")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("trace_log_hashes")
                .col(big_integer("idx").primary_key())
                .col(string("hash"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("trace_log_checkpoints")
                .col(big_integer("id").primary_key().auto_increment())
                .col(big_integer("size"))
                .col(string("root"))
                .col(text("note"))
                .col(boolean("published"))
                .col(text("witness_report"))
                .col(timestamp_with_time_zone("signed_at"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            m,
            &[
                "trace_log_checkpoints",
                "trace_log_hashes",
                "trace_log_leaves",
                "trace_log_state",
            ],
        )
        .await
    }
}
