//! Reading payouts: finance's batches (one with its payouts), one payout with its sub-orders
//! (finance, or the seller's members and the operator), and a seller's payouts.

use super::{BatchRecord, PayoutLine, PayoutRecord, require_finance, require_reader};
use crate::Finance;
use crate::domain::{PayoutBatchId, PayoutId};
use crate::error::{FinanceError, Missing, Result};
use crate::store::queries::payouts as q;
use farmgate_identity::Actor;
use farmgate_kernel::id::OrgId;
use farmgate_kernel::{Page, Paged};
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
        let payouts = q::payouts_of_batch(db, b.id)
            .await?
            .into_iter()
            .map(|p| PayoutRecord::of(p, b.number.clone(), Vec::new()))
            .collect();
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
        Ok(PayoutRecord::of(p, number, lines))
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
        Ok(Paged::new(out, total, page))
    }
}
