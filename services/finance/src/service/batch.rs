//! Making a payout batch: finance names the day the period ends; every seller with a verified
//! account gets one payout of all its sub-orders whose after-sales window closed by then and
//! that no active payout holds; the sellers without one are reported as held.
//!
//! Batches are made one at a time (`db::serialise` on PostgreSQL, the write lock on SQLite):
//! two finance staff pressing the button at once get one batch and `nothing_to_pay`. The
//! unique index on `payout_lines.active_sub_order_id` is the backstop: a sub-order is never
//! in two active payouts, whatever path a write takes.

use super::{BatchRecord, HeldReason, HeldSeller, PayoutLine, PayoutRecord, require_finance};
use crate::Finance;
use crate::domain::{AccountStatus, PayoutStatus, batch_number, cutoff};
use crate::error::{FinanceError, Result};
use crate::store::queries::{accounts as aq, adjustments as adj, payouts as q};
use crate::store::{batch, payout, payout_line};
use chrono::{DateTime, NaiveDate, Utc};
use farmgate_identity::Actor;
use farmgate_infra::db::{begin_write, serialise, violates};
use farmgate_kernel::id::OrgId;
use farmgate_orders::read::payouts::{PayableSubOrder, payable_sub_orders};
use serde::Deserialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// A batch for the period ending on a day.
#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct NewBatch {
    /// The last day of the period (Asia/Shanghai, `YYYY-MM-DD`), today at the latest: the
    /// sub-orders whose after-sales window closed by the end of that day are paid.
    #[schema(value_type = String, format = Date, example = "2026-12-06")]
    pub period_end: NaiveDate,
}

/// The start of `at`'s Shanghai day.
fn start_of_day(at: DateTime<Utc>) -> DateTime<Utc> {
    let sh = farmgate_kernel::clock::shanghai();
    at.with_timezone(&sh)
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(sh).single())
        .map_or(at, |t| t.with_timezone(&Utc))
}

fn sum(lines: &[PayableSubOrder]) -> Result<i64> {
    lines
        .iter()
        .try_fold(0i64, |acc, l| acc.checked_add(l.payable.fen()))
        .ok_or_else(|| FinanceError::Internal("payout amount overflows".to_owned()))
}

fn count(n: usize) -> Result<i32> {
    i32::try_from(n).map_err(|_| FinanceError::Internal("too many lines".to_owned()))
}

impl Finance {
    /// Makes a payout batch for the period ending on `period_end`: platform finance.
    #[tracing::instrument(skip_all, fields(period_end = %input.period_end))]
    pub async fn create_batch(&self, actor: &Actor, input: &NewBatch) -> Result<BatchRecord> {
        require_finance(actor)?;
        let now = self.now();
        let cutoff = cutoff(input.period_end, now)?;
        let db = &self.infra().db;
        let txn = begin_write(db).await?;
        serialise(&txn, "payout_batch", "all").await?;

        let payable = payable_sub_orders(&txn, None, cutoff).await?;
        let ids: Vec<Uuid> = payable.iter().map(|p| p.id.as_uuid()).collect();
        let active = q::active_among(&txn, &ids).await?;
        let mut by_seller: BTreeMap<Uuid, Vec<PayableSubOrder>> = BTreeMap::new();
        for p in payable {
            if !active.contains(&p.id.as_uuid()) {
                by_seller.entry(p.seller.as_uuid()).or_default().push(p);
            }
        }
        let sellers: Vec<Uuid> = by_seller.keys().copied().collect();
        let accounts = aq::of_orgs(&txn, &sellers).await?;
        // Refunds charged after earlier payouts, taken back now (negative fen).
        let mut taken_back: BTreeMap<Uuid, Vec<(Uuid, i64)>> = BTreeMap::new();
        for a in adj::open_of_orgs(&txn, &sellers).await? {
            taken_back
                .entry(a.org_id)
                .or_default()
                .push((a.id, a.amount_fen));
        }
        let net_of = |org: Uuid, lines: &[PayableSubOrder]| -> Result<i64> {
            let back: i64 = taken_back
                .get(&org)
                .map_or(0, |v| v.iter().map(|(_, f)| f).sum());
            sum(lines)?
                .checked_add(back)
                .ok_or_else(|| FinanceError::Internal("payout amount overflows".to_owned()))
        };
        let org_ids: Vec<OrgId> = sellers.iter().copied().map(OrgId).collect();
        let names = self.identity().org_summaries(&org_ids).await?;
        let name_of = |org: Uuid| {
            names
                .get(&OrgId(org))
                .map_or_else(|| org.to_string(), |s| s.name.clone())
        };

        // Paid in the order of the sellers' names (the bank file's 序号), held ones reported.
        let mut paid: Vec<(String, Uuid, Vec<PayableSubOrder>)> = Vec::new();
        let mut held: Vec<HeldSeller> = Vec::new();
        for (org, lines) in by_seller {
            let net = net_of(org, &lines)?;
            let reason = match accounts.get(&org).map(|a| a.status) {
                Some(AccountStatus::Verified) if net <= 0 => Some(HeldReason::NegativeBalance),
                Some(AccountStatus::Verified) => None,
                Some(AccountStatus::Pending) => Some(HeldReason::AccountPending),
                Some(AccountStatus::Rejected) => Some(HeldReason::AccountRejected),
                None => Some(HeldReason::NoAccount),
            };
            match reason {
                None => paid.push((name_of(org), org, lines)),
                Some(reason) => held.push(HeldSeller {
                    org_id: OrgId(org),
                    org_name: name_of(org),
                    reason,
                    sub_orders: u32::try_from(lines.len()).unwrap_or(u32::MAX),
                    amount: net,
                }),
            }
        }
        if paid.is_empty() {
            return Err(FinanceError::NothingToPay);
        }
        paid.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
        held.sort_by(|a, b| a.org_name.cmp(&b.org_name));

        let seq = q::batches_since(&txn, start_of_day(now)).await? + 1;
        let number = batch_number(now, u32::try_from(seq).unwrap_or(u32::MAX));
        let batch_id = Uuid::now_v7();
        let mut payouts = Vec::new();
        let mut total = 0i64;
        let mut rows = Vec::new();
        let mut all_lines = Vec::new();
        let mut netted: Vec<(Uuid, Vec<Uuid>)> = Vec::new();
        for (i, (org_name, org, lines)) in paid.into_iter().enumerate() {
            let Some(account) = accounts.get(&org) else {
                continue;
            };
            let amount = net_of(org, &lines)?;
            total = total
                .checked_add(amount)
                .ok_or_else(|| FinanceError::Internal("batch total overflows".to_owned()))?;
            let m = payout::Model {
                id: Uuid::now_v7(),
                batch_id,
                seq: count(i + 1)?,
                org_id: org,
                org_name,
                bank_account_id: account.id,
                bank_account_version: account.version,
                account_name: account.account_name.clone(),
                account_no: account.account_no.clone(),
                bank_name: account.bank_name.clone(),
                branch: account.branch.clone(),
                cnaps: account.cnaps.clone(),
                amount_fen: amount,
                sub_orders: count(lines.len())?,
                status: PayoutStatus::Pending,
                bank_reference: None,
                failure_reason: None,
                settled_by: None,
                settled_at: None,
                created_at: now,
            };
            let line_models: Vec<payout_line::Model> = lines
                .iter()
                .map(|l| payout_line::Model {
                    payout_id: m.id,
                    sub_order_id: l.id.as_uuid(),
                    active_sub_order_id: Some(l.id.as_uuid()),
                    number: l.number.clone(),
                    total_fen: l.total.fen(),
                    refunded_fen: l.refunded.fen(),
                    commission_fen: l.commission.fen(),
                    payable_fen: l.payable.fen(),
                })
                .collect();
            payouts.push(PayoutRecord::of(
                m.clone(),
                number.clone(),
                line_models.iter().cloned().map(PayoutLine::from).collect(),
            ));
            if let Some(back) = taken_back.get(&org) {
                netted.push((m.id, back.iter().map(|(id, _)| *id).collect::<Vec<_>>()));
            }
            rows.push(m);
            all_lines.extend(line_models);
        }
        let batch_model = batch::Model {
            id: batch_id,
            number: number.clone(),
            period_end: input.period_end,
            cutoff,
            payouts: count(rows.len())?,
            total_fen: total,
            held: serde_json::to_value(&held).map_err(|e| FinanceError::Internal(e.to_string()))?,
            created_by: actor.account_id.as_uuid(),
            created_at: now,
        };
        let taken = |e: sea_orm::DbErr| {
            if violates(&e, &q::ACTIVE_LINE) || violates(&e, &q::BATCH_NUMBER) {
                FinanceError::ConcurrentBatch
            } else {
                e.into()
            }
        };
        q::insert_batch(&txn, batch_model.clone())
            .await
            .map_err(taken)?;
        for m in rows {
            q::insert_payout(&txn, m).await.map_err(taken)?;
        }
        q::insert_lines(&txn, all_lines).await.map_err(taken)?;
        for (payout_id, ids) in netted {
            adj::attach(&txn, &ids, payout_id).await?;
        }
        super::read::with_adjustments(&txn, &mut payouts).await?;
        txn.commit().await?;
        tracing::info!(batch = %number, payouts = payouts.len(), total_fen = total, held = held.len(), "payout batch made");
        Ok(BatchRecord::of(batch_model, payouts))
    }
}
