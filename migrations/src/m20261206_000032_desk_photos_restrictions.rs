//! Issue #18, the desk's gaps and problem customers:
//! - `desk_tickets.idempotency_key` / `request_hash`: a customer's retried `POST
//!   /desk/tickets` with the same `Idempotency-Key` answers with the ticket the first one made
//!   (unique per opener and key), another body under the same key is refused;
//! - `desk_attachments`: photos on tickets and replies, stored in the object store (the
//!   original privately with its SHA-256, a copy re-encoded without EXIF), tied to the message
//!   they were sent with;
//! - `account_restrictions` (identity): what the operator restricts an account from (claims
//!   without a waybill photo, offline payment), applied and lifted with a reason, kept; one
//!   active restriction per account and kind (`active_kind` is the kind while active, NULL once
//!   lifted, under a unique index with the account).

use crate::util::{drop_tables, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement.
        m.alter_table(
            Table::alter()
                .table("desk_tickets")
                .add_column(string_len_null("idempotency_key", 80))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("desk_tickets")
                .add_column(string_len_null("request_hash", 64))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_desk_tickets_idempotency")
                .table("desk_tickets")
                .col("opener_account_id")
                .col("idempotency_key")
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("desk_attachments")
                .col(uuid("id").primary_key())
                .col(uuid("account_id"))
                .col(uuid_null("ticket_id"))
                .col(uuid_null("message_id"))
                .col(string_len("original_key", 200))
                .col(string_len("display_key", 200))
                .col(string_len("content_type", 40))
                .col(big_integer("size_bytes"))
                .col(string_len("sha256", 64))
                .col(timestamp_with_time_zone("uploaded_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_desk_attachments_ticket",
            "desk_attachments",
            &["ticket_id", "message_id"],
        ))
        .await?;
        m.create_index(index(
            "ix_desk_attachments_account",
            "desk_attachments",
            &["account_id", "message_id"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("account_restrictions")
                .col(uuid("id").primary_key())
                .col(uuid("account_id"))
                .col(string_len("kind", 32))
                .col(string_len_null("active_kind", 32))
                .col(string_len("reason", 500))
                .col(uuid("applied_by"))
                .col(timestamp_with_time_zone("applied_at"))
                .col(uuid_null("lifted_by"))
                .col(string_len_null("lift_reason", 500))
                .col(timestamp_with_time_zone_null("lifted_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_account_restrictions_active")
                .table("account_restrictions")
                .col("account_id")
                .col("active_kind")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_account_restrictions_account",
            "account_restrictions",
            &["account_id", "applied_at"],
        ))
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(m, &["account_restrictions", "desk_attachments"]).await?;
        m.drop_index(
            Index::drop()
                .name("ux_desk_tickets_idempotency")
                .table("desk_tickets")
                .to_owned(),
        )
        .await?;
        for col in ["request_hash", "idempotency_key"] {
            m.alter_table(
                Table::alter()
                    .table("desk_tickets")
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
