//! Issue #18, handling deadlines for claims: the buyer's answer to a seller's offer is due by
//! `answer_by` (unanswered, the offer is accepted), and the operator's decision on an
//! escalated claim by `arbitrate_by` (overdue arbitrations come first in the queue and count
//! in the figures). Claims filed before this migration have neither (`NULL`).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement.
        for col in ["answer_by", "arbitrate_by"] {
            m.alter_table(
                Table::alter()
                    .table("claims")
                    .add_column(timestamp_with_time_zone_null(col))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in ["arbitrate_by", "answer_by"] {
            m.alter_table(Table::alter().table("claims").drop_column(col).to_owned())
                .await?;
        }
        Ok(())
    }
}
