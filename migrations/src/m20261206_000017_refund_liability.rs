//! Issue #16, refunds charged by liability. Each refund keeps its parts in fen — seller,
//! platform, carrier, adding up to the amount — and each sub-order the running totals of them,
//! so the settlement reads a sub-order's seller-charged refunds from its row. Refunds made
//! before were all charged to the seller, so they stay so (a stray payment given back, with
//! no sub-order, belongs to no sale and has no parts).
//!
//! The carrier recourse becomes a receivable that is collected (in parts, each with its date
//! and the carrier's reference, never above what is outstanding) or written off with a reason.

use crate::util::{drop_tables, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

/// SQLite adds one column per ALTER TABLE.
async fn add(m: &SchemaManager<'_>, table: &str, mut col: ColumnDef) -> Result<(), DbErr> {
    m.alter_table(
        Table::alter()
            .table(table.to_owned())
            .add_column(&mut col)
            .to_owned(),
    )
    .await
}

async fn drop(m: &SchemaManager<'_>, table: &str, col: &str) -> Result<(), DbErr> {
    m.alter_table(
        Table::alter()
            .table(table.to_owned())
            .drop_column(col.to_owned())
            .to_owned(),
    )
    .await
}

const REFUND_PARTS: [&str; 3] = ["seller_fen", "platform_fen", "carrier_fen"];
const SUB_ORDER_PARTS: [&str; 3] = [
    "refunded_seller_fen",
    "refunded_platform_fen",
    "refunded_carrier_fen",
];
const RECOURSE_COLUMNS: [&str; 5] = [
    "collected_fen",
    "written_off_fen",
    "write_off_reason",
    "written_off_by",
    "closed_at",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for c in REFUND_PARTS {
            add(m, "refunds", big_integer(c).default(0).to_owned()).await?;
        }
        for c in SUB_ORDER_PARTS {
            add(m, "sub_orders", big_integer(c).default(0).to_owned()).await?;
        }
        let db = m.get_connection();
        db.execute_unprepared(
            "UPDATE refunds SET seller_fen = amount_fen WHERE sub_order_id IS NOT NULL",
        )
        .await?;
        db.execute_unprepared("UPDATE sub_orders SET refunded_seller_fen = refunded_fen")
            .await?;

        add(
            m,
            "carrier_recourse",
            big_integer("collected_fen").default(0).to_owned(),
        )
        .await?;
        add(
            m,
            "carrier_recourse",
            big_integer("written_off_fen").default(0).to_owned(),
        )
        .await?;
        add(
            m,
            "carrier_recourse",
            string_len_null("write_off_reason", 200),
        )
        .await?;
        add(m, "carrier_recourse", uuid_null("written_off_by")).await?;
        add(
            m,
            "carrier_recourse",
            timestamp_with_time_zone_null("closed_at"),
        )
        .await?;
        m.create_index(index(
            "ix_carrier_recourse_status",
            "carrier_recourse",
            &["status", "carrier", "created_at"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("recourse_collections")
                .col(uuid("id").primary_key())
                .col(uuid("recourse_id"))
                .col(big_integer("amount_fen"))
                .col(date("collected_on"))
                // The carrier's payment reference: one collection per reference.
                .col(string_len("reference", 64))
                .col(uuid("actor_id"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_recourse_collections_reference")
                .table("recourse_collections")
                .col("recourse_id")
                .col("reference")
                .unique()
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(m, &["recourse_collections"]).await?;
        m.drop_index(
            Index::drop()
                .name("ix_carrier_recourse_status")
                .table("carrier_recourse")
                .to_owned(),
        )
        .await?;
        for c in RECOURSE_COLUMNS {
            drop(m, "carrier_recourse", c).await?;
        }
        for c in SUB_ORDER_PARTS {
            drop(m, "sub_orders", c).await?;
        }
        for c in REFUND_PARTS {
            drop(m, "refunds", c).await?;
        }
        Ok(())
    }
}
