//! Batch recall (召回), in one action: the batch's record gets a `recall` entry (its public
//! page shows it first, and it can never ship again), its listing is taken off sale (stock
//! frozen), every sub-order shipped from it is found through orders' shipment–batch links,
//! each buyer gets a notice in the app with instructions and a refund offer through the same
//! ledger, and a report (orders, buyers reached, quantities, refunds) is kept for officials.
//! A failed inspection of a batch that has already shipped orders it automatically.

use super::topics;
use crate::Aftersales;
use crate::domain::{NoticeStatus, RecallNoticeId, RecallOrderedBy};
use crate::error::{AftersalesError, Missing, Result};
use crate::store::queries::recalls;
use crate::store::{notice, recall};
use chrono::{DateTime, Utc};
use farmgate_identity::Actor;
use farmgate_infra::db::{begin_write, serialise, unique_violation};
use farmgate_kernel::id::{
    AccountId, BatchId, ListingId, OrderId, OrgId, RecallId, RefundId, SubOrderId,
};
use farmgate_kernel::text::clean_text;
use farmgate_kernel::{Page, Paged};
use farmgate_orders::OrdersError;
use farmgate_orders::domain::Liability;
use farmgate_orders::read::aftersales as orders_read;
use farmgate_trace::domain::EventKind as TraceEvent;
use farmgate_trace::read::aftersales::{self as trace_read, BatchToRecall};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::{BTreeMap, BTreeSet};
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecallRequest {
    /// Why (shown on the public trace page and to every buyer): 2–200 characters.
    pub reason: String,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct QuantityView {
    pub unit: String,
    pub quantity: i64,
}

/// The recall report: aggregates only, so officials may read it.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct RecallReport {
    pub id: Uuid,
    pub batch_id: Uuid,
    pub code: String,
    pub lot: String,
    pub listing_id: Uuid,
    pub listing_title: String,
    pub seller_id: Uuid,
    pub seller_name: String,
    pub reason: String,
    /// `operator`, `official`, `seller` or `system` (a failed inspection after sale).
    pub ordered_role: String,
    pub created_at: DateTime<Utc>,
    /// Sub-orders shipped from the batch.
    pub orders: u64,
    /// Buyers told.
    pub buyers_reached: u64,
    pub quantities: Vec<QuantityView>,
    /// Refunds offered and taken (fen).
    pub offered: i64,
    pub refunded: i64,
    pub refunds_taken: u64,
}

/// A recall notice with the recall it is about.
#[derive(Clone, Debug)]
pub struct RecallNotice {
    pub(crate) notice: notice::Model,
    pub(crate) recall: recall::Model,
}

impl RecallNotice {
    pub fn id(&self) -> RecallNoticeId {
        RecallNoticeId(self.notice.id)
    }

    pub fn status(&self) -> NoticeStatus {
        self.notice.status
    }
}

impl Aftersales {
    /// Recalls a batch: the operator, an after-sales agent, a county official, or the seller
    /// itself. Ordering it again returns the recall already made.
    #[tracing::instrument(skip_all, fields(batch.id = %batch_id))]
    pub async fn recall(
        &self,
        actor: &Actor,
        batch_id: BatchId,
        req: &RecallRequest,
    ) -> Result<RecallReport> {
        let b = trace_read::batch_to_recall(&self.infra().db, batch_id)
            .await?
            .ok_or(AftersalesError::NotFound(Missing::Batch))?;
        let role = if actor.is_platform_staff() {
            RecallOrderedBy::Operator
        } else if actor.is_official() {
            RecallOrderedBy::Official
        } else if actor.require_selling_member(b.seller).is_ok() {
            RecallOrderedBy::Seller
        } else {
            return Err(AftersalesError::Forbidden);
        };
        let reason = clean_text(&req.reason, 2, 200, false).map_err(|e| e.at("reason"))?;
        self.recall_batch(&b, &reason, actor.account_id, role).await
    }

    /// A failed inspection of a batch that has shipped, or a failed third-party test of any
    /// batch (a testing body's finding stops the sale at once): recalled by the system.
    #[tracing::instrument(skip_all, fields(batch.id = %batch_id))]
    pub async fn recall_if_failed_after_sale(&self, batch_id: BatchId) -> Result<bool> {
        let db = &self.infra().db;
        let Some(b) = trace_read::batch_to_recall(db, batch_id).await? else {
            return Ok(false);
        };
        if !b.blocked && b.failed_lab_check.is_none() {
            return Ok(false);
        }
        let recalled = recalls::of_batch(db, b.id).await?.is_some();
        if recalled {
            return Ok(false);
        }
        let reason = match &b.failed_lab_check {
            Some(f) => format!(
                "第三方检测不合格（{}，报告 {}），自动召回",
                f.lab_name, f.report_no
            ),
            None if orders_read::has_shipped_from_batch(db, b.id).await? => {
                "销售后检测不合格，自动召回".to_owned()
            }
            None => return Ok(false),
        };
        self.recall_batch(&b, &reason, AccountId(Uuid::nil()), RecallOrderedBy::System)
            .await?;
        Ok(true)
    }

    async fn recall_batch(
        &self,
        b: &BatchToRecall,
        reason: &str,
        actor_id: AccountId,
        role: RecallOrderedBy,
    ) -> Result<RecallReport> {
        let db = &self.infra().db;
        if let Some(existing) = recalls::of_batch(db, b.id).await? {
            return self.report_of(&existing).await;
        }
        let now = self.now();
        let id = RecallId::new();
        let txn = begin_write(db).await?;
        // Recalls of one batch take turns: one ordered twice at once (an official and the
        // failed-inspection job, or a double tap) is made once, and the second answers with
        // it, as a later one would.
        serialise(&txn, "aftersales.recall", b.id).await?;
        if let Some(existing) = recalls::of_batch(&txn, b.id).await? {
            drop(txn);
            return self.report_of(&existing).await;
        }
        self.orders()
            .trace()
            .append_system(
                &txn,
                b.id,
                TraceEvent::Recall,
                json!({"reason": reason}),
                actor_id,
                now,
                b.seller,
            )
            .await?;
        // Every parcel packed from the batch, by sub-order: read after the recall joined the
        // batch's record, which waited for a shipment being written at the same moment, so
        // that parcel is here; a later shipment sees the recall and is refused.
        let shipped = orders_read::sub_orders_shipped_from_batch(&txn, b.id).await?;
        recalls::insert(
            &txn,
            recall::Model {
                id: id.0,
                batch_id: b.id.0,
                code: b.code.clone(),
                lot: b.lot.clone(),
                listing_id: b.listing_id.0,
                seller_org_id: b.seller.0,
                reason: reason.to_owned(),
                ordered_by: actor_id.0,
                ordered_role: role,
                created_at: now,
            },
        )
        .await
        .map_err(|e| match unique_violation(&e) {
            Some(_) => AftersalesError::RecallInProgress,
            None => e.into(),
        })?;
        for s in &shipped {
            let worth: i64 = s.lines.iter().map(|l| l.amount.fen()).sum();
            let offered = std::cmp::min(worth, s.refundable.fen()).max(0);
            recalls::insert_notice(
                &txn,
                notice::Model {
                    id: RecallNoticeId::new().0,
                    recall_id: id.0,
                    order_id: s.order_id.0,
                    sub_order_id: s.sub_order_id.0,
                    buyer_account_id: s.buyer.0,
                    lines: json!(
                        s.lines
                            .iter()
                            .map(|l| json!({"line_id": l.id, "title": l.title, "quantity": l.quantity,
                                            "unit": l.unit, "amount_fen": l.amount.fen()}))
                            .collect::<Vec<_>>()
                    ),
                    offered_fen: offered,
                    status: if offered > 0 {
                        NoticeStatus::Offered
                    } else {
                        NoticeStatus::NothingDue
                    },
                    refund_id: None,
                    created_at: now,
                    refunded_at: None,
                },
            )
            .await?;
        }
        self.infra()
            .outbox
            .enqueue(&txn, topics::RECALLED, &json!({"recall_id": id}))
            .await?;
        txn.commit().await?;
        self.infra().outbox.wake();
        self.orders().trace().forget_page(&b.code).await;
        if let Err(e) = self
            .orders()
            .catalog()
            .freeze_for_recall(b.listing_id, &format!("批次 {} 召回：{reason}", b.lot))
            .await
        {
            // Already off sale (delisted, sold out): nothing more to freeze.
            tracing::info!(listing = %b.listing_id, error = %e, "recall: listing not delisted");
        }
        tracing::warn!(batch = %b.id, code = %b.code, role = role.as_str(), "batch recalled");
        let made = recalls::by_id(db, id)
            .await?
            .ok_or(AftersalesError::NotFound(Missing::Recall))?;
        self.report_of(&made).await
    }

    async fn report_of(&self, r: &recall::Model) -> Result<RecallReport> {
        let notices = recalls::notices_of(&self.infra().db, RecallId(r.id)).await?;
        let mut quantities: BTreeMap<String, i64> = BTreeMap::new();
        let buyers: BTreeSet<Uuid> = notices.iter().map(|n| n.buyer_account_id).collect();
        for n in &notices {
            for l in n.lines.as_array().into_iter().flatten() {
                *quantities
                    .entry(l["unit"].as_str().unwrap_or_default().to_owned())
                    .or_default() += l["quantity"].as_i64().unwrap_or(0);
            }
        }
        let taken: Vec<&notice::Model> = notices.iter().filter(|n| n.refund_id.is_some()).collect();
        let listing_title = self
            .orders()
            .catalog()
            .listing_card(ListingId(r.listing_id))
            .await?
            .map(|l| l.title)
            .unwrap_or_default();
        let seller_name = self
            .identity()
            .org_summary(OrgId(r.seller_org_id))
            .await?
            .map(|o| o.name)
            .unwrap_or_default();
        Ok(RecallReport {
            id: r.id,
            batch_id: r.batch_id,
            code: r.code.clone(),
            lot: r.lot.clone(),
            listing_id: r.listing_id,
            listing_title,
            seller_id: r.seller_org_id,
            seller_name,
            reason: r.reason.clone(),
            ordered_role: r.ordered_role.as_str().to_owned(),
            created_at: r.created_at,
            orders: u64::try_from(notices.len()).unwrap_or(0),
            buyers_reached: u64::try_from(buyers.len()).unwrap_or(0),
            quantities: quantities
                .into_iter()
                .map(|(unit, quantity)| QuantityView { unit, quantity })
                .collect(),
            offered: notices.iter().map(|n| n.offered_fen).sum(),
            refunded: taken.iter().map(|n| n.offered_fen).sum(),
            refunds_taken: u64::try_from(taken.len()).unwrap_or(0),
        })
    }

    /// Recall reports, newest first: the operator, after-sales agents and officials see all;
    /// a seller its own.
    #[tracing::instrument(skip_all)]
    pub async fn recalls(&self, actor: &Actor, page: Page) -> Result<Paged<RecallReport>> {
        let staff = actor.is_staff_or_official();
        let own: Vec<OrgId> = actor.memberships.iter().map(|m| m.org_id).collect();
        let sellers = (!staff).then_some(own.as_slice());
        let (rows, total) = recalls::page(&self.infra().db, sellers, page).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push(self.report_of(r).await?);
        }
        Ok(Paged::new(out, total, page))
    }

    /// The recall notices addressed to the caller, newest first.
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id))]
    pub async fn my_recall_notices(&self, actor: &Actor) -> Result<Vec<RecallNotice>> {
        let db = &self.infra().db;
        let notices = recalls::notices_to(db, actor.account_id, 100).await?;
        let ids: Vec<RecallId> = notices.iter().map(|n| RecallId(n.recall_id)).collect();
        let found = recalls::by_ids(db, &ids).await?;
        Ok(notices
            .into_iter()
            .filter_map(|notice| {
                let recall = found.iter().find(|r| r.id == notice.recall_id)?.clone();
                Some(RecallNotice { notice, recall })
            })
            .collect())
    }

    /// The buyer takes the refund a recall offered, once, through the orders ledger.
    #[tracing::instrument(skip_all, fields(notice.id = %notice_id))]
    pub async fn take_recall_refund(
        &self,
        actor: &Actor,
        notice_id: RecallNoticeId,
    ) -> Result<RecallNotice> {
        let db = &self.infra().db;
        let not_found = || AftersalesError::NotFound(Missing::RecallNotice);
        let n = recalls::notice_by_id(db, notice_id)
            .await?
            .filter(|n| n.buyer_account_id == actor.account_id.as_uuid())
            .ok_or_else(not_found)?;
        let r = recalls::by_id(db, RecallId(n.recall_id))
            .await?
            .ok_or_else(not_found)?;
        if n.status != NoticeStatus::Offered {
            return Ok(RecallNotice {
                notice: n,
                recall: r,
            });
        }
        // What is left of the payment may have shrunk since the offer (a claim refunded part).
        let left = orders_read::refundable(db, SubOrderId(n.sub_order_id))
            .await?
            .ok_or_else(not_found)?;
        let amount = std::cmp::min(n.offered_fen, left.fen());
        let key = format!("recall:{}", n.id);
        // Read after what is left: when a take at the same moment refunded before that read
        // (so `amount` is what is left after it), its refund is found here.
        let made = orders_read::refund_by_key(db, OrderId(n.order_id), &key).await?;
        let (refund_id, amount) = if let Some((id, made)) = made {
            (Some(id), made.fen())
        } else if amount > 0 {
            match self
                .orders()
                .refund_sub_order(
                    SubOrderId(n.sub_order_id),
                    amount,
                    // A recalled batch is the seller's to answer for.
                    Liability::SELLER,
                    &format!("批次 {} 召回", r.lot),
                    &key,
                    Some(actor.account_id),
                )
                .await
            {
                Ok(refund) => (Some(RefundId(refund.id)), refund.amount_fen),
                // Taken at the same moment by another request, which refunded what was left
                // before this one read it: the notice records that refund, made once.
                Err(OrdersError::RefundKeyReused) => {
                    match orders_read::refund_by_key(db, OrderId(n.order_id), &key).await? {
                        Some((id, made)) => (Some(id), made.fen()),
                        None => return Err(OrdersError::RefundKeyReused.into()),
                    }
                }
                Err(e) => return Err(e.into()),
            }
        } else {
            (None, 0)
        };
        recalls::mark_refunded(db, notice_id, refund_id, amount, self.now()).await?;
        let n = recalls::notice_by_id(db, notice_id)
            .await?
            .ok_or_else(not_found)?;
        Ok(RecallNotice {
            notice: n,
            recall: r,
        })
    }
}
