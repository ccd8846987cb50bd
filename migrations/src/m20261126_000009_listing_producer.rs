//! A listing may name the organisation that grew or made the produce when it is not the seller
//! (the platform's own store selling a cooperative's rice, say).

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("listings")
                .add_column(uuid_null("producer_org_id"))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("listings")
                .drop_column("producer_org_id")
                .to_owned(),
        )
        .await
    }
}
