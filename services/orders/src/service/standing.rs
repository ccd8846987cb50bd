//! Standing orders (定期订单, issue #22): a business buyer's owner, manager or purchaser sets up
//! a recurring order with one seller; the seller accepts it once (or declines); from then on a
//! scheduled job makes each period's order as an ordinary order through checkout — today's
//! prices (tier prices too), the stock checked (a short line reduced or left out and the buyer
//! told), the buyer's approval rule applied as to any order of the orderer. Rules and dates:
//! `domain/standing.rs`.
//!
//! Exactly once per period, across restarts and replicas: the order is placed under the
//! checkout idempotency key `standing:{id}:{period}`, unique per buyer account in the database,
//! so a second run of the same period (a retry, a second worker, a restart between placing the
//! order and recording the run) finds that order instead of making another. The run itself is
//! one row per (standing order, period), and only the run that writes it tells anyone. The job
//! chain is one per standing order: `next_period` moves on by a conditional update, and only
//! the run that moved it schedules the next one; an event for any other period is stale.
//!
//! A change of lines or schedule needs the seller's acceptance again (they decide what the
//! seller is committed to supply, and when): the standing order goes back to `pending` and
//! generates nothing until accepted. Address and payment way are the buyer's own business and
//! change without it; so do pause, resume and end.

use crate::Orders;
use crate::domain::standing::{
    self as rules, MAX_LINES, RunOutcome, Schedule, ScheduleInput, StandingMove, StandingStatus,
    fill, generate_at, next_period, shanghai_today, standing_transition,
};
use crate::domain::{self, PaymentMethod};
use crate::error::{Missing, OrdersError, Result};
use crate::service::{CheckoutRequest, ItemInput, topics};
use crate::store::queries::orders as oq;
use crate::store::queries::standing as q;
use crate::store::{standing_order, standing_order_run};
use chrono::NaiveDate;
use farmgate_catalog::sale::Unavailable;
use farmgate_identity::Actor;
use farmgate_identity::OrgRole;
use farmgate_identity::read::purchasing;
use farmgate_infra::db::begin_write;
use farmgate_kernel::id::{AccountId, AddressId, OrderId, OrgId, SkuId};
use farmgate_kernel::{FieldError, Page, Paged, ValidationErrors};
use sea_orm::{ConnectionTrait, Set};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::BTreeMap;
use utoipa::ToSchema;
use uuid::Uuid;

/// One line of a standing order.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StandingLineInput {
    /// A SKU of the seller's.
    pub sku_id: SkuId,
    /// Per delivery, 1–9,999.
    pub quantity: i64,
}

/// A standing order as the buyer sets it up (and changes it: the whole of it again).
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StandingOrderRequest {
    /// The seller every line is from (it cannot change later).
    pub seller_org_id: OrgId,
    /// 1–20 lines, each SKU once.
    pub lines: Vec<StandingLineInput>,
    pub schedule: ScheduleInput,
    /// Each delivery's order is made this many days before it (0–14), at 00:00 Shanghai time.
    pub lead_days: i64,
    /// The first day a delivery may fall on (Shanghai date, today or within a year).
    pub start_date: NaiveDate,
    /// The last (optional; within three years of the start).
    #[serde(default)]
    pub end_date: Option<NaiveDate>,
    /// One of the orderer's own saved addresses.
    pub address_id: AddressId,
    /// `gateway` (the order waits for payment with the normal expiry) or `offline`.
    pub payment_method: PaymentMethod,
}

/// A line as a standing order keeps it: the title shown when it was set up.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct StandingLine {
    pub sku_id: SkuId,
    pub quantity: i64,
    pub title: String,
    pub sku_name: String,
    pub unit: String,
}

/// A line of a period that was short: what was wanted, what the order got.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct Shortage {
    pub sku_id: SkuId,
    pub title: String,
    pub wanted: i64,
    pub ordered: i64,
}

/// A standing order with what its views need.
#[derive(Clone, Debug)]
pub struct Standing {
    pub row: standing_order::Model,
    pub lines: Vec<StandingLine>,
    pub schedule: Schedule,
}

impl Standing {
    fn of(row: standing_order::Model) -> Result<Self> {
        let lines: Vec<StandingLine> = serde_json::from_value(row.lines.clone())
            .map_err(|e| OrdersError::Internal(format!("standing order lines: {e}")))?;
        let schedule = Schedule::from_columns(&row.schedule_kind, row.weekdays, row.every_days)
            .ok_or_else(|| OrdersError::Internal("standing order schedule".into()))?;
        Ok(Self {
            row,
            lines,
            schedule,
        })
    }
}

/// What the terms came to once checked.
struct Checked {
    lines: Vec<StandingLine>,
    schedule: Schedule,
    lead_days: i32,
}

/// Who may do what to a standing order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Side {
    /// A member of the buyer who orders (owner, manager, purchaser).
    Orderer,
    /// A member of the seller who sells.
    Seller,
    /// Someone else who may read it: another member of either side, or the operator.
    Reader,
}

/// The buyer roles that order: the owner, a purchasing manager, a purchaser.
fn orders_for_buyer(role: OrgRole) -> bool {
    matches!(role, OrgRole::Owner | OrgRole::Manager | OrgRole::Purchaser)
}

/// The lines as the notices name them: "散养土鸡蛋 30枚 10斤装 ×12, …".
fn lines_text(lines: &[StandingLine]) -> String {
    lines
        .iter()
        .map(|l| format!("{} {} ×{}", l.title, l.sku_name, l.quantity))
        .collect::<Vec<_>>()
        .join(", ")
}

/// What was short, as the notice names it: "散养土鸡蛋 30枚 20/30, …" (ordered / wanted).
fn short_text(shortages: &[Shortage]) -> String {
    shortages
        .iter()
        .map(|s| format!("{} {}/{}", s.title, s.ordered, s.wanted))
        .collect::<Vec<_>>()
        .join(", ")
}

fn state_error(row: &standing_order::Model) -> OrdersError {
    OrdersError::StandingOrderState { status: row.status }
}

impl Orders {
    /// The orderer's buyer organisation, checked: `org` must be the verified business buyer
    /// the actor buys for (tier prices, approvals) and the actor one who orders there.
    async fn require_orderer(&self, actor: &Actor, org: OrgId) -> Result<()> {
        if actor.wholesale_buyer_org() != Some(org) {
            return Err(OrdersError::Forbidden);
        }
        let role = purchasing::member_role(&self.infra().db, org, actor.account_id).await?;
        if role.is_some_and(orders_for_buyer) {
            Ok(())
        } else {
            Err(OrdersError::Forbidden)
        }
    }

    /// Checks lines, schedule and dates against the seller's catalogue and today.
    async fn check_standing(&self, actor: &Actor, req: &StandingOrderRequest) -> Result<Checked> {
        let mut errs = ValidationErrors::new();
        let today = shanghai_today(self.now());
        for e in rules::check_dates(req.start_date, req.end_date, req.lead_days, today) {
            errs.push(e);
        }
        let schedule = match Schedule::parse(&req.schedule) {
            Ok(s) => Some(s),
            Err(e) => {
                errs.push(e);
                None
            }
        };
        if req.lines.is_empty() || req.lines.len() > MAX_LINES {
            errs.push(FieldError::new(
                "lines",
                "out_of_range",
                format!("定期订单有 1–{MAX_LINES} 种商品"),
                format!("a standing order has 1–{MAX_LINES} lines"),
            ));
        }
        let skus: Vec<SkuId> = req.lines.iter().map(|l| l.sku_id).collect();
        let mut sales = self.catalog().for_sale(&skus).await?;
        let mut lines = Vec::new();
        let mut seen = BTreeMap::new();
        for (i, l) in req.lines.iter().enumerate() {
            let field = format!("lines[{i}]");
            errs.check(
                &format!("{field}.quantity"),
                domain::parse_quantity("quantity", l.quantity),
            );
            if seen.insert(l.sku_id, ()).is_some() {
                errs.push(FieldError::new(
                    format!("{field}.sku_id"),
                    "duplicate",
                    "同一规格只能出现一次",
                    "each SKU once",
                ));
                continue;
            }
            let Some(sale) = sales
                .remove(&l.sku_id)
                .filter(|s| s.listing.seller_org_id == req.seller_org_id.as_uuid())
            else {
                errs.push(FieldError::new(
                    format!("{field}.sku_id"),
                    "not_found",
                    "这个卖家没有这个商品规格",
                    "no such SKU of this seller",
                ));
                continue;
            };
            // A line taken off sale cannot be agreed to for every week to come; one sold out
            // today can (each period checks its stock and tells the buyer when it is short).
            if matches!(
                sale.unavailable,
                Some(Unavailable::ListingOff | Unavailable::SkuOff)
            ) {
                errs.push(FieldError::new(
                    format!("{field}.sku_id"),
                    "not_on_sale",
                    "这个商品规格已下架",
                    "this SKU is not on sale",
                ));
                continue;
            }
            lines.push(StandingLine {
                sku_id: l.sku_id,
                quantity: l.quantity,
                title: sale.listing.title.clone(),
                sku_name: sale.sku.name.clone(),
                unit: sale.sku.unit.as_str().to_owned(),
            });
        }
        match self.own_address(actor, req.address_id).await {
            Ok(_) => {}
            Err(OrdersError::NotFound(_)) => errs.push(FieldError::new(
                "address_id",
                "not_found",
                "请选择一个收货地址",
                "choose a delivery address",
            )),
            Err(e) => return Err(e),
        }
        if req.payment_method == PaymentMethod::Gateway && !self.online_payment_available() {
            errs.push(FieldError::new(
                "payment_method",
                "unavailable",
                "暂不支持在线支付，请选择银行转账",
                "online payment is not available: choose bank transfer",
            ));
        }
        errs.finish()?;
        let (Some(schedule), Ok(lead_days)) = (schedule, i32::try_from(req.lead_days)) else {
            return Err(OrdersError::Invalid(ValidationErrors::new()));
        };
        Ok(Checked {
            lines,
            schedule,
            lead_days,
        })
    }

    /// Sets up a standing order for the business buyer `org`; it waits for the seller.
    #[tracing::instrument(skip_all, fields(org.id = %org))]
    pub async fn create_standing_order(
        &self,
        actor: &Actor,
        org: OrgId,
        req: &StandingOrderRequest,
    ) -> Result<Standing> {
        self.require_orderer(actor, org).await?;
        let c = self.check_standing(actor, req).await?;
        let now = self.now();
        let (kind, weekdays, every_days) = c.schedule.columns();
        let row = standing_order::Model {
            id: Uuid::now_v7(),
            buyer_org_id: org.as_uuid(),
            created_by: actor.account_id.as_uuid(),
            seller_org_id: req.seller_org_id.as_uuid(),
            lines: json!(c.lines),
            schedule_kind: kind.to_owned(),
            weekdays,
            every_days,
            lead_days: c.lead_days,
            start_date: req.start_date,
            end_date: req.end_date,
            address_id: req.address_id.0,
            payment_method: req.payment_method,
            status: StandingStatus::Pending,
            next_period: None,
            accepted_at: None,
            created_at: now,
            updated_at: now,
        };
        let txn = begin_write(&self.infra().db).await?;
        q::insert(&txn, row.clone()).await?;
        self.infra()
            .outbox
            .enqueue(
                &txn,
                topics::STANDING_AWAITING,
                &json!({"standing_order_id": row.id, "org_id": row.seller_org_id,
                        "lines": lines_text(&c.lines)}),
            )
            .await?;
        txn.commit().await?;
        self.infra().outbox.wake();
        Standing::of(row)
    }

    /// A standing order and how `actor` stands to it; `not_found` for anyone with no part in
    /// it (another organisation's standing orders are not theirs to know of).
    async fn standing_for(&self, actor: &Actor, id: Uuid) -> Result<(Standing, Side)> {
        let row = q::by_id(&self.infra().db, id)
            .await?
            .ok_or(OrdersError::NotFound(Missing::StandingOrder))?;
        let buyer = OrgId(row.buyer_org_id);
        let seller = OrgId(row.seller_org_id);
        let side = if actor.membership(buyer).is_some() {
            let role = purchasing::member_role(&self.infra().db, buyer, actor.account_id).await?;
            if role.is_some_and(orders_for_buyer) && actor.wholesale_buyer_org() == Some(buyer) {
                Side::Orderer
            } else {
                Side::Reader
            }
        } else if actor.membership(seller).is_some() {
            match actor.require_selling_member(seller) {
                Ok(_) => Side::Seller,
                Err(_) => Side::Reader,
            }
        } else if actor.is_platform_staff() {
            Side::Reader
        } else {
            return Err(OrdersError::NotFound(Missing::StandingOrder));
        };
        Ok((Standing::of(row)?, side))
    }

    /// One standing order with its latest runs (newest period first).
    pub async fn standing_order(
        &self,
        actor: &Actor,
        id: Uuid,
    ) -> Result<(Standing, Vec<standing_order_run::Model>)> {
        let (s, _) = self.standing_for(actor, id).await?;
        let runs = q::runs_of(&self.infra().db, id, 100).await?;
        Ok((s, runs))
    }

    /// The standing orders an organisation buys or sells by, newest first: its members and
    /// the operator.
    pub async fn standing_orders_of_org(
        &self,
        actor: &Actor,
        org: OrgId,
        page: Page,
    ) -> Result<Paged<Standing>> {
        if !actor.is_platform_staff() && actor.membership(org).is_none() {
            return Err(OrdersError::Forbidden);
        }
        let (limit, offset) = (page.limit(), page.offset());
        let (rows, total) = q::of_org(&self.infra().db, org.as_uuid(), limit, offset).await?;
        let items = rows
            .into_iter()
            .map(Standing::of)
            .collect::<Result<Vec<_>>>()?;
        Ok(Paged::new(items, total, page))
    }

    /// Moves a standing order (`mv`) for whoever may: the seller accepts or declines; the
    /// orderer pauses, resumes or ends. Accepting starts the job chain at the first period;
    /// ending stops it.
    #[tracing::instrument(skip_all, fields(standing_order.id = %id, ?mv))]
    pub async fn move_standing_order(
        &self,
        actor: &Actor,
        id: Uuid,
        mv: StandingMove,
    ) -> Result<Standing> {
        let (s, side) = self.standing_for(actor, id).await?;
        let needed = match mv {
            StandingMove::Accept | StandingMove::Decline => Side::Seller,
            _ => Side::Orderer,
        };
        if side != needed || mv == StandingMove::Change {
            return Err(OrdersError::Forbidden);
        }
        let row = &s.row;
        let to = standing_transition(row.status, mv).ok_or_else(|| state_error(row))?;
        let now = self.now();
        let mut change = standing_order::ActiveModel {
            status: Set(to),
            updated_at: Set(now),
            ..Default::default()
        };
        let mut first = None;
        match mv {
            StandingMove::Accept => {
                change.accepted_at = Set(Some(now));
                first = next_period(
                    s.schedule,
                    row.start_date,
                    row.end_date,
                    row.lead_days,
                    None,
                    now,
                );
                change.next_period = Set(first);
            }
            StandingMove::Decline | StandingMove::End => change.next_period = Set(None),
            _ => {}
        }
        let txn = begin_write(&self.infra().db).await?;
        if !q::update_if(&txn, id, row.status, change).await? {
            // Moved a moment ago by someone else.
            drop(txn);
            let now_row = q::by_id(&self.infra().db, id)
                .await?
                .ok_or(OrdersError::NotFound(Missing::StandingOrder))?;
            return Err(state_error(&now_row));
        }
        if let Some(p) = first {
            self.schedule_period(&txn, id, p, row.lead_days).await?;
        }
        txn.commit().await?;
        self.infra().outbox.wake();
        let row = q::by_id(&self.infra().db, id)
            .await?
            .ok_or(OrdersError::NotFound(Missing::StandingOrder))?;
        Standing::of(row)
    }

    /// The orderer changes a standing order. New lines or a new schedule (days, lead time,
    /// dates) send it back to the seller (`pending`, nothing generated until accepted again);
    /// a new address or payment way alone does not.
    #[tracing::instrument(skip_all, fields(standing_order.id = %id))]
    pub async fn change_standing_order(
        &self,
        actor: &Actor,
        id: Uuid,
        req: &StandingOrderRequest,
    ) -> Result<Standing> {
        let (s, side) = self.standing_for(actor, id).await?;
        if side != Side::Orderer {
            return Err(OrdersError::Forbidden);
        }
        let row = &s.row;
        if req.seller_org_id.as_uuid() != row.seller_org_id {
            return Err(OrdersError::field(FieldError::new(
                "seller_org_id",
                "cannot_change",
                "定期订单的卖家不能更改，请另建一个",
                "the seller of a standing order cannot change: set up another",
            )));
        }
        let c = self.check_standing(actor, req).await?;
        let lines_same = {
            let old: Vec<(SkuId, i64)> = s.lines.iter().map(|l| (l.sku_id, l.quantity)).collect();
            let new: Vec<(SkuId, i64)> = c.lines.iter().map(|l| (l.sku_id, l.quantity)).collect();
            old == new
        };
        let terms_same = lines_same
            && c.schedule == s.schedule
            && c.lead_days == row.lead_days
            && req.start_date == row.start_date
            && req.end_date == row.end_date;
        let to = if terms_same {
            if matches!(row.status, StandingStatus::Declined | StandingStatus::Ended) {
                return Err(state_error(row));
            }
            row.status
        } else {
            standing_transition(row.status, StandingMove::Change).ok_or_else(|| state_error(row))?
        };
        let (kind, weekdays, every_days) = c.schedule.columns();
        let mut change = standing_order::ActiveModel {
            lines: Set(json!(c.lines)),
            schedule_kind: Set(kind.to_owned()),
            weekdays: Set(weekdays),
            every_days: Set(every_days),
            lead_days: Set(c.lead_days),
            start_date: Set(req.start_date),
            end_date: Set(req.end_date),
            address_id: Set(req.address_id.0),
            payment_method: Set(req.payment_method),
            status: Set(to),
            updated_at: Set(self.now()),
            ..Default::default()
        };
        if !terms_same {
            // The chain stops; acceptance starts it again from the first period then.
            change.next_period = Set(None);
        }
        let txn = begin_write(&self.infra().db).await?;
        if !q::update_if(&txn, id, row.status, change).await? {
            return Err(state_error(row));
        }
        if !terms_same {
            self.infra()
                .outbox
                .enqueue(
                    &txn,
                    topics::STANDING_AWAITING,
                    &json!({"standing_order_id": id, "org_id": row.seller_org_id,
                            "lines": lines_text(&c.lines)}),
                )
                .await?;
        }
        txn.commit().await?;
        self.infra().outbox.wake();
        let row = q::by_id(&self.infra().db, id)
            .await?
            .ok_or(OrdersError::NotFound(Missing::StandingOrder))?;
        Standing::of(row)
    }

    /// Schedules the job of one period at its generation time.
    async fn schedule_period(
        &self,
        conn: &impl ConnectionTrait,
        id: Uuid,
        period: NaiveDate,
        lead_days: i32,
    ) -> Result<()> {
        self.infra()
            .outbox
            .enqueue_at(
                conn,
                topics::STANDING_DUE,
                &json!({"standing_order_id": id, "period": period}),
                generate_at(period, lead_days),
            )
            .await?;
        Ok(())
    }

    /// The job of one period (`orders.standing_due`): makes its order if the standing order
    /// is active, records the run once, tells the buyer and the seller, and schedules the next
    /// period. Run again for the same period (a retry, a second worker, a restart) it makes
    /// no second order and tells nobody twice; for a period the standing order no longer waits
    /// for, it does nothing. What it came to, or `None` for a stale event.
    #[tracing::instrument(skip_all, fields(standing_order.id = %id, %period))]
    pub async fn run_standing_period(
        &self,
        id: Uuid,
        period: NaiveDate,
    ) -> Result<Option<RunOutcome>> {
        let Some(row) = q::by_id(&self.infra().db, id).await? else {
            return Ok(None);
        };
        if row.next_period != Some(period) {
            return Ok(None);
        }
        let s = Standing::of(row)?;
        let row = &s.row;
        let (outcome, order_id, shortages) = match row.status {
            StandingStatus::Active => self.generate_period(&s, period).await?,
            _ => (RunOutcome::Paused, None, Vec::new()),
        };
        let now = self.now();
        let next = next_period(
            s.schedule,
            row.start_date,
            row.end_date,
            row.lead_days,
            Some(period),
            now,
        );
        let txn = begin_write(&self.infra().db).await?;
        let recorded = q::insert_run_once(
            &txn,
            standing_order_run::Model {
                id: Uuid::now_v7(),
                standing_order_id: id,
                period,
                outcome,
                order_id,
                shortages: json!(shortages),
                created_at: now,
            },
        )
        .await?;
        if recorded {
            let number = match order_id {
                Some(o) => oq::order(&txn, o).await?.map(|o| o.number),
                None => None,
            };
            let base = json!({
                "standing_order_id": id,
                "period": period,
                "account_id": row.created_by,
                "org_id": row.seller_org_id,
                "order_id": order_id,
                "order": number,
                "lines": lines_text(&s.lines),
                "short": short_text(&shortages),
            });
            if outcome == RunOutcome::Generated {
                self.infra()
                    .outbox
                    .enqueue(&txn, topics::STANDING_GENERATED, &base)
                    .await?;
            }
            if !shortages.is_empty() || outcome == RunOutcome::Failed {
                self.infra()
                    .outbox
                    .enqueue(&txn, topics::STANDING_SHORT, &base)
                    .await?;
            }
        }
        if q::advance_period(&txn, id, period, next).await?
            && let Some(n) = next
        {
            self.schedule_period(&txn, id, n, row.lead_days).await?;
        }
        txn.commit().await?;
        self.infra().outbox.wake();
        Ok(Some(outcome))
    }

    /// Places the period's order (or finds the one placed already) on the orderer's account:
    /// every line at what is in stock now.
    async fn generate_period(
        &self,
        s: &Standing,
        period: NaiveDate,
    ) -> Result<(RunOutcome, Option<Uuid>, Vec<Shortage>)> {
        let row = &s.row;
        let key = format!("standing:{}:{period}", row.id);
        let buyer = AccountId(row.created_by);
        if let Some(found) =
            oq::order_by_idempotency_key(&self.infra().db, row.created_by, &key).await?
        {
            return self.period_placed(s, OrderId(found.id)).await;
        }
        // The orderer as the database has them now: still one who orders for this buyer.
        let actor = match self.identity().acting_as(buyer).await? {
            Some(a) if a.wholesale_buyer_org() == Some(OrgId(row.buyer_org_id)) => a,
            _ => return Ok((RunOutcome::Failed, None, Vec::new())),
        };
        let role =
            purchasing::member_role(&self.infra().db, OrgId(row.buyer_org_id), buyer).await?;
        if !role.is_some_and(orders_for_buyer) {
            return Ok((RunOutcome::Failed, None, Vec::new()));
        }
        for _attempt in 0..3 {
            let skus: Vec<SkuId> = s.lines.iter().map(|l| l.sku_id).collect();
            let sales = self.catalog().for_sale(&skus).await?;
            let mut items = Vec::new();
            let mut shortages = Vec::new();
            for l in &s.lines {
                let left = match sales.get(&l.sku_id) {
                    Some(sale) if sale.unavailable.is_none() => sale.sku.stock,
                    _ => 0,
                };
                let q = fill(l.quantity, left);
                if q > 0 {
                    items.push(ItemInput {
                        sku_id: l.sku_id,
                        quantity: q,
                        price_seen: None,
                    });
                }
                if q < l.quantity {
                    shortages.push(Shortage {
                        sku_id: l.sku_id,
                        title: l.title.clone(),
                        wanted: l.quantity,
                        ordered: q,
                    });
                }
            }
            if items.is_empty() {
                return Ok((RunOutcome::Short, None, shortages));
            }
            let req = CheckoutRequest {
                address_id: AddressId(row.address_id),
                items: Some(items),
                payment_method: row.payment_method,
                note: Some(format!("定期订单 {period}")),
            };
            match self.checkout(&actor, req, Some(&key)).await {
                Ok((record, _)) => return self.period_placed(s, OrderId(record.order.id)).await,
                // Placed by a run a moment ago with what was in stock then.
                Err(OrdersError::OrderKeyReused) => {
                    if let Some(found) =
                        oq::order_by_idempotency_key(&self.infra().db, row.created_by, &key).await?
                    {
                        return self.period_placed(s, OrderId(found.id)).await;
                    }
                }
                // Someone bought the last ones in between: look at the stock again.
                Err(OrdersError::JustSoldOut { .. } | OrdersError::ItemsShort { .. }) => {}
                Err(
                    e @ (OrdersError::Invalid(_)
                    | OrdersError::ItemsOffSale { .. }
                    | OrdersError::OnlinePaymentUnavailable),
                ) => {
                    tracing::warn!(error = %e, "a standing order's period could not be placed");
                    return Ok((RunOutcome::Failed, None, shortages));
                }
                Err(e) => return Err(e),
            }
        }
        Err(OrdersError::Internal(
            "stock kept moving while a standing order was placed".into(),
        ))
    }

    /// The period's order: what each line got in it, against what was wanted.
    async fn period_placed(
        &self,
        s: &Standing,
        order: OrderId,
    ) -> Result<(RunOutcome, Option<Uuid>, Vec<Shortage>)> {
        let record = self.existing(order).await?;
        let shortages = s
            .lines
            .iter()
            .filter_map(|l| {
                let ordered: i64 = record
                    .lines
                    .iter()
                    .filter(|ol| ol.sku_id == l.sku_id.0)
                    .map(|ol| ol.quantity)
                    .sum();
                (ordered < l.quantity).then(|| Shortage {
                    sku_id: l.sku_id,
                    title: l.title.clone(),
                    wanted: l.quantity,
                    ordered,
                })
            })
            .collect();
        Ok((RunOutcome::Generated, Some(order.0), shortages))
    }
}
