//! The catalogue: categories, listings with their reviewed revisions, SKUs with wholesale
//! tiers, the price/stock change log, and listing images.

use crate::util::{fk, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("categories")
                .col(uuid("id").primary_key())
                .col(uuid_null("parent_id"))
                .col(string_len("name", 20))
                .col(string_len("name_en", 40))
                .col(string_len("slug", 40))
                .col(integer("sort_order").default(0))
                .col(boolean("active").default(true))
                // After-sales: how long after receipt a damage claim may be filed.
                .col(integer("claim_window_hours").default(48))
                // Orders: the platform's commission, in basis points of the line total.
                .col(integer("commission_bp").default(500))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "fk_categories_parent",
                    ("categories", "parent_id"),
                    ("categories", "id"),
                    false,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_categories_slug")
                .table("categories")
                .col("slug")
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("listings")
                .col(uuid("id").primary_key())
                .col(uuid("seller_org_id"))
                .col(uuid("category_id"))
                .col(string_len("title", 60))
                .col(text("description"))
                .col(string_len("province", 20))
                .col(string_len("city", 20))
                .col(string_len("county", 20))
                .col(string_len_null("township", 20))
                .col(string_len_null("village", 20))
                .col(string_len_null("origin_note", 200))
                .col(string_len_null("season", 40))
                .col(string_len_null("storage", 60))
                .col(integer_null("shelf_life_days"))
                .col(string_len("status", 16))
                .col(text_null("status_reason"))
                .col(big_integer("sales").default(0))
                .col(uuid("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(timestamp_with_time_zone_null("approved_at"))
                .foreign_key(&mut fk(
                    "fk_listings_seller",
                    ("listings", "seller_org_id"),
                    ("organisations", "id"),
                    false,
                ))
                .foreign_key(&mut fk(
                    "fk_listings_category",
                    ("listings", "category_id"),
                    ("categories", "id"),
                    false,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_listings_seller",
            "listings",
            &["seller_org_id", "status"],
        ))
        .await?;
        m.create_index(index(
            "ix_listings_status",
            "listings",
            &["status", "updated_at"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("listing_revisions")
                .col(uuid("id").primary_key())
                .col(uuid("listing_id"))
                .col(string_len("kind", 8))
                .col(string_len("status", 16))
                .col(string_len("title", 60))
                .col(uuid("category_id"))
                .col(string_len("province", 20))
                .col(string_len("city", 20))
                .col(string_len("county", 20))
                .col(string_len_null("township", 20))
                .col(string_len_null("village", 20))
                .col(string_len_null("origin_note", 200))
                .col(text_null("reason"))
                .col(uuid("submitted_by"))
                .col(timestamp_with_time_zone("submitted_at"))
                .col(uuid_null("decided_by"))
                .col(timestamp_with_time_zone_null("decided_at"))
                .foreign_key(&mut fk(
                    "fk_revisions_listing",
                    ("listing_revisions", "listing_id"),
                    ("listings", "id"),
                    true,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_revisions_status",
            "listing_revisions",
            &["status", "submitted_at"],
        ))
        .await?;
        m.create_index(index(
            "ix_revisions_listing",
            "listing_revisions",
            &["listing_id", "submitted_at"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("skus")
                .col(uuid("id").primary_key())
                .col(uuid("listing_id"))
                .col(string_len("name", 30))
                .col(string_len("unit", 8))
                .col(big_integer("price_fen"))
                .col(big_integer("stock"))
                .col(integer("weight_grams"))
                .col(integer_null("net_weight_grams"))
                .col(string_len_null("gtin", 14))
                .col(json_binary("tiers"))
                .col(boolean("active").default(true))
                .col(integer("sort_order").default(0))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk(
                    "fk_skus_listing",
                    ("skus", "listing_id"),
                    ("listings", "id"),
                    true,
                ))
                .check(Expr::col("stock").gte(0))
                .check(Expr::col("price_fen").gt(0))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_skus_listing",
            "skus",
            &["listing_id", "sort_order"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("sku_changes")
                .col(uuid("id").primary_key())
                .col(uuid("sku_id"))
                .col(uuid("listing_id"))
                .col(string_len("field", 16))
                .col(text("old_value"))
                .col(text("new_value"))
                .col(uuid_null("actor_id"))
                .col(timestamp_with_time_zone("at"))
                .foreign_key(&mut fk(
                    "fk_sku_changes_sku",
                    ("sku_changes", "sku_id"),
                    ("skus", "id"),
                    true,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_sku_changes_listing",
            "sku_changes",
            &["listing_id", "at"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("listing_images")
                .col(uuid("id").primary_key())
                .col(uuid("listing_id"))
                .col(integer("position"))
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
                .foreign_key(&mut fk(
                    "fk_images_listing",
                    ("listing_images", "listing_id"),
                    ("listings", "id"),
                    true,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_images_listing",
            "listing_images",
            &["listing_id", "position"],
        ))
        .await?;
        Ok(())
    }
}
