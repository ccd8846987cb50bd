//! Issue #18, notifications: the notification centre (站内信) and its deliveries by text
//! message and WeChat, and each person's preferences.
//!
//! `notifications` holds one row per (source event, recipient, channel): the in-app row the
//! centre lists, and one row per outside channel that carries the delivery's state. The unique
//! key on those three is what makes a retried or duplicated event, or two workers handling
//! the same event, write (and so send) nothing twice.

use crate::util::{drop_tables, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("notifications")
                .col(uuid("id").primary_key())
                .col(uuid("event_id"))
                .col(uuid("recipient_id"))
                .col(string_len("channel", 16))
                .col(string_len("kind", 48))
                .col(boolean("urgent"))
                .col(uuid_null("subject_id"))
                .col(json_binary("params"))
                .col(string_len_null("link", 300))
                .col(string_len("status", 16))
                .col(timestamp_with_time_zone("due_at"))
                .col(timestamp_with_time_zone_null("claimed_until"))
                .col(integer("attempts").default(0))
                .col(text_null("last_error"))
                .col(timestamp_with_time_zone_null("sent_at"))
                .col(timestamp_with_time_zone_null("read_at"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_notifications_event_recipient_channel")
                .table("notifications")
                .col("event_id")
                .col("recipient_id")
                .col("channel")
                .unique()
                .to_owned(),
        )
        .await?;
        // The centre's questions: my newest, my unread.
        m.create_index(index(
            "ix_notifications_recipient_created",
            "notifications",
            &["recipient_id", "channel", "created_at"],
        ))
        .await?;
        m.create_index(index(
            "ix_notifications_recipient_read",
            "notifications",
            &["recipient_id", "channel", "read_at"],
        ))
        .await?;
        // The reminder's question: has anyone read what this event said about this subject?
        m.create_index(index(
            "ix_notifications_subject",
            "notifications",
            &["subject_id", "kind"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("notification_prefs")
                .col(uuid("account_id"))
                .col(string_len("kind", 48))
                .col(boolean("sms"))
                .col(boolean("wechat"))
                .col(timestamp_with_time_zone("updated_at"))
                .primary_key(Index::create().col("account_id").col("kind"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("notification_settings")
                .col(uuid("account_id").primary_key())
                .col(small_integer_null("quiet_start_minute"))
                .col(small_integer_null("quiet_end_minute"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            m,
            &[
                "notification_settings",
                "notification_prefs",
                "notifications",
            ],
        )
        .await
    }
}
