//! Issue #19, tracking that fills itself in: a shipment names its carrier by the code of the
//! carrier list (`shipments.carrier_code`, the tracking aggregator's company code such as
//! `shunfeng`; `NULL` for parcels shipped before the list and for a carrier typed by hand as
//! "other", which are never subscribed), while `shipments.carrier` keeps the name shown and
//! grouped by. `tracking_subscriptions` is one row per parcel handed to the tracking
//! aggregator: `pending` until the outbox job has asked, then `subscribed` or `refused` (with
//! the aggregator's code and words, shown to the seller), so a parcel is subscribed once.

use crate::util::{drop_tables, fk, index};
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("shipments")
                .add_column(string_len_null("carrier_code", 32))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("tracking_subscriptions")
                .col(uuid("shipment_id").primary_key())
                .col(string_len("provider", 16))
                .col(string_len("carrier_code", 32))
                .col(string_len("tracking_no", 40))
                .col(string_len("status", 16))
                .col(integer("attempts").default(0))
                .col(string_len_null("return_code", 16))
                .col(string_len_null("message", 200))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(timestamp_with_time_zone_null("last_push_at"))
                .foreign_key(&mut fk(
                    "fk_tracking_subscriptions_shipment",
                    ("tracking_subscriptions", "shipment_id"),
                    ("shipments", "id"),
                    true,
                ))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "ix_tracking_subscriptions_waybill",
            "tracking_subscriptions",
            &["tracking_no", "carrier_code"],
        ))
        .await?;
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        drop_tables(m, &["tracking_subscriptions"]).await?;
        m.alter_table(
            Table::alter()
                .table("shipments")
                .drop_column("carrier_code")
                .to_owned(),
        )
        .await
    }
}
