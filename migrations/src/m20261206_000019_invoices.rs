//! Issue #16: invoices (发票) for business buyers. One row a request for one sub-order (each
//! seller invoices its own goods), with what was issued: the number, the amount (paid minus
//! refunded at issue time), the PDF's object key and SHA-256, and whether a refund after issue
//! calls for a red (红冲) reversal. `active_sub_order_id` is the sub-order while the request is
//! open or issued and NULL once rejected, so its unique index allows exactly one active invoice
//! per sub-order however many requests race (NULLs never collide, on SQLite and PostgreSQL).
//! `invoice_events` is the append-only history of each invoice.

use crate::util::{drop_tables, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("invoices")
                .col(uuid("id").primary_key())
                .col(uuid("order_id"))
                .col(uuid("sub_order_id"))
                .col(uuid_null("active_sub_order_id"))
                .col(string_len("sub_order_number", 40))
                .col(uuid("buyer_org_id"))
                .col(uuid("seller_org_id"))
                .col(uuid("requested_by"))
                .col(string_len("kind", 16))
                .col(string_len("status", 16))
                .col(string_len("title", 100))
                .col(string_len("tax_no", 18))
                .col(string_len_null("bank", 100))
                .col(string_len_null("bank_account", 40))
                .col(string_len_null("address", 200))
                .col(string_len_null("phone", 30))
                .col(string_len_null("email", 100))
                .col(string_len_null("number", 32))
                .col(big_integer_null("amount_fen"))
                .col(big_integer_null("refunded_at_issue_fen"))
                .col(string_len_null("issuer", 32))
                .col(string_len_null("external_ref", 100))
                .col(uuid_null("issued_by"))
                .col(timestamp_with_time_zone_null("issued_at"))
                .col(string_len_null("pdf_key", 200))
                .col(string_len_null("pdf_sha256", 64))
                .col(big_integer_null("pdf_size"))
                .col(string_len_null("reject_reason", 500))
                .col(timestamp_with_time_zone_null("red_needed_at"))
                .col(big_integer_null("refunded_after_issue_fen"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_invoices_active_sub_order")
                .table("invoices")
                .col("active_sub_order_id")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_invoices_number")
                .table("invoices")
                .col("number")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(index("ix_invoices_order", "invoices", &["order_id"]))
            .await?;
        m.create_index(index(
            "ix_invoices_seller",
            "invoices",
            &["seller_org_id", "status", "created_at"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("invoice_events")
                .col(uuid("id").primary_key())
                .col(uuid("invoice_id"))
                .col(string_len("kind", 24))
                .col(uuid_null("actor_id"))
                .col(json_binary("data"))
                .col(timestamp_with_time_zone("at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_invoice_events_invoice",
            "invoice_events",
            &["invoice_id", "at"],
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(m, &["invoice_events", "invoices"]).await?;
        Ok(())
    }
}
