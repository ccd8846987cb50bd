//! Issue #22, order farming step 3: after harvest a filled reservation owes its balance
//! (price × filled − the deposit kept, exact fen), paid through an ordinary order of its own
//! (`balance_order_id`, unique: one balance order per reservation) which is also the
//! sub-order the seller ships from the harvested batch. `balance_fen` is what that order asks.
//! The reservation's status (a string) gains `balance_due`, `balance_paid`, `unfilled`,
//! `forfeited` and `refunded`, and the pre-sale's `cancelled`: no column change.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds one at a time.
        m.alter_table(
            Table::alter()
                .table("presale_reservations")
                .add_column(uuid_null("balance_order_id"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("presale_reservations")
                .add_column(big_integer("balance_fen").default(0))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_presale_reservations_balance_order")
                .table("presale_reservations")
                .col("balance_order_id")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_presales_batch")
                .table("presales")
                .col("batch_id")
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
