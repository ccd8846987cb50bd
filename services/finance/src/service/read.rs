//! Reading payouts: finance's batches (one with its payouts), one payout with its sub-orders
//! (finance, or the seller's members and the operator), and a seller's payouts.

use super::{
    BatchRecord, PayoutAdjustment, PayoutLine, PayoutRecord, require_finance, require_reader,
};
use crate::Finance;
use crate::domain::{PayoutBatchId, PayoutId};
use crate::error::{FinanceError, Missing, Result};
use crate::store::queries::{adjustments as adj, payouts as q};
use farmgate_identity::Actor;
use farmgate_kernel::id::{OrgId, RefundId, SubOrderId};
use farmgate_kernel::{Page, Paged};
use farmgate_orders::read::payouts::refunds_taken_back;
use sea_orm::ConnectionTrait;
use std::collections::HashMap;
use uuid::Uuid;

impl Finance {
    /// Payout batches, newest first (without their payouts): platform finance.
    pub async fn batches(&self, actor: &Actor, page: Page) -> Result<Paged<BatchRecord>> {
        require_finance(actor)?;
        let (rows, total) = q::batches(&self.infra().db, page.limit(), page.offset()).await?;
        Ok(Paged::new(
            rows.into_iter()
                .map(|b| BatchRecord::of(b, Vec::new()))
                .collect(),
            total,
            page,
        ))
    }

    /// One batch with its payouts (without their sub-orders): platform finance.
    pub async fn batch(&self, actor: &Actor, id: PayoutBatchId) -> Result<BatchRecord> {
        require_finance(actor)?;
        let db = &self.infra().db;
        let b = q::batch(db, id.as_uuid())
            .await?
            .ok_or(FinanceError::NotFound(Missing::Batch))?;
        let mut payouts: Vec<PayoutRecord> = q::payouts_of_batch(db, b.id)
            .await?
            .into_iter()
            .map(|p| PayoutRecord::of(p, b.number.clone(), Vec::new()))
            .collect();
        with_adjustments(db, &mut payouts).await?;
        Ok(BatchRecord::of(b, payouts))
    }

    /// One payout with its sub-orders: finance, or the seller's members and the operator.
    /// Anyone else is told it does not exist.
    pub async fn payout(&self, actor: &Actor, id: PayoutId) -> Result<PayoutRecord> {
        let db = &self.infra().db;
        let p = q::payout(db, id.as_uuid())
            .await?
            .ok_or(FinanceError::NotFound(Missing::Payout))?;
        require_reader(actor, OrgId(p.org_id))
            .map_err(|_| FinanceError::NotFound(Missing::Payout))?;
        let number = q::batch(db, p.batch_id)
            .await?
            .map(|b| b.number)
            .unwrap_or_default();
        let lines = q::lines(db, p.id)
            .await?
            .into_iter()
            .map(PayoutLine::from)
            .collect();
        let mut one = [PayoutRecord::of(p, number, lines)];
        with_adjustments(db, &mut one).await?;
        let [one] = one;
        Ok(one)
    }

    /// A seller's payouts, newest first (without their sub-orders): its members, finance and
    /// the operator.
    pub async fn org_payouts(
        &self,
        actor: &Actor,
        org: OrgId,
        page: Page,
    ) -> Result<Paged<PayoutRecord>> {
        require_reader(actor, org)?;
        let db = &self.infra().db;
        let (rows, total) =
            q::payouts_of_org(db, org.as_uuid(), page.limit(), page.offset()).await?;
        let mut numbers: HashMap<Uuid, String> = HashMap::new();
        let mut out = Vec::with_capacity(rows.len());
        for p in rows {
            let number = match numbers.get(&p.batch_id) {
                Some(n) => n.clone(),
                None => {
                    let n = q::batch(db, p.batch_id)
                        .await?
                        .map(|b| b.number)
                        .unwrap_or_default();
                    numbers.insert(p.batch_id, n.clone());
                    n
                }
            };
            out.push(PayoutRecord::of(p, number, Vec::new()));
        }
        with_adjustments(db, &mut out).await?;
        Ok(Paged::new(out, total, page))
    }
}

impl Finance {
    /// The refunds a seller's next payout will take back (recorded after earlier payouts,
    /// netted into none yet) and the reversals it will give back, oldest first: its members,
    /// finance and the operator.
    pub async fn open_adjustments(
        &self,
        actor: &Actor,
        org: OrgId,
    ) -> Result<Vec<PayoutAdjustment>> {
        require_reader(actor, org)?;
        // Finance and the operator may ask about any organisation: one that does not exist is
        // not an empty list.
        if actor.membership(org).is_none()
            && !self
                .identity()
                .org_summaries(&[org])
                .await?
                .contains_key(&org)
        {
            return Err(FinanceError::NotFound(Missing::Organisation));
        }
        let db = &self.infra().db;
        let mut rows = adj::open_of_orgs(db, &[org.as_uuid()]).await?;
        rows.sort_by(|a, b| a.created_at.cmp(&b.created_at).then(a.id.cmp(&b.id)));
        adjustments_of(db, rows).await
    }
}

/// Adjustments with their refunds' sub-order numbers and reasons, in the order given.
async fn adjustments_of(
    conn: &impl ConnectionTrait,
    rows: Vec<crate::store::payout_adjustment::Model>,
) -> Result<Vec<PayoutAdjustment>> {
    let refunds: Vec<RefundId> = rows.iter().map(|a| RefundId(a.refund_id)).collect();
    let notes: HashMap<Uuid, _> = refunds_taken_back(conn, &refunds)
        .await?
        .into_iter()
        .map(|n| (n.id.0, n))
        .collect();
    Ok(rows
        .into_iter()
        .map(|a| {
            let note = notes.get(&a.refund_id);
            PayoutAdjustment {
                refund_id: RefundId(a.refund_id),
                kind: a.kind,
                sub_order_id: SubOrderId(a.sub_order_id),
                number: note.map(|n| n.number.clone()).unwrap_or_default(),
                amount: a.amount_fen,
                failed_payout_id: a.failed_payout_id.map(PayoutId),
                reason: note.map(|n| n.reason.clone()).unwrap_or_default(),
                at: a.created_at,
            }
        })
        .collect())
}

/// Fills in the refunds each payout takes back, with their sub-orders' numbers and reasons.
pub(super) async fn with_adjustments(
    conn: &impl ConnectionTrait,
    payouts: &mut [PayoutRecord],
) -> Result<()> {
    let ids: Vec<Uuid> = payouts.iter().map(|p| p.id.as_uuid()).collect();
    let rows = adj::of_payouts(conn, &ids).await?;
    if rows.is_empty() {
        return Ok(());
    }
    let payout_of: HashMap<Uuid, Uuid> = rows
        .iter()
        .filter_map(|a| a.payout_id.map(|p| (a.id, p)))
        .collect();
    let ids_in_order: Vec<Uuid> = rows.iter().map(|a| a.id).collect();
    let mut by_id: HashMap<Uuid, PayoutAdjustment> = ids_in_order
        .iter()
        .copied()
        .zip(adjustments_of(conn, rows).await?)
        .collect();
    let mut by_payout: HashMap<Uuid, Vec<PayoutAdjustment>> = HashMap::new();
    for id in ids_in_order {
        if let (Some(payout), Some(a)) = (payout_of.get(&id), by_id.remove(&id)) {
            by_payout.entry(*payout).or_default().push(a);
        }
    }
    for p in payouts {
        if let Some(list) = by_payout.remove(&p.id.as_uuid()) {
            p.adjustments = list;
        }
    }
    Ok(())
}
