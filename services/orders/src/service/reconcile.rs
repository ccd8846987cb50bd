//! Reconciliation (对账): each day, every provider that keeps a bill has its bill of the day
//! before compared with the ledger, line by line (`domain::reconcile::compare`). A run per
//! provider and day, at most one at a time (the unique key, and a conditional restart of a
//! failed one); its differences wait for the operator or finance, who resolve each with a note.
//! Nothing here writes to payments, intents or refunds: a difference is never fixed silently.

use crate::Orders;
use crate::domain::reconcile::{
    self, BillEntry, Comparison, DifferenceKind, Ledger, LedgerPayment, LedgerRefund, RunStatus,
};
use crate::domain::{IntentStatus, RefundStatus, start_of};
use crate::error::{Missing, OrdersError, Result};
use crate::payment::PaymentProvider;
use crate::service::topics;
use crate::store::queries::reconcile as q;
use crate::store::{recon_difference, recon_run};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use farmgate_identity::{Actor, PlatformRole};
use farmgate_infra::db::{begin_write, violates};
use farmgate_kernel::FieldError;
use farmgate_kernel::clock::shanghai;
use farmgate_kernel::text::clean_text;
use sea_orm::{ActiveModelTrait, Set};
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

/// A run still `running` after this long was abandoned (its process died) and may be taken
/// over.
pub const STALE_RUN: Duration = Duration::minutes(15);
/// Providers publish a day's bill the next morning (WeChat Pay from 10:00 Beijing time): the
/// daily run for day D is due at D+1 10:30 Beijing time.
pub const DUE_AFTER_MIDNIGHT: Duration = Duration::minutes(10 * 60 + 30);

/// Who may reconcile: the operator and platform finance.
fn require_money_staff(actor: &Actor) -> Result<()> {
    actor.require_platform(&[PlatformRole::Operator, PlatformRole::Finance])?;
    Ok(())
}

/// The out-trade and out-refund numbers a bill names are our intent and refund ids in simple
/// form; anything else is nobody's.
fn our_id(no: &str) -> Option<Uuid> {
    crate::payment::intent_of(no)
}

impl Orders {
    /// The providers that keep a daily bill (WeChat Pay and Alipay when configured).
    pub fn billing_providers(&self) -> Vec<&dyn PaymentProvider> {
        self.providers()
            .into_iter()
            .filter(|p| p.keeps_bill())
            .collect()
    }

    /// The operator or finance reconciles `provider`'s bill of `day` now (a failed or
    /// abandoned run is tried again; a finished one is refused).
    #[tracing::instrument(skip_all, fields(provider = %provider, day = %day))]
    pub async fn reconcile(
        &self,
        actor: &Actor,
        provider: &str,
        day: NaiveDate,
    ) -> Result<recon_run::Model> {
        require_money_staff(actor)?;
        if day >= self.now().with_timezone(&shanghai()).date_naive() {
            return Err(OrdersError::field(FieldError::new(
                "date",
                "not_closed",
                "只能对已结束的日期对账",
                "only a day that has ended can be reconciled",
            )));
        }
        self.reconcile_day(provider, day, Some(actor.account_id.as_uuid()))
            .await
    }

    /// Reconciles one provider's bill of one day: the daily job and [`Self::reconcile`].
    pub async fn reconcile_day(
        &self,
        provider: &str,
        day: NaiveDate,
        by: Option<Uuid>,
    ) -> Result<recon_run::Model> {
        let Some(p) = self.provider_named(provider) else {
            return Err(OrdersError::NotFound(Missing::PaymentProvider));
        };
        if !p.keeps_bill() {
            return Err(OrdersError::NoBill);
        }
        let run_id = self.claim_run(provider, day, by).await?;
        let db = &self.infra().db;
        let bill = match p.bill(day).await {
            Ok(Some(bill)) => bill,
            Ok(None) => return Err(OrdersError::NoBill),
            Err(e) => {
                tracing::warn!(error = %e, "the bill could not be had; the run is tried again");
                let mut error = e;
                error.truncate(error.floor_char_boundary(480));
                q::finish_run(
                    db,
                    run_id,
                    RunStatus::Failed,
                    (0, 0, 0),
                    Some(error),
                    self.now(),
                )
                .await?;
                return self.run_model(run_id).await;
            }
        };
        let ledger = self.ledger_for(provider, day, &bill).await?;
        let comparison = reconcile::compare(&bill, &ledger);
        self.record_comparison(provider, day, run_id, bill.len(), comparison)
            .await?;
        self.run_model(run_id).await
    }

    async fn run_model(&self, id: Uuid) -> Result<recon_run::Model> {
        q::run(&self.infra().db, id)
            .await?
            .ok_or(OrdersError::NotFound(Missing::ReconciliationRun))
    }

    /// The day's run, new or taken over from a failed or abandoned attempt.
    async fn claim_run(&self, provider: &str, day: NaiveDate, by: Option<Uuid>) -> Result<Uuid> {
        let db = &self.infra().db;
        let now = self.now();
        if let Some(run) = q::run_of_day(db, provider, day).await? {
            return match run.status {
                RunStatus::Matched | RunStatus::Differences => Err(OrdersError::AlreadyReconciled),
                _ if q::restart_run(db, run.id, by, now, now - STALE_RUN).await? => Ok(run.id),
                _ => Err(OrdersError::ReconcileRunning),
            };
        }
        let id = Uuid::now_v7();
        let row = recon_run::ActiveModel {
            id: Set(id),
            provider: Set(provider.to_owned()),
            bill_date: Set(day),
            status: Set(RunStatus::Running),
            bill_entries: Set(0),
            matched: Set(0),
            differences: Set(0),
            error: Set(None),
            triggered_by: Set(by),
            started_at: Set(now),
            finished_at: Set(None),
        };
        match row.insert(db).await {
            Ok(_) => Ok(id),
            // Another run of the same day started a moment ago.
            Err(e) if violates(&e, &q::RUN_OF_DAY) => Err(OrdersError::ReconcileRunning),
            Err(e) => Err(e.into()),
        }
    }

    /// What the ledger holds under the numbers the bill names, and what it recorded that day.
    async fn ledger_for(
        &self,
        provider: &str,
        day: NaiveDate,
        bill: &[BillEntry],
    ) -> Result<Ledger> {
        let db = &self.infra().db;
        let (mut trade_ids, mut refund_ids) = (Vec::new(), Vec::new());
        for e in bill {
            match e {
                BillEntry::Payment { out_trade_no, .. } => trade_ids.extend(our_id(out_trade_no)),
                BillEntry::Refund { out_refund_no, .. } => refund_ids.extend(our_id(out_refund_no)),
            }
        }
        let payment = |i: &crate::store::intent::Model| LedgerPayment {
            out_trade_no: i.id.simple().to_string(),
            paid: i.status == IntentStatus::Succeeded,
            transaction_id: i.transaction_id.clone(),
            amount_fen: i.amount_fen,
        };
        let refund = |r: &crate::store::refund::Model| LedgerRefund {
            out_refund_no: r.id.simple().to_string(),
            settled: r.status == RefundStatus::Succeeded,
            amount_fen: r.amount_fen,
        };
        let (from, to) = (start_of(day), start_of(day + Duration::days(1)));
        let payments: HashMap<String, LedgerPayment> = q::intents_in(db, provider, &trade_ids)
            .await?
            .iter()
            .map(|i| (i.id.simple().to_string(), payment(i)))
            .collect();
        let refunds: HashMap<String, LedgerRefund> = q::refunds_in(db, provider, &refund_ids)
            .await?
            .iter()
            .map(|r| (r.id.simple().to_string(), refund(r)))
            .collect();
        Ok(Ledger {
            payments,
            refunds,
            paid_that_day: q::intents_paid_between(db, provider, from, to)
                .await?
                .iter()
                .map(payment)
                .collect(),
            refunded_that_day: q::refunds_settled_between(db, provider, from, to)
                .await?
                .iter()
                .map(refund)
                .collect(),
        })
    }

    /// Writes the differences and the run's outcome in one transaction, and clears earlier
    /// days' "absent from the bill" that this bill carries (a timing difference, said so).
    async fn record_comparison(
        &self,
        provider: &str,
        day: NaiveDate,
        run_id: Uuid,
        entries: usize,
        c: Comparison,
    ) -> Result<()> {
        let now = self.now();
        let txn = begin_write(&self.infra().db).await?;
        let rows: Vec<recon_difference::ActiveModel> = c
            .differences
            .iter()
            .map(|d| recon_difference::ActiveModel {
                id: Set(Uuid::now_v7()),
                run_id: Set(run_id),
                provider: Set(provider.to_owned()),
                bill_date: Set(day),
                kind: Set(d.kind),
                out_trade_no: Set(d.out_trade_no.clone()),
                out_refund_no: Set(d.out_refund_no.clone()),
                transaction_id: Set(d.transaction_id.clone()),
                ours_fen: Set(d.ours_fen),
                theirs_fen: Set(d.theirs_fen),
                resolved: Set(false),
                resolution: Set(None),
                resolved_by: Set(None),
                resolved_at: Set(None),
                created_at: Set(now),
            })
            .collect();
        let found = count(rows.len());
        q::insert_differences(&txn, rows).await?;
        let note = format!(
            "出现在 {day} 的账单中（跨日到账） / carried by the bill of {day} (a timing difference)"
        );
        q::clear_timing(
            &txn,
            provider,
            DifferenceKind::MissingInBill,
            recon_difference::Column::OutTradeNo,
            &c.seen_trades,
            &note,
            now,
        )
        .await?;
        q::clear_timing(
            &txn,
            provider,
            DifferenceKind::RefundMissingInBill,
            recon_difference::Column::OutRefundNo,
            &c.seen_refunds,
            &note,
            now,
        )
        .await?;
        let status = if found == 0 {
            RunStatus::Matched
        } else {
            RunStatus::Differences
        };
        let counts = (
            count(entries),
            i64::try_from(c.matched).unwrap_or(i64::MAX),
            found,
        );
        q::finish_run(&txn, run_id, status, counts, None, now).await?;
        txn.commit().await?;
        if found > 0 {
            tracing::warn!(differences = found, "the bill and the ledger disagree");
        }
        Ok(())
    }

    /// Runs, newest day first.
    pub async fn reconciliation_runs(
        &self,
        actor: &Actor,
        provider: Option<&str>,
        limit: u64,
        offset: u64,
    ) -> Result<(Vec<recon_run::Model>, u64)> {
        require_money_staff(actor)?;
        Ok(q::runs(&self.infra().db, provider, limit, offset).await?)
    }

    /// A run and the differences it found.
    pub async fn reconciliation_run(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> Result<(recon_run::Model, Vec<recon_difference::Model>)> {
        require_money_staff(actor)?;
        let db = &self.infra().db;
        let run = q::run(db, id)
            .await?
            .ok_or(OrdersError::NotFound(Missing::ReconciliationRun))?;
        let diffs = q::differences_of_run(db, id).await?;
        Ok((run, diffs))
    }

    /// Open (or resolved) differences across runs, oldest day first.
    pub async fn reconciliation_differences(
        &self,
        actor: &Actor,
        resolved: bool,
        limit: u64,
        offset: u64,
    ) -> Result<(Vec<recon_difference::Model>, u64)> {
        require_money_staff(actor)?;
        Ok(q::differences(&self.infra().db, resolved, limit, offset).await?)
    }

    /// The operator or finance resolves a difference with what was done about it (the ledger
    /// itself is corrected, if at all, through the use cases that own it).
    #[tracing::instrument(skip_all, fields(difference.id = %id))]
    pub async fn resolve_difference(
        &self,
        actor: &Actor,
        id: Uuid,
        note: &str,
    ) -> Result<recon_difference::Model> {
        require_money_staff(actor)?;
        let note = clean_text(note, 2, 500, true).map_err(|e| e.at("note"))?;
        let db = &self.infra().db;
        let existing = q::difference(db, id)
            .await?
            .ok_or(OrdersError::NotFound(Missing::Difference))?;
        if existing.resolved
            || !q::resolve(db, id, &note, actor.account_id.as_uuid(), self.now()).await?
        {
            return Err(OrdersError::AlreadyResolved);
        }
        q::difference(db, id)
            .await?
            .ok_or(OrdersError::NotFound(Missing::Difference))
    }

    /// The daily job: every billing provider's bill of `day`. A day already reconciled is
    /// skipped; a provider whose bill cannot be had fails the job, which the outbox retries.
    pub async fn reconcile_all(&self, day: NaiveDate) -> std::result::Result<(), String> {
        let mut failed = Vec::new();
        for p in self.billing_providers() {
            match self.reconcile_day(p.name(), day, None).await {
                Ok(run) if run.status == RunStatus::Failed => {
                    failed.push(format!("{}: {}", p.name(), run.error.unwrap_or_default()))
                }
                Ok(_) | Err(OrdersError::AlreadyReconciled) => {}
                Err(e) => failed.push(format!("{}: {e}", p.name())),
            }
        }
        if failed.is_empty() {
            Ok(())
        } else {
            Err(failed.join("; "))
        }
    }

    /// Schedules the daily reconciliation of `day` (due the next morning) unless it is
    /// already waiting. Called at start (for yesterday) and by the job for the next day.
    pub async fn schedule_reconciliation(&self, day: NaiveDate) -> Result<()> {
        if self.billing_providers().is_empty() {
            return Ok(());
        }
        let db = &self.infra().db;
        let payload = json!({ "date": day });
        if farmgate_infra::outbox::waiting_with(db, topics::RECONCILE_DUE, &payload).await? {
            return Ok(());
        }
        let due: DateTime<Utc> = start_of(day + Duration::days(1)) + DUE_AFTER_MIDNIGHT;
        self.infra()
            .outbox
            .enqueue_at(db, topics::RECONCILE_DUE, &payload, due.max(self.now()))
            .await?;
        Ok(())
    }
}

fn count(n: usize) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}
