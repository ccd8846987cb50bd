//! The outbox handler that keeps the rollups current: a paid order adds its sale, a refund on
//! a sub-order its refund, a shipment its shipped and traced value, a received parcel counts
//! toward the claim rate's denominator. Each event is applied once (its id is recorded in the
//! same transaction as the sums); events about sales, refunds, shipments or receipts from
//! before the last rebuild's watermark are skipped (the rebuild counted them).

use crate::Stats;
use crate::domain::{Sale, refund_delta, sale_delta, shipment_delta};
use crate::rollup::sale::{load_delivery, load_sale};
use crate::rollup::{apply, apply_delivery};
use crate::store::applied::{mark_applied, watermark};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use farmgate_infra::outbox::{BoxError, OutboxEvent, OutboxHandler};
use farmgate_kernel::id::{OrderId, RefundId, ShipmentId, SubOrderId};
use farmgate_orders::read::stats as orders;
use farmgate_orders::service::topics;
use sea_orm::TransactionTrait;
use serde::Deserialize;

pub struct RollupJob {
    stats: Stats,
}

impl RollupJob {
    pub fn new(stats: Stats) -> Self {
        Self { stats }
    }
}

#[derive(Deserialize)]
struct Paid {
    order_id: OrderId,
}

#[derive(Deserialize)]
struct Refunded {
    refund_id: RefundId,
}

#[derive(Deserialize)]
struct Shipped {
    sub_order_id: SubOrderId,
}

#[async_trait]
impl OutboxHandler for RollupJob {
    fn name(&self) -> &'static str {
        "stats.rollup"
    }

    fn handles(&self, topic: &str) -> bool {
        matches!(
            topic,
            topics::PAID | topics::REFUNDED | topics::SHIPPED | topics::RECEIVED
        )
    }

    #[tracing::instrument(skip_all, fields(event.id = %event.id, event.topic = %event.topic))]
    async fn handle(&self, event: &OutboxEvent) -> Result<(), BoxError> {
        let txn = self.stats.infra().db.begin().await?;
        if !mark_applied(&txn, &format!("event:{}", event.id)).await? {
            return Ok(());
        }
        let since = watermark(&txn).await?;
        let counted = |t: DateTime<Utc>| since.is_some_and(|w| t <= w);
        if event.topic == topics::RECEIVED {
            let s: Shipped = event.parse()?;
            if let Some((d, at)) = load_delivery(&txn, s.sub_order_id).await?
                && !counted(at)
            {
                apply_delivery(&txn, &d).await?;
            }
            txn.commit().await?;
            return Ok(());
        }
        let delta = match event.topic.as_str() {
            topics::PAID => {
                let p: Paid = event.parse()?;
                match load_sale(&txn, p.order_id).await? {
                    Some(sale) if !since.is_some_and(|w| sale_paid_before(&sale, w)) => {
                        Some(sale_delta(&sale))
                    }
                    _ => None,
                }
            }
            topics::REFUNDED => {
                let r: Refunded = event.parse()?;
                match orders::refund(&txn, r.refund_id).await? {
                    Some(row) if !counted(row.created_at) => match row.sub_order_id {
                        Some(sub) => load_sale(&txn, row.order_id)
                            .await?
                            .map(|sale| refund_delta(&sale, sub, row.amount_fen)),
                        None => None,
                    },
                    _ => None,
                }
            }
            topics::SHIPPED => {
                let s: Shipped = event.parse()?;
                let ships: Vec<orders::Shipment> = orders::shipments_of(&txn, s.sub_order_id)
                    .await?
                    .into_iter()
                    .filter(|s| !counted(s.shipped_at))
                    .collect();
                match ships.first() {
                    Some(first) => {
                        let ids: Vec<ShipmentId> = ships.iter().map(|s| s.id).collect();
                        let traced = orders::traced_lines(&txn, &ids).await?;
                        load_sale(&txn, first.order_id)
                            .await?
                            .map(|sale| shipment_delta(&sale, s.sub_order_id, &traced))
                    }
                    None => None,
                }
            }
            _ => None,
        };
        if let Some(delta) = delta {
            apply(&txn, &delta).await?;
        }
        txn.commit().await?;
        Ok(())
    }
}

/// Whether the sale was paid before the watermark (its day alone is not precise enough: the
/// rebuild cut at an instant).
fn sale_paid_before(sale: &Sale, w: DateTime<Utc>) -> bool {
    sale.paid_at <= w
}
