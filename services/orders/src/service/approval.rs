//! Purchase approvals (issue #22): a business buyer's purchaser orders; above the limit the
//! owner set (asked of identity, which owns organisations and their settings) the order waits
//! for a manager's or the owner's decision before it can be paid. Approving lets it be paid;
//! rejecting cancels it and returns its stock, in one transaction with the decision.
//! Rules in `domain::approval`.

use crate::Orders;
use crate::domain::approval::{ApprovalStatus, Decision, decide, needs_approval};
use crate::domain::{EventKind, OrderMove, OrderStatus};
use crate::error::{Missing, OrdersError, Result};
use crate::service::{OrderRecord, append};
use crate::store::order_approval;
use crate::store::queries::approvals as q;
use chrono::{DateTime, Utc};
use farmgate_identity::Actor;
use farmgate_identity::read::purchasing;
use farmgate_infra::db::begin_write;
use farmgate_kernel::id::{OrderId, OrgId};
use farmgate_kernel::text::clean_optional_text;
use farmgate_kernel::{Page, Paged};
use sea_orm::DatabaseTransaction;
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

/// Refuses to take money for an order whose approval is still pending (`approval_pending`);
/// a rejected one was cancelled (`order_closed`).
pub(crate) fn ensure_approved(record: &OrderRecord) -> Result<()> {
    match record.approval.as_ref().map(|a| a.status) {
        Some(ApprovalStatus::Pending) => Err(OrdersError::ApprovalPending),
        Some(ApprovalStatus::Rejected) => Err(OrdersError::OrderClosed),
        Some(ApprovalStatus::Approved) | None => Ok(()),
    }
}

/// An approval with what a manager needs to decide: who asked, for what.
#[derive(Clone, Debug)]
pub struct ApprovalEntry {
    pub approval: order_approval::Model,
    pub order: OrderRecord,
    pub requested_by_name: String,
    pub decided_by_name: Option<String>,
}

impl Orders {
    /// At checkout, in the order's transaction: when the orderer acts for a business buyer,
    /// does not approve purchases there (a purchaser or staff, by its role now) and the total
    /// is above the buyer's limit, the order waits (`true`).
    pub(crate) async fn hold_for_approval(
        &self,
        txn: &DatabaseTransaction,
        actor: &Actor,
        org: OrgId,
        order_id: Uuid,
        total_fen: i64,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let role = purchasing::member_role(txn, org, actor.account_id).await?;
        let approves = role.is_some_and(|r| r.approves_purchases());
        let limit = purchasing::approval_limit(txn, org).await?;
        let Some(limit_fen) = limit.filter(|_| needs_approval(total_fen, limit, approves)) else {
            return Ok(false);
        };
        q::insert(
            txn,
            order_approval::Model {
                order_id,
                buyer_org_id: org.as_uuid(),
                requested_by: actor.account_id.as_uuid(),
                total_fen,
                limit_fen,
                status: ApprovalStatus::Pending,
                decided_by: None,
                decided_at: None,
                reason: None,
                created_at: now,
            },
        )
        .await?;
        append(
            txn,
            order_id,
            None,
            EventKind::ApprovalRequested,
            Some(actor.account_id.as_uuid()),
            json!({"total_fen": total_fen, "limit_fen": limit_fen}),
            now,
        )
        .await?;
        Ok(true)
    }

    /// The organisation of an approval, if `actor` may decide it: a manager or the owner of
    /// the buyer (by its role now). Anyone else outside the buyer gets `not_found` (another
    /// organisation's order is not theirs to know of); a purchaser or staff of it `forbidden`.
    async fn approver_of(&self, actor: &Actor, org: Uuid) -> Result<()> {
        let role = purchasing::member_role(&self.infra().db, OrgId(org), actor.account_id).await?;
        match role {
            None => Err(OrdersError::NotFound(Missing::Approval)),
            Some(r) if r.approves_purchases() => Ok(()),
            Some(_) => Err(OrdersError::Forbidden),
        }
    }

    /// A manager (or the owner) approves or rejects a pending order, once. Rejecting cancels
    /// the order and returns its stock in the same transaction.
    #[tracing::instrument(skip_all, fields(order.id = %id, account.id = %actor.account_id))]
    pub async fn decide_approval(
        &self,
        actor: &Actor,
        id: OrderId,
        decision: Decision,
        reason: Option<&str>,
    ) -> Result<ApprovalEntry> {
        let record = self.existing(id).await.map_err(|e| match e {
            OrdersError::NotFound(_) => OrdersError::NotFound(Missing::Approval),
            e => e,
        })?;
        let approval = record
            .approval
            .clone()
            .ok_or(OrdersError::NotFound(Missing::Approval))?;
        self.approver_of(actor, approval.buyer_org_id).await?;
        let reason = clean_optional_text(reason, 200, true)
            .map_err(|e| OrdersError::field(e.at("reason")))?;
        let to = decide(approval.status, decision).map_err(|_| OrdersError::AlreadyDecided)?;
        if decision == Decision::Approve && record.order.status != OrderStatus::PendingPayment {
            return Err(OrdersError::OrderClosed);
        }
        let me = actor.account_id.as_uuid();
        let now = self.now();
        let txn = begin_write(&self.infra().db).await?;
        if !q::decide(&txn, id.0, to, me, now, reason.as_deref()).await? {
            // Decided a moment ago by another manager.
            return Err(OrdersError::AlreadyDecided);
        }
        match decision {
            Decision::Approve => {
                append(
                    &txn,
                    id.0,
                    None,
                    EventKind::Approved,
                    Some(me),
                    json!({"reason": reason}),
                    now,
                )
                .await?;
            }
            Decision::Reject => {
                // An order the purchaser cancelled (or that expired) meanwhile stays as it is.
                self.release_in(
                    &txn,
                    &record,
                    OrderMove::Cancel,
                    EventKind::Cancelled,
                    Some(me),
                    json!({"approval": "rejected", "reason": reason}),
                )
                .await?;
            }
        }
        txn.commit().await?;
        self.infra().outbox.wake();
        let decided = q::of_order(&self.infra().db, id.0)
            .await?
            .ok_or(OrdersError::NotFound(Missing::Approval))?;
        self.entries(vec![decided])
            .await?
            .pop()
            .ok_or(OrdersError::NotFound(Missing::Approval))
    }

    /// A business buyer's approvals, newest first (optionally of one status): its managers
    /// and owners.
    #[tracing::instrument(skip_all, fields(org.id = %org, account.id = %actor.account_id))]
    pub async fn approvals(
        &self,
        actor: &Actor,
        org: OrgId,
        status: Option<ApprovalStatus>,
        page: Page,
    ) -> Result<Paged<ApprovalEntry>> {
        self.approver_of(actor, org.as_uuid()).await?;
        let db = &self.infra().db;
        let (rows, total) =
            q::of_org(db, org.as_uuid(), status, page.offset(), page.limit()).await?;
        Ok(Paged::new(self.entries(rows).await?, total, page))
    }

    /// Approvals with their orders and the names of who asked and who decided.
    async fn entries(&self, rows: Vec<order_approval::Model>) -> Result<Vec<ApprovalEntry>> {
        let db = &self.infra().db;
        let people: Vec<Uuid> = rows
            .iter()
            .flat_map(|a| std::iter::once(a.requested_by).chain(a.decided_by))
            .collect();
        let names: HashMap<Uuid, String> = purchasing::names(db, people).await?;
        let mut items = Vec::with_capacity(rows.len());
        for a in rows {
            let Some(order) = self.record(OrderId(a.order_id)).await? else {
                continue;
            };
            items.push(ApprovalEntry {
                requested_by_name: names.get(&a.requested_by).cloned().unwrap_or_default(),
                decided_by_name: a.decided_by.and_then(|d| names.get(&d).cloned()),
                approval: a,
                order,
            });
        }
        Ok(items)
    }
}
