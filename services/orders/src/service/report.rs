//! How fast a seller handles its orders (the seed practice: contact the buyer within 10
//! minutes of an order): time from payment to acknowledgement and to shipping.

use crate::Orders;
use crate::domain::{ACK_TARGET_SECS, MAX_PERIOD_DAYS, start_of};
use crate::error::{OrdersError, Result};
use crate::store::queries::orders as q;
use crate::store::sub_order;
use chrono::{Duration, NaiveDate};
use farmgate_identity::Actor;
use farmgate_kernel::FieldError;
use farmgate_kernel::id::OrgId;
use farmgate_kernel::stats::{bp, percentile};
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Clone, Debug, Serialize, ToSchema, PartialEq, Eq)]
pub struct FulfilmentReport {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Sub-orders paid in the period.
    pub paid: u64,
    pub acknowledged: u64,
    pub shipped: u64,
    /// Shipped after their ship-by deadline (issue #18): counts against the seller.
    pub shipped_late: u64,
    pub acknowledge_p50_secs: Option<i64>,
    pub acknowledge_p90_secs: Option<i64>,
    /// Share acknowledged within 10 minutes of payment, basis points.
    pub acknowledged_within_target_bp: u64,
    pub ship_p50_secs: Option<i64>,
    pub ship_p90_secs: Option<i64>,
}

/// The report over some sub-orders.
pub fn report_of(subs: &[sub_order::Model], from: NaiveDate, to: NaiveDate) -> FulfilmentReport {
    let mut ack: Vec<i64> = Vec::new();
    let mut ship: Vec<i64> = Vec::new();
    for s in subs {
        let Some(paid) = s.paid_at else { continue };
        if let Some(a) = s.acknowledged_at {
            ack.push((a - paid).num_seconds().max(0));
        }
        if let Some(t) = s.shipped_at {
            ship.push((t - paid).num_seconds().max(0));
        }
    }
    ack.sort_unstable();
    ship.sort_unstable();
    let paid = u64::try_from(subs.iter().filter(|s| s.paid_at.is_some()).count()).unwrap_or(0);
    let on_time = u64::try_from(ack.iter().filter(|s| **s <= ACK_TARGET_SECS).count()).unwrap_or(0);
    FulfilmentReport {
        from,
        to,
        paid,
        acknowledged: u64::try_from(ack.len()).unwrap_or(0),
        shipped: u64::try_from(ship.len()).unwrap_or(0),
        shipped_late: u64::try_from(subs.iter().filter(|s| s.shipped_late).count()).unwrap_or(0),
        acknowledge_p50_secs: percentile(&ack, 50),
        acknowledge_p90_secs: percentile(&ack, 90),
        acknowledged_within_target_bp: bp(on_time, paid),
        ship_p50_secs: percentile(&ship, 50),
        ship_p90_secs: percentile(&ship, 90),
    }
}

impl Orders {
    /// A seller's handling times for sub-orders paid in the period (members and the operator).
    #[tracing::instrument(skip_all, fields(org.id = %org))]
    pub async fn fulfilment_report(
        &self,
        actor: &Actor,
        org: OrgId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<FulfilmentReport> {
        actor.require_member_or_operator(org)?;
        if to < from || (to - from).num_days() > MAX_PERIOD_DAYS {
            return Err(OrdersError::field(FieldError::new(
                "to",
                "out_of_range",
                "查询区间应在 1 到 366 天之间，且结束不早于开始",
                "the period is 1 to 366 days and ends after it starts",
            )));
        }
        let subs = q::sub_orders_paid_between(
            &self.infra().db,
            org.as_uuid(),
            start_of(from),
            start_of(to) + Duration::days(1),
        )
        .await?;
        Ok(report_of(&subs, from, to))
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use chrono::{DateTime, Utc};

    fn sub(paid_min: Option<i64>, ack_min: Option<i64>, ship_min: Option<i64>) -> sub_order::Model {
        let t0 = DateTime::parse_from_rfc3339("2026-11-20T02:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let at = |m: Option<i64>| m.map(|m| t0 + Duration::minutes(m));
        sub_order::Model {
            id: uuid::Uuid::now_v7(),
            order_id: uuid::Uuid::now_v7(),
            number: "N".into(),
            seller_org_id: uuid::Uuid::nil(),
            goods_fen: 0,
            shipping_fen: 0,
            total_fen: 0,
            commission_fen: 0,
            status: crate::domain::SubOrderStatus::Paid,
            paid_at: at(paid_min),
            acknowledged_at: at(ack_min),
            shipped_at: at(ship_min),
            received_at: None,
            created_at: t0,
            auto_receive_at: None,
            window_closes_at: None,
            refunded_fen: 0,
            refunded_seller_fen: 0,
            refunded_platform_fen: 0,
            refunded_carrier_fen: 0,
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

    #[test]
    fn handling_times_and_the_ten_minute_target() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let r = report_of(
            &[
                sub(Some(0), Some(5), Some(120)),
                sub(Some(0), Some(30), None),
                sub(Some(0), None, None),
                sub(None, None, None),
            ],
            d,
            d,
        );
        assert_eq!((r.paid, r.acknowledged, r.shipped), (3, 2, 1));
        assert_eq!(r.acknowledge_p50_secs, Some(300));
        assert_eq!(r.acknowledge_p90_secs, Some(1800));
        assert_eq!(
            r.acknowledged_within_target_bp, 3_333,
            "one of three paid within 10 minutes"
        );
        assert_eq!(r.ship_p50_secs, Some(7200));
        assert_eq!(r.shipped_late, 0);
        let mut late = sub(Some(0), None, Some(60 * 50));
        late.shipped_late = true;
        assert_eq!(report_of(&[late], d, d).shipped_late, 1);
    }
}
