//! Credit terms (账期, issue #22). The operator or platform finance grants a verified business
//! buyer a line (limit, terms, active or suspended); its owner, managers and purchasers pay
//! orders on credit — the order is paid at once (sellers ship and are paid out by the normal
//! rules; the platform carries the credit) and the buyer owes its total. A refund of such an
//! order lowers what is owed instead of sending money back. A daily job bills each Shanghai
//! month on one statement per buyer (due `terms` days after the month's last day) and tells the
//! buyer's members of statements unpaid after their due date; while one is, no new orders on
//! credit. Finance records bank transfers against a statement, in parts if need be, never
//! above what is left; each payment frees as much credit.
//!
//! Money identity (docs/MONEY.md): an order on credit enters the platform's money like any paid
//! order (`received`, by its sub-orders), and [`PlatformMoney::on_credit`] says how much of
//! `received` is a receivable rather than cash. The receivables reconcile on their own:
//! `charged − refunded − paid = outstanding`, per line and in all ([`Receivables`]).
//!
//! [`PlatformMoney::on_credit`]: crate::service::platform_money::PlatformMoney::on_credit

use crate::Orders;
use crate::domain::credit::{
    self, CreditStatus, EntryKind, Month, StatementStatus, available, check_limit, check_terms,
    statement_status,
};
use crate::domain::start_of;
use crate::error::{Missing, OrdersError, Result};
use crate::service::{OrderRecord, topics};
use crate::store::queries::{credit as q, orders as oq};
use crate::store::{credit_entry, credit_line, credit_statement, credit_statement_payment, refund};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use farmgate_identity::read::purchasing;
use farmgate_identity::{Actor, OrgKind, OrgRole, OrgStatus, PlatformRole};
use farmgate_infra::db::{begin_write, serialise};
use farmgate_kernel::id::{OrderId, OrgId};
use farmgate_kernel::text::clean_text;
use farmgate_kernel::{FieldError, ValidationErrors};
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

/// The name a refund of an order on credit goes "back" through: the buyer's credit line.
pub const PROVIDER: &str = "credit";
/// How finance records a bank transfer against a statement.
pub const BANK_TRANSFER: &str = "bank_transfer";
/// A statement's members are told this many days before it falls due (once, while unpaid).
const DUE_SOON_DAYS: i64 = 3;
/// The daily run comes a few minutes after Shanghai midnight.
const DAILY_AFTER_MIDNIGHT: Duration = Duration::minutes(10);

/// A line as the operator or finance sets it.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreditTerms {
    /// Fen, 0 to 1,000,000,000 (¥10,000,000).
    pub limit_fen: i64,
    /// Days after the month's last day a statement falls due, 1 to 180.
    pub terms_days: i32,
    /// Absent: `active`.
    #[serde(default)]
    pub status: Option<CreditStatus>,
}

/// Who changed a line to what, when.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CreditChange {
    pub limit_fen: i64,
    pub terms_days: i32,
    pub status: CreditStatus,
    pub changed_by_name: String,
    pub changed_at: DateTime<Utc>,
}

/// A business buyer's credit line and where it stands.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct CreditLineView {
    pub org_id: OrgId,
    pub org_name: String,
    pub limit_fen: i64,
    pub terms_days: i32,
    pub status: CreditStatus,
    /// What the buyer owes now (billed or not).
    pub outstanding_fen: i64,
    /// What it may still order on credit: the limit less what it owes.
    pub available_fen: i64,
    /// What is left unpaid of statements past their due date; while above zero, no new
    /// orders on credit.
    pub overdue_fen: i64,
    pub updated_at: DateTime<Utc>,
    /// Every change of the line, newest first (the operator and finance only; empty for the
    /// buyer).
    pub changes: Vec<CreditChange>,
}

/// One line of a statement: an order paid on credit, or a refund of one.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct StatementLine {
    pub kind: EntryKind,
    pub order_id: Option<OrderId>,
    pub order_number: Option<String>,
    /// Fen: a charge adds it, a refund takes it off; `credit_brought` (credit from an earlier
    /// statement) takes it off and `credit_carried` (credit left over, carried to the next
    /// statement) adds it back, so no statement is ever below zero.
    pub amount_fen: i64,
    pub at: DateTime<Utc>,
}

/// A payment against a statement.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct StatementPayment {
    pub amount_fen: i64,
    /// `bank_transfer`, or the gateway's name.
    pub channel: String,
    pub reference: String,
    pub at: DateTime<Utc>,
}

/// A monthly statement (对账单).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct StatementView {
    pub id: Uuid,
    pub org_id: OrgId,
    /// `2026-12` (Shanghai).
    pub month: String,
    pub charges_fen: i64,
    pub refunds_fen: i64,
    /// `charges_fen − refunds_fen`: the sum of its lines.
    pub total_fen: i64,
    pub paid_fen: i64,
    /// `total_fen − paid_fen`.
    pub left_fen: i64,
    pub due_date: NaiveDate,
    pub status: StatementStatus,
    pub created_at: DateTime<Utc>,
    /// Empty in lists; the statement itself carries them.
    pub lines: Vec<StatementLine>,
    pub payments: Vec<StatementPayment>,
}

/// Every line's receivable, and the identity they keep:
/// `charged − refunded − paid = outstanding`.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Receivables {
    pub lines: Vec<CreditLineView>,
    /// Orders paid on credit, ever.
    pub charged_fen: i64,
    /// Refunds of those orders (owed less).
    pub refunded_fen: i64,
    /// Payments against statements: money in.
    pub paid_fen: i64,
    /// What buyers owe now: the sum of the lines' `outstanding_fen`.
    pub outstanding_fen: i64,
    /// Of that, unpaid after a statement's due date.
    pub overdue_fen: i64,
}

/// A bank transfer finance records against a statement.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatementPaymentRequest {
    /// Fen, at most what is left of the statement.
    pub amount_fen: i64,
    /// The bank's reference (2–80 characters): a reference recorded once on a statement.
    pub reference: String,
}

/// The Shanghai date of an instant.
fn shanghai_date(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&farmgate_kernel::clock::shanghai())
        .date_naive()
}

/// The gateway a refund of `order` goes back through: the credit line when it was paid on
/// credit, else `provider`.
pub(crate) async fn refund_provider(
    conn: &impl ConnectionTrait,
    order: Uuid,
    provider: String,
) -> Result<String> {
    Ok(if q::charge_of_order(conn, order).await?.is_some() {
        PROVIDER.to_owned()
    } else {
        provider
    })
}

/// A refund that goes back to a credit line lowers what the buyer owes, in the refund's own
/// transaction (no money moves); any other refund is left to its provider.
pub(crate) async fn refund_in(conn: &impl ConnectionTrait, row: &refund::Model) -> Result<()> {
    if !settles_itself(row) {
        return Ok(());
    }
    let charge = q::charge_of_order(conn, row.order_id)
        .await?
        .ok_or_else(|| OrdersError::Internal(format!("order {} has no credit", row.order_id)))?;
    q::reduce(conn, charge.org_id, row.amount_fen).await?;
    q::insert_entry(
        conn,
        credit_entry::Model {
            id: Uuid::now_v7(),
            org_id: charge.org_id,
            kind: EntryKind::Refund,
            amount_fen: row.amount_fen,
            order_id: Some(row.order_id),
            refund_id: Some(row.id),
            statement_id: None,
            actor_id: row.actor_id,
            created_at: row.created_at,
        },
    )
    .await?;
    Ok(())
}

/// A refund to a credit line is settled by being recorded: no provider is asked.
pub(crate) fn settles_itself(row: &refund::Model) -> bool {
    row.provider == PROVIDER
}

impl Orders {
    /// Who may read a buyer's line and statements: its members, the operator and finance.
    /// Anyone else is told there is none (`not_found`).
    fn reads_credit(actor: &Actor, org: Uuid, missing: Missing) -> Result<()> {
        if actor.is_operator() || actor.is_finance() || actor.membership(OrgId(org)).is_some() {
            Ok(())
        } else {
            Err(OrdersError::NotFound(missing))
        }
    }

    /// Grants a verified business buyer a line, or changes its limit, terms or status: the
    /// operator and finance. What the buyer owes stays; a limit below it only stops new
    /// orders on credit. Each change is kept with who made it.
    #[tracing::instrument(skip_all, fields(org.id = %org, account.id = %actor.account_id))]
    pub async fn set_credit_line(
        &self,
        actor: &Actor,
        org: OrgId,
        terms: &CreditTerms,
    ) -> Result<CreditLineView> {
        actor.require_platform(&[PlatformRole::Operator, PlatformRole::Finance])?;
        let mut errs = ValidationErrors::new();
        let limit = errs.check("limit_fen", check_limit(terms.limit_fen));
        let days = errs.check("terms_days", check_terms(terms.terms_days));
        let (Some(limit), Some(days)) = (limit, days) else {
            return Err(OrdersError::Invalid(errs));
        };
        let summary = self.identity().org_summary(org).await?;
        let Some(summary) = summary else {
            return Err(OrdersError::NotFound(Missing::CreditLine));
        };
        if summary.kind != OrgKind::BusinessBuyer || summary.status != OrgStatus::Verified {
            return Err(OrdersError::NotBusinessBuyer);
        }
        let status = terms.status.unwrap_or(CreditStatus::Active);
        let txn = begin_write(&self.infra().db).await?;
        serialise(&txn, "orders.credit_line", org).await?;
        q::set_line(
            &txn,
            org.as_uuid(),
            limit,
            days,
            status,
            actor.account_id.as_uuid(),
            self.now(),
        )
        .await?;
        txn.commit().await?;
        self.credit_line(actor, org).await
    }

    /// A buyer's line: its members, the operator and finance (who also see its changes).
    #[tracing::instrument(skip_all, fields(org.id = %org, account.id = %actor.account_id))]
    pub async fn credit_line(&self, actor: &Actor, org: OrgId) -> Result<CreditLineView> {
        Self::reads_credit(actor, org.as_uuid(), Missing::CreditLine)?;
        let db = &self.infra().db;
        let line = q::line(db, org.as_uuid())
            .await?
            .ok_or(OrdersError::NotFound(Missing::CreditLine))?;
        let staff = actor.is_operator() || actor.is_finance();
        let mut views = self.line_views(vec![line], staff).await?;
        views
            .pop()
            .ok_or(OrdersError::NotFound(Missing::CreditLine))
    }

    async fn line_views(
        &self,
        lines: Vec<credit_line::Model>,
        with_changes: bool,
    ) -> Result<Vec<CreditLineView>> {
        let db = &self.infra().db;
        let today = shanghai_date(self.now());
        let orgs: Vec<OrgId> = lines.iter().map(|l| OrgId(l.org_id)).collect();
        let names = self.identity().org_summaries(&orgs).await?;
        let mut out = Vec::with_capacity(lines.len());
        for l in lines {
            let overdue_fen = q::statements(db, Some(l.org_id))
                .await?
                .iter()
                .filter(|s| {
                    statement_status(s.total_fen, s.paid_fen, s.due_date, today)
                        == StatementStatus::Overdue
                })
                .map(|s| s.total_fen - s.paid_fen)
                .sum();
            let changes = if with_changes {
                let rows = q::changes(db, l.org_id).await?;
                let who = purchasing::names(db, rows.iter().map(|c| c.changed_by)).await?;
                rows.into_iter()
                    .map(|c| CreditChange {
                        limit_fen: c.limit_fen,
                        terms_days: c.terms_days,
                        status: c.status,
                        changed_by_name: who.get(&c.changed_by).cloned().unwrap_or_default(),
                        changed_at: c.changed_at,
                    })
                    .collect()
            } else {
                Vec::new()
            };
            out.push(CreditLineView {
                org_id: OrgId(l.org_id),
                org_name: names
                    .get(&OrgId(l.org_id))
                    .map(|s| s.name.clone())
                    .unwrap_or_default(),
                limit_fen: l.limit_fen,
                terms_days: l.terms_days,
                status: l.status,
                outstanding_fen: l.outstanding_fen,
                available_fen: available(l.limit_fen, l.outstanding_fen),
                overdue_fen,
                updated_at: l.updated_at,
                changes,
            });
        }
        Ok(out)
    }

    /// Every line and the receivables identity: the operator and finance.
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id))]
    pub async fn receivables(&self, actor: &Actor) -> Result<Receivables> {
        actor.require_platform(&[PlatformRole::Operator, PlatformRole::Finance])?;
        let db = &self.infra().db;
        let lines = self.line_views(q::lines(db).await?, false).await?;
        let (mut charged, mut refunded, mut paid) = (0, 0, 0);
        for e in q::entries(db, None).await? {
            match e.kind {
                EntryKind::Charge => charged += e.amount_fen,
                EntryKind::Refund => refunded += e.amount_fen,
                EntryKind::Payment => paid += e.amount_fen,
                // Credit moved from one statement to the next: owed neither more nor less.
                EntryKind::CreditCarried | EntryKind::CreditBrought => {}
            }
        }
        Ok(Receivables {
            charged_fen: charged,
            refunded_fen: refunded,
            paid_fen: paid,
            outstanding_fen: lines.iter().map(|l| l.outstanding_fen).sum(),
            overdue_fen: lines.iter().map(|l| l.overdue_fen).sum(),
            lines,
        })
    }

    /// The buyer pays an order on credit: the order is paid at once and its total is owed on
    /// the buyer's line. Only the account that ordered, while it is the buyer's owner, manager
    /// or purchaser; an order waiting for approval is approved first. Refused without an
    /// active line (`no_credit_line`), with a statement overdue (`credit_overdue`) and above
    /// the limit (`credit_limit_exceeded`) — checked by one conditional update, so orders at
    /// the same moment never pass the limit together.
    #[tracing::instrument(skip_all, fields(order.id = %id, account.id = %actor.account_id))]
    pub async fn pay_on_credit(&self, actor: &Actor, id: OrderId) -> Result<OrderRecord> {
        let record = self.order_for(actor, id).await?;
        if record.order.buyer_account_id != actor.account_id.as_uuid() {
            return Err(OrdersError::Forbidden);
        }
        let org = record
            .order
            .buyer_org_id
            .map(OrgId)
            .ok_or(OrdersError::NoCreditLine)?;
        let db = &self.infra().db;
        let role = purchasing::member_role(db, org, actor.account_id).await?;
        if !matches!(
            role,
            Some(OrgRole::Owner | OrgRole::Manager | OrgRole::Purchaser)
        ) {
            return Err(OrdersError::Forbidden);
        }
        self.ensure_payable(&record)?;
        let verified =
            self.identity().org_summary(org).await?.is_some_and(|o| {
                o.kind == OrgKind::BusinessBuyer && o.status == OrgStatus::Verified
            });
        if !verified {
            return Err(OrdersError::NoCreditLine);
        }
        let total = record.order.total_fen;
        let now = self.now();
        let txn = begin_write(db).await?;
        // The same turn as paying through a gateway: a tap on both at once pays once.
        serialise(&txn, "orders.pay", id).await?;
        q::line(&txn, org.as_uuid())
            .await?
            .filter(|l| l.status == CreditStatus::Active)
            .ok_or(OrdersError::NoCreditLine)?;
        if q::has_overdue(&txn, org.as_uuid(), shanghai_date(now)).await? {
            return Err(OrdersError::CreditOverdue);
        }
        if !q::charge(&txn, org.as_uuid(), total).await? {
            let line = q::line(&txn, org.as_uuid()).await?;
            return Err(OrdersError::CreditLimitExceeded {
                available: line.map_or(0, |l| available(l.limit_fen, l.outstanding_fen)),
            });
        }
        let entry = Uuid::now_v7();
        q::insert_entry(
            &txn,
            credit_entry::Model {
                id: entry,
                org_id: org.as_uuid(),
                kind: EntryKind::Charge,
                amount_fen: total,
                order_id: Some(id.0),
                refund_id: None,
                statement_id: None,
                actor_id: Some(actor.account_id.as_uuid()),
                created_at: now,
            },
        )
        .await?;
        let reference = format!("credit:{}", entry.simple());
        let me = Some(actor.account_id.as_uuid());
        if !self
            .mark_paid_in(&txn, &record, PROVIDER, PROVIDER, &reference, me)
            .await?
        {
            // Paid a moment ago another way: nothing is owed for it.
            return Err(OrdersError::AlreadyPaid);
        }
        txn.commit().await?;
        self.infra().outbox.wake();
        self.existing(id).await
    }

    /// A buyer's statements, newest month first: its members, the operator and finance.
    #[tracing::instrument(skip_all, fields(org.id = %org, account.id = %actor.account_id))]
    pub async fn statements(&self, actor: &Actor, org: OrgId) -> Result<Vec<StatementView>> {
        Self::reads_credit(actor, org.as_uuid(), Missing::CreditLine)?;
        let today = shanghai_date(self.now());
        Ok(q::statements(&self.infra().db, Some(org.as_uuid()))
            .await?
            .iter()
            .map(|s| view_of(s, today))
            .collect())
    }

    /// One statement with its lines and payments: the buyer's members, the operator and
    /// finance; anyone else `not_found`.
    #[tracing::instrument(skip_all, fields(statement.id = %id, account.id = %actor.account_id))]
    pub async fn statement(&self, actor: &Actor, id: Uuid) -> Result<StatementView> {
        let db = &self.infra().db;
        let s = q::statement(db, id)
            .await?
            .ok_or(OrdersError::NotFound(Missing::Statement))?;
        Self::reads_credit(actor, s.org_id, Missing::Statement)?;
        let mut view = view_of(&s, shanghai_date(self.now()));
        for e in q::billed_on(db, id).await? {
            let number = match e.order_id {
                Some(o) => oq::order(db, o).await?.map(|o| o.number),
                None => None,
            };
            view.lines.push(StatementLine {
                kind: e.kind,
                order_id: e.order_id.map(OrderId),
                order_number: number,
                amount_fen: e.amount_fen,
                at: e.created_at,
            });
        }
        view.payments = q::payments_of(db, id)
            .await?
            .into_iter()
            .map(|p| StatementPayment {
                amount_fen: p.amount_fen,
                channel: p.channel,
                reference: p.reference,
                at: p.created_at,
            })
            .collect();
        Ok(view)
    }

    /// Finance records a bank transfer against a statement (in part or in full, never above
    /// what is left: `amount_fen` `out_of_range`; a statement paid in full `statement_paid`).
    /// The same reference again on the statement is the same payment: answered with the
    /// statement, recorded once. What is paid is owed no more and frees as much credit.
    #[tracing::instrument(skip_all, fields(statement.id = %id, account.id = %actor.account_id))]
    pub async fn record_statement_payment(
        &self,
        actor: &Actor,
        id: Uuid,
        req: &StatementPaymentRequest,
    ) -> Result<StatementView> {
        if !actor.is_finance() {
            return Err(OrdersError::Forbidden);
        }
        let reference = clean_text(&req.reference, 2, 80, false)
            .map_err(|e| OrdersError::field(e.at("reference")))?;
        self.pay_statement(
            id,
            req.amount_fen,
            BANK_TRANSFER,
            &reference,
            Some(actor.account_id.as_uuid()),
        )
        .await?;
        self.statement(actor, id).await
    }

    /// Records a payment against a statement, once per reference; `false` when that reference
    /// was recorded already (a repeated notification or record).
    pub(crate) async fn pay_statement(
        &self,
        id: Uuid,
        amount: i64,
        channel: &str,
        reference: &str,
        by: Option<Uuid>,
    ) -> Result<bool> {
        let now = self.now();
        let txn = begin_write(&self.infra().db).await?;
        serialise(&txn, "orders.credit_statement", id).await?;
        let s = q::statement(&txn, id)
            .await?
            .ok_or(OrdersError::NotFound(Missing::Statement))?;
        if q::payment_by_reference(&txn, id, reference)
            .await?
            .is_some()
        {
            return Ok(false);
        }
        let left = s.total_fen - s.paid_fen;
        if left <= 0 {
            return Err(OrdersError::StatementPaid);
        }
        let out_of_range = || {
            OrdersError::field(FieldError::new(
                "amount_fen",
                "out_of_range",
                format!(
                    "付款金额应在 ¥0.01 到 {} 之间",
                    farmgate_kernel::Money::from_fen(left)
                ),
                format!(
                    "a payment is from ¥0.01 to {}",
                    farmgate_kernel::Money::from_fen(left)
                ),
            ))
        };
        if amount < 1 || amount > left || !q::pay_statement(&txn, id, amount).await? {
            return Err(out_of_range());
        }
        q::insert_payment(
            &txn,
            credit_statement_payment::Model {
                id: Uuid::now_v7(),
                statement_id: id,
                org_id: s.org_id,
                amount_fen: amount,
                channel: channel.to_owned(),
                reference: reference.to_owned(),
                recorded_by: by,
                created_at: now,
            },
        )
        .await?;
        q::insert_entry(
            &txn,
            credit_entry::Model {
                id: Uuid::now_v7(),
                org_id: s.org_id,
                kind: EntryKind::Payment,
                amount_fen: amount,
                order_id: None,
                refund_id: None,
                statement_id: Some(id),
                actor_id: by,
                created_at: now,
            },
        )
        .await?;
        q::reduce(&txn, s.org_id, amount).await?;
        txn.commit().await?;
        Ok(true)
    }

    /// Bills a month on a buyer's statement, once: the charges and refunds before the month's
    /// end not billed yet. `None` when the month has its statement already or nothing to bill.
    async fn bill_month(
        &self,
        line: &credit_line::Model,
        month: Month,
    ) -> Result<Option<credit_statement::Model>> {
        let key = month.key();
        let txn = begin_write(&self.infra().db).await?;
        // Replicas running the same day take turns per buyer and month.
        serialise(
            &txn,
            "orders.credit_statement",
            format!("{}:{key}", line.org_id),
        )
        .await?;
        if q::statement_of_month(&txn, line.org_id, &key)
            .await?
            .is_some()
        {
            return Ok(None);
        }
        let period_end = start_of(month.next_first_day());
        let entries = q::unbilled(&txn, line.org_id, period_end).await?;
        // Credit brought forward alone waits for a month with charges or refunds: no
        // statement of nothing but a credit, month after month.
        if entries.iter().all(|e| e.kind == EntryKind::CreditBrought) {
            return Ok(None);
        }
        let sum = |k: EntryKind| -> i64 {
            entries
                .iter()
                .filter(|e| e.kind == k)
                .map(|e| e.amount_fen)
                .sum()
        };
        let (charges, refunds, brought) = (
            sum(EntryKind::Charge),
            sum(EntryKind::Refund),
            sum(EntryKind::CreditBrought),
        );
        let billed = credit::bill(charges, refunds, brought);
        let st = credit_statement::Model {
            id: Uuid::now_v7(),
            org_id: line.org_id,
            month: key,
            period_end,
            charges_fen: charges,
            // What the statement takes off: refunds and credit brought, less any credit it
            // carries on (so `charges − refunds = total`, the sum of its lines).
            refunds_fen: refunds + brought - billed.carried,
            total_fen: billed.total,
            paid_fen: 0,
            due_date: month.due_date(line.terms_days),
            overdue_notified_at: None,
            due_soon_notified_at: None,
            created_at: self.now(),
        };
        q::insert_statement(&txn, st.clone()).await?;
        let ids: Vec<Uuid> = entries.iter().map(|e| e.id).collect();
        let n = ids.len();
        if usize::try_from(q::bill(&txn, ids, st.id).await?).ok() != Some(n) {
            return Err(OrdersError::Internal(
                "credit entries were billed meanwhile".to_owned(),
            ));
        }
        if billed.carried > 0 {
            // Out of this statement (a line that brings it to zero) and into the next one's.
            for (kind, statement_id, at) in [
                (EntryKind::CreditCarried, Some(st.id), st.created_at),
                (EntryKind::CreditBrought, None, period_end),
            ] {
                q::insert_entry(
                    &txn,
                    credit_entry::Model {
                        id: Uuid::now_v7(),
                        org_id: line.org_id,
                        kind,
                        amount_fen: billed.carried,
                        order_id: None,
                        refund_id: None,
                        statement_id,
                        actor_id: None,
                        created_at: at,
                    },
                )
                .await?;
            }
        }
        if st.total_fen > 0 {
            self.infra()
                .outbox
                .enqueue(
                    &txn,
                    topics::CREDIT_STATEMENT_ISSUED,
                    &json!({"org_id": st.org_id, "statement_id": st.id}),
                )
                .await?;
        }
        txn.commit().await?;
        Ok(Some(st))
    }

    /// The daily run on `today` (Shanghai): every line's statement of last month, then a
    /// notice to the buyer of each statement newly overdue. Idempotent: statements are one per
    /// buyer and month, a notice one per statement.
    #[tracing::instrument(skip_all, fields(%today))]
    pub async fn credit_day(&self, today: NaiveDate) -> Result<()> {
        let db = &self.infra().db;
        let month = Month::of(today).previous();
        for line in q::lines(db).await? {
            if let Some(s) = self.bill_month(&line, month).await? {
                tracing::info!(org.id = %s.org_id, month = %s.month, total_fen = s.total_fen, "credit statement issued");
            }
        }
        let until = today + Duration::days(DUE_SOON_DAYS);
        for s in q::due_soon_unnotified(db, today, until).await? {
            let txn = begin_write(db).await?;
            if q::mark_due_soon_notified(&txn, s.id, self.now()).await? {
                self.infra()
                    .outbox
                    .enqueue(
                        &txn,
                        topics::CREDIT_DUE_SOON,
                        &json!({"org_id": s.org_id, "statement_id": s.id}),
                    )
                    .await?;
            }
            txn.commit().await?;
        }
        for s in q::overdue_unnotified(db, today).await? {
            let txn = begin_write(db).await?;
            if q::mark_notified(&txn, s.id, self.now()).await? {
                self.infra()
                    .outbox
                    .enqueue(
                        &txn,
                        topics::CREDIT_OVERDUE,
                        &json!({"org_id": s.org_id, "statement_id": s.id}),
                    )
                    .await?;
            }
            txn.commit().await?;
        }
        self.infra().outbox.wake();
        Ok(())
    }

    /// Schedules the daily run after `day` (a few minutes past the next Shanghai midnight)
    /// unless it is already waiting. Called at start (for yesterday) and by the job.
    pub async fn schedule_credit_day(&self, day: NaiveDate) -> Result<()> {
        let db = &self.infra().db;
        let payload = json!({ "date": day });
        if farmgate_infra::outbox::waiting_with(db, topics::CREDIT_DAILY, &payload).await? {
            return Ok(());
        }
        let due = start_of(day + Duration::days(1)) + DAILY_AFTER_MIDNIGHT;
        self.infra()
            .outbox
            .enqueue_at(db, topics::CREDIT_DAILY, &payload, due.max(self.now()))
            .await?;
        Ok(())
    }

    /// The job: runs today's credit work (catching up on any day missed) and schedules
    /// tomorrow's.
    pub async fn run_credit_day(&self) -> Result<()> {
        let today = shanghai_date(self.now());
        self.schedule_credit_day(today).await?;
        self.credit_day(today).await
    }

    /// Of these orders, the ones paid on credit (the platform's money says how much of what
    /// it received is owed rather than paid).
    pub(crate) async fn credit_orders_among(&self, orders: Vec<Uuid>) -> Result<Vec<Uuid>> {
        Ok(q::credit_orders_among(&self.infra().db, orders).await?)
    }
}

fn view_of(s: &credit_statement::Model, today: NaiveDate) -> StatementView {
    StatementView {
        id: s.id,
        org_id: OrgId(s.org_id),
        month: s.month.clone(),
        charges_fen: s.charges_fen,
        refunds_fen: s.refunds_fen,
        total_fen: s.total_fen,
        paid_fen: s.paid_fen,
        left_fen: (s.total_fen - s.paid_fen).max(0),
        due_date: s.due_date,
        status: statement_status(s.total_fen, s.paid_fen, s.due_date, today),
        created_at: s.created_at,
        lines: Vec::new(),
        payments: Vec::new(),
    }
}
