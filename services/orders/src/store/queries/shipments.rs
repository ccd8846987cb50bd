//! Parcels: the shipment of a sub-order, the batches each line was packed from, and the
//! logistics events on the way.

use crate::domain::tracking::SubscriptionStatus;
use crate::store::{shipment, shipment_batch, shipment_event, tracking_subscription};
use sea_orm::sea_query::{Expr, ExprTrait};
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

/// The parcels a carrier's waybill number names (one waybill may carry several sub-orders);
/// the carrier as its name or its code of the list.
pub async fn shipments_by_waybill(
    conn: &impl ConnectionTrait,
    carrier: &str,
    tracking_no: &str,
) -> Result<Vec<shipment::Model>, DbErr> {
    shipment::Entity::find()
        .filter(shipment::Column::TrackingNo.eq(tracking_no))
        .filter(
            sea_orm::Condition::any()
                .add(shipment::Column::Carrier.eq(carrier))
                .add(shipment::Column::CarrierCode.eq(carrier)),
        )
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

/// One parcel.
pub async fn shipment(
    conn: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<shipment::Model>, DbErr> {
    shipment::Entity::find_by_id(id).one(conn).await
}

/// The parcels a waybill of a listed carrier names (by the carrier's code).
pub async fn shipments_by_coded_waybill(
    conn: &impl ConnectionTrait,
    carrier_code: &str,
    tracking_no: &str,
) -> Result<Vec<shipment::Model>, DbErr> {
    shipment::Entity::find()
        .filter(shipment::Column::TrackingNo.eq(tracking_no))
        .filter(shipment::Column::CarrierCode.eq(carrier_code))
        .all(conn)
        .await
}

/// A parcel's tracking subscription, if it was handed to the aggregator.
pub async fn subscription(
    conn: &impl ConnectionTrait,
    shipment_id: Uuid,
) -> Result<Option<tracking_subscription::Model>, DbErr> {
    tracking_subscription::Entity::find_by_id(shipment_id)
        .one(conn)
        .await
}

/// The tracking subscriptions of some parcels.
pub async fn subscriptions_of_shipments(
    conn: &impl ConnectionTrait,
    shipment_ids: &[Uuid],
) -> Result<Vec<tracking_subscription::Model>, DbErr> {
    if shipment_ids.is_empty() {
        return Ok(Vec::new());
    }
    tracking_subscription::Entity::find()
        .filter(tracking_subscription::Column::ShipmentId.is_in(shipment_ids.to_vec()))
        .all(conn)
        .await
}

/// What became of asking the aggregator about `asked` (carrier code, waybill), written only
/// while the subscription is still `pending` for that waybill: two deliveries of the job at
/// once write one answer, and an answer about a waybill the seller has corrected since is not
/// written over the new one's. `true` when written.
pub async fn settle_subscription(
    conn: &impl ConnectionTrait,
    shipment_id: Uuid,
    asked: (&str, &str),
    status: SubscriptionStatus,
    return_code: Option<&str>,
    message: Option<&str>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<bool, DbErr> {
    let res = tracking_subscription::Entity::update_many()
        .col_expr(tracking_subscription::Column::Status, Expr::value(status))
        .col_expr(
            tracking_subscription::Column::ReturnCode,
            Expr::value(return_code.map(str::to_owned)),
        )
        .col_expr(
            tracking_subscription::Column::Message,
            Expr::value(message.map(|m| m.chars().take(200).collect::<String>())),
        )
        .col_expr(
            tracking_subscription::Column::Attempts,
            Expr::col(tracking_subscription::Column::Attempts).add(1),
        )
        .col_expr(tracking_subscription::Column::UpdatedAt, Expr::value(now))
        .filter(tracking_subscription::Column::ShipmentId.eq(shipment_id))
        .filter(tracking_subscription::Column::Status.eq(SubscriptionStatus::Pending))
        .filter(tracking_subscription::Column::CarrierCode.eq(asked.0))
        .filter(tracking_subscription::Column::TrackingNo.eq(asked.1))
        .exec(conn)
        .await?;
    Ok(res.rows_affected == 1)
}

/// The waybill a parcel carries, as one compare-and-set: written only while the parcel still
/// carries `old` (carrier name, code, number), so of two corrections at once one wins and the
/// other finds it changed. `true` when written.
pub async fn correct_waybill(
    conn: &impl ConnectionTrait,
    old: &shipment::Model,
    carrier: &str,
    carrier_code: Option<&str>,
    tracking_no: &str,
) -> Result<bool, DbErr> {
    let code = shipment::Column::CarrierCode;
    let same_code = match old.carrier_code.as_deref() {
        Some(c) => code.eq(c),
        None => code.is_null(),
    };
    let res = shipment::Entity::update_many()
        .col_expr(shipment::Column::Carrier, Expr::value(carrier))
        .col_expr(code, Expr::value(carrier_code.map(str::to_owned)))
        .col_expr(shipment::Column::TrackingNo, Expr::value(tracking_no))
        .filter(shipment::Column::Id.eq(old.id))
        .filter(shipment::Column::Carrier.eq(old.carrier.as_str()))
        .filter(same_code)
        .filter(shipment::Column::TrackingNo.eq(old.tracking_no.as_str()))
        .exec(conn)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Forgets a parcel's subscription (its waybill was corrected): pushes for the old waybill
/// find no parcel any more.
pub async fn drop_subscription(
    conn: &impl ConnectionTrait,
    shipment_id: Uuid,
) -> Result<(), DbErr> {
    tracking_subscription::Entity::delete_by_id(shipment_id)
        .exec(conn)
        .await?;
    Ok(())
}

/// A push arrived for the parcel: when, and the aggregator's word when it stopped tracking
/// (`3天查询无记录`, `60天无变化`).
pub async fn note_push(
    conn: &impl ConnectionTrait,
    shipment_id: Uuid,
    stopped: Option<&str>,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), DbErr> {
    let mut update = tracking_subscription::Entity::update_many()
        .col_expr(
            tracking_subscription::Column::LastPushAt,
            Expr::value(Some(now)),
        )
        .col_expr(tracking_subscription::Column::UpdatedAt, Expr::value(now));
    if let Some(m) = stopped {
        update = update.col_expr(
            tracking_subscription::Column::Message,
            Expr::value(Some(m.chars().take(200).collect::<String>())),
        );
    }
    update
        .filter(tracking_subscription::Column::ShipmentId.eq(shipment_id))
        .exec(conn)
        .await?;
    Ok(())
}
