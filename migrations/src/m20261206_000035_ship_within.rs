//! Issue #18, ship-within per category: a category may promise a shorter or longer handling
//! time than the platform's default (`categories.ship_within_hours`, 12–240, `NULL`: inherit the
//! parent's, else the default), and each sub-order keeps the promise it was sold under
//! (`sub_orders.ship_within_hours`, fixed at checkout from the strictest of its lines'
//! categories; `NULL` on parts sold before this, which use the default).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: [&str; 2] = ["categories", "sub_orders"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES {
            m.alter_table(
                Table::alter()
                    .table(table)
                    .add_column(integer_null("ship_within_hours"))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in TABLES.iter().rev() {
            m.alter_table(
                Table::alter()
                    .table(*table)
                    .drop_column("ship_within_hours")
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
