//! Issue #16, payments: the ledger records how money came in, and a WeChat buyer's openid is
//! kept for paying inside WeChat.
//!
//! - `payments.channel`: `bank_transfer` or `cash_on_delivery` for an offline payment finance
//!   confirmed; the gateway's name (`wechat`, `alipay`, `sandbox`) for an online one. Rows
//!   from before have none (NULL): offline ones were bank transfers or cash, unrecorded.
//! - `refunds.failure`: why a refund did not reach the buyer (the provider's word), when it
//!   did not (`refunds.status` = `failed`); finance pays those back by hand.
//! - `wechat_openids`: the buyer's openid under our official account's AppID, from WeChat's
//!   web authorisation (`snsapi_base`), one per account and AppID. An openid identifies a
//!   person to WeChat Pay only; it is erased with the account.

use crate::util::fk;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("payments")
                .add_column(string_len_null("channel", 32))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("refunds")
                .add_column(string_len_null("failure", 200))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("wechat_openids")
                .col(uuid("account_id"))
                .col(string_len("app_id", 64))
                .col(string_len("openid", 128))
                .col(timestamp_with_time_zone("created_at"))
                .primary_key(Index::create().col("account_id").col("app_id"))
                .foreign_key(&mut fk(
                    "fk_wechat_openids_account",
                    ("wechat_openids", "account_id"),
                    ("accounts", "id"),
                    true,
                ))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table("wechat_openids").to_owned())
            .await?;
        m.alter_table(
            Table::alter()
                .table("refunds")
                .drop_column("failure")
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("payments")
                .drop_column("channel")
                .to_owned(),
        )
        .await
    }
}
