//! Parcels: the shipment of a sub-order, the batches each line was packed from, and the
//! logistics events on the way.

use crate::store::{shipment, shipment_batch, shipment_event};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

pub async fn shipments_of_order(
    conn: &impl ConnectionTrait,
    order_id: Uuid,
) -> Result<Vec<shipment::Model>, DbErr> {
    shipment::Entity::find()
        .filter(shipment::Column::OrderId.eq(order_id))
        .all(conn)
        .await
}

/// A sub-order's parcel, once it has shipped.
pub async fn shipment_of_sub_order(
    conn: &impl ConnectionTrait,
    sub_order_id: Uuid,
) -> Result<Option<shipment::Model>, DbErr> {
    shipment::Entity::find()
        .filter(shipment::Column::SubOrderId.eq(sub_order_id))
        .one(conn)
        .await
}

/// The parcels a carrier's waybill number names (one waybill may carry several sub-orders).
pub async fn shipments_by_waybill(
    conn: &impl ConnectionTrait,
    carrier: &str,
    tracking_no: &str,
) -> Result<Vec<shipment::Model>, DbErr> {
    shipment::Entity::find()
        .filter(shipment::Column::TrackingNo.eq(tracking_no))
        .filter(shipment::Column::Carrier.eq(carrier))
        .all(conn)
        .await
}

/// The batch links of some parcels.
pub async fn batches_of_shipments(
    conn: &impl ConnectionTrait,
    shipment_ids: &[Uuid],
) -> Result<Vec<shipment_batch::Model>, DbErr> {
    if shipment_ids.is_empty() {
        return Ok(Vec::new());
    }
    shipment_batch::Entity::find()
        .filter(shipment_batch::Column::ShipmentId.is_in(shipment_ids.to_vec()))
        .all(conn)
        .await
}

/// The logistics events of some parcels, in the order they happened.
pub async fn events_of_shipments(
    conn: &impl ConnectionTrait,
    shipment_ids: &[Uuid],
) -> Result<Vec<shipment_event::Model>, DbErr> {
    if shipment_ids.is_empty() {
        return Ok(Vec::new());
    }
    shipment_event::Entity::find()
        .filter(shipment_event::Column::ShipmentId.is_in(shipment_ids.to_vec()))
        .order_by_asc(shipment_event::Column::At)
        .all(conn)
        .await
}

/// A carrier's event is recorded once per parcel and event id.
pub const CARRIER_EVENT: farmgate_infra::db::UniqueIndex = farmgate_infra::db::UniqueIndex {
    name: "ux_shipment_events_external",
    table: "shipment_events",
    columns: &["shipment_id", "external_id"],
};

/// The event a carrier sent under `external_id` for a parcel, if it was recorded.
pub async fn carrier_event(
    conn: &impl ConnectionTrait,
    shipment_id: Uuid,
    external_id: &str,
) -> Result<Option<shipment_event::Model>, DbErr> {
    shipment_event::Entity::find()
        .filter(shipment_event::Column::ShipmentId.eq(shipment_id))
        .filter(shipment_event::Column::ExternalId.eq(external_id))
        .one(conn)
        .await
}

/// Whether the parcel has an event of `kind` already.
pub async fn has_event_of_kind(
    conn: &impl ConnectionTrait,
    shipment_id: Uuid,
    kind: crate::domain::LogisticsKind,
) -> Result<bool, DbErr> {
    Ok(shipment_event::Entity::find()
        .filter(shipment_event::Column::ShipmentId.eq(shipment_id))
        .filter(shipment_event::Column::Kind.eq(kind))
        .one(conn)
        .await?
        .is_some())
}
