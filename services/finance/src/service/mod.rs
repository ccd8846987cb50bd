//! Finance's use cases, one file each: `account` (a seller's owner registers or changes the
//! settlement account; who sees it), `review` (finance's queue, verify, reject), `batch`
//! (making a payout batch), `settle` (paid with the bank's reference, or failed), `read`
//! (batches, one payout, a seller's payouts). Each checks who acts, applies the domain rules and
//! writes its change with its history in one transaction.

mod account;
mod batch;
mod clawback;
mod read;
mod review;
mod settle;

pub use account::AccountInput;
pub use batch::NewBatch;
pub use review::ReviewInput;
pub use settle::{FailedInput, PaidInput};

/// Outbox topics finance publishes.
pub mod topics {
    /// `{"payout_id", "org_id"}`: a payout was marked paid with the bank's reference (the
    /// seller's members are told; `farmgate_finance::read::notify`).
    pub const PAYOUT_PAID: &str = "finance.payout.paid";
}

use crate::Finance;
use crate::domain::{
    AccountAction, AccountStatus, AdjustmentKind, BankAccountId, PayoutBatchId, PayoutId,
    PayoutStatus,
};
use crate::error::{FinanceError, Result};
use crate::store::{account_change, bank_account, batch as batch_entity, payout, payout_line};
use chrono::{DateTime, NaiveDate, Utc};
use farmgate_identity::Actor;
use farmgate_kernel::id::{AccountId, OrgId, RefundId, SubOrderId};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A settlement account whole (the number unmasked: views mask it for everyone but finance).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AccountRecord {
    pub id: BankAccountId,
    pub org_id: OrgId,
    pub account_name: String,
    pub account_no: String,
    pub bank_name: String,
    pub branch: String,
    pub cnaps: Option<String>,
    pub status: AccountStatus,
    pub reject_reason: Option<String>,
    pub version: i32,
    pub submitted_at: DateTime<Utc>,
    pub reviewed_at: Option<DateTime<Utc>>,
}

impl From<bank_account::Model> for AccountRecord {
    fn from(m: bank_account::Model) -> Self {
        Self {
            id: BankAccountId(m.id),
            org_id: OrgId(m.org_id),
            account_name: m.account_name,
            account_no: m.account_no,
            bank_name: m.bank_name,
            branch: m.branch,
            cnaps: m.cnaps,
            status: m.status,
            reject_reason: m.reject_reason,
            version: m.version,
            submitted_at: m.submitted_at,
            reviewed_at: m.reviewed_at,
        }
    }
}

/// One line of an account's history.
#[derive(Clone, Debug, PartialEq)]
pub struct AccountChange {
    pub action: AccountAction,
    pub version: i32,
    pub actor: AccountId,
    /// The account number at that step (views mask it).
    pub account_no: Option<String>,
    pub account_name: Option<String>,
    pub bank_name: Option<String>,
    pub reason: Option<String>,
    pub at: DateTime<Utc>,
}

impl From<account_change::Model> for AccountChange {
    fn from(m: account_change::Model) -> Self {
        let s = |k: &str| m.details.get(k).and_then(|v| v.as_str()).map(str::to_owned);
        Self {
            action: m.action,
            version: m.version,
            actor: AccountId(m.actor_account_id),
            account_no: s("account_no"),
            account_name: s("account_name"),
            bank_name: s("bank_name"),
            reason: s("reason"),
            at: m.created_at,
        }
    }
}

/// Why a seller with something payable was not paid in a batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum HeldReason {
    /// No settlement account registered.
    NoAccount,
    /// Registered or changed, waiting for finance.
    AccountPending,
    /// Rejected by finance: the owner must correct it.
    AccountRejected,
    /// Refunds charged to it after earlier payouts take back more than it is owed now: the
    /// rest is netted when more becomes payable.
    NegativeBalance,
}

/// A seller held back from a batch, with what it is owed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct HeldSeller {
    #[schema(value_type = Uuid)]
    pub org_id: OrgId,
    pub org_name: String,
    pub reason: HeldReason,
    pub sub_orders: u32,
    /// What it would have been paid, fen.
    pub amount: i64,
}

/// A sub-order a payout pays.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PayoutLine {
    pub sub_order_id: SubOrderId,
    pub number: String,
    pub total: i64,
    pub refunded: i64,
    pub commission: i64,
    pub payable: i64,
}

impl From<payout_line::Model> for PayoutLine {
    fn from(m: payout_line::Model) -> Self {
        Self {
            sub_order_id: SubOrderId(m.sub_order_id),
            number: m.number,
            total: m.total_fen,
            refunded: m.refunded_fen,
            commission: m.commission_fen,
            payable: m.payable_fen,
        }
    }
}

/// A refund taken back from a payout (charged to the seller after the sub-order had been paid
/// out: negative fen), or given back (`Reversal`: the payout holding the sub-order failed after
/// the refund was netted elsewhere: positive fen).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PayoutAdjustment {
    pub refund_id: RefundId,
    pub kind: AdjustmentKind,
    pub sub_order_id: SubOrderId,
    /// The sub-order's number.
    pub number: String,
    /// Fen: below zero for a refund, above for its reversal.
    pub amount: i64,
    /// A reversal: the payout whose failure made it.
    pub failed_payout_id: Option<PayoutId>,
    /// The refund's reason.
    pub reason: String,
    /// When the refund was taken back (recorded).
    pub at: DateTime<Utc>,
}

/// One seller's payout (the account number unmasked: views mask it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PayoutRecord {
    pub id: PayoutId,
    pub batch_id: PayoutBatchId,
    pub batch_number: String,
    pub seq: i32,
    pub org_id: OrgId,
    pub org_name: String,
    pub account_name: String,
    pub account_no: String,
    pub bank_name: String,
    pub branch: String,
    pub cnaps: Option<String>,
    pub amount: i64,
    pub sub_orders: i32,
    pub status: PayoutStatus,
    pub bank_reference: Option<String>,
    pub failure_reason: Option<String>,
    pub settled_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// The sub-orders it pays (empty in lists).
    pub lines: Vec<PayoutLine>,
    /// The refunds it takes back (and gives back): `amount` = Σ lines' payable + Σ
    /// adjustments. A failed payout has none: its adjustments are open again and the next
    /// payout nets them.
    pub adjustments: Vec<PayoutAdjustment>,
}

impl PayoutRecord {
    fn of(m: payout::Model, batch_number: String, lines: Vec<PayoutLine>) -> Self {
        Self {
            id: PayoutId(m.id),
            batch_id: PayoutBatchId(m.batch_id),
            batch_number,
            seq: m.seq,
            org_id: OrgId(m.org_id),
            org_name: m.org_name,
            account_name: m.account_name,
            account_no: m.account_no,
            bank_name: m.bank_name,
            branch: m.branch,
            cnaps: m.cnaps,
            amount: m.amount_fen,
            sub_orders: m.sub_orders,
            status: m.status,
            bank_reference: m.bank_reference,
            failure_reason: m.failure_reason,
            settled_at: m.settled_at,
            created_at: m.created_at,
            lines,
            adjustments: Vec::new(),
        }
    }
}

/// A payout batch with its payouts and the sellers it held back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchRecord {
    pub id: PayoutBatchId,
    pub number: String,
    pub period_end: NaiveDate,
    pub cutoff: DateTime<Utc>,
    pub total: i64,
    pub payout_count: i32,
    pub created_at: DateTime<Utc>,
    pub held: Vec<HeldSeller>,
    /// Its payouts (empty in lists).
    pub payouts: Vec<PayoutRecord>,
}

impl BatchRecord {
    fn of(m: batch_entity::Model, payouts: Vec<PayoutRecord>) -> Self {
        let held = serde_json::from_value(m.held.clone()).unwrap_or_default();
        Self {
            id: PayoutBatchId(m.id),
            number: m.number,
            period_end: m.period_end,
            cutoff: m.cutoff,
            total: m.total_fen,
            payout_count: m.payouts,
            created_at: m.created_at,
            held,
            payouts,
        }
    }
}

impl Finance {
    fn now(&self) -> DateTime<Utc> {
        self.infra().clock.now()
    }
}

/// Platform finance only.
pub(crate) fn require_finance(actor: &Actor) -> Result<()> {
    if actor.is_finance() {
        Ok(())
    } else {
        Err(FinanceError::Forbidden)
    }
}

/// Who may read an organisation's account and payouts: its members, finance and the operator.
pub(crate) fn require_reader(actor: &Actor, org: OrgId) -> Result<()> {
    if actor.is_finance() || actor.is_operator() || actor.membership(org).is_some() {
        Ok(())
    } else {
        Err(FinanceError::Forbidden)
    }
}
