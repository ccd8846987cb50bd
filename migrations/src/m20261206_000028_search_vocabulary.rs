//! The county's search vocabulary (#21), owned by the catalogue: words segmentation keeps whole
//! (with their readings), synonym groups (short and colloquial names too) and English names,
//! added by the operator on top of the shipped `lexicon.txt`, and the audit trail of who added
//! or removed which entry. One entry is one line of the lexicon format in its section (`kind`),
//! stored canonical (folded, single-spaced), so the unique index refuses a duplicate even when
//! two operators add it at the same moment.

use crate::util::{drop_tables, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("search_vocabulary")
                .col(uuid("id").primary_key())
                .col(string_len("kind", 16))
                .col(string_len("entry", 400))
                .col(uuid("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_search_vocabulary_entry")
                .table("search_vocabulary")
                .col("kind")
                .col("entry")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("search_vocabulary_changes")
                .col(uuid("id").primary_key())
                .col(string_len("action", 16))
                .col(uuid("entry_id"))
                .col(string_len("kind", 16))
                .col(string_len("entry", 400))
                .col(uuid("actor_id"))
                .col(timestamp_with_time_zone("at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_search_vocabulary_changes_at",
            "search_vocabulary_changes",
            &["at"],
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(m, &["search_vocabulary_changes", "search_vocabulary"]).await
    }
}
