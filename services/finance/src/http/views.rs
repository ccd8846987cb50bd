//! What the finance API answers with, and who sees what: an account number whole to platform
//! finance only, its last four digits to everyone else (the owner included).

use crate::domain::{AccountAction, AccountStatus, AdjustmentKind, PayoutStatus, mask_account_no};
use crate::service::{
    AccountChange, AccountRecord, BatchRecord, HeldSeller, PayoutAdjustment, PayoutLine,
    PayoutRecord,
};
use chrono::{DateTime, NaiveDate, Utc};
use farmgate_identity::Actor;
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

fn shown(actor: &Actor, no: &str) -> String {
    if actor.is_finance() {
        no.to_owned()
    } else {
        mask_account_no(no)
    }
}

/// A seller's settlement account.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct BankAccountView {
    pub id: Uuid,
    pub org_id: Uuid,
    pub account_name: String,
    /// Whole for platform finance; `****1234` for everyone else.
    pub account_no: String,
    /// The last four digits, for everyone.
    pub account_no_masked: String,
    pub bank_name: String,
    pub branch: String,
    pub cnaps: Option<String>,
    pub status: AccountStatus,
    pub reject_reason: Option<String>,
    /// The submission reviewed: finance sends it back to verify or reject.
    pub version: i32,
    pub submitted_at: DateTime<Utc>,
    pub reviewed_at: Option<DateTime<Utc>>,
}

impl BankAccountView {
    pub fn of(r: &AccountRecord, actor: &Actor) -> Self {
        Self {
            id: r.id.as_uuid(),
            org_id: r.org_id.as_uuid(),
            account_name: r.account_name.clone(),
            account_no: shown(actor, &r.account_no),
            account_no_masked: mask_account_no(&r.account_no),
            bank_name: r.bank_name.clone(),
            branch: r.branch.clone(),
            cnaps: r.cnaps.clone(),
            status: r.status,
            reject_reason: r.reject_reason.clone(),
            version: r.version,
            submitted_at: r.submitted_at,
            reviewed_at: r.reviewed_at,
        }
    }
}

/// One step of an account's history.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct AccountChangeView {
    pub action: AccountAction,
    pub version: i32,
    /// The account number at that step (whole for finance, masked for everyone else).
    pub account_no: Option<String>,
    pub account_name: Option<String>,
    pub bank_name: Option<String>,
    /// Why it was rejected.
    pub reason: Option<String>,
    pub at: DateTime<Utc>,
}

impl AccountChangeView {
    pub fn of(c: &AccountChange, actor: &Actor) -> Self {
        Self {
            action: c.action,
            version: c.version,
            account_no: c.account_no.as_deref().map(|n| shown(actor, n)),
            account_name: c.account_name.clone(),
            bank_name: c.bank_name.clone(),
            reason: c.reason.clone(),
            at: c.at,
        }
    }
}

/// An organisation's settlement account (none yet: `null`) and its history, newest first.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct OrgAccountView {
    pub account: Option<BankAccountView>,
    pub history: Vec<AccountChangeView>,
}

/// A sub-order a payout pays, fen.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PayoutLineView {
    pub sub_order_id: Uuid,
    pub number: String,
    pub total: i64,
    pub refunded: i64,
    pub commission: i64,
    pub payable: i64,
}

impl From<&PayoutLine> for PayoutLineView {
    fn from(l: &PayoutLine) -> Self {
        Self {
            sub_order_id: l.sub_order_id.as_uuid(),
            number: l.number.clone(),
            total: l.total,
            refunded: l.refunded,
            commission: l.commission,
            payable: l.payable,
        }
    }
}

/// A refund a payout takes back (`refund`: charged to the seller after the sub-order had been
/// paid out in an earlier payout), or gives back (`reversal`: the payout that held the
/// sub-order failed after the refund had been taken back, so the sub-order is paid again at
/// its reduced value and the refund is not taken twice).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PayoutAdjustmentView {
    pub refund_id: Uuid,
    pub kind: AdjustmentKind,
    pub sub_order_id: Uuid,
    /// The sub-order's number.
    pub sub_order_number: String,
    /// Fen: below zero for a refund, above zero for a reversal.
    pub amount: i64,
    /// Why it was refunded.
    pub reason: String,
    /// A reversal: the payout whose failure made it.
    pub failed_payout_id: Option<Uuid>,
    /// When it was recorded.
    pub at: DateTime<Utc>,
}

impl From<&PayoutAdjustment> for PayoutAdjustmentView {
    fn from(a: &PayoutAdjustment) -> Self {
        Self {
            refund_id: a.refund_id.as_uuid(),
            kind: a.kind,
            sub_order_id: a.sub_order_id.as_uuid(),
            sub_order_number: a.number.clone(),
            amount: a.amount,
            failed_payout_id: a.failed_payout_id.map(|p| p.as_uuid()),
            reason: a.reason.clone(),
            at: a.at,
        }
    }
}

/// One seller's payout.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PayoutView {
    pub id: Uuid,
    pub batch_id: Uuid,
    pub batch_number: String,
    /// 序号 in the bank file.
    pub seq: i32,
    pub org_id: Uuid,
    pub org_name: String,
    /// The account paid to, as verified when the batch was made.
    pub account_name: String,
    /// Whole for platform finance; `****1234` for everyone else.
    pub account_no: String,
    pub bank_name: String,
    pub branch: String,
    pub cnaps: Option<String>,
    /// Fen: what its sub-orders are payable, plus `adjusted` (refunds taken back, less any
    /// given back).
    pub amount: i64,
    /// Fen: the sum of `adjustments` (below zero when it takes back more than it gives back).
    pub adjusted: i64,
    pub sub_order_count: i32,
    pub status: PayoutStatus,
    pub bank_reference: Option<String>,
    pub failure_reason: Option<String>,
    pub settled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// The sub-orders it pays (one payout's page only; empty in lists).
    pub sub_orders: Vec<PayoutLineView>,
    /// The refunds it takes back or gives back (in lists too): Σ `sub_orders[].payable` + Σ
    /// `adjustments[].amount` = `amount`. A failed payout has none: they are open again and
    /// the seller's next payout takes them back.
    pub adjustments: Vec<PayoutAdjustmentView>,
}

impl PayoutView {
    pub fn of(p: &PayoutRecord, actor: &Actor) -> Self {
        Self {
            id: p.id.as_uuid(),
            batch_id: p.batch_id.as_uuid(),
            batch_number: p.batch_number.clone(),
            seq: p.seq,
            org_id: p.org_id.as_uuid(),
            org_name: p.org_name.clone(),
            account_name: p.account_name.clone(),
            account_no: shown(actor, &p.account_no),
            bank_name: p.bank_name.clone(),
            branch: p.branch.clone(),
            cnaps: p.cnaps.clone(),
            amount: p.amount,
            adjusted: p.adjustments.iter().map(|a| a.amount).sum(),
            sub_order_count: p.sub_orders,
            status: p.status,
            bank_reference: p.bank_reference.clone(),
            failure_reason: p.failure_reason.clone(),
            settled_at: p.settled_at,
            created_at: p.created_at,
            sub_orders: p.lines.iter().map(PayoutLineView::from).collect(),
            adjustments: p
                .adjustments
                .iter()
                .map(PayoutAdjustmentView::from)
                .collect(),
        }
    }
}

/// A payout batch.
#[derive(Clone, Debug, Serialize, ToSchema)]
#[schema(as = PayoutBatchView)]
pub struct BatchView {
    pub id: Uuid,
    /// `PB20261206-001`.
    pub number: String,
    pub period_end: NaiveDate,
    /// Sub-orders whose after-sales window closed by this instant were paid.
    pub cutoff: DateTime<Utc>,
    /// Fen, all its payouts.
    pub total: i64,
    pub payout_count: i32,
    pub created_at: DateTime<Utc>,
    /// Sellers with something payable but no verified account: not paid.
    pub held: Vec<HeldSeller>,
    /// Its payouts (one batch's page only; empty in lists).
    pub payouts: Vec<PayoutView>,
}

impl BatchView {
    pub fn of(b: &BatchRecord, actor: &Actor) -> Self {
        Self {
            id: b.id.as_uuid(),
            number: b.number.clone(),
            period_end: b.period_end,
            cutoff: b.cutoff,
            total: b.total,
            payout_count: b.payout_count,
            created_at: b.created_at,
            held: b.held.clone(),
            payouts: b.payouts.iter().map(|p| PayoutView::of(p, actor)).collect(),
        }
    }
}
