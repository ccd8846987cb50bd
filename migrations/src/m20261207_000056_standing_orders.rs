//! Issue #22, standing orders (定期订单): a business buyer's recurring order with one seller —
//! lines (a JSON list of SKU and quantity, with the title shown when set up), a schedule
//! (`weekly` on ISO weekdays kept as a bit mask, or every `every_days` days from the start), the
//! lead time before each delivery date at which its order is made, address and payment way. The
//! seller accepts it once (`status`); `next_period` is the delivery date the generation job
//! waits for, moved on only by a conditional update, so one job chain runs per standing order.
//! Each period's outcome is one row of `standing_order_runs`, unique per (standing order,
//! period); the order itself is placed through checkout under the idempotency key
//! `standing:{id}:{period}` (unique per buyer), so a period never makes two orders, whatever
//! the restarts and replicas.

use crate::util::{drop_tables, fk, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("standing_orders")
                .col(uuid("id").primary_key())
                .col(uuid("buyer_org_id"))
                .col(uuid("created_by"))
                .col(uuid("seller_org_id"))
                .col(json_binary("lines"))
                .col(string_len("schedule_kind", 16))
                .col(integer("weekdays").default(0))
                .col(integer("every_days").default(0))
                .col(integer("lead_days"))
                .col(date("start_date"))
                .col(date_null("end_date"))
                .col(uuid("address_id"))
                .col(string_len("payment_method", 16))
                .col(string_len("status", 16))
                .col(date_null("next_period"))
                .col(timestamp_with_time_zone_null("accepted_at"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_standing_orders_buyer",
            "standing_orders",
            &["buyer_org_id", "created_at"],
        ))
        .await?;
        m.create_index(index(
            "ix_standing_orders_seller",
            "standing_orders",
            &["seller_org_id", "created_at"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("standing_order_runs")
                .col(uuid("id").primary_key())
                .col(uuid("standing_order_id"))
                .col(date("period"))
                .col(string_len("outcome", 16))
                .col(uuid_null("order_id"))
                .col(json_binary("shortages"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(&mut fk(
                    "fk_standing_order_runs_standing",
                    ("standing_order_runs", "standing_order_id"),
                    ("standing_orders", "id"),
                    true,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ux_standing_order_runs_period")
                .table("standing_order_runs")
                .col("standing_order_id")
                .col("period")
                .unique()
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(m, &["standing_order_runs", "standing_orders"]).await
    }
}
