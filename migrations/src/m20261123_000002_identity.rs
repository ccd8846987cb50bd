//! Accounts, sessions, organisations, members, invitations, the verification history and the
//! audit log.

use crate::util::fk;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("accounts")
                .col(uuid("id").primary_key())
                .col(string_len_null("phone", 16))
                .col(string_len_null("email", 254))
                .col(string_len("display_name", 64))
                .col(string_len("password_hash", 255))
                .col(string_len_null("platform_role", 24))
                .col(string_len("status", 16))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        for (name, col) in [
            ("ux_accounts_phone", "phone"),
            ("ux_accounts_email", "email"),
        ] {
            m.create_index(
                Index::create()
                    .name(name)
                    .table("accounts")
                    .col(col)
                    .unique()
                    .to_owned(),
            )
            .await?;
        }

        m.create_table(
            Table::create()
                .table("sessions")
                .col(uuid("id").primary_key())
                .col(string_len("token_hash", 64))
                .col(uuid("account_id"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("expires_at"))
                .col(timestamp_with_time_zone("last_seen_at"))
                .col(timestamp_with_time_zone_null("revoked_at"))
                .col(string_len_null("user_agent", 256))
                .col(string_len_null("ip", 64))
                .foreign_key(&mut fk(
                    "fk_sessions_account",
                    ("sessions", "account_id"),
                    ("accounts", "id"),
                    true,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_sessions_token_hash")
                .table("sessions")
                .col("token_hash")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_sessions_account")
                .table("sessions")
                .col("account_id")
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("organisations")
                .col(uuid("id").primary_key())
                .col(string_len("kind", 32))
                .col(string_len("name", 100))
                .col(string_len("licence_no", 18))
                .col(string_len("province", 20))
                .col(string_len("city", 20))
                .col(string_len("county", 20))
                .col(string_len_null("township", 20))
                .col(string_len_null("village", 20))
                .col(string_len_null("address", 200))
                .col(string_len("contact_name", 32))
                .col(string_len("contact_phone", 16))
                .col(string_len("status", 16))
                .col(text_null("status_reason"))
                .col(uuid("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(timestamp_with_time_zone_null("verified_at"))
                .foreign_key(&mut fk(
                    "fk_organisations_creator",
                    ("organisations", "created_by"),
                    ("accounts", "id"),
                    false,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_organisations_licence_no")
                .table("organisations")
                .col("licence_no")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_organisations_status")
                .table("organisations")
                .col("status")
                .col("created_at")
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("memberships")
                .col(uuid("org_id"))
                .col(uuid("account_id"))
                .col(string_len("role", 16))
                .col(timestamp_with_time_zone("created_at"))
                .primary_key(Index::create().col("org_id").col("account_id"))
                .foreign_key(&mut fk(
                    "fk_memberships_org",
                    ("memberships", "org_id"),
                    ("organisations", "id"),
                    true,
                ))
                .foreign_key(&mut fk(
                    "fk_memberships_account",
                    ("memberships", "account_id"),
                    ("accounts", "id"),
                    true,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_memberships_account")
                .table("memberships")
                .col("account_id")
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("invitations")
                .col(uuid("id").primary_key())
                .col(uuid("org_id"))
                .col(string_len("login", 254))
                .col(string_len("role", 16))
                .col(string_len("status", 16))
                .col(uuid("invited_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("responded_at"))
                .foreign_key(&mut fk(
                    "fk_invitations_org",
                    ("invitations", "org_id"),
                    ("organisations", "id"),
                    true,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_invitations_login")
                .table("invitations")
                .col("login")
                .col("status")
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_invitations_org")
                .table("invitations")
                .col("org_id")
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("org_reviews")
                .col(uuid("id").primary_key())
                .col(uuid("org_id"))
                .col(string_len("action", 16))
                .col(uuid("actor_id"))
                .col(text_null("reason"))
                .col(timestamp_with_time_zone("at"))
                .foreign_key(&mut fk(
                    "fk_org_reviews_org",
                    ("org_reviews", "org_id"),
                    ("organisations", "id"),
                    true,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_org_reviews_org")
                .table("org_reviews")
                .col("org_id")
                .col("at")
                .to_owned(),
        )
        .await?;

        m.create_table(
            Table::create()
                .table("audit_log")
                .col(uuid("id").primary_key())
                .col(timestamp_with_time_zone("at"))
                .col(uuid_null("actor_id"))
                .col(string_len("action", 64))
                .col(string_len("target_type", 32))
                .col(string_len_null("target_id", 64))
                .col(string_len_null("ip", 64))
                .col(string_len_null("request_id", 64))
                .col(json_binary("details"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_audit_log_at")
                .table("audit_log")
                .col("at")
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_audit_log_actor")
                .table("audit_log")
                .col("actor_id")
                .col("at")
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
