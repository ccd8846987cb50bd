//! Issue #20, news and notices (资讯), owned by `services/news`:
//! - `news_articles`: one row per article — who wrote it, where its newest revision stands
//!   (`status`: draft, submitted, approved, rejected), which revision is public
//!   (`published_revision_id`), from when (`public_from`: the approval or the scheduled time,
//!   whichever is later; the public queries compare it with now, no job publishes anything),
//!   pinned to the home page, withdrawn (with a reason);
//! - `news_revisions`: every version ever saved, never changed (the body already sanitised);
//! - `news_images`: pictures uploaded for articles (original kept privately with its
//!   SHA-256, a re-encoded copy without EXIF shown), public once an approved revision shows them.

use crate::util::{drop_tables, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("news_articles")
                .col(uuid("id").primary_key())
                .col(uuid("author_id"))
                .col(string_len("author_name", 100))
                .col(string_len("author_role", 20))
                .col(string_len("status", 20))
                .col(uuid("working_revision_id"))
                .col(uuid_null("published_revision_id"))
                .col(string_len_null("category", 20))
                .col(timestamp_with_time_zone_null("public_from"))
                .col(boolean("pinned").default(false))
                .col(timestamp_with_time_zone_null("submitted_at"))
                .col(uuid_null("reviewed_by"))
                .col(timestamp_with_time_zone_null("reviewed_at"))
                .col(string_len_null("reject_reason", 500))
                .col(timestamp_with_time_zone_null("withdrawn_at"))
                .col(uuid_null("withdrawn_by"))
                .col(string_len_null("withdraw_reason", 500))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_news_articles_public",
            "news_articles",
            &["public_from"],
        ))
        .await?;
        m.create_index(index(
            "ix_news_articles_queue",
            "news_articles",
            &["status", "submitted_at"],
        ))
        .await?;
        m.create_index(index(
            "ix_news_articles_author",
            "news_articles",
            &["author_id", "updated_at"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("news_revisions")
                .col(uuid("id").primary_key())
                .col(uuid("article_id"))
                .col(integer("number"))
                .col(string_len("title", 200))
                .col(string_len_null("summary", 600))
                .col(text("body_html"))
                .col(string_len("category", 20))
                .col(uuid_null("cover_image_id"))
                .col(timestamp_with_time_zone_null("publish_at"))
                .col(uuid("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_news_revisions_number")
                .table("news_revisions")
                .col("article_id")
                .col("number")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("news_images")
                .col(uuid("id").primary_key())
                .col(uuid("uploaded_by"))
                .col(string_len("original_key", 200))
                .col(string_len("display_key", 200))
                .col(string_len("content_type", 40))
                .col(big_integer("size_bytes"))
                .col(string_len("sha256", 64))
                .col(integer("width"))
                .col(integer("height"))
                .col(timestamp_with_time_zone("uploaded_at"))
                .col(timestamp_with_time_zone_null("public_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_news_images_uploader",
            "news_images",
            &["uploaded_by", "uploaded_at"],
        ))
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(m, &["news_images", "news_revisions", "news_articles"]).await
    }
}
