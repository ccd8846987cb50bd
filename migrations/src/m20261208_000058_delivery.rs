//! Issue #22, delivery windows and signed delivery notes (送货时段, 签收单).
//!
//! - `delivery_windows`: a seller's weekly window per area (`region_code`, GB/T 2260; a city or
//!   province code covers its districts): ISO weekday, start and end minute of the day in
//!   Asia/Shanghai, places per dated window, cut-off hours before the start. Deleting one only
//!   marks it (`deleted`): bookings made keep their window.
//! - `delivery_slot_loads`: places taken per dated window, one row per (window, day), moved only
//!   by conditional updates (`booked < capacity`) inside the booking's transaction.
//! - `delivery_bookings`: the dated window a business buyer's sub-order is to be delivered in,
//!   one per sub-order; deleted when cancelled (the order or the part called off, or the buyer).
//! - `delivery_notes`: the signed delivery note of a sub-order (one): the buyer's 6-digit code
//!   and its wrong tries, the goods' photo (private object keys and SHA-256), and the signature
//!   (name, server time, remarks, the quantities received). Signing moves `status` from `open`
//!   to `signed` by a conditional update in the transaction that records the receipt.

use crate::util::{drop_tables, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("delivery_windows")
                .col(uuid("id").primary_key())
                .col(uuid("seller_org_id"))
                .col(string_len("region_code", 6))
                .col(integer("weekday"))
                .col(integer("start_minute"))
                .col(integer("end_minute"))
                .col(integer("capacity"))
                .col(integer("cutoff_hours"))
                .col(boolean("deleted").default(false))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_delivery_windows_seller",
            "delivery_windows",
            &["seller_org_id", "weekday"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("delivery_slot_loads")
                .col(uuid("window_id"))
                .col(date("day"))
                .col(integer("booked").default(0))
                .primary_key(Index::create().col("window_id").col("day"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("delivery_bookings")
                .col(uuid("sub_order_id").primary_key())
                .col(uuid("window_id"))
                .col(date("day"))
                .col(uuid("seller_org_id"))
                .col(timestamp_with_time_zone("starts_at"))
                .col(timestamp_with_time_zone("ends_at"))
                .col(uuid("booked_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_delivery_bookings_seller_day",
            "delivery_bookings",
            &["seller_org_id", "day"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("delivery_notes")
                .col(uuid("sub_order_id").primary_key())
                .col(uuid("seller_org_id"))
                .col(string_len("code", 6))
                .col(integer("code_failures").default(0))
                .col(string_len("status", 16))
                .col(string_len_null("photo_original_key", 200))
                .col(string_len_null("photo_display_key", 200))
                .col(string_len_null("photo_content_type", 40))
                .col(string_len_null("photo_sha256", 64))
                .col(uuid_null("opened_by"))
                .col(timestamp_with_time_zone_null("photo_at"))
                .col(string_len_null("signer_name", 40))
                .col(uuid_null("signed_by"))
                .col(string_len_null("signed_via", 16))
                .col(string_len_null("remarks", 200))
                .col(json_binary_null("lines"))
                .col(timestamp_with_time_zone_null("signed_at"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(
            m,
            &[
                "delivery_notes",
                "delivery_bookings",
                "delivery_slot_loads",
                "delivery_windows",
            ],
        )
        .await
    }
}
