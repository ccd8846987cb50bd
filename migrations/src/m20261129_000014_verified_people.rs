//! Verified people (#15): phone one-time codes (only a keyed hash of each code is kept), a
//! one-time link that sets the first operator's password, and on accounts: when the phone was
//! last proven by a code, a revocation counter every cached session is checked against, whether
//! the password is the demo password, and when the account was erased on its owner's request.
//! Pending invitations to e-mail addresses are withdrawn: nobody can prove they hold an e-mail
//! address here, so only a phone can accept an invitation now.

use crate::util::{drop_tables, fk, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite takes one column per ALTER TABLE.
        for col in [
            timestamp_with_time_zone_null("phone_verified_at"),
            big_integer("revocation_seq").default(0).to_owned(),
            boolean("demo_password").default(false).to_owned(),
            timestamp_with_time_zone_null("erased_at"),
        ] {
            let mut col = col;
            m.alter_table(
                Table::alter()
                    .table("accounts")
                    .add_column(&mut col)
                    .to_owned(),
            )
            .await?;
        }

        m.create_table(
            Table::create()
                .table("phone_codes")
                .col(uuid("id").primary_key())
                .col(string_len("phone", 16))
                .col(string_len("purpose", 24))
                // HMAC-SHA256 of the code under a key that lives only in the cache.
                .col(string_len("code_hash", 64))
                .col(integer("attempts").default(0))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("expires_at"))
                .col(timestamp_with_time_zone_null("consumed_at"))
                .col(string_len_null("ip", 64))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_phone_codes_phone",
            "phone_codes",
            &["phone", "purpose", "created_at"],
        ))
        .await?;
        m.create_index(index(
            "ix_phone_codes_created",
            "phone_codes",
            &["created_at"],
        ))
        .await?;

        m.create_table(
            Table::create()
                .table("setup_links")
                .col(uuid("id").primary_key())
                .col(uuid("account_id"))
                .col(string_len("token_hash", 64))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("expires_at"))
                .col(timestamp_with_time_zone_null("used_at"))
                .foreign_key(&mut fk(
                    "fk_setup_links_account",
                    ("setup_links", "account_id"),
                    ("accounts", "id"),
                    true,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_setup_links_token_hash")
                .table("setup_links")
                .col("token_hash")
                .unique()
                .to_owned(),
        )
        .await?;

        let db = m.get_connection();
        db.execute_unprepared(
            "UPDATE invitations SET status = 'revoked' \
             WHERE status = 'pending' AND login LIKE '%@%'",
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(m, &["setup_links", "phone_codes"]).await?;
        for col in [
            "erased_at",
            "demo_password",
            "revocation_seq",
            "phone_verified_at",
        ] {
            m.alter_table(Table::alter().table("accounts").drop_column(col).to_owned())
                .await?;
        }
        Ok(())
    }
}
