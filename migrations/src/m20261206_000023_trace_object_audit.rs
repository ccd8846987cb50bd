//! Issue #17: the object store audit. A background job re-hashes every stored trace attachment
//! in rounds and keeps, per object, what it last found: the hash the chain (or, for a file not
//! yet cited, the upload) recorded, the hash of the bytes stored now (none when the object is
//! gone), whether they match and when. Mismatches are the operator's alert and the scan page's
//! warning; verification on demand (`/verify`, `farmgate verify`) writes its findings here too.

use crate::util::{drop_tables, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("trace_object_audits")
                .col(string_len("object_key", 200).primary_key())
                .col(uuid("batch_id"))
                .col(string_len("expected_sha256", 64))
                .col(string_len_null("found_sha256", 64))
                .col(boolean("ok"))
                .col(timestamp_with_time_zone("checked_at"))
                .col(timestamp_with_time_zone_null("first_failed_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_trace_object_audits_batch",
            "trace_object_audits",
            &["batch_id"],
        ))
        .await?;
        m.create_index(index(
            "ix_trace_object_audits_ok",
            "trace_object_audits",
            &["ok", "checked_at"],
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(m, &["trace_object_audits"]).await
    }
}
