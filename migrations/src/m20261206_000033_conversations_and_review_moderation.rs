//! Issue #18, the service desk's conversations and review moderation.
//!
//! Conversations (咨询): a buyer and a seller write to each other about a listing or an order
//! (`desk_conversations`, one per buyer + subject + seller, which the unique index enforces
//! even when two opens race); their messages (`desk_conversation_messages`, hidden by the
//! operator with a reason, never deleted); reports of abusive messages
//! (`desk_conversation_reports`, one per message and reporter); and every time the operator
//! reads a conversation for arbitration (`desk_conversation_reads`, the audit).
//!
//! Reviews (orders' `reviews`): the seller's one public reply, the operator's hiding with a
//! reason (kept, not deleted), reports of a review (`review_reports`, one per review and
//! reporter) and the moderation history (`review_moderation_events`: hidden, restored).

use crate::util::{drop_tables, fk, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const REVIEW_COLUMNS: [&str; 6] = [
    "seller_reply",
    "seller_replied_at",
    "seller_replied_by",
    "hidden_at",
    "hidden_reason",
    "hidden_by",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("desk_conversations")
                .col(uuid("id").primary_key())
                .col(uuid("buyer_account_id"))
                .col(string_len("buyer_name", 60))
                .col(uuid("seller_org_id"))
                .col(string_len("seller_name", 100))
                .col(string_len("subject_kind", 16))
                .col(uuid("subject_id"))
                .col(string_len("title", 200))
                .col(integer("buyer_unread").default(0).to_owned())
                .col(integer("seller_unread").default(0).to_owned())
                .col(boolean("buyer_noticed").default(false).to_owned())
                .col(boolean("seller_noticed").default(false).to_owned())
                .col(uuid_null("last_message_id"))
                .col(timestamp_with_time_zone_null("last_message_at"))
                .col(timestamp_with_time_zone_null("first_buyer_message_at"))
                .col(timestamp_with_time_zone_null("first_seller_reply_at"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_desk_conversations_subject")
                .table("desk_conversations")
                .col("buyer_account_id")
                .col("subject_kind")
                .col("subject_id")
                .col("seller_org_id")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_desk_conversations_seller",
            "desk_conversations",
            &["seller_org_id", "last_message_at"],
        ))
        .await?;
        m.create_index(index(
            "ix_desk_conversations_created",
            "desk_conversations",
            &["created_at"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("desk_conversation_messages")
                .col(uuid("id").primary_key())
                .col(uuid("conversation_id"))
                .col(uuid("author_account_id"))
                .col(string_len("author_side", 16))
                .col(string_len("author_name", 100))
                .col(string_len("body", 1000))
                .col(timestamp_with_time_zone_null("hidden_at"))
                .col(string_len_null("hidden_reason", 200))
                .col(uuid_null("hidden_by"))
                .col(timestamp_with_time_zone("at"))
                .foreign_key(&mut fk(
                    "fk_desk_conversation_messages_conversation",
                    ("desk_conversation_messages", "conversation_id"),
                    ("desk_conversations", "id"),
                    false,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_desk_conversation_messages_conversation",
            "desk_conversation_messages",
            &["conversation_id", "at"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("desk_conversation_reports")
                .col(uuid("id").primary_key())
                .col(uuid("message_id"))
                .col(uuid("conversation_id"))
                .col(uuid("reporter_account_id"))
                .col(string_len("reason", 500))
                .col(string_len_null("outcome", 16))
                .col(uuid_null("resolved_by"))
                .col(timestamp_with_time_zone_null("resolved_at"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "fk_desk_conversation_reports_message",
                    ("desk_conversation_reports", "message_id"),
                    ("desk_conversation_messages", "id"),
                    false,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_desk_conversation_reports_reporter")
                .table("desk_conversation_reports")
                .col("message_id")
                .col("reporter_account_id")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_desk_conversation_reports_open",
            "desk_conversation_reports",
            &["resolved_at", "created_at"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("desk_conversation_reads")
                .col(uuid("id").primary_key())
                .col(uuid("conversation_id"))
                .col(uuid("account_id"))
                .col(string_len("reason", 200))
                .col(timestamp_with_time_zone("at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_desk_conversation_reads_conversation",
            "desk_conversation_reads",
            &["conversation_id", "at"],
        ))
        .await?;

        // SQLite alters one column per statement.
        for col in [
            string_len_null("seller_reply", 500),
            timestamp_with_time_zone_null("seller_replied_at"),
            uuid_null("seller_replied_by"),
            timestamp_with_time_zone_null("hidden_at"),
            string_len_null("hidden_reason", 200),
            uuid_null("hidden_by"),
        ] {
            let mut col = col;
            m.alter_table(
                Table::alter()
                    .table("reviews")
                    .add_column(&mut col)
                    .to_owned(),
            )
            .await?;
        }

        m.create_table(
            Table::create()
                .table("review_reports")
                .col(uuid("id").primary_key())
                .col(uuid("review_id"))
                .col(uuid("reporter_account_id"))
                .col(string_len("reason", 500))
                .col(timestamp_with_time_zone_null("resolved_at"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "fk_review_reports_review",
                    ("review_reports", "review_id"),
                    ("reviews", "id"),
                    false,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_review_reports_reporter")
                .table("review_reports")
                .col("review_id")
                .col("reporter_account_id")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_review_reports_open",
            "review_reports",
            &["resolved_at", "created_at"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("review_moderation_events")
                .col(uuid("id").primary_key())
                .col(uuid("review_id"))
                .col(string_len("action", 16))
                .col(string_len_null("reason", 200))
                .col(uuid("actor_id"))
                .col(timestamp_with_time_zone("at"))
                .foreign_key(&mut fk(
                    "fk_review_moderation_events_review",
                    ("review_moderation_events", "review_id"),
                    ("reviews", "id"),
                    false,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_review_moderation_events_review",
            "review_moderation_events",
            &["review_id", "at"],
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            m,
            &[
                "review_moderation_events",
                "review_reports",
                "desk_conversation_reads",
                "desk_conversation_reports",
                "desk_conversation_messages",
                "desk_conversations",
            ],
        )
        .await?;
        for col in REVIEW_COLUMNS.iter().rev() {
            m.alter_table(Table::alter().table("reviews").drop_column(*col).to_owned())
                .await?;
        }
        Ok(())
    }
}
