//! Issue #19, favourites (收藏): a buyer's hearted listings, one row per account and listing
//! (the primary key makes hearting twice, or two hearts racing, one favourite). The title is
//! kept as it was when hearted, so a listing that is later withdrawn or removed still shows in
//! the list, marked unavailable.

use crate::util::{drop_tables, fk, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("favourites")
                .col(uuid("account_id"))
                .col(uuid("listing_id"))
                .col(string_len("title", 200))
                .col(timestamp_with_time_zone("created_at"))
                .primary_key(Index::create().col("account_id").col("listing_id"))
                .foreign_key(&mut fk(
                    "fk_favourites_account",
                    ("favourites", "account_id"),
                    ("accounts", "id"),
                    true,
                ))
                .to_owned(),
        )
        .await?;
        // The list newest first.
        m.create_index(index(
            "ix_favourites_account_created",
            "favourites",
            &["account_id", "created_at"],
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(m, &["favourites"]).await
    }
}
