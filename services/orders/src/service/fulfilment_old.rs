//! Shipping and receipt: the seller ships a sub-order with carrier, waybill and the batches it
//! packed (each checked against the trace record and chained onto it), logistics events come
//! from the seller or a signed carrier callback, and the buyer confirms receipt, or the
//! scheduler does after the configured days; receipt opens the after-sales window.

use crate::Orders;
use crate::domain::{self, EventKind, LogisticsKind, SubOrderStatus};
use crate::error::{OrdersError, Result};
use crate::payment::{WebhookError, verify_signature};
use crate::service::{OrderRecord, append, topics};
use crate::store::{event, line, order, shipment, shipment_batch, shipment_event, sub_order};
use chrono::{DateTime, Duration, Utc};
use farmgate_identity::Actor;
use farmgate_infra::db::{begin_write, unique_violation};
use farmgate_kernel::id::OrgId;
use farmgate_kernel::text::clean_optional_text;
use farmgate_kernel::{FieldError, ValidationErrors};
use farmgate_trace::TraceError;
use farmgate_trace::domain::EventKind as TraceEvent;
use farmgate_trace::store::batch;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeSet;
use utoipa::ToSchema;
use uuid::Uuid;

/// At most this many batch links on one parcel.
pub const MAX_BATCH_LINKS: usize = 50;

/// One line of a parcel and a batch it was packed from.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BatchPick {
    pub line_id: Uuid,
    pub batch_id: Uuid,
}

/// Shipping a sub-order.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ShipRequest {
    /// 顺丰速运, 中国邮政, 京东物流 ...
    pub carrier: String,
    pub tracking_no: String,
    /// The batch(es) each line was packed from. A line whose listing has batches that may ship
    /// must name at least one.
    #[serde(default)]
    pub batches: Vec<BatchPick>,
}

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

fn mask_tracking(t: &str) -> String {
    let chars: Vec<char> = t.chars().collect();
    if chars.len() <= 8 {
        return "*".repeat(chars.len());
    }
    let head: String = chars.iter().take(4).collect();
    let tail: String = chars.iter().skip(chars.len() - 4).collect();
    format!("{head}****{tail}")
}

impl Orders {
    /// A sub-order the caller sells (members of the seller; others are told it does not exist).
    pub(crate) async fn sub_of_seller(
        &self,
        actor: &Actor,
        sub_id: Uuid,
    ) -> Result<sub_order::Model> {
        let sub = sub_order::Entity::find_by_id(sub_id)
            .one(&self.infra().db)
            .await?
            .ok_or(OrdersError::not_found("子订单", "sub-order"))?;
        let org = OrgId(sub.seller_org_id);
        if actor.membership(org).is_none() {
            return Err(OrdersError::not_found("子订单", "sub-order"));
        }
        actor.require_selling_member(org)?;
        Ok(sub)
    }

    /// Ships a sub-order. Retrying with the same carrier and waybill returns the shipment made
    /// the first time; every batch must be of the line's listing, the seller's own, with an
    /// intact record and no failed inspection.
    pub async fn ship(
        &self,
        actor: &Actor,
        sub_id: Uuid,
        req: &ShipRequest,
    ) -> Result<OrderRecord> {
        let sub = self.sub_of_seller(actor, sub_id).await?;
        let mut errs = ValidationErrors::new();
        let carrier = errs.check("carrier", domain::parse_carrier(&req.carrier));
        let tracking = errs.check("tracking_no", domain::parse_tracking_no(&req.tracking_no));
        let status = SubOrderStatus::parse(&sub.status);
        if status == Some(SubOrderStatus::Shipped) || status == Some(SubOrderStatus::Received) {
            let same = shipment::Entity::find()
                .filter(shipment::Column::SubOrderId.eq(sub.id))
                .one(&self.infra().db)
                .await?
                .is_some_and(|s| {
                    Some(&s.carrier) == carrier.as_ref()
                        && Some(&s.tracking_no) == tracking.as_ref()
                });
            if same {
                return self.existing(sub.order_id).await;
            }
        }
        if !domain::can_ship(status) {
            return Err(OrdersError::conflict(
                "cannot_ship",
                "只有已付款、未发货的订单可以发货",
                "only a paid sub-order that has not shipped can ship",
            ));
        }
        if req.batches.len() > MAX_BATCH_LINKS {
            errs.push(FieldError::new(
                "batches",
                "too_many",
                format!("一个包裹最多关联 {MAX_BATCH_LINKS} 个批次"),
                format!("at most {MAX_BATCH_LINKS} batch links a parcel"),
            ));
        }
        let db = &self.infra().db;
        let lines = line::Entity::find()
            .filter(line::Column::SubOrderId.eq(sub.id))
            .all(db)
            .await?;
        let mut picks: Vec<(line::Model, batch::Model)> = Vec::new();
        let mut seen = BTreeSet::new();
        for (i, p) in req.batches.iter().enumerate() {
            if !seen.insert((p.line_id, p.batch_id)) {
                continue;
            }
            let Some(l) = lines.iter().find(|l| l.id == p.line_id) else {
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
                .ensure_shippable(p.batch_id, l.listing_id)
                .await
            {
                Ok(record) => picks.push((l.clone(), record.batch)),
                Err(e) => {
                    let (code, zh, en) = match e {
                        TraceError::NotFound { .. } => (
                            "not_found",
                            "批次不存在".to_owned(),
                            "no such batch".to_owned(),
                        ),
                        TraceError::Conflict { code, zh, en } => (code, zh, en),
                        other => return Err(other.into()),
                    };
                    errs.push(FieldError::new(
                        format!("batches[{i}].batch_id"),
                        code,
                        zh,
                        en,
                    ));
                }
            }
        }
        // A line whose listing has batches that may ship must say which one it was packed from.
        for l in &lines {
            if picks.iter().any(|(pl, _)| pl.id == l.id) {
                continue;
            }
            let candidates = batch::Entity::find()
                .filter(batch::Column::ListingId.eq(l.listing_id))
                .filter(batch::Column::Status.eq("open"))
                .limit(5)
                .all(db)
                .await?;
            let mut shippable = false;
            for b in candidates {
                if self
                    .trace()
                    .ensure_shippable(b.id, l.listing_id)
                    .await
                    .is_ok()
                {
                    shippable = true;
                    break;
                }
            }
            if shippable {
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
        errs.finish()?;
        let (Some(carrier), Some(tracking)) = (carrier, tracking) else {
            return Err(OrdersError::Invalid(ValidationErrors::new()));
        };
        let now = self.infra().clock.now();
        let auto_at = now + self.config().auto_receive_after;
        let actor_id = actor.account_id.as_uuid();
        let txn = begin_write(db).await?;
        let done = sub_order::Entity::update_many()
            .col_expr(
                sub_order::Column::Status,
                Expr::value(SubOrderStatus::Shipped.as_str()),
            )
            .col_expr(sub_order::Column::ShippedAt, Expr::value(now))
            .col_expr(sub_order::Column::AutoReceiveAt, Expr::value(auto_at))
            .col_expr(
                sub_order::Column::AcknowledgedAt,
                Expr::value(sub.acknowledged_at.unwrap_or(now)),
            )
            .filter(sub_order::Column::Id.eq(sub.id))
            .filter(sub_order::Column::Status.is_in([
                SubOrderStatus::Paid.as_str(),
                SubOrderStatus::Acknowledged.as_str(),
            ]))
            .exec(&txn)
            .await?;
        if done.rows_affected != 1 {
            return Err(OrdersError::conflict(
                "concurrent_update",
                "订单状态刚刚变化，请刷新后重试",
                "the sub-order just changed; reload and retry",
            ));
        }
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
        }
        .insert(&txn)
        .await
        .map_err(|e| match unique_violation(&e) {
            Some(_) => OrdersError::conflict(
                "concurrent_update",
                "该订单刚刚已发货",
                "this sub-order has just shipped",
            ),
            None => e.into(),
        })?;
        let mut chained: BTreeSet<Uuid> = BTreeSet::new();
        let mut codes = Vec::new();
        for (l, b) in &picks {
            shipment_batch::ActiveModel {
                shipment_id: Set(shipment_id),
                line_id: Set(l.id),
                batch_id: Set(b.id),
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
                let unit = l.unit.clone();
                let code = self
                    .trace()
                    .append_system(
                        &txn,
                        b.id,
                        TraceEvent::Shipping,
                        json!({
                            "carrier": carrier,
                            "tracking_no": mask_tracking(&tracking),
                            "note": format!("农源直供订单发货 {packed}{unit}"),
                        }),
                        actor_id,
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
        self.existing(sub.order_id).await
    }

    /// The seller records where a parcel is.
    pub async fn add_logistics(
        &self,
        actor: &Actor,
        sub_id: Uuid,
        req: &LogisticsRequest,
    ) -> Result<OrderRecord> {
        let sub = self.sub_of_seller(actor, sub_id).await?;
        let ship = shipment::Entity::find()
            .filter(shipment::Column::SubOrderId.eq(sub.id))
            .one(&self.infra().db)
            .await?
            .ok_or_else(|| {
                OrdersError::conflict(
                    "not_shipped",
                    "订单尚未发货",
                    "the sub-order has not shipped",
                )
            })?;
        let at = req.at.unwrap_or_else(|| self.infra().clock.now());
        self.record_logistics(
            &ship,
            req.kind,
            at,
            req.location.as_deref(),
            req.note.as_deref(),
            "seller",
            None,
            Some(actor.account_id.as_uuid()),
        )
        .await?;
        self.existing(sub.order_id).await
    }

    /// A carrier's signed callback about a waybill. Redelivery records nothing new.
    pub async fn carrier_callback(
        &self,
        signature: Option<&str>,
        body: &[u8],
    ) -> Result<CarrierAck> {
        let now = self.infra().clock.now();
        verify_signature(
            self.config().carrier_secret.as_bytes(),
            signature,
            body,
            now,
        )
        .map_err(|e| match e {
            WebhookError::Stale => OrdersError::rejected(
                "stale_notification",
                "通知已过期（时间戳超出 5 分钟）",
                "the notification is older than five minutes",
            ),
            _ => OrdersError::rejected(
                "bad_signature",
                "签名校验失败",
                "the signature does not verify",
            ),
        })?;
        let ev: CarrierEvent = serde_json::from_slice(body).map_err(|_| {
            OrdersError::rejected(
                "malformed_notification",
                "通知内容无法解析",
                "the notification cannot be read",
            )
        })?;
        let tracking = domain::parse_tracking_no(&ev.tracking_no)?;
        let event_id = farmgate_kernel::text::clean_text(&ev.event_id, 1, 64, false)
            .map_err(|e| e.at("event_id"))?;
        let ships = shipment::Entity::find()
            .filter(shipment::Column::TrackingNo.eq(tracking))
            .filter(shipment::Column::Carrier.eq(ev.carrier.trim()))
            .all(&self.infra().db)
            .await?;
        if ships.is_empty() {
            return Err(OrdersError::not_found("运单", "waybill"));
        }
        let mut recorded = 0;
        for ship in &ships {
            if self
                .record_logistics(
                    ship,
                    ev.kind,
                    ev.at,
                    ev.location.as_deref(),
                    ev.note.as_deref(),
                    "carrier",
                    Some(&event_id),
                    None,
                )
                .await?
            {
                recorded += 1;
            }
        }
        Ok(CarrierAck { recorded })
    }

    #[expect(clippy::too_many_arguments, reason = "one logistics event")]
    async fn record_logistics(
        &self,
        ship: &shipment::Model,
        kind: LogisticsKind,
        at: DateTime<Utc>,
        location: Option<&str>,
        note: Option<&str>,
        source: &str,
        external_id: Option<&str>,
        actor: Option<Uuid>,
    ) -> Result<bool> {
        let now = self.infra().clock.now();
        let mut errs = ValidationErrors::new();
        let location = errs.check("location", clean_optional_text(location, 60, false));
        let note = errs.check("note", clean_optional_text(note, 200, true));
        if at < ship.shipped_at - Duration::minutes(5) || at > now + Duration::minutes(5) {
            errs.push(FieldError::new(
                "at",
                "out_of_range",
                "物流时间应在发货之后、不晚于现在",
                "a logistics event happens after shipping and not in the future",
            ));
        }
        errs.finish()?;
        let row = shipment_event::ActiveModel {
            id: Set(Uuid::now_v7()),
            shipment_id: Set(ship.id),
            kind: Set(kind.as_str().to_owned()),
            at: Set(at),
            location: Set(location.flatten()),
            note: Set(note.flatten()),
            source: Set(source.to_owned()),
            external_id: Set(external_id.map(str::to_owned)),
            actor_id: Set(actor),
            recorded_at: Set(now),
        };
        match shipment_event::Entity::insert(row)
            .exec_without_returning(&self.infra().db)
            .await
        {
            Ok(_) => Ok(true),
            Err(e) if unique_violation(&e).is_some() => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// The buyer confirms a parcel arrived (again: nothing changes).
    pub async fn receive(&self, actor: &Actor, sub_id: Uuid) -> Result<OrderRecord> {
        let db = &self.infra().db;
        let not_found = || OrdersError::not_found("子订单", "sub-order");
        let sub = sub_order::Entity::find_by_id(sub_id)
            .one(db)
            .await?
            .ok_or_else(not_found)?;
        let o = order::Entity::find_by_id(sub.order_id)
            .one(db)
            .await?
            .ok_or_else(not_found)?;
        if o.buyer_account_id != actor.account_id.as_uuid() {
            return Err(not_found());
        }
        match SubOrderStatus::parse(&sub.status) {
            Some(SubOrderStatus::Received) => {}
            Some(SubOrderStatus::Shipped) => {
                self.mark_received(&sub, Some(actor.account_id.as_uuid()))
                    .await?;
            }
            _ => {
                return Err(OrdersError::conflict(
                    "not_shipped",
                    "订单尚未发货，不能确认收货",
                    "the sub-order has not shipped and cannot be received",
                ));
            }
        }
        self.existing(sub.order_id).await
    }

    /// The scheduler's receipt of a shipment nobody confirmed (once; early or repeated calls
    /// change nothing).
    pub async fn auto_receive_if_due(&self, sub_id: Uuid) -> Result<bool> {
        let Some(sub) = sub_order::Entity::find_by_id(sub_id)
            .one(&self.infra().db)
            .await?
        else {
            return Ok(false);
        };
        let due = sub
            .auto_receive_at
            .is_some_and(|t| t <= self.infra().clock.now());
        if sub.status != SubOrderStatus::Shipped.as_str() || !due {
            return Ok(false);
        }
        self.mark_received(&sub, None).await
    }

    async fn mark_received(&self, sub: &sub_order::Model, actor: Option<Uuid>) -> Result<bool> {
        let db = &self.infra().db;
        let hours: Vec<i32> = line::Entity::find()
            .filter(line::Column::SubOrderId.eq(sub.id))
            .all(db)
            .await?
            .iter()
            .map(|l| l.claim_window_hours)
            .collect();
        let now = self.infra().clock.now();
        let closes = domain::window_closes_at(now, hours);
        let txn = begin_write(db).await?;
        let done = sub_order::Entity::update_many()
            .col_expr(
                sub_order::Column::Status,
                Expr::value(SubOrderStatus::Received.as_str()),
            )
            .col_expr(sub_order::Column::ReceivedAt, Expr::value(now))
            .col_expr(sub_order::Column::WindowClosesAt, Expr::value(closes))
            .filter(sub_order::Column::Id.eq(sub.id))
            .filter(sub_order::Column::Status.eq(SubOrderStatus::Shipped.as_str()))
            .exec(&txn)
            .await?;
        if done.rows_affected != 1 {
            return Ok(false);
        }
        append(
            &txn,
            sub.order_id,
            Some(sub.id),
            EventKind::Received,
            actor,
            json!({"automatic": actor.is_none(), "window_closes_at": closes}),
            now,
        )
        .await?;
        self.infra()
            .outbox
            .enqueue(&txn, topics::RECEIVED, &json!({"sub_order_id": sub.id}))
            .await?;
        txn.commit().await?;
        self.infra().outbox.wake();
        Ok(true)
    }
}

impl Orders {
    /// A zero-price replacement (补发) of some units of a received sub-order, as an after-sales
    /// remedy: a new paid sub-order of the same order and seller, its lines copied at price 0,
    /// stock taken like any sale, shipped like any other. `key` makes it once per remedy.
    pub async fn create_replacement(
        &self,
        sub_id: Uuid,
        lines: &[(Uuid, i64)],
        key: &str,
        actor: Option<Uuid>,
    ) -> Result<sub_order::Model> {
        let db = &self.infra().db;
        let sub = sub_order::Entity::find_by_id(sub_id)
            .one(db)
            .await?
            .ok_or(OrdersError::not_found("子订单", "sub-order"))?;
        let number = format!("{}-R", sub.number);
        // The remedy key is kept on the replacement's event: a retry finds what it made.
        let made = event::Entity::find()
            .filter(event::Column::OrderId.eq(sub.order_id))
            .filter(event::Column::Kind.eq(EventKind::Replacement.as_str()))
            .all(db)
            .await?
            .into_iter()
            .find(|e| e.data["key"] == key)
            .and_then(|e| e.sub_order_id);
        if let Some(made) = made {
            return sub_order::Entity::find_by_id(made)
                .one(db)
                .await?
                .ok_or(OrdersError::not_found("子订单", "sub-order"));
        }
        let originals = line::Entity::find()
            .filter(line::Column::SubOrderId.eq(sub.id))
            .all(db)
            .await?;
        let existing = sub_order::Entity::find()
            .filter(sub_order::Column::OrderId.eq(sub.order_id))
            .filter(sub_order::Column::Number.starts_with(number.clone()))
            .count(db)
            .await?;
        let now = self.infra().clock.now();
        let id = Uuid::now_v7();
        let txn = begin_write(db).await?;
        sub_order::ActiveModel {
            id: Set(id),
            order_id: Set(sub.order_id),
            number: Set(format!("{number}{}", existing + 1)),
            seller_org_id: Set(sub.seller_org_id),
            goods_fen: Set(0),
            shipping_fen: Set(0),
            total_fen: Set(0),
            commission_fen: Set(0),
            status: Set(SubOrderStatus::Paid.as_str().to_owned()),
            paid_at: Set(Some(now)),
            acknowledged_at: Set(None),
            shipped_at: Set(None),
            received_at: Set(None),
            created_at: Set(now),
            auto_receive_at: Set(None),
            window_closes_at: Set(None),
            refunded_fen: Set(0),
        }
        .insert(&txn)
        .await?;
        for (line_id, quantity) in lines {
            let Some(l) = originals.iter().find(|l| l.id == *line_id) else {
                return Err(OrdersError::not_found("订单商品", "order line"));
            };
            if *quantity < 1 || *quantity > l.quantity {
                return Err(OrdersError::field(FieldError::new(
                    "lines",
                    "out_of_range",
                    "补发数量超出原订单",
                    "a replacement cannot exceed what was bought",
                )));
            }
            if !self.catalog().take_stock(&txn, l.sku_id, *quantity).await? {
                return Err(OrdersError::conflict(
                    "sold_out",
                    format!("“{}”库存不足，无法补发，请改为退款", l.title),
                    format!("“{}” is out of stock; refund instead", l.title),
                ));
            }
            line::ActiveModel {
                id: Set(Uuid::now_v7()),
                order_id: Set(l.order_id),
                sub_order_id: Set(id),
                listing_id: Set(l.listing_id),
                sku_id: Set(l.sku_id),
                category_id: Set(l.category_id),
                title: Set(l.title.clone()),
                sku_name: Set(l.sku_name.clone()),
                unit: Set(l.unit.clone()),
                quantity: Set(*quantity),
                retail_price_fen: Set(l.retail_price_fen),
                unit_price_fen: Set(0),
                line_fen: Set(0),
                commission_bp: Set(0),
                commission_fen: Set(0),
                claim_window_hours: Set(l.claim_window_hours),
                weight_grams: Set(l.weight_grams),
            }
            .insert(&txn)
            .await?;
        }
        append(
            &txn,
            sub.order_id,
            Some(id),
            EventKind::Replacement,
            actor,
            json!({"replaces": sub.id, "key": key,
                   "lines": lines.iter().map(|(l, q)| json!({"line_id": l, "quantity": q})).collect::<Vec<_>>()}),
            now,
        )
        .await?;
        txn.commit().await?;
        self.infra().outbox.wake();
        sub_order::Entity::find_by_id(id)
            .one(db)
            .await?
            .ok_or(OrdersError::not_found("子订单", "sub-order"))
    }
}

#[cfg(test)]
mod tests {
    use super::mask_tracking;

    #[test]
    fn public_records_show_only_the_ends_of_a_waybill() {
        assert_eq!(mask_tracking("SF1234567890"), "SF12****7890");
        assert_eq!(mask_tracking("12345678"), "********");
    }
}
