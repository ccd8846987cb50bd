//! The service desk (客服工单): tickets opened by customers or registered from hotline calls,
//! their conversation and internal notes, the append-only ticket event log, agents' on-duty
//! flags for round-robin assignment, canned replies, the response/resolution limits per kind
//! and urgency, follow-up calls (回访), satisfaction surveys and problem-customer records
//! (劣质客户备案).
//! `status`, `next_due_at` and the timing columns on `desk_tickets` are projections of
//! `desk_ticket_events`, kept for the queue's order and the figures.

use crate::util::{drop_tables, fk, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("desk_tickets")
                .col(uuid("id").primary_key())
                .col(string_len("number", 24))
                .col(string_len("kind", 24))
                .col(string_len("urgency", 16))
                .col(string_len("channel", 16))
                .col(string_len("status", 24))
                .col(uuid_null("opener_account_id"))
                .col(string_len("opener_name", 60))
                .col(string_len_null("contact_phone", 20))
                .col(string_len("subject", 100))
                .col(string_len("link_kind", 16).null().to_owned())
                .col(uuid_null("link_id"))
                .col(uuid_null("assignee_id"))
                .col(timestamp_with_time_zone_null("assigned_at"))
                .col(timestamp_with_time_zone("respond_by"))
                .col(timestamp_with_time_zone("resolve_by"))
                .col(timestamp_with_time_zone_null("next_due_at"))
                .col(timestamp_with_time_zone_null("first_response_at"))
                .col(timestamp_with_time_zone_null("closed_at"))
                .col(timestamp_with_time_zone_null("first_closed_at"))
                .col(timestamp_with_time_zone_null("response_overdue_at"))
                .col(timestamp_with_time_zone_null("resolution_overdue_at"))
                .col(integer("reopen_count").default(0).to_owned())
                .col(uuid_null("merged_into"))
                .col(big_integer("version").default(0).to_owned())
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_desk_tickets_number")
                .table("desk_tickets")
                .col("number")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_desk_tickets_opener",
            "desk_tickets",
            &["opener_account_id", "created_at"],
        ))
        .await?;
        m.create_index(index(
            "ix_desk_tickets_queue",
            "desk_tickets",
            &["status", "next_due_at"],
        ))
        .await?;
        m.create_index(index(
            "ix_desk_tickets_assignee",
            "desk_tickets",
            &["assignee_id", "status"],
        ))
        .await?;
        m.create_index(index(
            "ix_desk_tickets_created",
            "desk_tickets",
            &["created_at"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("desk_messages")
                .col(uuid("id").primary_key())
                .col(uuid("ticket_id"))
                .col(uuid_null("author_id"))
                .col(string_len("author_role", 16))
                .col(string_len("author_name", 60))
                .col(boolean("internal"))
                .col(string_len("body", 2000))
                .col(timestamp_with_time_zone("at"))
                .foreign_key(&mut fk(
                    "fk_desk_messages_ticket",
                    ("desk_messages", "ticket_id"),
                    ("desk_tickets", "id"),
                    false,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_desk_messages_ticket",
            "desk_messages",
            &["ticket_id", "at"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("desk_ticket_events")
                .col(uuid("id").primary_key())
                .col(uuid("ticket_id"))
                .col(string_len("kind", 24))
                .col(uuid_null("actor_id"))
                .col(json_binary("data"))
                .col(timestamp_with_time_zone("at"))
                .foreign_key(&mut fk(
                    "fk_desk_ticket_events_ticket",
                    ("desk_ticket_events", "ticket_id"),
                    ("desk_tickets", "id"),
                    false,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_desk_ticket_events_ticket",
            "desk_ticket_events",
            &["ticket_id", "at"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("desk_agents")
                .col(uuid("account_id").primary_key())
                .col(string_len("display_name", 60))
                .col(boolean("on_duty"))
                .col(timestamp_with_time_zone_null("last_assigned_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("desk_canned_replies")
                .col(uuid("id").primary_key())
                .col(string_len("title", 60))
                .col(string_len("body", 2000))
                .col(boolean("active"))
                .col(uuid("updated_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("desk_limits")
                .col(string_len("kind", 24))
                .col(string_len("urgency", 16))
                .col(integer("respond_minutes"))
                .col(integer("resolve_minutes"))
                .col(uuid("updated_by"))
                .col(timestamp_with_time_zone("updated_at"))
                .primary_key(Index::create().col("kind").col("urgency"))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("desk_surveys")
                .col(uuid("ticket_id").primary_key())
                .col(uuid("account_id"))
                .col(small_integer("speed"))
                .col(small_integer("attitude"))
                .col(small_integer("result"))
                .col(string_len_null("comment", 500))
                .col(timestamp_with_time_zone("at"))
                .foreign_key(&mut fk(
                    "fk_desk_surveys_ticket",
                    ("desk_surveys", "ticket_id"),
                    ("desk_tickets", "id"),
                    false,
                ))
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("desk_follow_ups")
                .col(uuid("id").primary_key())
                .col(uuid("ticket_id"))
                // One follow-up per closing: the ticket's reopen count when it closed.
                .col(integer("round"))
                .col(uuid_null("agent_id"))
                .col(timestamp_with_time_zone("created_at"))
                .col(string_len_null("outcome", 24))
                .col(string_len_null("note", 1000))
                .col(uuid_null("done_by"))
                .col(timestamp_with_time_zone_null("done_at"))
                .foreign_key(&mut fk(
                    "fk_desk_follow_ups_ticket",
                    ("desk_follow_ups", "ticket_id"),
                    ("desk_tickets", "id"),
                    false,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_desk_follow_ups_round")
                .table("desk_follow_ups")
                .col("ticket_id")
                .col("round")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_desk_follow_ups_agent",
            "desk_follow_ups",
            &["agent_id", "done_at"],
        ))
        .await?;

        // 劣质客户备案: the operator's notes on an account, kept (withdrawn, never deleted).
        m.create_table(
            Table::create()
                .table("desk_customer_records")
                .col(uuid("id").primary_key())
                .col(uuid("account_id"))
                .col(string_len("kind", 24))
                .col(string_len("evidence", 2000))
                .col(string_len("decision", 1000))
                .col(uuid("recorded_by"))
                .col(timestamp_with_time_zone("recorded_at"))
                .col(uuid_null("withdrawn_by"))
                .col(timestamp_with_time_zone_null("withdrawn_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_desk_customer_records_account",
            "desk_customer_records",
            &["account_id", "recorded_at"],
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            m,
            &[
                "desk_customer_records",
                "desk_follow_ups",
                "desk_surveys",
                "desk_limits",
                "desk_canned_replies",
                "desk_agents",
                "desk_ticket_events",
                "desk_messages",
                "desk_tickets",
            ],
        )
        .await
    }
}
