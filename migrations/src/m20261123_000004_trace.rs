//! Traceability: batches, their append-only hashed event chain, attachments, per-box unit
//! codes, daily scan counts and the published digest log.

use crate::util::{fk, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("batches")
                .col(uuid("id").primary_key())
                .col(string_len("code", 16))
                .col(uuid("listing_id"))
                .col(uuid("seller_org_id"))
                .col(string_len("lot", 40))
                .col(date("started_on"))
                .col(string_len("status", 16))
                .col(string_len("head_hash", 64))
                .col(integer("event_count"))
                .col(timestamp_with_time_zone("last_event_at"))
                .col(big_integer("scans").default(0))
                .col(integer("units_issued").default(0))
                .col(uuid("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "fk_batches_listing",
                    ("batches", "listing_id"),
                    ("listings", "id"),
                    false,
                ))
                .foreign_key(&mut fk(
                    "fk_batches_seller",
                    ("batches", "seller_org_id"),
                    ("organisations", "id"),
                    false,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_batches_code")
                .table("batches")
                .col("code")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_batches_listing_lot")
                .table("batches")
                .col("listing_id")
                .col("lot")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_batches_seller",
            "batches",
            &["seller_org_id", "created_at"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("batch_events")
                .col(uuid("id").primary_key())
                .col(uuid("batch_id"))
                .col(integer("seq"))
                .col(string_len("kind", 16))
                .col(timestamp_with_time_zone("occurred_at"))
                .col(timestamp_with_time_zone("recorded_at"))
                .col(uuid("actor_id"))
                // Exactly what was hashed (see services/trace/CHAIN.md).
                .col(json_binary("body"))
                .col(string_len("prev_hash", 64))
                .col(string_len("hash", 64))
                .foreign_key(&mut fk(
                    "fk_batch_events_batch",
                    ("batch_events", "batch_id"),
                    ("batches", "id"),
                    false,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_batch_events_seq")
                .table("batch_events")
                .col("batch_id")
                .col("seq")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_batch_events_recorded",
            "batch_events",
            &["recorded_at"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("trace_attachments")
                .col(uuid("id").primary_key())
                .col(uuid("batch_id"))
                .col(string_len("object_key", 200))
                .col(string_len("name", 120))
                .col(string_len("content_type", 40))
                .col(big_integer("size_bytes"))
                .col(string_len("sha256", 64))
                .col(uuid("uploaded_by"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "fk_trace_attachments_batch",
                    ("trace_attachments", "batch_id"),
                    ("batches", "id"),
                    false,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_trace_attachments_batch",
            "trace_attachments",
            &["batch_id"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("trace_units")
                .col(uuid("id").primary_key())
                .col(uuid("batch_id"))
                .col(integer("n"))
                .col(string_len("serial", 16))
                .col(big_integer("scans").default(0))
                .col(timestamp_with_time_zone_null("first_scanned_at"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "fk_trace_units_batch",
                    ("trace_units", "batch_id"),
                    ("batches", "id"),
                    false,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_trace_units_serial")
                .table("trace_units")
                .col("serial")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_trace_units_batch",
            "trace_units",
            &["batch_id", "n"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("trace_scans")
                .col(uuid("batch_id"))
                .col(date("day"))
                .col(big_integer("scans"))
                .primary_key(Index::create().col("batch_id").col("day"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ix_trace_scans_day", "trace_scans", &["day"]))
            .await?;

        m.create_table(
            Table::create()
                .table("trace_digests")
                .col(big_integer("seq").primary_key())
                .col(string_len("day", 10))
                .col(timestamp_with_time_zone("cutoff"))
                .col(string_len("root", 64))
                .col(big_integer("batch_count"))
                .col(string_len("prev_hash", 64))
                .col(string_len("hash", 64))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
