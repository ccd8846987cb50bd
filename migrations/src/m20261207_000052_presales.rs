//! Issue #22, order farming (订单农业): a seller opens a pre-sale (`presales`) of one of its SKUs
//! for a planned harvest — plot, harvest window, expected yield, price per unit, deposit share
//! (percent), the most it will pre-sell and the cancellation rules shown before reserving.
//! `reserved_quantity` is what live reservations hold; it only moves by a conditional update
//! (`reserved_quantity + q <= max_quantity`), so concurrent reservations never pass the
//! maximum. A reservation (`presale_reservations`) is paid through an ordinary order of its
//! own (`deposit_order_id`, unique), so the deposit takes the normal payment path: intents,
//! provider notifications, refunds and the money identity. At harvest the seller links the real
//! batch (`batch_id`, its trace code `batch_code`) with the actual yield; each paid reservation
//! gets its `filled_quantity` first come, and the deposit of the part not filled is refunded
//! (`shortfall_refund_fen`) in the harvest's own transaction.

use crate::util::{drop_tables, fk, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("presales")
                .col(uuid("id").primary_key())
                .col(uuid("seller_org_id"))
                .col(uuid("listing_id"))
                .col(uuid("sku_id"))
                .col(string_len("title", 200))
                .col(string_len("unit", 16))
                .col(string_len("township", 64))
                .col(string_len("plot", 200))
                .col(date("harvest_from"))
                .col(date("harvest_to"))
                .col(big_integer("expected_yield"))
                .col(big_integer("max_quantity"))
                .col(big_integer("reserved_quantity").default(0))
                .col(big_integer("price_fen"))
                .col(integer("deposit_percent"))
                .col(text("cancellation_rules"))
                .col(string_len("status", 16))
                .col(uuid_null("batch_id"))
                .col(string_len_null("batch_code", 64))
                .col(big_integer_null("actual_yield"))
                .col(timestamp_with_time_zone_null("harvested_at"))
                .col(uuid("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_presales_seller",
            "presales",
            &["seller_org_id", "created_at"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("presale_reservations")
                .col(uuid("id").primary_key())
                .col(uuid("presale_id"))
                .col(uuid("buyer_account_id"))
                .col(big_integer("quantity"))
                .col(big_integer("deposit_fen"))
                .col(uuid("deposit_order_id"))
                .col(string_len("status", 16))
                .col(big_integer("filled_quantity").default(0))
                .col(big_integer("shortfall_refund_fen").default(0))
                .col(string_len_null("idempotency_key", 100))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "fk_presale_reservations_presale",
                    ("presale_reservations", "presale_id"),
                    ("presales", "id"),
                    true,
                ))
                .foreign_key(&mut fk(
                    "fk_presale_reservations_order",
                    ("presale_reservations", "deposit_order_id"),
                    ("orders", "id"),
                    true,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_presale_reservations_order")
                .table("presale_reservations")
                .col("deposit_order_id")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_presale_reservations_key")
                .table("presale_reservations")
                .col("buyer_account_id")
                .col("idempotency_key")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_presale_reservations_presale",
            "presale_reservations",
            &["presale_id", "created_at"],
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(m, &["presale_reservations", "presales"]).await
    }
}
