//! Issue #19, log in with WeChat (identity):
//! - `wechat_logins`: an account's WeChat identity under one official account (AppID): the
//!   `openid` web authorisation gives, and the `unionid` when WeChat tells it. One account per
//!   (app, openid) — the primary key — and one openid per (account, app), so a WeChat user signs
//!   in to exactly one account and an account has one WeChat of an app;
//! - `wechat_login_tickets`: a WeChat user who came back from web authorisation without a bound
//!   account gets a ten-minute, single-use ticket (only its SHA-256 is kept) that a phone-code
//!   log-in or registration in the same browser redeems to bind the two.

use crate::util::{drop_tables, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("wechat_logins")
                .col(string_len("app_id", 64))
                .col(string_len("openid", 128))
                .col(uuid("account_id"))
                .col(string_len_null("unionid", 128))
                .col(timestamp_with_time_zone("bound_at"))
                .col(timestamp_with_time_zone_null("last_login_at"))
                .primary_key(Index::create().col("app_id").col("openid"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_wechat_logins_account")
                .table("wechat_logins")
                .col("account_id")
                .col("app_id")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("wechat_login_tickets")
                .col(uuid("id").primary_key())
                .col(string_len("token_hash", 64).unique_key())
                .col(string_len("app_id", 64))
                .col(string_len("openid", 128))
                .col(string_len_null("unionid", 128))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("expires_at"))
                .col(timestamp_with_time_zone_null("used_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_wechat_login_tickets_expiry",
            "wechat_login_tickets",
            &["expires_at"],
        ))
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(m, &["wechat_login_tickets", "wechat_logins"]).await
    }
}
