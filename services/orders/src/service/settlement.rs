//! The settlement statement: per seller and period, what was sold, refunded (by who bears
//! it), kept as commission and is owed. A sub-order becomes payable when its after-sales window
//! has closed. Only the seller's share of refunds touches the seller: it shrinks what is owed
//! and the sale the commission is taken on; the platform's share is the platform's expense and
//! the carrier's a recourse receivable (docs/MONEY.md).

use crate::Orders;
use crate::domain::{self, MAX_PERIOD_DAYS, PayoutState, SubOrderStatus, start_of};
use crate::error::{OrdersError, Result};
use crate::store::queries::orders as q;
use crate::store::sub_order;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use farmgate_identity::Actor;
use farmgate_kernel::id::{OrderId, OrgId, SubOrderId};
use farmgate_kernel::{FieldError, Money, Page};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Clone, Debug, Default, Serialize, ToSchema, PartialEq, Eq)]
pub struct SettlementTotals {
    /// What buyers paid for the sub-orders paid in the period (goods and shipping), fen.
    pub sales: i64,
    /// The platform's commission after the seller's refunds.
    pub commission: i64,
    /// Every refund of these sub-orders, whoever bears it.
    pub refunds: i64,
    /// The refunds charged to the seller (they reduce what it is owed).
    pub refunds_seller: i64,
    /// The refunds the platform bears: its expense, not the seller's.
    pub refunds_platform: i64,
    /// The refunds the carrier bears: recovered from it, not from the seller.
    pub refunds_carrier: i64,
    /// Owed to the seller now: after-sales windows closed.
    pub payable: i64,
    /// Owed once the rest are received and their windows close.
    pub pending: i64,
    pub sub_orders: u64,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SettlementLine {
    pub sub_order_id: SubOrderId,
    pub order_id: OrderId,
    pub number: String,
    pub status: SubOrderStatus,
    pub paid_at: Option<DateTime<Utc>>,
    pub received_at: Option<DateTime<Utc>>,
    pub window_closes_at: Option<DateTime<Utc>>,
    pub total: i64,
    /// Every refund of the sub-order; the three parts below add up to it.
    pub refunded: i64,
    pub refunded_seller: i64,
    pub refunded_platform: i64,
    pub refunded_carrier: i64,
    /// On `total − refunded_seller`.
    pub commission: i64,
    /// What the seller is owed: `total − refunded_seller − commission`.
    pub payable: i64,
    pub state: PayoutState,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Statement {
    pub org_id: OrgId,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub generated_at: DateTime<Utc>,
    pub totals: SettlementTotals,
    /// A page of the lines (`limit`, `offset`); the totals cover them all.
    pub lines: Vec<SettlementLine>,
    pub limit: u64,
    pub offset: u64,
}

/// One sub-order's line of the statement as of `now`; `payable` is what the seller is owed
/// for it (the payouts count on it).
pub fn line_of(s: &sub_order::Model, now: DateTime<Utc>) -> SettlementLine {
    // What the buyer paid for the part: its share of the order and any catch-weight extra
    // charge paid on it (commission taken on both at the lines' rates).
    let total = Money::from_fen(s.total_fen + s.extra_fen);
    // Only the seller's share of the refunds is the seller's to bear.
    let charged = Money::from_fen(s.refunded_seller_fen);
    let commission = Money::from_fen(s.commission_fen + s.extra_commission_fen);
    let closed = s.window_closes_at.is_some_and(|t| t <= now) && s.status.settles();
    SettlementLine {
        sub_order_id: SubOrderId(s.id),
        order_id: OrderId(s.order_id),
        number: s.number.clone(),
        status: s.status,
        paid_at: s.paid_at,
        received_at: s.received_at,
        window_closes_at: s.window_closes_at,
        total: total.fen(),
        refunded: s.refunded_fen,
        refunded_seller: s.refunded_seller_fen,
        refunded_platform: s.refunded_platform_fen,
        refunded_carrier: s.refunded_carrier_fen,
        commission: domain::commission_after_refunds(commission, total, charged).fen(),
        payable: domain::payable(total, charged, commission).fen(),
        state: if closed {
            PayoutState::Payable
        } else {
            PayoutState::Pending
        },
    }
}

/// Adds the lines up.
pub fn totals(lines: &[SettlementLine]) -> SettlementTotals {
    let mut t = SettlementTotals::default();
    for l in lines {
        t.sales += l.total;
        t.refunds += l.refunded;
        t.refunds_seller += l.refunded_seller;
        t.refunds_platform += l.refunded_platform;
        t.refunds_carrier += l.refunded_carrier;
        t.commission += l.commission;
        if l.state == PayoutState::Payable {
            t.payable += l.payable;
        } else {
            t.pending += l.payable;
        }
        t.sub_orders += 1;
    }
    t
}

/// A statement's period: `from` ≤ `to`, at most [`MAX_PERIOD_DAYS`] days.
pub(crate) fn check_period(from: NaiveDate, to: NaiveDate) -> Result<()> {
    if to < from {
        return Err(OrdersError::field(FieldError::new(
            "to",
            "before_from",
            "结束日期不能早于开始日期",
            "the end date is before the start date",
        )));
    }
    if (to - from).num_days() >= MAX_PERIOD_DAYS {
        return Err(OrdersError::field(FieldError::new(
            "to",
            "too_long",
            format!("一次最多查询 {MAX_PERIOD_DAYS} 天"),
            format!("at most {MAX_PERIOD_DAYS} days at a time"),
        )));
    }
    Ok(())
}

impl Orders {
    /// The statement of `org` for sub-orders paid from `from` to `to` (Shanghai dates,
    /// inclusive): members of the seller and the operator.
    #[tracing::instrument(skip_all, fields(org.id = %org))]
    pub async fn settlement(
        &self,
        actor: &Actor,
        org: OrgId,
        from: NaiveDate,
        to: NaiveDate,
        page: Page,
    ) -> Result<Statement> {
        actor.require_member_or_operator(org)?;
        check_period(from, to)?;
        let subs = q::sub_orders_paid_between(
            &self.infra().db,
            org.as_uuid(),
            start_of(from),
            start_of(to) + Duration::days(1),
        )
        .await?;
        let now = self.now();
        let lines: Vec<SettlementLine> = subs.iter().map(|s| line_of(s, now)).collect();
        let totals = totals(&lines);
        let offset = usize::try_from(page.offset()).unwrap_or(usize::MAX);
        let limit = usize::try_from(page.limit()).unwrap_or(usize::MAX);
        Ok(Statement {
            org_id: org,
            from,
            to,
            generated_at: now,
            totals,
            lines: lines.into_iter().skip(offset).take(limit).collect(),
            limit: page.limit(),
            offset: page.offset(),
        })
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests")]
pub(crate) mod tests {
    use super::*;

    /// A sub-order paid at 2026-11-01 with refunds charged (seller, platform, carrier).
    pub(crate) fn sub(
        total: i64,
        (seller, platform, carrier): (i64, i64, i64),
        commission: i64,
        status: SubOrderStatus,
        closes: Option<i64>,
    ) -> sub_order::Model {
        let t0 = DateTime::parse_from_rfc3339("2026-11-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        sub_order::Model {
            id: uuid::Uuid::now_v7(),
            order_id: uuid::Uuid::now_v7(),
            number: "N".into(),
            seller_org_id: uuid::Uuid::nil(),
            goods_fen: total,
            shipping_fen: 0,
            total_fen: total,
            commission_fen: commission,
            status,
            paid_at: Some(t0),
            acknowledged_at: None,
            shipped_at: None,
            received_at: None,
            created_at: t0,
            auto_receive_at: None,
            window_closes_at: closes.map(|h| t0 + Duration::hours(h)),
            refunded_fen: seller + platform + carrier,
            refunded_seller_fen: seller,
            refunded_platform_fen: platform,
            refunded_carrier_fen: carrier,
            ship_by: None,
            shipped_late: false,
            cancel_request: None,
            cancel_reason: None,
            cancel_requested_at: None,
            cancel_answer_by: None,
            cancel_answered_at: None,
            cancel_refusal: None,
            ship_by_reminded_at: None,
            ship_within_hours: None,
            extra_fen: 0,
            extra_commission_fen: 0,
        }
    }

    pub(crate) fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-11-03T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn the_statement_adds_up_and_only_closed_windows_are_payable() {
        use SubOrderStatus::{Received, Shipped};
        let lines: Vec<_> = [
            sub(10000, (0, 0, 0), 500, Received, Some(24)), // closed: payable 95
            sub(10000, (3000, 0, 0), 500, Received, Some(24)), // closed, partial refund: 66.50
            sub(5000, (0, 0, 0), 250, Received, Some(72)),  // window open: pending 47.50
            sub(8000, (0, 0, 0), 400, Shipped, None),       // not received: pending 76
        ]
        .iter()
        .map(|s| line_of(s, now()))
        .collect();
        let t = totals(&lines);
        assert_eq!(t.sales, 33000);
        assert_eq!(t.refunds, 3000);
        assert_eq!(t.commission, 500 + 350 + 250 + 400);
        assert_eq!(t.payable, 9500 + 6650);
        assert_eq!(t.pending, 4750 + 7600);
        assert_eq!(t.sales - t.refunds - t.commission, t.payable + t.pending);
        assert_eq!(t.sub_orders, 4);
    }

    #[test]
    fn only_the_sellers_share_of_a_refund_reduces_its_payable_and_the_commission() {
        use SubOrderStatus::Received;
        // ¥100, ¥5 commission; ¥30 refunded by the platform, ¥20 by the carrier: the seller
        // is owed the whole ¥95 and the platform keeps its whole commission.
        let l = line_of(&sub(10000, (0, 3000, 2000), 500, Received, Some(24)), now());
        assert_eq!(
            (l.refunded, l.refunded_platform, l.refunded_carrier),
            (5000, 3000, 2000)
        );
        assert_eq!((l.commission, l.payable), (500, 9500));
        // ¥30 of which the seller bears ¥10: commission on ¥90 (¥4.50), payable ¥85.50.
        let l = line_of(
            &sub(10000, (1000, 1500, 500), 500, Received, Some(24)),
            now(),
        );
        assert_eq!((l.commission, l.payable), (450, 8550));
        let t = totals(&[l]);
        assert_eq!(
            (
                t.refunds_seller,
                t.refunds_platform,
                t.refunds_carrier,
                t.refunds
            ),
            (1000, 1500, 500, 3000)
        );
    }
}
