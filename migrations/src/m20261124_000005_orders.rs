//! Orders: delivery addresses, carts, orders with one sub-order per seller, their lines
//! (snapshots of what was bought at what price), the append-only order event log, and payments.
//! Lines, prices and the delivery address are never updated once written; `status` columns are
//! projections of the event log, kept for queries.

use crate::util::{fk, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("addresses")
                .col(uuid("id").primary_key())
                .col(uuid("account_id"))
                .col(string_len("name", 40))
                .col(string_len("phone", 20))
                .col(string_len("province", 20))
                .col(string_len("city", 20))
                .col(string_len("district", 20))
                .col(string_len("street", 120))
                .col(boolean("is_default").default(false))
                .col(boolean("deleted").default(false))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk(
                    "fk_addresses_account",
                    ("addresses", "account_id"),
                    ("accounts", "id"),
                    false,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ix_addresses_account", "addresses", &["account_id"]))
            .await?;

        m.create_table(
            Table::create()
                .table("cart_items")
                .col(uuid("account_id"))
                .col(uuid("sku_id"))
                .col(big_integer("quantity"))
                // The unit price the buyer saw when adding: checkout tells them if it moved.
                .col(big_integer("price_seen_fen"))
                .col(timestamp_with_time_zone("added_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .primary_key(Index::create().col("account_id").col("sku_id"))
                .foreign_key(&mut fk(
                    "fk_cart_items_account",
                    ("cart_items", "account_id"),
                    ("accounts", "id"),
                    false,
                ))
                .foreign_key(&mut fk(
                    "fk_cart_items_sku",
                    ("cart_items", "sku_id"),
                    ("skus", "id"),
                    false,
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("orders")
                .col(uuid("id").primary_key())
                .col(string_len("number", 24))
                .col(uuid("buyer_account_id"))
                .col(uuid_null("buyer_org_id"))
                .col(boolean("wholesale"))
                // The delivery address as it was at checkout (name, phone, province, city,
                // district, street).
                .col(json_binary("address"))
                .col(big_integer("goods_fen"))
                .col(big_integer("shipping_fen"))
                .col(big_integer("total_fen"))
                .col(string_len("payment_method", 16))
                .col(string_len("status", 20))
                .col(timestamp_with_time_zone("pay_by"))
                .col(timestamp_with_time_zone_null("paid_at"))
                .col(string_len_null("idempotency_key", 80))
                .col(string_len_null("request_hash", 64))
                .col(string_len_null("note", 200))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "fk_orders_buyer",
                    ("orders", "buyer_account_id"),
                    ("accounts", "id"),
                    false,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_orders_number")
                .table("orders")
                .col("number")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_orders_idempotency")
                .table("orders")
                .col("buyer_account_id")
                .col("idempotency_key")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_orders_buyer",
            "orders",
            &["buyer_account_id", "created_at"],
        ))
        .await?;
        m.create_index(index("ix_orders_status", "orders", &["status", "pay_by"]))
            .await?;

        m.create_table(
            Table::create()
                .table("sub_orders")
                .col(uuid("id").primary_key())
                .col(uuid("order_id"))
                .col(string_len("number", 28))
                .col(uuid("seller_org_id"))
                .col(big_integer("goods_fen"))
                .col(big_integer("shipping_fen"))
                .col(big_integer("total_fen"))
                .col(big_integer("commission_fen"))
                .col(string_len("status", 20))
                .col(timestamp_with_time_zone_null("paid_at"))
                .col(timestamp_with_time_zone_null("acknowledged_at"))
                .col(timestamp_with_time_zone_null("shipped_at"))
                .col(timestamp_with_time_zone_null("received_at"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "fk_sub_orders_order",
                    ("sub_orders", "order_id"),
                    ("orders", "id"),
                    false,
                ))
                .foreign_key(&mut fk(
                    "fk_sub_orders_seller",
                    ("sub_orders", "seller_org_id"),
                    ("organisations", "id"),
                    false,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ix_sub_orders_order", "sub_orders", &["order_id"]))
            .await?;
        m.create_index(index(
            "ix_sub_orders_seller",
            "sub_orders",
            &["seller_org_id", "status", "created_at"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("order_lines")
                .col(uuid("id").primary_key())
                .col(uuid("order_id"))
                .col(uuid("sub_order_id"))
                .col(uuid("listing_id"))
                .col(uuid("sku_id"))
                .col(uuid("category_id"))
                .col(string_len("title", 80))
                .col(string_len("sku_name", 40))
                .col(string_len("unit", 10))
                .col(big_integer("quantity"))
                .col(big_integer("retail_price_fen"))
                .col(big_integer("unit_price_fen"))
                .col(big_integer("line_fen"))
                .col(integer("commission_bp"))
                .col(big_integer("commission_fen"))
                .col(integer("claim_window_hours"))
                .col(integer("weight_grams"))
                .foreign_key(&mut fk(
                    "fk_order_lines_sub_order",
                    ("order_lines", "sub_order_id"),
                    ("sub_orders", "id"),
                    false,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_order_lines_sub_order",
            "order_lines",
            &["sub_order_id"],
        ))
        .await?;
        m.create_index(index("ix_order_lines_sku", "order_lines", &["sku_id"]))
            .await?;

        m.create_table(
            Table::create()
                .table("order_events")
                .col(uuid("id").primary_key())
                .col(uuid("order_id"))
                .col(uuid_null("sub_order_id"))
                .col(string_len("kind", 24))
                .col(uuid_null("actor_id"))
                .col(json_binary("data"))
                .col(timestamp_with_time_zone("at"))
                .foreign_key(&mut fk(
                    "fk_order_events_order",
                    ("order_events", "order_id"),
                    ("orders", "id"),
                    false,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_order_events_order",
            "order_events",
            &["order_id", "at"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("payments")
                .col(uuid("id").primary_key())
                .col(uuid("order_id"))
                .col(string_len("provider", 16))
                .col(big_integer("amount_fen"))
                .col(string_len("status", 16))
                .col(string_len_null("reference", 80))
                .col(uuid_null("confirmed_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("settled_at"))
                .foreign_key(&mut fk(
                    "fk_payments_order",
                    ("payments", "order_id"),
                    ("orders", "id"),
                    false,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ix_payments_order", "payments", &["order_id"]))
            .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for t in [
            "payments",
            "order_events",
            "order_lines",
            "sub_orders",
            "orders",
            "cart_items",
            "addresses",
        ] {
            m.drop_table(Table::drop().table(t).if_exists().to_owned())
                .await?;
        }
        Ok(())
    }
}
