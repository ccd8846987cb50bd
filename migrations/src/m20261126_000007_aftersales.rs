//! After-sales: damage claims on received sub-orders, the lines and quantities they name,
//! photo evidence (private, with SHA-256 and upload time), the message thread, the append-only
//! claim event log, and carrier-recourse records. `status` and the figures on `claims` are
//! projections of `claim_events`, kept for queries and deadlines.

use crate::util::{drop_tables, fk, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("claims")
                .col(uuid("id").primary_key())
                .col(string_len("number", 24))
                .col(uuid("order_id"))
                .col(uuid("sub_order_id"))
                .col(uuid("buyer_account_id"))
                .col(uuid("seller_org_id"))
                .col(string_len("kind", 24))
                .col(string_len("description", 1000))
                .col(string_len("contact_name", 40))
                .col(string_len("contact_phone", 20))
                .col(string_len("status", 24))
                .col(big_integer("claimed_fen"))
                .col(big_integer("offered_fen").default(0).to_owned())
                .col(big_integer("refunded_fen").default(0).to_owned())
                .col(timestamp_with_time_zone("respond_by"))
                .col(timestamp_with_time_zone_null("first_response_at"))
                .col(timestamp_with_time_zone_null("resolved_at"))
                .col(boolean("escalated").default(false).to_owned())
                .col(json_binary_null("liability"))
                .col(small_integer_null("satisfaction"))
                .col(string_len_null("satisfaction_comment", 500))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "fk_claims_sub_order",
                    ("claims", "sub_order_id"),
                    ("sub_orders", "id"),
                    false,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_claims_number")
                .table("claims")
                .col("number")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(index("ix_claims_sub_order", "claims", &["sub_order_id"]))
            .await?;
        m.create_index(index(
            "ix_claims_seller",
            "claims",
            &["seller_org_id", "status", "respond_by"],
        ))
        .await?;
        m.create_index(index(
            "ix_claims_buyer",
            "claims",
            &["buyer_account_id", "created_at"],
        ))
        .await?;
        m.create_index(index(
            "ix_claims_status",
            "claims",
            &["status", "created_at"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("claim_lines")
                .col(uuid("claim_id"))
                .col(uuid("line_id"))
                .col(big_integer("quantity"))
                .col(big_integer("amount_fen"))
                .primary_key(Index::create().col("claim_id").col("line_id"))
                .foreign_key(&mut fk(
                    "fk_claim_lines_claim",
                    ("claim_lines", "claim_id"),
                    ("claims", "id"),
                    true,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index("ix_claim_lines_line", "claim_lines", &["line_id"]))
            .await?;

        m.create_table(
            Table::create()
                .table("claim_evidence")
                .col(uuid("id").primary_key())
                .col(uuid("account_id"))
                .col(uuid_null("claim_id"))
                .col(string_len("original_key", 200))
                .col(string_len("display_key", 200))
                .col(string_len("content_type", 40))
                .col(big_integer("size_bytes"))
                .col(string_len("sha256", 64))
                .col(timestamp_with_time_zone("uploaded_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_claim_evidence_claim",
            "claim_evidence",
            &["claim_id"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("claim_events")
                .col(uuid("id").primary_key())
                .col(uuid("claim_id"))
                .col(string_len("kind", 24))
                .col(uuid_null("actor_id"))
                .col(string_len("actor_role", 16))
                .col(json_binary("data"))
                .col(timestamp_with_time_zone("at"))
                .foreign_key(&mut fk(
                    "fk_claim_events_claim",
                    ("claim_events", "claim_id"),
                    ("claims", "id"),
                    false,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_claim_events_claim",
            "claim_events",
            &["claim_id", "at"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("claim_messages")
                .col(uuid("id").primary_key())
                .col(uuid("claim_id"))
                .col(uuid("author_id"))
                .col(string_len("author_role", 16))
                .col(string_len("body", 1000))
                .col(json_binary("attachments"))
                .col(timestamp_with_time_zone("at"))
                .foreign_key(&mut fk(
                    "fk_claim_messages_claim",
                    ("claim_messages", "claim_id"),
                    ("claims", "id"),
                    false,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_claim_messages_claim",
            "claim_messages",
            &["claim_id", "at"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("carrier_recourse")
                .col(uuid("id").primary_key())
                .col(uuid("claim_id"))
                .col(uuid("seller_org_id"))
                .col(string_len("carrier", 20))
                .col(string_len("tracking_no", 32))
                .col(big_integer("amount_fen"))
                .col(json_binary("evidence"))
                .col(string_len("status", 16))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_carrier_recourse_claim")
                .table("carrier_recourse")
                .col("claim_id")
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
                "carrier_recourse",
                "claim_messages",
                "claim_events",
                "claim_evidence",
                "claim_lines",
                "claims",
            ],
        )
        .await?;
        Ok(())
    }
}
