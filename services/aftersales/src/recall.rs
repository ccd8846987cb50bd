//! Batch recall (召回), in one action: the batch's record gets a `recall` entry (its public
//! page shows it first, and it can never ship again), its listing is taken off sale (stock
//! frozen), every sub-order shipped from it is found through the shipment–batch links, each
//! buyer gets a notice in the app with instructions and a refund offer through the same
//! ledger, and a report (orders, buyers reached, quantities, refunds) is kept for officials.
//! A failed inspection of a batch that has already shipped orders it automatically.

use crate::Aftersales;
use crate::error::{AftersalesError, Result};
use crate::store::{notice, recall};
use chrono::{DateTime, Utc};
use farmgate_identity::{Actor, PlatformRole};
use farmgate_infra::db::{begin_write, unique_violation};
use farmgate_kernel::id::OrgId;
use farmgate_kernel::text::clean_text;
use farmgate_kernel::{Page, Paged};
use farmgate_orders::store::{line, order, shipment, shipment_batch, sub_order};
use farmgate_trace::domain::EventKind as TraceEvent;
use farmgate_trace::store::batch;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use utoipa::ToSchema;
use uuid::Uuid;

/// `{"recall_id"}`: a batch was recalled (statistics, notifications).
pub const RECALLED: &str = "aftersales.recalled";

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

/// What a buyer of a recalled batch sees.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct NoticeView {
    pub id: Uuid,
    pub recall_id: Uuid,
    pub code: String,
    pub lot: String,
    pub reason: String,
    pub order_id: Uuid,
    pub sub_order_id: Uuid,
    pub lines: Value,
    pub offered: i64,
    /// `offered`, `refunded`, or `nothing_due` (the sub-order was already refunded in full).
    pub status: String,
    pub instructions_zh: String,
    pub instructions_en: String,
    pub created_at: DateTime<Utc>,
}

impl NoticeView {
    fn of(n: &notice::Model, r: &recall::Model) -> Self {
        Self {
            id: n.id,
            recall_id: r.id,
            code: r.code.clone(),
            lot: r.lot.clone(),
            reason: r.reason.clone(),
            order_id: n.order_id,
            sub_order_id: n.sub_order_id,
            lines: n.lines.clone(),
            offered: n.offered_fen,
            status: n.status.clone(),
            instructions_zh: "请立即停止食用该批次产品，妥善保存包装与剩余产品以备核查；点击“申请退款”即可全额退回该批次商品的货款，无需退回商品。如有不适请及时就医并联系平台客服。".to_owned(),
            instructions_en: "Stop eating this batch at once and keep the packaging and what is left for checks; \"Refund\" returns what you paid for it, no need to send it back. If unwell, see a doctor and contact the platform.".to_owned(),
            created_at: n.created_at,
        }
    }
}

impl Aftersales {
    /// Recalls a batch: the operator, an after-sales agent, a county official, or the seller
    /// itself. Ordering it again returns the recall already made.
    pub async fn recall(
        &self,
        actor: &Actor,
        batch_id: Uuid,
        req: &RecallRequest,
    ) -> Result<RecallReport> {
        let db = &self.infra().db;
        let b = batch::Entity::find_by_id(batch_id)
            .one(db)
            .await?
            .ok_or(AftersalesError::not_found("批次", "batch"))?;
        let role = if farmgate_orders::service::is_platform_staff(actor) {
            "operator"
        } else if actor.is(PlatformRole::Official) {
            "official"
        } else if actor.require_selling_member(OrgId(b.seller_org_id)).is_ok() {
            "seller"
        } else {
            return Err(AftersalesError::Forbidden);
        };
        let reason = clean_text(&req.reason, 2, 200, false).map_err(|e| e.at("reason"))?;
        self.recall_batch(&b, &reason, actor.account_id.as_uuid(), role)
            .await
    }

    /// A failed inspection of a batch that has shipped: recalled by the system.
    pub async fn recall_if_failed_after_sale(&self, batch_id: Uuid) -> Result<bool> {
        let db = &self.infra().db;
        let Some(b) = batch::Entity::find_by_id(batch_id).one(db).await? else {
            return Ok(false);
        };
        if b.status != "blocked" {
            return Ok(false);
        }
        let shipped = shipment_batch::Entity::find()
            .filter(shipment_batch::Column::BatchId.eq(b.id))
            .count(db)
            .await?;
        let recalled = recall::Entity::find()
            .filter(recall::Column::BatchId.eq(b.id))
            .count(db)
            .await?;
        if shipped == 0 || recalled > 0 {
            return Ok(false);
        }
        self.recall_batch(&b, "销售后检测不合格，自动召回", Uuid::nil(), "system")
            .await?;
        Ok(true)
    }

    async fn recall_batch(
        &self,
        b: &batch::Model,
        reason: &str,
        actor_id: Uuid,
        role: &str,
    ) -> Result<RecallReport> {
        let db = &self.infra().db;
        if let Some(existing) = recall::Entity::find()
            .filter(recall::Column::BatchId.eq(b.id))
            .one(db)
            .await?
        {
            return self.report_of(&existing).await;
        }
        // Every parcel packed from the batch, by sub-order.
        let links = shipment_batch::Entity::find()
            .filter(shipment_batch::Column::BatchId.eq(b.id))
            .all(db)
            .await?;
        let ship_ids: Vec<Uuid> = links.iter().map(|l| l.shipment_id).collect();
        let ships = shipment::Entity::find()
            .filter(shipment::Column::Id.is_in(ship_ids))
            .all(db)
            .await?;
        let line_ids: Vec<Uuid> = links.iter().map(|l| l.line_id).collect();
        let lines = line::Entity::find()
            .filter(line::Column::Id.is_in(line_ids))
            .all(db)
            .await?;
        let mut by_sub: BTreeMap<Uuid, Vec<&line::Model>> = BTreeMap::new();
        for l in &lines {
            by_sub.entry(l.sub_order_id).or_default().push(l);
        }
        let subs = sub_order::Entity::find()
            .filter(sub_order::Column::Id.is_in(by_sub.keys().copied().collect::<Vec<_>>()))
            .all(db)
            .await?;
        let order_ids: Vec<Uuid> = subs.iter().map(|s| s.order_id).collect();
        let orders = order::Entity::find()
            .filter(order::Column::Id.is_in(order_ids))
            .all(db)
            .await?;
        let now = self.infra().clock.now();
        let id = Uuid::now_v7();
        let txn = begin_write(db).await?;
        self.orders()
            .trace()
            .append_system(
                &txn,
                b.id,
                TraceEvent::Recall,
                json!({"reason": reason}),
                actor_id,
                now,
                OrgId(b.seller_org_id),
            )
            .await?;
        recall::Entity::insert(recall::ActiveModel {
            id: Set(id),
            batch_id: Set(b.id),
            code: Set(b.code.clone()),
            lot: Set(b.lot.clone()),
            listing_id: Set(b.listing_id),
            seller_org_id: Set(b.seller_org_id),
            reason: Set(reason.to_owned()),
            ordered_by: Set(actor_id),
            ordered_role: Set(role.to_owned()),
            created_at: Set(now),
        })
        .exec_without_returning(&txn)
        .await
        .map_err(|e| match unique_violation(&e) {
            Some(_) => AftersalesError::conflict(
                "concurrent_update",
                "该批次正在召回，请稍后查看",
                "this batch is being recalled; look again in a moment",
            ),
            None => e.into(),
        })?;
        for sub in &subs {
            let (Some(o), Some(ls)) = (
                orders.iter().find(|o| o.id == sub.order_id),
                by_sub.get(&sub.id),
            ) else {
                continue;
            };
            if !ships.iter().any(|s| s.sub_order_id == sub.id) {
                continue;
            }
            let worth: i64 = ls.iter().map(|l| l.line_fen).sum();
            let offered = std::cmp::min(worth, sub.total_fen - sub.refunded_fen).max(0);
            notice::ActiveModel {
                id: Set(Uuid::now_v7()),
                recall_id: Set(id),
                order_id: Set(o.id),
                sub_order_id: Set(sub.id),
                buyer_account_id: Set(o.buyer_account_id),
                lines: Set(json!(
                    ls.iter()
                        .map(
                            |l| json!({"line_id": l.id, "title": l.title, "quantity": l.quantity,
                                    "unit": l.unit, "amount_fen": l.line_fen})
                        )
                        .collect::<Vec<_>>()
                )),
                offered_fen: Set(offered),
                status: Set(if offered > 0 {
                    "offered"
                } else {
                    "nothing_due"
                }
                .to_owned()),
                refund_id: Set(None),
                created_at: Set(now),
                refunded_at: Set(None),
            }
            .insert(&txn)
            .await?;
        }
        self.infra()
            .outbox
            .enqueue(&txn, RECALLED, &json!({"recall_id": id}))
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
        tracing::warn!(batch = %b.id, code = %b.code, role, "batch recalled");
        let made = recall::Entity::find_by_id(id)
            .one(db)
            .await?
            .ok_or(AftersalesError::not_found("召回", "recall"))?;
        self.report_of(&made).await
    }

    async fn report_of(&self, r: &recall::Model) -> Result<RecallReport> {
        let notices = notice::Entity::find()
            .filter(notice::Column::RecallId.eq(r.id))
            .all(&self.infra().db)
            .await?;
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
            .bundle(r.listing_id)
            .await?
            .map(|b| b.listing.title)
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
            ordered_role: r.ordered_role.clone(),
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
    pub async fn recalls(&self, actor: &Actor, page: Page) -> Result<Paged<RecallReport>> {
        let db = &self.infra().db;
        let mut q = recall::Entity::find().order_by_desc(recall::Column::CreatedAt);
        let staff = actor
            .require_platform(&[
                PlatformRole::Operator,
                PlatformRole::AfterSalesAgent,
                PlatformRole::Official,
            ])
            .is_ok();
        if !staff {
            let orgs: Vec<Uuid> = actor
                .memberships
                .iter()
                .map(|m| m.org_id.as_uuid())
                .collect();
            q = q.filter(recall::Column::SellerOrgId.is_in(orgs));
        }
        let total = q.clone().count(db).await?;
        let rows = q.offset(page.offset()).limit(page.limit()).all(db).await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            out.push(self.report_of(r).await?);
        }
        Ok(Paged::new(out, total, page))
    }

    /// The recall notices addressed to the caller, newest first.
    pub async fn my_recall_notices(&self, actor: &Actor) -> Result<Vec<NoticeView>> {
        let db = &self.infra().db;
        let notices = notice::Entity::find()
            .filter(notice::Column::BuyerAccountId.eq(actor.account_id.as_uuid()))
            .order_by_desc(notice::Column::CreatedAt)
            .limit(100)
            .all(db)
            .await?;
        let ids: Vec<Uuid> = notices.iter().map(|n| n.recall_id).collect();
        let recalls = recall::Entity::find()
            .filter(recall::Column::Id.is_in(ids))
            .all(db)
            .await?;
        Ok(notices
            .iter()
            .filter_map(|n| {
                recalls
                    .iter()
                    .find(|r| r.id == n.recall_id)
                    .map(|r| NoticeView::of(n, r))
            })
            .collect())
    }

    /// The buyer takes the refund a recall offered, once, through the orders ledger.
    pub async fn take_recall_refund(&self, actor: &Actor, notice_id: Uuid) -> Result<NoticeView> {
        let db = &self.infra().db;
        let not_found = || AftersalesError::not_found("召回通知", "recall notice");
        let n = notice::Entity::find_by_id(notice_id)
            .one(db)
            .await?
            .filter(|n| n.buyer_account_id == actor.account_id.as_uuid())
            .ok_or_else(not_found)?;
        let r = recall::Entity::find_by_id(n.recall_id)
            .one(db)
            .await?
            .ok_or_else(not_found)?;
        if n.status != "offered" {
            return Ok(NoticeView::of(&n, &r));
        }
        let sub = sub_order::Entity::find_by_id(n.sub_order_id)
            .one(db)
            .await?
            .ok_or_else(not_found)?;
        // What is left of the payment may have shrunk since the offer (a claim refunded part).
        let amount = std::cmp::min(n.offered_fen, sub.total_fen - sub.refunded_fen);
        let refund_id = if amount > 0 {
            Some(
                self.orders()
                    .refund_sub_order(
                        farmgate_kernel::id::SubOrderId(n.sub_order_id),
                        amount,
                        &format!("批次 {} 召回", r.lot),
                        &format!("recall:{}", n.id),
                        Some(actor.account_id),
                    )
                    .await?
                    .id,
            )
        } else {
            None
        };
        notice::Entity::update_many()
            .col_expr(notice::Column::Status, Expr::value("refunded"))
            .col_expr(notice::Column::RefundId, Expr::value(refund_id))
            .col_expr(notice::Column::OfferedFen, Expr::value(amount))
            .col_expr(
                notice::Column::RefundedAt,
                Expr::value(self.infra().clock.now()),
            )
            .filter(notice::Column::Id.eq(n.id))
            .filter(notice::Column::Status.eq("offered"))
            .exec(db)
            .await?;
        let n = notice::Entity::find_by_id(n.id)
            .one(db)
            .await?
            .ok_or_else(not_found)?;
        Ok(NoticeView::of(&n, &r))
    }
}
