//! Issue #22, credit terms: a statement's members are told once, three days before it falls
//! due, while it is unpaid (`credit_statements.due_soon_notified_at`, set by a conditional
//! update as `overdue_notified_at` is, so replicas running the same day tell once).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("credit_statements")
                .add_column(timestamp_with_time_zone_null("due_soon_notified_at"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("credit_statements")
                .drop_column("due_soon_notified_at")
                .to_owned(),
        )
        .await
    }
}
