//! Shipping: the seller ships a sub-order with carrier, waybill and the batches it packed,
//! each checked against its trace record (through trace's narrow API) and the shipment chained
//! onto that record in the same transaction.

use crate::Orders;
use crate::domain::carriers::ChosenCarrier;
use crate::domain::{
    self, EventKind, MAX_BATCH_LINKS, MoveRefused, SubOrderMove, sub_order_transition,
};
use crate::error::{OrdersError, Result};
use crate::service::{OrderRecord, append, topics};
use crate::store::queries::orders::{self as q, ShippedAt};
use crate::store::queries::{catch_weights, shipments};
use crate::store::{line, shipment, shipment_batch};
use farmgate_identity::Actor;
use farmgate_infra::db::{begin_write, serialise, unique_violation};
use farmgate_kernel::id::{BatchId, ListingId, OrderId, OrderLineId, OrgId, SubOrderId};
use farmgate_kernel::{FieldError, ValidationErrors};
use farmgate_trace::domain::EventKind as TraceEvent;
use farmgate_trace::read::orders::ShippableBatch;
use sea_orm::{ActiveModelTrait, Set};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeSet;
use utoipa::ToSchema;
use uuid::Uuid;

/// One line of a parcel and a batch it was packed from.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchPick {
    pub line_id: OrderLineId,
    pub batch_id: BatchId,
}

/// Shipping a sub-order.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShipRequest {
    /// A code of the carrier list (`GET /api/v1/carriers`: `shunfeng`, `zhongtong` …), or one
    /// of its names (顺丰速运); `other` for a carrier not on the list, named in `carrier_name`
    /// (shown as typed, never tracked automatically). Anything else: `unknown_carrier`.
    pub carrier: String,
    /// With `carrier: "other"`: the carrier's name, 2–20 characters.
    #[serde(default)]
    pub carrier_name: Option<String>,
    pub tracking_no: String,
    /// The batch(es) each line was packed from. A line whose listing has batches that may ship
    /// must name at least one.
    #[serde(default)]
    pub batches: Vec<BatchPick>,
}

/// A carrier (a code or name of the list, or `other` with its name) and a waybill number, as
/// shipping and a waybill correction read them; each problem goes into `errs` under the field
/// it names (`carrier`, `carrier_name` with "other", `tracking_no`).
pub(crate) fn parse_waybill(
    carrier: &str,
    carrier_name: Option<&str>,
    tracking_no: &str,
    errs: &mut ValidationErrors,
) -> (Option<ChosenCarrier>, Option<String>) {
    let chosen = match domain::carriers::parse_carrier_choice(carrier, carrier_name) {
        Ok(c) => Some(c),
        Err(e) => {
            errs.push(e);
            None
        }
    };
    let tracking = errs.check("tracking_no", domain::parse_tracking_no(tracking_no));
    (chosen, tracking)
}

impl Orders {
    /// Ships a sub-order. Retrying with the same carrier and waybill returns the shipment made
    /// the first time; every batch must be of the line's listing, the seller's own, with an
    /// intact record and no failed inspection.
    #[tracing::instrument(skip_all, fields(sub_order.id = %id))]
    pub async fn ship(
        &self,
        actor: &Actor,
        id: SubOrderId,
        req: &ShipRequest,
    ) -> Result<OrderRecord> {
        let sub = self.sub_of_seller(actor, id).await?;
        let order_id = OrderId(sub.order_id);
        let db = &self.infra().db;
        // A pre-sale deposit is money for a harvest not grown yet, never a parcel.
        if crate::service::presale_balance::is_deposit(db, sub.order_id).await? {
            return Err(OrdersError::CannotShip);
        }
        // A pre-sale's balance ships from the batch linked at harvest.
        let presale_req = self.presale_picks(&sub, req).await?;
        let req = presale_req.as_ref().unwrap_or(req);
        let mut errs = ValidationErrors::new();
        let (chosen, tracking) = parse_waybill(
            &req.carrier,
            req.carrier_name.as_deref(),
            &req.tracking_no,
            &mut errs,
        );
        let carrier = chosen.as_ref().map(|c| c.name.clone());
        match sub_order_transition(sub.status, SubOrderMove::Ship) {
            Ok(_) => {}
            Err(MoveRefused::AlreadyDone) => {
                // A retry of the same shipment is answered with it; another one is refused.
                let same = shipments::shipment_of_sub_order(db, sub.id)
                    .await?
                    .is_some_and(|s| {
                        Some(&s.carrier) == carrier.as_ref()
                            && Some(&s.tracking_no) == tracking.as_ref()
                    });
                if same {
                    return self.existing(order_id).await;
                }
                return Err(OrdersError::CannotShip);
            }
            Err(MoveRefused::NotAllowed) => return Err(OrdersError::CannotShip),
        }
        if req.batches.len() > MAX_BATCH_LINKS {
            errs.push(FieldError::new(
                "batches",
                "too_many",
                format!("一个包裹最多关联 {MAX_BATCH_LINKS} 个批次"),
                format!("at most {MAX_BATCH_LINKS} batch links a parcel"),
            ));
        }
        let lines = q::lines_of_sub_order(db, sub.id).await?;
        let picks = self.check_picks(req, &lines, &mut errs).await?;
        let weighed = catch_weights::of_sub_order(db, sub.id).await?;
        for l in lines.iter().filter(|l| l.catch_nominal_grams.is_some()) {
            if !weighed.iter().any(|w| w.line_id == l.id) {
                errs.push(FieldError::new(
                    "weights",
                    "weight_required",
                    format!("“{}”按实重销售，请先称重录入实际重量", l.title),
                    format!("“{}” is sold by actual weight: weigh it first", l.title),
                ));
            }
        }
        errs.finish()?;
        let (Some(chosen), Some(tracking)) = (chosen, tracking) else {
            return Err(OrdersError::Invalid(ValidationErrors::new()));
        };
        let carrier = chosen.name.clone();

        let now = self.now();
        let auto_at = now + self.config().auto_receive_after;
        let actor_id = actor.account_id.as_uuid();
        let txn = begin_write(db).await?;
        // Takes turns with the part's refunds and weighings: a line is never weighed (and
        // refunded) after its parcel left.
        serialise(&txn, "orders.refund", sub.id).await?;
        let at = ShippedAt {
            shipped_at: now,
            auto_receive_at: auto_at,
            acknowledged_at: sub.acknowledged_at.unwrap_or(now),
            late: crate::domain::shipped_late(sub.ship_by, now),
        };
        if !q::ship_sub_order(&txn, sub.id, &SubOrderMove::Ship.from_states(), at).await? {
            // Moved a moment ago: by this same shipment sent twice at once (a retry on a
            // flaky network), which is answered with it as a later retry would be, or by
            // something else, which is refused.
            drop(txn);
            let same = shipments::shipment_of_sub_order(db, sub.id)
                .await?
                .is_some_and(|s| s.carrier == carrier && s.tracking_no == tracking);
            if same {
                return self.existing(order_id).await;
            }
            return Err(OrdersError::SubOrderChanged);
        }
        // A cancel request still open is refused by the parcel (issue #18).
        self.refuse_request_by_shipping(&txn, sub.order_id, sub.id, Some(actor_id), now)
            .await?;
        if sub.acknowledged_at.is_none() {
            let waited = sub
                .paid_at
                .map(|p| std::cmp::max((now - p).num_seconds(), 0))
                .unwrap_or(0);
            append(
                &txn,
                sub.order_id,
                Some(sub.id),
                EventKind::Acknowledged,
                Some(actor_id),
                json!({"seconds_since_paid": waited, "with_shipment": true}),
                now,
            )
            .await?;
        }
        let shipment_id = Uuid::now_v7();
        shipment::ActiveModel {
            id: Set(shipment_id),
            order_id: Set(sub.order_id),
            sub_order_id: Set(sub.id),
            seller_org_id: Set(sub.seller_org_id),
            carrier: Set(carrier.clone()),
            tracking_no: Set(tracking.clone()),
            shipped_by: Set(actor_id),
            shipped_at: Set(now),
            carrier_code: Set(chosen.code.map(str::to_owned)),
        }
        .insert(&txn)
        .await
        .map_err(|e| match unique_violation(&e) {
            Some(_) => OrdersError::JustShipped,
            None => e.into(),
        })?;
        // Each batch's trace record gets one shipping event, however many lines it packed.
        // In the order of the batches' ids: appending takes turns per batch, and two parcels
        // packed from the same two batches must wait for each other in the same order, never
        // each holding the batch the other wants.
        let mut chained: BTreeSet<BatchId> = BTreeSet::new();
        let mut codes = Vec::new();
        let mut picks = picks;
        picks.sort_by_key(|(_, b)| b.id);
        for (l, b) in &picks {
            shipment_batch::ActiveModel {
                shipment_id: Set(shipment_id),
                line_id: Set(l.id),
                batch_id: Set(b.id.0),
                code: Set(b.code.clone()),
                lot: Set(b.lot.clone()),
            }
            .insert(&txn)
            .await?;
            if chained.insert(b.id) {
                let packed: i64 = picks
                    .iter()
                    .filter(|(_, pb)| pb.id == b.id)
                    .map(|(pl, _)| pl.quantity)
                    .sum();
                // 箱, 斤 …: the public page shows the note as written.
                let unit = farmgate_catalog::domain::Unit::parse(&l.unit)
                    .map_or_else(|| l.unit.clone(), |u| u.label_zh().to_owned());
                // Lines sold by weight: both weights of what this batch packed (issue #22).
                let (nominal, actual) = picks
                    .iter()
                    .filter(|(_, pb)| pb.id == b.id)
                    .filter_map(|(pl, _)| weighed.iter().find(|w| w.line_id == pl.id))
                    .fold((0i64, 0i64), |(n, a), w| {
                        (n + w.nominal_grams, a + w.actual_grams)
                    });
                let note = if nominal > 0 {
                    format!(
                        "农源直供订单发货 {packed}{unit}（{}）",
                        domain::catch_weight::trace_weights(nominal, actual)
                    )
                } else {
                    format!("农源直供订单发货 {packed}{unit}")
                };
                let code = self
                    .trace()
                    .append_system(
                        &txn,
                        b.id,
                        TraceEvent::Shipping,
                        json!({
                            "carrier": carrier,
                            "tracking_no": domain::mask_tracking(&tracking),
                            "note": note,
                        }),
                        actor.account_id,
                        now,
                        OrgId(sub.seller_org_id),
                    )
                    .await?;
                codes.push(code);
            }
        }
        append(
            &txn,
            sub.order_id,
            Some(sub.id),
            EventKind::Shipped,
            Some(actor_id),
            json!({"shipment_id": shipment_id, "carrier": carrier, "tracking_no": tracking, "trace_codes": codes}),
            now,
        )
        .await?;
        let outbox = &self.infra().outbox;
        outbox
            .enqueue(&txn, topics::SHIPPED, &json!({"sub_order_id": sub.id}))
            .await?;
        // A carrier of the list is handed to the tracking aggregator, once, by the outbox
        // (issue #19); a carrier typed by hand, or no aggregator configured: the seller
        // enters the parcel's logistics.
        if let Some(code) = chosen.code {
            self.queue_tracking(&txn, shipment_id, code, &tracking, now)
                .await?;
        }
        outbox
            .enqueue_at(
                &txn,
                topics::AUTO_RECEIVE,
                &json!({"sub_order_id": sub.id}),
                auto_at,
            )
            .await?;
        txn.commit().await?;
        outbox.wake();
        for code in &codes {
            self.trace().forget_page(code).await;
        }
        self.existing(order_id).await
    }

    /// The batches the request names, each checked with trace; problems go into `errs` under
    /// the field that named them. A line whose listing has a batch that may ship must name
    /// one.
    async fn check_picks(
        &self,
        req: &ShipRequest,
        lines: &[line::Model],
        errs: &mut ValidationErrors,
    ) -> Result<Vec<(line::Model, ShippableBatch)>> {
        let mut picks: Vec<(line::Model, ShippableBatch)> = Vec::new();
        let mut seen = BTreeSet::new();
        for (i, p) in req.batches.iter().enumerate() {
            if !seen.insert((p.line_id, p.batch_id)) {
                continue;
            }
            let Some(l) = lines.iter().find(|l| l.id == p.line_id.0) else {
                errs.push(FieldError::new(
                    format!("batches[{i}].line_id"),
                    "not_in_order",
                    "这一行不属于该子订单",
                    "this line is not part of the sub-order",
                ));
                continue;
            };
            match self
                .trace()
                .shippable_batch(p.batch_id, ListingId(l.listing_id))
                .await?
            {
                Ok(b) => picks.push((l.clone(), b)),
                Err(no) => errs.push(FieldError::new(
                    format!("batches[{i}].batch_id"),
                    no.code,
                    no.message.zh,
                    no.message.en,
                )),
            }
        }
        for l in lines {
            if picks.iter().any(|(pl, _)| pl.id == l.id) {
                continue;
            }
            if self
                .trace()
                .has_shippable_batch(ListingId(l.listing_id))
                .await?
            {
                errs.push(FieldError::new(
                    "batches",
                    "batch_required",
                    format!("请为“{}”选择装箱批次，让买家扫码可查", l.title),
                    format!(
                        "choose the batch “{}” was packed from, so the buyer can trace it",
                        l.title
                    ),
                ));
            }
        }
        Ok(picks)
    }
}
