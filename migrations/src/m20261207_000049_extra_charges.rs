//! Issue #22, catch weight's consented extra charge (补差价): a line weighed above its tolerance
//! asks the buyer for `catch_weights.extra_fen` (one request per line, `ux_extra_charges_line`).
//! The buyer pays it through a gateway with a payment intent of its own
//! (`payment_intents.extra_charge_id`, the ledger's `payments.extra_charge_id`: not the order's
//! total), declines it, or lets it lapse at `answer_by`. Paid, the extra joins its sub-order's
//! money (`sub_orders.extra_fen`, and the platform's commission on it at the line's rate,
//! `extra_commission_fen`), so later refunds may give it back (`extra_charges.refunded_fen`,
//! never above what it paid).

use crate::util::{drop_tables, fk, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("extra_charges")
                .col(uuid("id").primary_key())
                .col(uuid("line_id"))
                .col(uuid("order_id"))
                .col(uuid("sub_order_id"))
                .col(uuid("buyer_account_id"))
                .col(big_integer("amount_fen"))
                .col(big_integer("commission_fen"))
                .col(string_len("status", 16))
                .col(timestamp_with_time_zone("requested_at"))
                .col(timestamp_with_time_zone("answer_by"))
                .col(timestamp_with_time_zone_null("answered_at"))
                .col(uuid_null("payment_id"))
                .col(big_integer("refunded_fen").default(0))
                .foreign_key(&mut fk(
                    "fk_extra_charges_line",
                    ("extra_charges", "line_id"),
                    ("order_lines", "id"),
                    true,
                ))
                .foreign_key(&mut fk(
                    "fk_extra_charges_sub_order",
                    ("extra_charges", "sub_order_id"),
                    ("sub_orders", "id"),
                    true,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_extra_charges_line")
                .table("extra_charges")
                .col("line_id")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_extra_charges_order",
            "extra_charges",
            &["order_id"],
        ))
        .await?;
        // One column per statement: SQLite alters one thing at a time.
        for (table, column) in [
            ("payment_intents", "extra_charge_id"),
            ("payments", "extra_charge_id"),
        ] {
            m.alter_table(
                Table::alter()
                    .table(table)
                    .add_column(uuid_null(column))
                    .to_owned(),
            )
            .await?;
        }
        for column in ["extra_fen", "extra_commission_fen"] {
            m.alter_table(
                Table::alter()
                    .table("sub_orders")
                    .add_column(big_integer(column).default(0))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for (t, c) in [
            ("sub_orders", "extra_commission_fen"),
            ("sub_orders", "extra_fen"),
            ("payments", "extra_charge_id"),
            ("payment_intents", "extra_charge_id"),
        ] {
            m.alter_table(Table::alter().table(t).drop_column(c).to_owned())
                .await?;
        }
        drop_tables(m, &["extra_charges"]).await
    }
}
