//! Payouts (finance): sellers' settlement bank accounts with their change history, and payout
//! batches of one payout per seller, each holding the sub-orders it pays.
//!
//! A sub-order is in at most one active payout: `payout_lines.active_sub_order_id` holds the
//! sub-order's id while its payout is pending or paid, and NULL once the payout failed (the
//! sub-order is payable again); a unique index on it lets two batches made at the same moment
//! never pay a sub-order twice (NULLs do not collide, on SQLite or PostgreSQL).

use crate::util::{drop_tables, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("seller_bank_accounts")
                .col(uuid("id").primary_key())
                .col(uuid("org_id"))
                .col(string_len("account_name", 60))
                .col(string_len("account_no", 32))
                .col(string_len("bank_name", 40))
                .col(string_len("branch", 60))
                .col(string_len_null("cnaps", 12))
                .col(string_len("status", 16))
                .col(string_len_null("reject_reason", 200))
                .col(integer("version"))
                .col(uuid("submitted_by"))
                .col(timestamp_with_time_zone("submitted_at"))
                .col(uuid_null("reviewed_by"))
                .col(timestamp_with_time_zone_null("reviewed_at"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        // One settlement account per seller: a change replaces it (the history keeps the old).
        m.create_index(
            Index::create()
                .name("ux_seller_bank_accounts_org")
                .table("seller_bank_accounts")
                .col("org_id")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_seller_bank_accounts_status",
            "seller_bank_accounts",
            &["status", "submitted_at"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("seller_bank_account_changes")
                .col(uuid("id").primary_key())
                .col(uuid("account_id"))
                .col(uuid("org_id"))
                .col(string_len("action", 16))
                .col(integer("version"))
                .col(uuid("actor_account_id"))
                .col(json_binary("details"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_seller_bank_account_changes_org",
            "seller_bank_account_changes",
            &["org_id", "created_at"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("payout_batches")
                .col(uuid("id").primary_key())
                .col(string_len("number", 24))
                .col(date("period_end"))
                .col(timestamp_with_time_zone("cutoff"))
                .col(integer("payouts"))
                .col(big_integer("total_fen"))
                .col(json_binary("held"))
                .col(uuid("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_payout_batches_number")
                .table("payout_batches")
                .col("number")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_payout_batches_created",
            "payout_batches",
            &["created_at"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("payouts")
                .col(uuid("id").primary_key())
                .col(uuid("batch_id"))
                .col(integer("seq"))
                .col(uuid("org_id"))
                .col(string_len("org_name", 100))
                .col(uuid("bank_account_id"))
                .col(integer("bank_account_version"))
                .col(string_len("account_name", 60))
                .col(string_len("account_no", 32))
                .col(string_len("bank_name", 40))
                .col(string_len("branch", 60))
                .col(string_len_null("cnaps", 12))
                .col(big_integer("amount_fen"))
                .col(integer("sub_orders"))
                .col(string_len("status", 16))
                .col(string_len_null("bank_reference", 64))
                .col(string_len_null("failure_reason", 200))
                .col(uuid_null("settled_by"))
                .col(timestamp_with_time_zone_null("settled_at"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_payouts_batch_org")
                .table("payouts")
                .col("batch_id")
                .col("org_id")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_payouts_org",
            "payouts",
            &["org_id", "created_at"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("payout_lines")
                .col(uuid("payout_id"))
                .col(uuid("sub_order_id"))
                .col(uuid_null("active_sub_order_id"))
                .col(string_len("number", 40))
                .col(big_integer("total_fen"))
                .col(big_integer("refunded_fen"))
                .col(big_integer("commission_fen"))
                .col(big_integer("payable_fen"))
                .primary_key(Index::create().col("payout_id").col("sub_order_id"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_payout_lines_active")
                .table("payout_lines")
                .col("active_sub_order_id")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_payout_lines_sub_order",
            "payout_lines",
            &["sub_order_id"],
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            m,
            &[
                "payout_lines",
                "payouts",
                "payout_batches",
                "seller_bank_account_changes",
                "seller_bank_accounts",
            ],
        )
        .await?;
        Ok(())
    }
}
