//! Issue #22, procurement: business buyers' kinds, purchasing staff and the approval of orders
//! above a limit.
//!
//! - `buyer_profiles` (identity): one row per business-buyer organisation, written by its owner:
//!   what kind of buyer it is (`buyer_kind`: community shop, supermarket, hotel/restaurant,
//!   school or factory canteen …) and the limit (`approval_limit_fen`, `NULL`: none) above which
//!   an order placed by a purchaser waits for a manager's approval. Members' new roles
//!   (`purchaser`, `manager`) are values of `memberships.role`, which needs no change.
//! - `order_approvals` (orders): one row per order that needed approval (the order is the
//!   primary key, so an order waits once), with the total and the limit it was over, and the
//!   one decision: `pending` → `approved` | `rejected` (a rejected order is cancelled and its
//!   stock returned in the same transaction).

use crate::util::{drop_tables, fk, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("buyer_profiles")
                .col(uuid("org_id").primary_key())
                .col(string_len_null("buyer_kind", 32))
                .col(big_integer_null("approval_limit_fen"))
                .col(uuid("updated_by"))
                .col(timestamp_with_time_zone("updated_at"))
                .foreign_key(&mut fk(
                    "fk_buyer_profiles_org",
                    ("buyer_profiles", "org_id"),
                    ("organisations", "id"),
                    true,
                ))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("order_approvals")
                .col(uuid("order_id").primary_key())
                .col(uuid("buyer_org_id"))
                .col(uuid("requested_by"))
                .col(big_integer("total_fen"))
                .col(big_integer("limit_fen"))
                .col(string_len("status", 16))
                .col(uuid_null("decided_by"))
                .col(timestamp_with_time_zone_null("decided_at"))
                .col(string_len_null("reason", 200))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "fk_order_approvals_order",
                    ("order_approvals", "order_id"),
                    ("orders", "id"),
                    true,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_order_approvals_org_status",
            "order_approvals",
            &["buyer_org_id", "status", "created_at"],
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(m, &["order_approvals", "buyer_profiles"]).await
    }
}
