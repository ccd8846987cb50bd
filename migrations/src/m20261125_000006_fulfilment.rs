//! Paying, shipping, receiving, reviewing and refunding: payment intents and the webhook
//! receipts that make gateway callbacks replay-safe, shipments with the batches they were packed
//! from (the link a recall follows) and their logistics events, line reviews with photos, and
//! the refund ledger. Sub-orders gain their after-sales window and the running refunded total.

use crate::util::{drop_tables, fk, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per ALTER TABLE.
        for (table, col) in [
            (
                "sub_orders",
                timestamp_with_time_zone_null("auto_receive_at"),
            ),
            (
                "sub_orders",
                timestamp_with_time_zone_null("window_closes_at"),
            ),
            (
                "sub_orders",
                big_integer("refunded_fen").default(0).to_owned(),
            ),
            ("orders", big_integer("refunded_fen").default(0).to_owned()),
        ] {
            m.alter_table(Table::alter().table(table).add_column(col).to_owned())
                .await?;
        }

        m.create_table(
            Table::create()
                .table("payment_intents")
                .col(uuid("id").primary_key())
                .col(uuid("order_id"))
                .col(string_len("provider", 16))
                .col(big_integer("amount_fen"))
                .col(string_len("status", 16))
                .col(string_len_null("transaction_id", 64))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("expires_at"))
                .col(timestamp_with_time_zone_null("completed_at"))
                .foreign_key(&mut fk(
                    "fk_payment_intents_order",
                    ("payment_intents", "order_id"),
                    ("orders", "id"),
                    false,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_payment_intents_order",
            "payment_intents",
            &["order_id", "status"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("webhook_receipts")
                .col(string_len("provider", 16))
                .col(string_len("event_id", 64))
                .col(uuid_null("intent_id"))
                .col(string_len("outcome", 24))
                .col(timestamp_with_time_zone("received_at"))
                .primary_key(Index::create().col("provider").col("event_id"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("shipments")
                .col(uuid("id").primary_key())
                .col(uuid("order_id"))
                .col(uuid("sub_order_id"))
                .col(uuid("seller_org_id"))
                .col(string_len("carrier", 20))
                .col(string_len("tracking_no", 32))
                .col(uuid("shipped_by"))
                .col(timestamp_with_time_zone("shipped_at"))
                .foreign_key(&mut fk(
                    "fk_shipments_sub_order",
                    ("shipments", "sub_order_id"),
                    ("sub_orders", "id"),
                    false,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_shipments_sub_order")
                .table("shipments")
                .col("sub_order_id")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_shipments_tracking",
            "shipments",
            &["tracking_no", "carrier"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("shipment_batches")
                .col(uuid("shipment_id"))
                .col(uuid("line_id"))
                .col(uuid("batch_id"))
                .col(string_len("code", 24))
                .col(string_len("lot", 40))
                .primary_key(
                    Index::create()
                        .col("shipment_id")
                        .col("line_id")
                        .col("batch_id"),
                )
                .foreign_key(&mut fk(
                    "fk_shipment_batches_shipment",
                    ("shipment_batches", "shipment_id"),
                    ("shipments", "id"),
                    true,
                ))
                .to_owned(),
        )
        .await?;
        // A recall walks from a batch to every parcel packed from it.
        m.create_index(index(
            "ix_shipment_batches_batch",
            "shipment_batches",
            &["batch_id"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("shipment_events")
                .col(uuid("id").primary_key())
                .col(uuid("shipment_id"))
                .col(string_len("kind", 20))
                .col(timestamp_with_time_zone("at"))
                .col(string_len_null("location", 60))
                .col(string_len_null("note", 200))
                .col(string_len("source", 12))
                .col(string_len_null("external_id", 64))
                .col(uuid_null("actor_id"))
                .col(timestamp_with_time_zone("recorded_at"))
                .foreign_key(&mut fk(
                    "fk_shipment_events_shipment",
                    ("shipment_events", "shipment_id"),
                    ("shipments", "id"),
                    true,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_shipment_events_shipment",
            "shipment_events",
            &["shipment_id", "at"],
        ))
        .await?;
        // A carrier callback delivered twice records its event once.
        m.create_index(
            Index::create()
                .name("ux_shipment_events_external")
                .table("shipment_events")
                .col("shipment_id")
                .col("external_id")
                .unique()
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("review_photos")
                .col(uuid("id").primary_key())
                .col(uuid("account_id"))
                .col(string_len("display_key", 200))
                .col(string_len("thumb_key", 200))
                .col(string_len("sha256", 64))
                .col(uuid_null("review_id"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("reviews")
                .col(uuid("id").primary_key())
                .col(uuid("line_id"))
                .col(uuid("order_id"))
                .col(uuid("listing_id"))
                .col(uuid("seller_org_id"))
                .col(uuid("buyer_account_id"))
                .col(string_len("reviewer", 40))
                .col(string_len("sku_name", 40))
                .col(small_integer("rating"))
                .col(string_len_null("body", 500))
                .col(json_binary("photos"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "fk_reviews_line",
                    ("reviews", "line_id"),
                    ("order_lines", "id"),
                    false,
                ))
                .to_owned(),
        )
        .await?;
        // Once a line.
        m.create_index(
            Index::create()
                .name("ux_reviews_line")
                .table("reviews")
                .col("line_id")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_reviews_listing",
            "reviews",
            &["listing_id", "created_at"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("refunds")
                .col(uuid("id").primary_key())
                .col(uuid("order_id"))
                .col(uuid_null("sub_order_id"))
                .col(big_integer("amount_fen"))
                .col(string_len("reason", 200))
                .col(string_len("provider", 16))
                .col(string_len("status", 16))
                .col(string_len_null("provider_ref", 64))
                .col(string_len("idempotency_key", 80))
                .col(uuid_null("actor_id"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("settled_at"))
                .foreign_key(&mut fk(
                    "fk_refunds_order",
                    ("refunds", "order_id"),
                    ("orders", "id"),
                    false,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_refunds_idempotency")
                .table("refunds")
                .col("order_id")
                .col("idempotency_key")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(index("ix_refunds_sub_order", "refunds", &["sub_order_id"]))
            .await?;
        m.create_index(index(
            "ix_sub_orders_paid",
            "sub_orders",
            &["seller_org_id", "paid_at"],
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            m,
            &[
                "refunds",
                "reviews",
                "review_photos",
                "shipment_events",
                "shipment_batches",
                "shipments",
                "webhook_receipts",
                "payment_intents",
            ],
        )
        .await?;
        for (table, col) in [
            ("sub_orders", "auto_receive_at"),
            ("sub_orders", "window_closes_at"),
            ("sub_orders", "refunded_fen"),
            ("orders", "refunded_fen"),
        ] {
            m.alter_table(Table::alter().table(table).drop_column(col).to_owned())
                .await?;
        }
        Ok(())
    }
}
