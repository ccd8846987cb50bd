//! Issue #18, handling deadlines: each sub-order gets a ship-by deadline when it is paid
//! (`ship_by`, the order's payment time plus the configured shipping time), and a shipment
//! made after it is marked late (`shipped_late`) so it can count against the seller's figures.
//! Sub-orders paid before this migration have no deadline (`NULL`).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement.
        m.alter_table(
            Table::alter()
                .table("sub_orders")
                .add_column(timestamp_with_time_zone_null("ship_by"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("sub_orders")
                .add_column(boolean("shipped_late").default(false))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for col in ["shipped_late", "ship_by"] {
            m.alter_table(
                Table::alter()
                    .table("sub_orders")
                    .drop_column(col)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
