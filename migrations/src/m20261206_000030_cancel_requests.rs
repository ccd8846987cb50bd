//! Issue #18, handling deadlines (second part): the buyer's request to cancel a paid, unshipped
//! sub-order and the seller's answer, kept on the sub-order (one request per sub-order:
//! `cancel_request` is `open`, `accepted` or `refused`, `NULL` when none was made), and the
//! time the ship-by reminder went out (`ship_by_reminded_at`, so a retried reminder job sends
//! it once).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const COLUMNS: [&str; 7] = [
    "cancel_request",
    "cancel_reason",
    "cancel_requested_at",
    "cancel_answer_by",
    "cancel_answered_at",
    "cancel_refusal",
    "ship_by_reminded_at",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement.
        let columns = [
            string_len_null("cancel_request", 16),
            string_len_null("cancel_reason", 400),
            timestamp_with_time_zone_null("cancel_requested_at"),
            timestamp_with_time_zone_null("cancel_answer_by"),
            timestamp_with_time_zone_null("cancel_answered_at"),
            string_len_null("cancel_refusal", 400),
            timestamp_with_time_zone_null("ship_by_reminded_at"),
        ];
        for mut col in columns {
            m.alter_table(
                Table::alter()
                    .table("sub_orders")
                    .add_column(&mut col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in COLUMNS.iter().rev() {
            m.alter_table(
                Table::alter()
                    .table("sub_orders")
                    .drop_column(*col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
