//! Issue #22, catch weight (多退少补): a SKU may be sold by its nominal net weight with a
//! tolerance (`skus.catch_tolerance_permille`, 1–200 ‰; `NULL`: a fixed weight). An order line
//! snapshots both at checkout (`order_lines.catch_nominal_grams` per unit,
//! `catch_tolerance_permille`), since lines are never edited. At packing the seller weighs each
//! such line once: `catch_weights` is one row per line (the primary key makes a second entry
//! impossible) with the nominal and actual total weights, the refund made at once for a light
//! line (`refund_id`, the ledger's row) and, for a line heavier than its tolerance, what the
//! part above it is worth (`extra_fen`: recorded, charged only with the buyer's consent).

use crate::util::{drop_tables, fk, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one thing at a time.
        m.alter_table(
            Table::alter()
                .table("skus")
                .add_column(integer_null("catch_tolerance_permille"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("order_lines")
                .add_column(integer_null("catch_nominal_grams"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("order_lines")
                .add_column(integer_null("catch_tolerance_permille"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("catch_weights")
                .col(uuid("line_id").primary_key())
                .col(uuid("order_id"))
                .col(uuid("sub_order_id"))
                .col(big_integer("nominal_grams"))
                .col(integer("tolerance_permille"))
                .col(big_integer("actual_grams"))
                .col(string_len("outcome", 16))
                .col(big_integer("refund_fen").default(0))
                .col(uuid_null("refund_id"))
                .col(big_integer("extra_fen").default(0))
                .col(uuid("entered_by"))
                .col(timestamp_with_time_zone("entered_at"))
                .foreign_key(&mut fk(
                    "fk_catch_weights_line",
                    ("catch_weights", "line_id"),
                    ("order_lines", "id"),
                    true,
                ))
                .foreign_key(&mut fk(
                    "fk_catch_weights_sub_order",
                    ("catch_weights", "sub_order_id"),
                    ("sub_orders", "id"),
                    true,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_catch_weights_sub_order",
            "catch_weights",
            &["sub_order_id"],
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(m, &["catch_weights"]).await?;
        for (t, c) in [
            ("order_lines", "catch_tolerance_permille"),
            ("order_lines", "catch_nominal_grams"),
            ("skus", "catch_tolerance_permille"),
        ] {
            m.alter_table(Table::alter().table(t).drop_column(c).to_owned())
                .await?;
        }
        Ok(())
    }
}
