//! Correcting a waybill (issue #19): a seller who typed the wrong number, or chose the wrong
//! carrier, corrects the parcel's waybill while it is on its way — shipped, not signed for
//! (签收) and not received. The shipment is one row, so the correction is a compare-and-set on
//! the waybill the seller saw: of two corrections at once one wins, the other is told the
//! parcel changed, and nothing is half-written. The order keeps the old and the new waybill
//! in a `waybill_corrected` event (the record is appended to, never rewritten).
//!
//! Tracking follows the waybill: the old subscription is forgotten in the same transaction
//! and a carrier of the list is subscribed once through the outbox, as when shipping. 快递100
//! has no way to unsubscribe, so pushes for the old waybill keep coming for a while; they
//! find no parcel and are refused as for any waybill not ours (`404`), nothing written. An
//! answer about the old waybill that was in flight is not written over the new one
//! (`settle_subscription` matches the waybill it asked about). Track lines recorded before
//! the correction stay on the timeline: they are records, with their times.

use crate::Orders;
use crate::domain::carriers::ChosenCarrier;
use crate::domain::{EventKind, LogisticsKind, SubOrderMove, sub_order_transition};
use crate::error::{OrdersError, Result};
use crate::service::ship::parse_waybill;
use crate::service::{OrderRecord, append};
use crate::store::queries::{orders as q, shipments};
use crate::store::shipment;
use farmgate_identity::Actor;
use farmgate_infra::db::begin_write;
use farmgate_kernel::ValidationErrors;
use farmgate_kernel::id::{OrderId, SubOrderId};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

/// A parcel's corrected waybill.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WaybillRequest {
    /// As when shipping: a code of the carrier list (`GET /api/v1/carriers`), one of its
    /// names, or `other` with `carrier_name`.
    pub carrier: String,
    /// With `carrier: "other"`: the carrier's name, 2–20 characters.
    #[serde(default)]
    pub carrier_name: Option<String>,
    pub tracking_no: String,
}

fn carries(s: &shipment::Model, chosen: &ChosenCarrier, tracking: &str) -> bool {
    s.carrier == chosen.name
        && s.carrier_code.as_deref() == chosen.code
        && s.tracking_no == tracking
}

impl Orders {
    /// Corrects the waybill of a shipped parcel that has not been signed for or received. The
    /// same waybill again returns the order as is.
    #[tracing::instrument(skip_all, fields(sub_order.id = %id))]
    pub async fn correct_waybill(
        &self,
        actor: &Actor,
        id: SubOrderId,
        req: &WaybillRequest,
    ) -> Result<OrderRecord> {
        let sub = self.sub_of_seller(actor, id).await?;
        let order_id = OrderId(sub.order_id);
        let db = &self.infra().db;
        let mut errs = ValidationErrors::new();
        let (chosen, tracking) = parse_waybill(
            &req.carrier,
            req.carrier_name.as_deref(),
            &req.tracking_no,
            &mut errs,
        );
        errs.finish()?;
        let (Some(chosen), Some(tracking)) = (chosen, tracking) else {
            return Err(OrdersError::Invalid(ValidationErrors::new()));
        };
        let ship = shipments::shipment_of_sub_order(db, sub.id)
            .await?
            .ok_or(OrdersError::NotShipped)?;
        if carries(&ship, &chosen, &tracking) {
            return self.existing(order_id).await;
        }
        if sub_order_transition(sub.status, SubOrderMove::CorrectWaybill).is_err() {
            return Err(OrdersError::WaybillFinal);
        }

        let now = self.now();
        let txn = begin_write(db).await?;
        // Received or closed a moment ago: refused; receipt at the same moment waits for us.
        let from = SubOrderMove::CorrectWaybill.from_states();
        if !q::hold_sub_order(&txn, sub.id, &from).await? {
            return Err(OrdersError::WaybillFinal);
        }
        if shipments::has_event_of_kind(&txn, ship.id, LogisticsKind::Delivered).await? {
            return Err(OrdersError::WaybillFinal);
        }
        if !shipments::correct_waybill(&txn, &ship, &chosen.name, chosen.code, &tracking).await? {
            // Corrected by someone else since it was read: this same correction sent twice at
            // once is answered with it, another one is refused.
            drop(txn);
            let now_carries = shipments::shipment(db, ship.id)
                .await?
                .is_some_and(|s| carries(&s, &chosen, &tracking));
            if now_carries {
                return self.existing(order_id).await;
            }
            return Err(OrdersError::SubOrderChanged);
        }
        let old_tracking = shipments::subscription(&txn, ship.id).await?;
        shipments::drop_subscription(&txn, ship.id).await?;
        append(
            &txn,
            sub.order_id,
            Some(sub.id),
            EventKind::WaybillCorrected,
            Some(actor.account_id.as_uuid()),
            json!({
                "shipment_id": ship.id,
                "old": {
                    "carrier": ship.carrier,
                    "carrier_code": ship.carrier_code,
                    "tracking_no": ship.tracking_no,
                    "tracking": old_tracking.map(|t| json!({
                        "status": t.status,
                        "return_code": t.return_code,
                    })),
                },
                "new": {
                    "carrier": chosen.name,
                    "carrier_code": chosen.code,
                    "tracking_no": tracking,
                },
            }),
            now,
        )
        .await?;
        if let Some(code) = chosen.code {
            self.queue_tracking(&txn, ship.id, code, &tracking, now)
                .await?;
        }
        txn.commit().await?;
        self.infra().outbox.wake();
        self.existing(order_id).await
    }
}
