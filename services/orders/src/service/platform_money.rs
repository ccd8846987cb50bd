//! The platform's money for a period, for the operator and platform finance: what buyers paid
//! for the sub-orders paid in the period, where it went (refunds by who bears them, the
//! platform's commission, what sellers are owed) and what the platform bears (its share of
//! refunds) or recovers (the carriers' share). Read from orders' own tables, line by line the
//! way each seller's statement is ([`settlement::line_of`]), so the two always agree.
//!
//! The identity it keeps, to the fen (docs/MONEY.md):
//! `received = refunds + commission + owed − platform_expense − carrier_recourse`.

use crate::Orders;
use crate::domain::{PayoutState, start_of};
use crate::error::Result;
use crate::service::settlement::{self, SettlementLine, SettlementTotals, check_period, line_of};
use crate::store::queries::orders as q;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use farmgate_identity::{Actor, PlatformRole};
use farmgate_kernel::id::OrgId;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

/// Refunds by who bears them, fen.
#[derive(Clone, Debug, Default, Serialize, ToSchema, PartialEq, Eq)]
pub struct RefundsByLiability {
    pub seller: i64,
    pub platform: i64,
    pub carrier: i64,
    /// `seller + platform + carrier`: what went back to buyers.
    pub total: i64,
}

/// One seller's part: the totals its own statement shows for the same period.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct SellerMoney {
    pub org_id: OrgId,
    pub totals: SettlementTotals,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PlatformMoney {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub generated_at: DateTime<Utc>,
    /// What buyers paid for the sub-orders paid in the period (goods and shipping).
    pub received: i64,
    /// Every refund of those sub-orders (whenever made), by who bears it.
    pub refunds: RefundsByLiability,
    /// The platform's commission, on each sale less the seller's refunds.
    pub commission: i64,
    /// Owed to sellers now (after-sales windows closed).
    pub payable: i64,
    /// Owed to sellers once the rest are received and their windows close.
    pub pending: i64,
    /// `payable + pending`.
    pub owed: i64,
    /// The platform's share of refunds: its expense.
    pub platform_expense: i64,
    /// The carriers' share of refunds: recourse receivables (aftersales collects them).
    pub carrier_recourse: i64,
    /// Of `received`, what was paid on credit (账期, issue #22): owed by business buyers
    /// rather than received in cash; their statements' payments bring it in
    /// (`GET /api/v1/credit/receivables`).
    pub on_credit: i64,
    pub sub_orders: u64,
    /// Each seller with a sub-order paid in the period, its statement's totals.
    pub sellers: Vec<SellerMoney>,
}

/// Adds statement lines up into the platform's view.
pub fn platform_money_of(
    lines: &[(Uuid, SettlementLine)],
    (from, to): (NaiveDate, NaiveDate),
    now: DateTime<Utc>,
) -> PlatformMoney {
    let mut sellers: Vec<SellerMoney> = Vec::new();
    for chunk in lines.chunk_by(|a, b| a.0 == b.0) {
        let own: Vec<SettlementLine> = chunk.iter().map(|(_, l)| l.clone()).collect();
        if let Some((org, _)) = chunk.first() {
            sellers.push(SellerMoney {
                org_id: OrgId(*org),
                totals: settlement::totals(&own),
            });
        }
    }
    let mut m = PlatformMoney {
        from,
        to,
        generated_at: now,
        received: 0,
        refunds: RefundsByLiability::default(),
        commission: 0,
        payable: 0,
        pending: 0,
        owed: 0,
        platform_expense: 0,
        carrier_recourse: 0,
        on_credit: 0,
        sub_orders: 0,
        sellers: Vec::new(),
    };
    for (_, l) in lines {
        m.received += l.total;
        m.refunds.seller += l.refunded_seller;
        m.refunds.platform += l.refunded_platform;
        m.refunds.carrier += l.refunded_carrier;
        m.commission += l.commission;
        match l.state {
            PayoutState::Payable => m.payable += l.payable,
            PayoutState::Pending => m.pending += l.payable,
        }
        m.sub_orders += 1;
    }
    m.refunds.total = m.refunds.seller + m.refunds.platform + m.refunds.carrier;
    m.owed = m.payable + m.pending;
    m.platform_expense = m.refunds.platform;
    m.carrier_recourse = m.refunds.carrier;
    m.sellers = sellers;
    m
}

impl Orders {
    /// The platform's money for sub-orders paid from `from` to `to` (Shanghai dates,
    /// inclusive): the operator and platform finance only.
    #[tracing::instrument(skip_all)]
    pub async fn platform_money(
        &self,
        actor: &Actor,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<PlatformMoney> {
        actor.require_platform(&[PlatformRole::Operator, PlatformRole::Finance])?;
        check_period(from, to)?;
        let subs = q::all_sub_orders_paid_between(
            &self.infra().db,
            start_of(from),
            start_of(to) + Duration::days(1),
        )
        .await?;
        let now = self.now();
        let lines: Vec<(Uuid, SettlementLine)> = subs
            .iter()
            .map(|s| (s.seller_org_id, line_of(s, now)))
            .collect();
        let mut m = platform_money_of(&lines, (from, to), now);
        let credit: std::collections::HashSet<Uuid> = self
            .credit_orders_among(subs.iter().map(|s| s.order_id).collect())
            .await?
            .into_iter()
            .collect();
        m.on_credit = subs
            .iter()
            .zip(&lines)
            .filter(|(s, _)| credit.contains(&s.order_id))
            .map(|(_, (_, l))| l.total)
            .sum();
        Ok(m)
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;
    use crate::domain::{Liability, SubOrderStatus, commission};
    use crate::service::settlement::tests::{now, sub};
    use farmgate_kernel::Money;

    /// A small xorshift generator: the same cases every run.
    struct Gen(u64);

    impl Gen {
        fn below(&mut self, n: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % n
        }
        fn fen(&mut self, n: i64) -> i64 {
            i64::try_from(self.below(u64::try_from(n).unwrap())).unwrap()
        }
        fn pct(&mut self, n: u8) -> u8 {
            u8::try_from(self.below(u64::from(n) + 1)).unwrap()
        }
    }

    #[test]
    fn received_is_refunds_plus_commission_plus_owed_less_what_the_platform_and_carriers_bear() {
        let mut g = Gen(0x2545_F491_4F6C_DD1D);
        for case in 0..500 {
            let mut lines = Vec::new();
            for seller in 0..=g.below(4) {
                let org = Uuid::from_u128(u128::from(seller) + 1);
                for _ in 0..g.below(6) {
                    let total = 1 + g.fen(50_000);
                    let bp = i32::try_from(g.below(2_001)).unwrap();
                    let commission = commission(Money::from_fen(total), bp).fen();
                    // Up to three refunds, partial or full, each with its own liability.
                    let mut parts = (0, 0, 0);
                    let mut left = total;
                    for _ in 0..g.below(4) {
                        if left == 0 {
                            break;
                        }
                        let amount = if g.below(3) == 0 {
                            left
                        } else {
                            1 + g.fen(left)
                        };
                        let s = g.pct(100);
                        let p = g.pct(100 - s);
                        let l = Liability::percents(s, p, 100 - s - p).unwrap();
                        let split = l.split(Money::from_fen(amount));
                        assert_eq!(split.total(), amount);
                        parts.0 += split.seller;
                        parts.1 += split.platform;
                        parts.2 += split.carrier;
                        left -= amount;
                    }
                    let status = if g.below(2) == 0 {
                        SubOrderStatus::Received
                    } else {
                        SubOrderStatus::Shipped
                    };
                    let mut s = sub(total, parts, commission, status, Some(24));
                    s.seller_org_id = org;
                    lines.push((org, line_of(&s, now())));
                }
            }
            let d = NaiveDate::from_ymd_opt(2026, 11, 1).unwrap();
            let m = platform_money_of(&lines, (d, d), now());
            assert_eq!(
                m.received,
                m.refunds.total + m.commission + m.owed - m.platform_expense - m.carrier_recourse,
                "case {case}"
            );
            // Each seller's statement adds up to the platform's view.
            let sum = |f: fn(&SettlementTotals) -> i64| {
                m.sellers.iter().map(|s| f(&s.totals)).sum::<i64>()
            };
            assert_eq!(sum(|t| t.sales), m.received);
            assert_eq!(sum(|t| t.refunds_seller), m.refunds.seller);
            assert_eq!(sum(|t| t.refunds_platform), m.refunds.platform);
            assert_eq!(sum(|t| t.refunds_carrier), m.refunds.carrier);
            assert_eq!(sum(|t| t.commission), m.commission);
            assert_eq!(sum(|t| t.payable + t.pending), m.owed);
            // And each statement: sales − the seller's refunds − commission = what it is owed.
            for s in &m.sellers {
                let t = &s.totals;
                assert_eq!(
                    t.sales - t.refunds_seller - t.commission,
                    t.payable + t.pending
                );
            }
        }
    }
}
