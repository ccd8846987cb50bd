//! Pre-sales after the harvest (订单农业, issue #22, step 3): the balance, the parcel and a
//! failed inspection. Rules and arithmetic: `domain/presale.rs`.
//!
//! - **Balance.** The harvest bills every filled reservation its balance (`price × filled −
//!   deposit kept`) as an ordinary order of its own, in the harvest's transaction: one line of
//!   the filled quantity, delivered to the deposit's address, paid the way the deposit was,
//!   due `presale_balance_pay_within` (72 h) after the harvest. It is paid, refunded and
//!   reconciled on the normal path; paid, it is an ordinary sale (ship-by deadline, sales
//!   counted, `orders.paid`), and its sub-order is the parcel.
//! - **Unpaid balance.** Its order expires like any unpaid order, and the reservation is
//!   `forfeited`: the deposit is kept, as the platform rule shown before reserving says
//!   ([`BALANCE_RULE`](crate::domain::presale::BALANCE_RULE)).
//! - **Parcel.** The balance sub-order ships from the harvested batch only: a shipment that
//!   names no batch is packed from it; one naming another batch is refused, so the buyer's
//!   order and the scan show the batch the reservation grew in.
//! - **Failed inspection.** When the linked batch fails an inspection (its status `blocked`,
//!   or `recalled` after a third-party test failed), the trace change event reaches
//!   [`Orders::void_presales_of_batch`]: the pre-sale moves `harvested → cancelled` once
//!   (a conditional update: retries and concurrent runs find it moved and do nothing), unpaid
//!   balance orders are cancelled, paid unshipped ones cancelled and refunded, and every
//!   deposit kept is refunded — all in that one transaction, under per-reservation refund keys.
//!   A parcel that left already is the recall's business (after-sales), not undone here.

use crate::Orders;
use crate::domain::presale::{PresaleStatus, ReservationStatus, balance_fen};
use crate::domain::{
    self, EventKind, Liability, OrderMove, OrderStatus, SubOrderMove, SubOrderStatus,
    order_transition, sub_order_transition,
};
use crate::error::{OrdersError, Result};
use crate::service::presale::{OneLine, OneLineOrder, write_one_line_order};
use crate::service::{BatchPick, ShipRequest, append, topics};
use crate::store::queries::deadlines as dq;
use crate::store::queries::orders as q;
use crate::store::queries::presales::{self as pq, Filled};
use crate::store::{presale, presale_reservation};
use chrono::{DateTime, Utc};
use farmgate_infra::db::{begin_write, serialise};
use farmgate_kernel::FieldError;
use farmgate_kernel::id::{BatchId, ListingId, OrderId, OrderLineId, SubOrderId};
use rand::Rng;
use sea_orm::ConnectionTrait;
use serde_json::json;
use uuid::Uuid;

/// Which of a pre-sale's orders an order is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PresaleOrder {
    Deposit,
    Balance,
}

/// The reservation an order belongs to and which of its orders it is.
async fn of_order(
    conn: &impl ConnectionTrait,
    order_id: Uuid,
) -> Result<Option<(PresaleOrder, presale_reservation::Model)>> {
    Ok(pq::reservation_of_order(conn, order_id).await?.map(|r| {
        let kind = if r.deposit_order_id == order_id {
            PresaleOrder::Deposit
        } else {
            PresaleOrder::Balance
        };
        (kind, r)
    }))
}

/// The pre-sale side of an order's payment, inside `mark_paid`'s transaction: a deposit
/// makes the reservation `reserved`, a balance `balance_paid`. `None` for an ordinary order.
pub(crate) async fn order_paid(
    conn: &impl ConnectionTrait,
    order_id: Uuid,
) -> Result<Option<PresaleOrder>> {
    let Some((kind, r)) = of_order(conn, order_id).await? else {
        return Ok(None);
    };
    let (from, to) = match kind {
        PresaleOrder::Deposit => (ReservationStatus::Pending, ReservationStatus::Reserved),
        PresaleOrder::Balance => (
            ReservationStatus::BalanceDue,
            ReservationStatus::BalancePaid,
        ),
    };
    pq::move_reservation(conn, r.id, from, to).await?;
    Ok(Some(kind))
}

/// The pre-sale side of an order closing unpaid, inside its transaction: an unpaid deposit
/// gives its quantity back to the pre-sale, once; an unpaid balance forfeits the reservation
/// (the deposit is kept). `true` when the order is a pre-sale's (then no stock goes back: it
/// took none).
pub(crate) async fn order_released(conn: &impl ConnectionTrait, order_id: Uuid) -> Result<bool> {
    let Some((kind, r)) = of_order(conn, order_id).await? else {
        return Ok(false);
    };
    match kind {
        PresaleOrder::Deposit => {
            if pq::move_reservation(
                conn,
                r.id,
                ReservationStatus::Pending,
                ReservationStatus::Cancelled,
            )
            .await?
            {
                pq::give_back(conn, r.presale_id, r.quantity).await?;
            }
        }
        PresaleOrder::Balance => {
            pq::move_reservation(
                conn,
                r.id,
                ReservationStatus::BalanceDue,
                ReservationStatus::Forfeited,
            )
            .await?;
        }
    }
    Ok(true)
}

/// Whether an order is a pre-sale deposit (it does not ship).
pub(crate) async fn is_deposit(conn: &impl ConnectionTrait, order_id: Uuid) -> Result<bool> {
    Ok(matches!(
        of_order(conn, order_id).await?,
        Some((PresaleOrder::Deposit, _))
    ))
}

impl Orders {
    /// Inside the harvest's transaction: records what the harvest made of one paid
    /// reservation (`filled`, and `refunded` of its deposit) and bills the balance of what
    /// was filled, due at `due`. A balance of nothing (a 100 % deposit) is paid at once.
    pub(crate) async fn bill_balance(
        &self,
        txn: &impl ConnectionTrait,
        p: &presale::Model,
        r: &presale_reservation::Model,
        (filled, refunded): (i64, i64),
        due: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        if filled == 0 {
            let f = Filled {
                filled,
                refunded,
                balance: None,
                status: ReservationStatus::Unfilled,
            };
            pq::set_filled(txn, r.id, &f).await?;
            self.tell_buyer(txn, topics::PRESALE_UNFILLED, r.deposit_order_id)
                .await?;
            return Ok(());
        }
        let balance = balance_fen(p.price_fen, filled, r.deposit_fen, refunded);
        let deposit = q::order(txn, r.deposit_order_id)
            .await?
            .ok_or_else(|| OrdersError::Internal("a reservation without its deposit".into()))?;
        let line = q::lines_of_order(txn, r.deposit_order_id)
            .await?
            .into_iter()
            .next()
            .ok_or_else(|| OrdersError::Internal("a deposit order without its line".into()))?;
        let order_id = Uuid::now_v7();
        let number = domain::order_number(now, rand::rng().random());
        let ship_within = i32::try_from(self.config().ship_within.num_hours()).unwrap_or(48);
        let sub_id = write_one_line_order(
            txn,
            &OneLineOrder {
                order_id,
                number: &number,
                buyer: r.buyer_account_id,
                address: deposit.address.clone(),
                payment_method: deposit.payment_method,
                amount: balance,
                pay_by: due,
                note: format!("预售尾款 / pre-sale balance: {}", p.title),
                ship_within_hours: Some(ship_within),
                line: OneLine {
                    presale: p,
                    category_id: line.category_id,
                    commission_bp: line.commission_bp,
                    claim_window_hours: line.claim_window_hours,
                    title: p.title.clone(),
                    sku_name: format!("预售 {}{}", filled, p.unit),
                    quantity: filled,
                },
            },
            now,
        )
        .await?;
        self.placed(
            txn,
            order_id,
            r.buyer_account_id,
            json!({"payment_method": deposit.payment_method, "pay_by": due,
                   "presale_id": p.id, "reservation_id": r.id, "balance": true}),
            due,
            now,
        )
        .await?;
        let status = if balance == 0 {
            self.paid_in_full_by_deposit(txn, order_id, now).await?;
            ReservationStatus::BalancePaid
        } else {
            self.infra()
                .outbox
                .enqueue(
                    txn,
                    topics::PRESALE_BALANCE_DUE,
                    &json!({"sub_order_id": sub_id}),
                )
                .await?;
            ReservationStatus::BalanceDue
        };
        let f = Filled {
            filled,
            refunded,
            balance: Some((order_id, balance)),
            status,
        };
        pq::set_filled(txn, r.id, &f).await?;
        Ok(())
    }

    /// A balance of nothing (the deposit was the whole price): the order is paid as it is
    /// written — no money moves, so no payment row — and ships like any paid order.
    async fn paid_in_full_by_deposit(
        &self,
        txn: &impl ConnectionTrait,
        order_id: Uuid,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let to = order_transition(OrderStatus::PendingPayment, OrderMove::Pay)
            .map_err(|_| OrdersError::Internal("an unpaid order cannot be paid".into()))?;
        q::move_order(txn, order_id, &OrderMove::Pay.from_states(), to, Some(now)).await?;
        q::set_sub_orders_of_order(
            txn,
            order_id,
            SubOrderStatus::Paid,
            Some(q::PaidAt { paid_at: now }),
        )
        .await?;
        for s in q::sub_orders_of_order(txn, order_id).await? {
            let ship_by = now + self.ship_within_of(&s);
            q::set_ship_by(txn, s.id, ship_by).await?;
            self.schedule_ship_by(txn, s.id, now, ship_by).await?;
        }
        append(
            txn,
            order_id,
            None,
            EventKind::Paid,
            None,
            json!({"amount_fen": 0, "channel": "presale_deposit"}),
            now,
        )
        .await?;
        self.infra()
            .outbox
            .enqueue(txn, topics::PAID, &json!({"order_id": order_id}))
            .await?;
        Ok(())
    }

    /// A shipment of a balance sub-order packs the harvested batch: with no batch named, it
    /// is filled in; naming another is refused (`batches`: `not_presale_batch`). `None` for
    /// any other sub-order (shipped as asked).
    pub(crate) async fn presale_picks(
        &self,
        sub: &crate::store::sub_order::Model,
        req: &ShipRequest,
    ) -> Result<Option<ShipRequest>> {
        let db = &self.infra().db;
        let Some((PresaleOrder::Balance, r)) = of_order(db, sub.order_id).await? else {
            return Ok(None);
        };
        let batch = pq::presale(db, r.presale_id)
            .await?
            .and_then(|p| p.batch_id)
            .ok_or_else(|| OrdersError::Internal("a balance without its batch".into()))?;
        if req.batches.iter().any(|b| b.batch_id.0 != batch) {
            return Err(FieldError::new(
                "batches",
                "not_presale_batch",
                "预售订单只能从采收时关联的批次发货",
                "a pre-sale ships from the batch linked at harvest only",
            )
            .into());
        }
        let mut req = req.clone();
        if req.batches.is_empty() {
            req.batches = q::lines_of_sub_order(db, sub.id)
                .await?
                .into_iter()
                .map(|l| BatchPick {
                    line_id: OrderLineId(l.id),
                    batch_id: BatchId(batch),
                })
                .collect();
        }
        Ok(Some(req))
    }

    /// Inside `cancel_paid`'s transaction (a balance sub-order the seller did not ship in
    /// time, or a cancel request accepted): the seller failed to deliver, so the deposit kept
    /// comes back too and the reservation is `refunded`. `true` when the part is a pre-sale's
    /// (then no stock goes back: it took none).
    pub(crate) async fn presale_part_cancelled(
        &self,
        txn: &impl ConnectionTrait,
        order_id: Uuid,
    ) -> Result<bool> {
        let Some((kind, r)) = of_order(txn, order_id).await? else {
            return Ok(false);
        };
        if kind == PresaleOrder::Balance
            && pq::move_reservation(
                txn,
                r.id,
                ReservationStatus::BalancePaid,
                ReservationStatus::Refunded,
            )
            .await?
        {
            self.refund_deposit_kept(
                txn,
                &r,
                "预售订单未发货取消：退还定金 / the pre-sale did not ship: the deposit back",
            )
            .await?;
        }
        Ok(true)
    }

    /// Tells a reservation's buyer about its deposit order (`topic` names what happened).
    async fn tell_buyer(
        &self,
        txn: &impl ConnectionTrait,
        topic: &str,
        deposit_order: Uuid,
    ) -> Result<()> {
        if let Some(sub) = q::sub_orders_of_order(txn, deposit_order)
            .await?
            .into_iter()
            .next()
        {
            self.infra()
                .outbox
                .enqueue(txn, topic, &json!({"sub_order_id": sub.id}))
                .await?;
        }
        Ok(())
    }

    /// Refunds what is left of a reservation's deposit (seller-liable), once: the key is the
    /// reservation's.
    async fn refund_deposit_kept(
        &self,
        txn: &impl ConnectionTrait,
        r: &presale_reservation::Model,
        reason: &str,
    ) -> Result<i64> {
        let Some(sub) = q::sub_orders_of_order(txn, r.deposit_order_id)
            .await?
            .into_iter()
            .next()
        else {
            return Ok(0);
        };
        if sub_order_transition(sub.status, SubOrderMove::Refund).is_err() {
            return Ok(0);
        }
        self.refund_rest(txn, &sub, reason, &format!("presale-void:{}", r.id))
            .await
    }

    /// Refunds everything still paid for a part (seller-liable) under `key`: what it was.
    async fn refund_rest(
        &self,
        txn: &impl ConnectionTrait,
        sub: &crate::store::sub_order::Model,
        reason: &str,
        key: &str,
    ) -> Result<i64> {
        let left = sub.total_fen + sub.extra_fen - sub.refunded_fen;
        if left > 0 {
            self.refund_sub_order_in(
                txn,
                SubOrderId(sub.id),
                left,
                Liability::SELLER,
                reason,
                key,
                None,
            )
            .await?;
        }
        Ok(left.max(0))
    }

    /// A batch's trace record changed (the `trace.batch.changed` job): every harvested
    /// pre-sale linked to it whose batch may no longer ship because an inspection failed
    /// (`batch_blocked`, `batch_recalled`) is cancelled and refunded. Running it again, or
    /// twice at once, changes nothing more. How many pre-sales it cancelled.
    #[tracing::instrument(skip_all, fields(batch.id = %batch))]
    pub async fn void_presales_of_batch(&self, batch: BatchId) -> Result<usize> {
        let db = &self.infra().db;
        let mut voided = 0;
        for p in pq::harvested_of_batch(db, batch.0).await? {
            let failed = match self
                .trace()
                .shippable_batch(batch, ListingId(p.listing_id))
                .await?
            {
                Ok(_) => false,
                Err(why) => matches!(why.code, "batch_blocked" | "batch_recalled"),
            };
            if failed && self.void_presale(&p).await? {
                voided += 1;
            }
        }
        Ok(voided)
    }

    /// Cancels a harvested pre-sale and refunds its buyers, once (see the file's comment).
    #[tracing::instrument(skip_all, fields(presale.id = %p.id))]
    async fn void_presale(&self, p: &presale::Model) -> Result<bool> {
        let db = &self.infra().db;
        let before = pq::of_presale(db, p.id).await?;
        // An unpaid balance's trade is closed at its provider first, as cancelling does: paid
        // a moment ago, it is read as paid below.
        let mut unpaid = Vec::new();
        for r in before
            .iter()
            .filter(|r| r.status == ReservationStatus::BalanceDue)
        {
            if let Some(o) = r.balance_order_id {
                self.close_provider_trades(OrderId(o)).await?;
                if let Some(rec) = self.record(OrderId(o)).await? {
                    unpaid.push(rec);
                }
            }
        }
        let txn = begin_write(db).await?;
        if !pq::set_status(
            &txn,
            p.id,
            PresaleStatus::Harvested,
            PresaleStatus::Cancelled,
        )
        .await?
        {
            return Ok(false);
        }
        let reason = "预售批次检测不合格：全额退款 / the pre-sale's batch failed its inspection: refunded in full";
        let mut refunded = 0;
        for r in pq::of_presale(&txn, p.id).await? {
            if !matches!(
                r.status,
                ReservationStatus::BalanceDue | ReservationStatus::BalancePaid
            ) {
                continue;
            }
            let Some(balance_order) = r.balance_order_id else {
                continue;
            };
            // Unpaid: the balance order is cancelled (moved first, so it is not forfeited).
            if !pq::move_reservation(&txn, r.id, r.status, ReservationStatus::Refunded).await? {
                continue;
            }
            let cancelled_unpaid = match unpaid.iter().find(|o| o.order.id == balance_order) {
                Some(rec) => {
                    self.release_in(
                        &txn,
                        rec,
                        OrderMove::Cancel,
                        EventKind::Cancelled,
                        None,
                        json!({"reason": reason}),
                    )
                    .await?
                }
                None => false,
            };
            if !cancelled_unpaid && !self.void_paid_balance(&txn, balance_order, reason).await? {
                // It shipped: the parcel and its deposit are the recall's (after-sales).
                pq::move_reservation(
                    &txn,
                    r.id,
                    ReservationStatus::Refunded,
                    ReservationStatus::BalancePaid,
                )
                .await?;
                continue;
            }
            self.refund_deposit_kept(&txn, &r, reason).await?;
            self.tell_buyer(&txn, topics::PRESALE_REFUNDED, r.deposit_order_id)
                .await?;
            refunded += 1;
        }
        txn.commit().await?;
        self.infra().outbox.wake();
        tracing::warn!(
            refunded,
            "pre-sale cancelled: its batch failed an inspection"
        );
        Ok(true)
    }

    /// A paid balance part that has not shipped: refunded (what is left) and cancelled.
    /// `false` when it shipped (or is not paid), and nothing was written.
    async fn void_paid_balance(
        &self,
        txn: &impl ConnectionTrait,
        order_id: Uuid,
        reason: &str,
    ) -> Result<bool> {
        let Some(sub) = q::sub_orders_of_order(txn, order_id)
            .await?
            .into_iter()
            .next()
        else {
            return Ok(false);
        };
        serialise(txn, "orders.refund", SubOrderId(sub.id)).await?;
        let Some(sub) = q::sub_order(txn, sub.id).await? else {
            return Ok(false);
        };
        if sub_order_transition(sub.status, SubOrderMove::CancelPaid).is_err() {
            return Ok(false);
        }
        let left = self
            .refund_rest(txn, &sub, reason, &format!("cancel:{}", sub.id))
            .await?;
        // The part's refunds and its shipment take turns (the lock above): still unshipped.
        if !dq::cancel_paid_sub_order(txn, sub.id, &SubOrderMove::CancelPaid.from_states()).await? {
            return Err(OrdersError::SubOrderChanged);
        }
        crate::service::delivery::release_delivery(txn, sub.id).await?;
        append(
            txn,
            order_id,
            Some(sub.id),
            EventKind::Cancelled,
            None,
            json!({"cause": "presale_inspection_failed", "reason": reason, "refunded_fen": left}),
            self.now(),
        )
        .await?;
        Ok(true)
    }
}
