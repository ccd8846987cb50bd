//! Issue #19, the seller's one-save listing editor and the operator's organisation check:
//!
//! - `listing_photo_drafts`: photos a seller's member uploads before the listing exists (or
//!   before the save that attaches them). Owned by the uploader's organisation, never shown on
//!   a listing until a create or save names them; they expire (`expires_at`, 24 h) and are
//!   swept with their files. Attaching moves the row into `listing_images` under the same id.
//! - `listing_create_keys`: a create's `Idempotency-Key` per organisation, so a double-tapped
//!   save on a slow phone makes one listing (the unique index meets two at the same moment).
//! - `org_documents`: pictures uploaded with an organisation's application (the business
//!   licence), stored privately and shown only to the operator and the organisation's members.

use crate::util::{drop_tables, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("listing_photo_drafts")
                .col(uuid("id").primary_key())
                .col(uuid("org_id"))
                .col(string_len("original_key", 200))
                .col(string_len("display_key", 200))
                .col(string_len("thumb_key", 200))
                .col(string_len("content_type", 40))
                .col(string_len("sha256", 64))
                .col(big_integer("size_bytes"))
                .col(integer("width"))
                .col(integer("height"))
                .col(uuid("uploaded_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("expires_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_listing_photo_drafts_org",
            "listing_photo_drafts",
            &["org_id", "expires_at"],
        ))
        .await?;
        m.create_index(index(
            "ix_listing_photo_drafts_expires",
            "listing_photo_drafts",
            &["expires_at"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("listing_create_keys")
                .col(uuid("org_id"))
                .col(string_len("key", 80))
                .col(uuid("listing_id"))
                .col(string_len("request_sha256", 64))
                .col(timestamp_with_time_zone("created_at"))
                .primary_key(Index::create().col("org_id").col("key"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("org_documents")
                .col(uuid("id").primary_key())
                .col(uuid("org_id"))
                .col(string_len("kind", 24))
                .col(string_len("original_key", 200))
                .col(string_len("display_key", 200))
                .col(string_len("content_type", 40))
                .col(string_len("sha256", 64))
                .col(big_integer("size_bytes"))
                .col(integer("width"))
                .col(integer("height"))
                .col(uuid("uploaded_by"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ix_org_documents_org", "org_documents", &["org_id"]))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            m,
            &[
                "org_documents",
                "listing_create_keys",
                "listing_photo_drafts",
            ],
        )
        .await
    }
}
