//! Catch weight (多退少补, issue #22): the seller weighs a line sold by nominal weight once, at
//! packing, before it ships. A light line is refunded at once through the refund ledger (the
//! seller bears it, key `catch:{line}`), in the same transaction as the entry; within the
//! tolerance nothing changes hands; above it, the part above the tolerance is asked of the buyer
//! as an extra charge (`service/extra_charge.rs`), never taken without the buyer paying it.
//! Rules: `domain/catch_weight.rs`.

use crate::Orders;
use crate::domain::catch_weight::{self, CatchOutcome};
use crate::domain::{EventKind, Liability, SubOrderMove};
use crate::error::{Missing, OrdersError, Result};
use crate::service::{OrderRecord, append};
use crate::store::catch_weight as row;
use crate::store::queries::{catch_weights, orders as q};
use farmgate_identity::Actor;
use farmgate_infra::db::{begin_write, serialise, unique_violation};
use farmgate_kernel::ValidationErrors;
use farmgate_kernel::id::{OrderId, OrderLineId, SubOrderId};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

/// The weight of a catch-weight line as packed.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WeighRequest {
    /// The line's actual net weight in all (every unit together), grams: 1 g to twice its
    /// nominal weight.
    pub actual_grams: i64,
}

impl Orders {
    /// The seller weighs a line sold by catch weight (its sub-order paid, not yet shipped).
    /// Once per line: the same weight again is answered with the order as it stands; another
    /// weight is refused (`already_weighed`), so a retry never refunds twice.
    #[tracing::instrument(skip_all, fields(line.id = %id))]
    pub async fn weigh_line(
        &self,
        actor: &Actor,
        id: OrderLineId,
        req: &WeighRequest,
    ) -> Result<OrderRecord> {
        let db = &self.infra().db;
        let line = q::line(db, id.0)
            .await?
            .ok_or(OrdersError::NotFound(Missing::OrderLine))?;
        // Another organisation's line is not found, as its sub-order is not.
        let sub = self
            .sub_of_seller(actor, SubOrderId(line.sub_order_id))
            .await
            .map_err(|e| match e {
                OrdersError::NotFound(_) => OrdersError::NotFound(Missing::OrderLine),
                e => e,
            })?;
        let order_id = OrderId(sub.order_id);
        let (Some(per_unit), Some(tolerance)) =
            (line.catch_nominal_grams, line.catch_tolerance_permille)
        else {
            return Err(OrdersError::NotSoldByWeight);
        };
        let nominal = i64::from(per_unit).saturating_mul(line.quantity);
        let mut errs = ValidationErrors::new();
        let actual = errs.check(
            "actual_grams",
            catch_weight::parse_actual_grams(nominal, req.actual_grams),
        );
        errs.finish()?;
        let Some(actual) = actual else {
            return Err(OrdersError::Invalid(ValidationErrors::new()));
        };
        if let Some(prior) = catch_weights::of_line(db, line.id).await? {
            return self.replay_weighing(&prior, actual, order_id).await;
        }
        let assessed = catch_weight::assess(line.line_fen, nominal, tolerance, actual);
        let now = self.now();
        let actor_id = actor.account_id.as_uuid();
        let txn = begin_write(db).await?;
        // The sub-order's refunds and its shipment take turns with this: after the lock, what
        // is left to refund and whether it shipped are read as the previous holder left them.
        serialise(&txn, "orders.refund", sub.id).await?;
        let current = q::sub_order(&txn, sub.id)
            .await?
            .ok_or(OrdersError::NotFound(Missing::SubOrder))?;
        if let Some(prior) = catch_weights::of_line(&txn, line.id).await? {
            drop(txn);
            return self.replay_weighing(&prior, actual, order_id).await;
        }
        if !SubOrderMove::Ship.from_states().contains(&current.status) {
            return Err(OrdersError::CannotWeigh);
        }
        let mut entry = row::Model {
            line_id: line.id,
            order_id: line.order_id,
            sub_order_id: sub.id,
            nominal_grams: nominal,
            tolerance_permille: tolerance,
            actual_grams: actual,
            outcome: assessed.outcome,
            refund_fen: 0,
            refund_id: None,
            extra_fen: assessed.extra_fen,
            entered_by: actor_id,
            entered_at: now,
        };
        // Never more than is left of the part's payment (an earlier refund took some).
        let refund = assessed
            .refund_fen
            .min(current.total_fen + current.extra_fen - current.refunded_fen);
        if assessed.outcome == CatchOutcome::Light && refund > 0 {
            let reason = format!(
                "多退少补：{}，{}",
                line.title,
                catch_weight::trace_weights(nominal, actual)
            );
            let made = self
                .refund_sub_order_in(
                    &txn,
                    SubOrderId(sub.id),
                    refund,
                    Liability::SELLER,
                    &reason,
                    &format!("catch:{}", line.id),
                    Some(actor.account_id),
                )
                .await?;
            entry.refund_fen = made.amount_fen;
            entry.refund_id = Some(made.id);
        }
        let mut data = json!({
            "line_id": line.id, "nominal_grams": nominal, "actual_grams": actual,
            "outcome": assessed.outcome, "refund_fen": entry.refund_fen,
            "extra_fen": entry.extra_fen,
        });
        match catch_weights::insert(&txn, entry).await {
            Ok(()) => {}
            // Weighed a moment ago by a request sent at the same time.
            Err(e) if unique_violation(&e).is_some() => {
                drop(txn);
                let prior = catch_weights::of_line(db, line.id)
                    .await?
                    .ok_or(OrdersError::AlreadyWeighed)?;
                return self.replay_weighing(&prior, actual, order_id).await;
            }
            Err(e) => return Err(e.into()),
        }
        if assessed.outcome == CatchOutcome::Over && assessed.extra_fen > 0 {
            // Asked of the buyer, never taken: see `service/extra_charge.rs`.
            let buyer = q::order(&txn, line.order_id)
                .await?
                .ok_or(OrdersError::NotFound(Missing::Order))?
                .buyer_account_id;
            let charge = self
                .request_extra_in(&txn, &line, buyer, assessed.extra_fen, now)
                .await?;
            data["extra_charge_id"] = json!(charge);
        }
        append(
            &txn,
            sub.order_id,
            Some(sub.id),
            EventKind::Weighed,
            Some(actor_id),
            data,
            now,
        )
        .await?;
        txn.commit().await?;
        self.infra().outbox.wake();
        self.existing(order_id).await
    }

    /// A line weighed before: the same weight is answered with the order, another refused.
    async fn replay_weighing(
        &self,
        prior: &row::Model,
        actual: i64,
        order_id: OrderId,
    ) -> Result<OrderRecord> {
        if prior.actual_grams == actual {
            self.existing(order_id).await
        } else {
            Err(OrdersError::AlreadyWeighed)
        }
    }
}
