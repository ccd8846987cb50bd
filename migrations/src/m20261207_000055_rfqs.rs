//! Issue #22, requests for quotation (询价 → 报价 → 订单). A business buyer's purchaser, manager
//! or owner posts an RFQ (`rfqs`): a category (and optionally a listing as a hint), quantity and
//! unit, quality notes, a delivery window and place (a copy of one of the poster's addresses),
//! and the time quoting closes. It goes to chosen verified sellers or to every seller with a
//! listing in the category: either way one `rfq_invitations` row per seller, fixed when posted.
//! An invited seller quotes (`rfq_quotes`): one of its own SKUs, a unit price in fen, the
//! quantity it can supply and how long the quote holds. A quote moves only by conditional
//! updates on `(status, version)`: a revision bumps `version`, and acceptance sets `accepted`
//! with the order it made (`order_id`, unique) in that order's own transaction, so two accepts
//! at once make exactly one order and an order never carries a price the quote no longer says.

use crate::util::{drop_tables, fk, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("rfqs")
                .col(uuid("id").primary_key())
                .col(string_len("number", 32))
                .col(uuid("buyer_org_id"))
                .col(uuid("created_by"))
                .col(uuid("category_id"))
                .col(uuid_null("listing_id"))
                .col(string_len("title", 200))
                .col(big_integer("quantity"))
                .col(string_len("unit", 16))
                .col(text_null("quality"))
                .col(date("deliver_from"))
                .col(date("deliver_to"))
                .col(uuid("address_id"))
                .col(json_binary("address"))
                .col(timestamp_with_time_zone("closes_at"))
                .col(boolean("whole_category"))
                .col(string_len("status", 16))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("closed_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_rfqs_number")
                .table("rfqs")
                .col("number")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_rfqs_buyer",
            "rfqs",
            &["buyer_org_id", "created_at"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("rfq_invitations")
                .col(uuid("rfq_id"))
                .col(uuid("seller_org_id"))
                .col(timestamp_with_time_zone("created_at"))
                .primary_key(Index::create().col("rfq_id").col("seller_org_id"))
                .foreign_key(&mut fk(
                    "fk_rfq_invitations_rfq",
                    ("rfq_invitations", "rfq_id"),
                    ("rfqs", "id"),
                    true,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_rfq_invitations_seller",
            "rfq_invitations",
            &["seller_org_id", "created_at"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("rfq_quotes")
                .col(uuid("id").primary_key())
                .col(uuid("rfq_id"))
                .col(uuid("seller_org_id"))
                .col(uuid("created_by"))
                .col(uuid("sku_id"))
                .col(string_len("title", 200))
                .col(string_len("unit", 16))
                .col(big_integer("unit_price_fen"))
                .col(big_integer("quantity"))
                .col(timestamp_with_time_zone("expires_at"))
                .col(text_null("note"))
                .col(string_len("status", 16))
                .col(integer("version").default(1))
                .col(uuid_null("order_id"))
                .col(uuid_null("accepted_by"))
                .col(timestamp_with_time_zone_null("accepted_at"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk(
                    "fk_rfq_quotes_rfq",
                    ("rfq_quotes", "rfq_id"),
                    ("rfqs", "id"),
                    true,
                ))
                .foreign_key(&mut fk(
                    "fk_rfq_quotes_order",
                    ("rfq_quotes", "order_id"),
                    ("orders", "id"),
                    false,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_rfq_quotes_order")
                .table("rfq_quotes")
                .col("order_id")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_rfq_quotes_rfq",
            "rfq_quotes",
            &["rfq_id", "created_at"],
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(m, &["rfq_quotes", "rfq_invitations", "rfqs"]).await
    }
}
