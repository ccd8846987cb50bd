//! Logistics events on a parcel's way: entered by the seller, or posted by the carrier in a
//! signed callback (a redelivery records nothing new).

use crate::Orders;
use crate::domain::{self, LogisticsKind, LogisticsSource};
use crate::error::{Missing, OrdersError, Result};
use crate::payment::verify_signature;
use crate::service::OrderRecord;
use crate::service::webhook::refused;
use crate::store::queries::shipments;
use crate::store::{shipment, shipment_event};
use chrono::{DateTime, Duration, Utc};
use farmgate_identity::Actor;
use farmgate_infra::db::{begin_write, serialise, violates};
use farmgate_kernel::id::{OrderId, SubOrderId};
use farmgate_kernel::text::clean_optional_text;
use farmgate_kernel::{FieldError, ValidationErrors};
use sea_orm::{EntityTrait, Set};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A logistics event the seller enters.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LogisticsRequest {
    pub kind: LogisticsKind,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    /// When it happened (now when absent).
    #[serde(default)]
    pub at: Option<DateTime<Utc>>,
}

/// What a carrier posts to `/api/v1/logistics/callback`, signed like a payment notification
/// with the carrier secret.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CarrierEvent {
    /// The carrier's id for this event; a redelivery carries the same one.
    pub event_id: String,
    pub carrier: String,
    pub tracking_no: String,
    pub kind: LogisticsKind,
    pub at: DateTime<Utc>,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// What became of a carrier callback.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CarrierAck {
    /// Parcels the event was recorded on (0 when it was a redelivery).
    pub recorded: usize,
}

/// One logistics event to record.
pub(crate) struct Logged<'a> {
    pub(crate) kind: LogisticsKind,
    pub(crate) at: DateTime<Utc>,
    pub(crate) location: Option<&'a str>,
    pub(crate) note: Option<&'a str>,
    pub(crate) source: LogisticsSource,
    pub(crate) external_id: Option<&'a str>,
    pub(crate) actor: Option<Uuid>,
}

impl Orders {
    /// The seller records where a parcel is.
    #[tracing::instrument(skip_all, fields(sub_order.id = %id))]
    pub async fn add_logistics(
        &self,
        actor: &Actor,
        id: SubOrderId,
        req: &LogisticsRequest,
    ) -> Result<OrderRecord> {
        let sub = self.sub_of_seller(actor, id).await?;
        let ship = shipments::shipment_of_sub_order(&self.infra().db, sub.id)
            .await?
            .ok_or(OrdersError::NotShipped)?;
        self.record_logistics(
            &ship,
            Logged {
                kind: req.kind,
                at: req.at.unwrap_or_else(|| self.now()),
                location: req.location.as_deref(),
                note: req.note.as_deref(),
                source: LogisticsSource::Seller,
                external_id: None,
                actor: Some(actor.account_id.as_uuid()),
            },
        )
        .await?;
        self.existing(OrderId(sub.order_id)).await
    }

    /// A carrier's signed callback about a waybill. Redelivery records nothing new.
    #[tracing::instrument(skip_all)]
    pub async fn carrier_callback(
        &self,
        signature: Option<&str>,
        body: &[u8],
    ) -> Result<CarrierAck> {
        verify_signature(
            self.config().carrier_secret.as_bytes(),
            signature,
            body,
            self.now(),
        )
        .map_err(|e| refused(&e))?;
        let ev: CarrierEvent =
            serde_json::from_slice(body).map_err(|_| OrdersError::MalformedNotification)?;
        let tracking = domain::parse_tracking_no(&ev.tracking_no)?;
        let event_id = farmgate_kernel::text::clean_text(&ev.event_id, 1, 64, false)
            .map_err(|e| e.at("event_id"))?;
        let ships =
            shipments::shipments_by_waybill(&self.infra().db, ev.carrier.trim(), &tracking).await?;
        if ships.is_empty() {
            return Err(OrdersError::NotFound(Missing::Waybill));
        }
        let mut recorded = 0;
        for ship in &ships {
            let logged = Logged {
                kind: ev.kind,
                at: ev.at,
                location: ev.location.as_deref(),
                note: ev.note.as_deref(),
                source: LogisticsSource::Carrier,
                external_id: Some(&event_id),
                actor: None,
            };
            if self.record_logistics(ship, logged).await? {
                recorded += 1;
            }
        }
        Ok(CarrierAck { recorded })
    }

    /// Records one event on a parcel; `false` when the carrier sent it before.
    pub(crate) async fn record_logistics(
        &self,
        ship: &shipment::Model,
        e: Logged<'_>,
    ) -> Result<bool> {
        let now = self.now();
        let mut errs = ValidationErrors::new();
        let location = errs.check("location", clean_optional_text(e.location, 60, false));
        let note = errs.check("note", clean_optional_text(e.note, 200, true));
        if e.at < ship.shipped_at - Duration::minutes(5) || e.at > now + Duration::minutes(5) {
            errs.push(FieldError::new(
                "at",
                "out_of_range",
                "物流时间应在发货之后、不晚于现在",
                "a logistics event happens after shipping and not in the future",
            ));
        }
        errs.finish()?;
        let (location, note) = (location.flatten(), note.flatten());
        let row = shipment_event::ActiveModel {
            id: Set(Uuid::now_v7()),
            shipment_id: Set(ship.id),
            kind: Set(e.kind),
            at: Set(e.at),
            location: Set(location.clone()),
            note: Set(note.clone()),
            source: Set(e.source),
            external_id: Set(e.external_id.map(str::to_owned)),
            actor_id: Set(e.actor),
            recorded_at: Set(now),
        };
        let db = &self.infra().db;
        let txn = begin_write(db).await?;
        // The buyer is told the first time the parcel is out for delivery (a second attempt
        // the next day records its event but tells nobody again).
        if e.kind == LogisticsKind::OutForDelivery {
            serialise(&txn, "shipment_events", ship.id).await?;
        }
        let first_out = e.kind == LogisticsKind::OutForDelivery
            && !shipments::has_event_of_kind(&txn, ship.id, LogisticsKind::OutForDelivery).await?;
        match shipment_event::Entity::insert(row)
            .exec_without_returning(&txn)
            .await
        {
            Ok(_) => {
                if first_out {
                    self.infra()
                        .outbox
                        .enqueue(
                            &txn,
                            super::topics::OUT_FOR_DELIVERY,
                            &serde_json::json!({ "sub_order_id": ship.sub_order_id }),
                        )
                        .await?;
                }
                txn.commit().await?;
                if first_out {
                    self.infra().outbox.wake();
                }
                Ok(true)
            }
            Err(err) if violates(&err, &shipments::CARRIER_EVENT) => {
                // The failed insert ends the transaction (PostgreSQL); read on the pool.
                drop(txn);
                // Recorded before: a redelivery says the same; the same id saying something
                // else is refused (and logged), not acknowledged as a redelivery.
                let external = e.external_id.unwrap_or_default();
                let prior = shipments::carrier_event(db, ship.id, external).await?;
                let same = prior.is_some_and(|p| {
                    p.kind == e.kind
                        && (p.at - e.at).num_milliseconds().abs() < 1
                        && p.location == location
                        && p.note == note
                });
                if same {
                    return Ok(false);
                }
                tracing::warn!(
                    shipment.id = %ship.id,
                    event_id = external,
                    "a carrier callback replayed its event id with other content; refused"
                );
                Err(OrdersError::NotificationMismatch)
            }
            Err(err) => Err(err.into()),
        }
    }
}
