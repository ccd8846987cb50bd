//! Issue #22, credit terms (账期): the operator or platform finance grants a verified business
//! buyer a credit line (`credit_lines`: limit in fen, terms in days, active or suspended, and
//! `outstanding_fen`, what the buyer owes now). `outstanding_fen` moves only by conditional
//! updates (`outstanding_fen + amount <= limit_fen` for an order on credit), so concurrent
//! orders never pass the limit. Every change of a line is kept (`credit_line_changes`: who,
//! when, what). `credit_entries` is the buyer's ledger: an order paid on credit (`charge`), a
//! refund of such an order (`refund`, which lowers what is owed, never money back) and a
//! payment against a statement (`payment`). A monthly statement (`credit_statements`, one per
//! buyer and Shanghai month, unique) bills the charges and refunds not billed before
//! (`credit_entries.statement_id`); payments against it (`credit_statement_payments`, unique
//! per statement and reference so a repeated notification or record counts once) raise
//! `paid_fen`, never past `total_fen`.

use crate::util::{drop_tables, fk, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("credit_lines")
                .col(uuid("org_id").primary_key())
                .col(big_integer("limit_fen"))
                .col(integer("terms_days"))
                .col(string_len("status", 16))
                .col(big_integer("outstanding_fen").default(0))
                .col(uuid("updated_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("credit_line_changes")
                .col(uuid("id").primary_key())
                .col(uuid("org_id"))
                .col(big_integer("limit_fen"))
                .col(integer("terms_days"))
                .col(string_len("status", 16))
                .col(uuid("changed_by"))
                .col(timestamp_with_time_zone("changed_at"))
                .foreign_key(&mut fk(
                    "fk_credit_line_changes_line",
                    ("credit_line_changes", "org_id"),
                    ("credit_lines", "org_id"),
                    true,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_credit_line_changes_org",
            "credit_line_changes",
            &["org_id", "changed_at"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("credit_statements")
                .col(uuid("id").primary_key())
                .col(uuid("org_id"))
                .col(string_len("month", 7))
                .col(timestamp_with_time_zone("period_end"))
                .col(big_integer("charges_fen"))
                .col(big_integer("refunds_fen"))
                .col(big_integer("total_fen"))
                .col(big_integer("paid_fen").default(0))
                .col(date("due_date"))
                .col(timestamp_with_time_zone_null("overdue_notified_at"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "fk_credit_statements_line",
                    ("credit_statements", "org_id"),
                    ("credit_lines", "org_id"),
                    true,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_credit_statements_org_month")
                .table("credit_statements")
                .col("org_id")
                .col("month")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("credit_entries")
                .col(uuid("id").primary_key())
                .col(uuid("org_id"))
                .col(string_len("kind", 16))
                .col(big_integer("amount_fen"))
                .col(uuid_null("order_id"))
                .col(uuid_null("refund_id"))
                .col(uuid_null("statement_id"))
                .col(uuid_null("actor_id"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "fk_credit_entries_line",
                    ("credit_entries", "org_id"),
                    ("credit_lines", "org_id"),
                    true,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_credit_entries_org",
            "credit_entries",
            &["org_id", "created_at"],
        ))
        .await?;
        m.create_index(index(
            "ix_credit_entries_order",
            "credit_entries",
            &["order_id"],
        ))
        .await?;
        m.create_index(
            Index::create()
                .name("ux_credit_entries_refund")
                .table("credit_entries")
                .col("refund_id")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("credit_statement_payments")
                .col(uuid("id").primary_key())
                .col(uuid("statement_id"))
                .col(uuid("org_id"))
                .col(big_integer("amount_fen"))
                .col(string_len("channel", 32))
                .col(string_len("reference", 100))
                .col(uuid_null("recorded_by"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "fk_credit_statement_payments_statement",
                    ("credit_statement_payments", "statement_id"),
                    ("credit_statements", "id"),
                    true,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_credit_statement_payments_reference")
                .table("credit_statement_payments")
                .col("statement_id")
                .col("reference")
                .unique()
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            m,
            &[
                "credit_statement_payments",
                "credit_entries",
                "credit_statements",
                "credit_line_changes",
                "credit_lines",
            ],
        )
        .await
    }
}
