//! The desk's photos on conversation messages and its follow-up calls after a claim (#18):
//!
//! - `desk_attachments.conversation_id` / `conversation_message_id`: a photo sent with a
//!   message of a buyer ↔ seller conversation (咨询), beside the ticket links of
//!   `m20261206_000032`; a photo is tied to one ticket message or one conversation message,
//!   never both, and only once;
//! - `desk_claim_follow_ups`: the follow-up call (回访) the desk owes after a claim is resolved,
//!   learned from after-sales' `aftersales.resolved` outbox event; one per claim (unique), so a
//!   retried or doubled event makes one task.

use crate::util::{drop_tables, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement.
        for col in ["conversation_id", "conversation_message_id"] {
            m.alter_table(
                Table::alter()
                    .table("desk_attachments")
                    .add_column(uuid_null(col))
                    .to_owned(),
            )
            .await?;
        }
        m.create_index(index(
            "ix_desk_attachments_conversation",
            "desk_attachments",
            &["conversation_id", "conversation_message_id"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("desk_claim_follow_ups")
                .col(uuid("id").primary_key())
                .col(uuid("claim_id"))
                .col(string_len("claim_number", 40))
                .col(uuid("buyer_account_id"))
                .col(uuid("seller_org_id"))
                .col(uuid_null("agent_id"))
                .col(timestamp_with_time_zone("created_at"))
                .col(string_len_null("outcome", 20))
                .col(string_len_null("note", 1000))
                .col(uuid_null("done_by"))
                .col(timestamp_with_time_zone_null("done_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_desk_claim_follow_ups_claim")
                .table("desk_claim_follow_ups")
                .col("claim_id")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_desk_claim_follow_ups_open",
            "desk_claim_follow_ups",
            &["done_at", "created_at"],
        ))
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(m, &["desk_claim_follow_ups"]).await?;
        m.drop_index(
            Index::drop()
                .name("ix_desk_attachments_conversation")
                .table("desk_attachments")
                .to_owned(),
        )
        .await?;
        for col in ["conversation_message_id", "conversation_id"] {
            m.alter_table(
                Table::alter()
                    .table("desk_attachments")
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
