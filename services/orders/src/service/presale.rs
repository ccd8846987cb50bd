//! Pre-sales (订单农业, issue #22): a seller (or the operator for a cooperative) opens a
//! pre-sale of one of its SKUs for a planned harvest; buyers reserve a quantity and pay its
//! deposit. The deposit is an ordinary order of its own (one line, no shipping), so it is paid,
//! expires, is refunded and reconciles on the normal payment path; this file only adds what a
//! pre-sale is and keeps its capacity. Rules and arithmetic: `domain/presale.rs`.
//!
//! A deposit order is marked by its reservation (`presale_reservations.deposit_order_id`):
//! payment moves the reservation to `reserved` and schedules no ship-by deadline nor counts
//! sales (nothing ships yet); an unpaid close gives the quantity back to the pre-sale instead of
//! stock to the SKU; shipping refuses it (`cannot_ship`).

use crate::Orders;
use crate::domain::Liability;
use crate::domain::presale::{
    MAX_YIELD, PresaleStatus, PresaleTerms, ReservationStatus, TermsInput, deposit_fen, fill,
    shortfall_refund,
};
use crate::domain::{self, OrderStatus, PaymentMethod};
use crate::error::{Missing, OrdersError, Result};
use crate::service::OrderRecord;
use crate::service::checkout::{address_snapshot, parse_idempotency_key, pending_sub_order};
use crate::store::queries::orders as q;
use crate::store::queries::presales as pq;
use crate::store::{line, order, presale, presale_reservation};
use chrono::{DateTime, NaiveDate, Utc};
use farmgate_identity::Actor;
use farmgate_identity::read::restrictions;
use farmgate_infra::db::{begin_write, violates};
use farmgate_kernel::clock::shanghai;
use farmgate_kernel::id::{AddressId, BatchId, ListingId, OrderId, OrgId, SkuId, SubOrderId};
use farmgate_kernel::{FieldError, Money, Page, Paged};
use rand::Rng;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

/// What a seller asks to pre-sell.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenPresaleRequest {
    /// One of the organisation's SKUs: the pre-sale sells it, at its own price.
    pub sku_id: SkuId,
    /// Where it grows (地块), 2–200 characters.
    pub plot: String,
    /// The expected harvest window, Shanghai dates; it starts today or later and lasts at most
    /// 366 days.
    pub harvest_from: NaiveDate,
    pub harvest_to: NaiveDate,
    /// Expected yield, in the SKU's unit (1–10,000,000).
    pub expected_yield: i64,
    /// The most it pre-sells, 1 to the expected yield.
    pub max_quantity: i64,
    /// Price per unit in fen (1 to 10,000,000).
    pub price_fen: i64,
    /// The deposit, in percent of the price (1–100).
    pub deposit_percent: i32,
    /// The cancellation rules, shown to buyers before they reserve (10–1,000 characters).
    pub cancellation_rules: String,
}

/// A reservation: how many units, delivered where, paid how.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReserveRequest {
    /// 1–9,999 units.
    pub quantity: i64,
    /// One of the buyer's own saved addresses.
    pub address_id: AddressId,
    pub payment_method: PaymentMethod,
}

/// The harvest: the real batch (of the pre-sale's listing, with a passed inspection: it is what
/// the reservations will ship from) and the actual yield, in the SKU's unit.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HarvestRequest {
    pub batch_id: BatchId,
    /// 0 (the crop failed: every deposit comes back) to 10,000,000.
    pub actual_yield: i64,
}

/// A reservation with its deposit order.
#[derive(Clone, Debug)]
pub struct Reserved {
    pub reservation: presale_reservation::Model,
    pub presale: presale::Model,
}

fn today(now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&shanghai()).date_naive()
}

impl Orders {
    /// Opens a pre-sale for a seller: a selling member of the (verified) organisation, or the
    /// operator on a cooperative's behalf. The SKU must be the organisation's own and on sale
    /// in the catalogue.
    #[tracing::instrument(skip_all, fields(org.id = %org))]
    pub async fn open_presale(
        &self,
        actor: &Actor,
        org: OrgId,
        req: &OpenPresaleRequest,
    ) -> Result<presale::Model> {
        if !actor.is_operator() {
            actor.require_selling_member(org)?;
        }
        let sale = self
            .catalog()
            .for_sale(&[req.sku_id])
            .await?
            .remove(&req.sku_id)
            .filter(|s| s.listing.seller_org_id == org.as_uuid() && s.unavailable.is_none());
        let now = self.now();
        let terms = PresaleTerms::parse(
            &TermsInput {
                plot: &req.plot,
                harvest_from: req.harvest_from,
                harvest_to: req.harvest_to,
                expected_yield: req.expected_yield,
                max_quantity: req.max_quantity,
                price_fen: req.price_fen,
                deposit_percent: req.deposit_percent,
                cancellation_rules: &req.cancellation_rules,
            },
            today(now),
        );
        let Some(sale) = sale else {
            let mut errs = terms.err().unwrap_or_default();
            errs.push(FieldError::new(
                "sku_id",
                "not_found",
                "没有这个在售的商品规格",
                "no such SKU of this organisation on sale",
            ));
            return Err(OrdersError::Invalid(errs));
        };
        let t = terms?;
        let row = presale::ActiveModel {
            id: Set(Uuid::now_v7()),
            seller_org_id: Set(org.as_uuid()),
            listing_id: Set(sale.listing.id),
            sku_id: Set(sale.sku.id),
            title: Set(format!("{} {}", sale.listing.title, sale.sku.name)),
            unit: Set(sale.sku.unit.as_str().to_owned()),
            township: Set(sale
                .listing
                .township
                .clone()
                .unwrap_or_else(|| sale.listing.county.clone())),
            plot: Set(t.plot),
            harvest_from: Set(t.harvest_from),
            harvest_to: Set(t.harvest_to),
            expected_yield: Set(t.expected_yield),
            max_quantity: Set(t.max_quantity),
            reserved_quantity: Set(0),
            price_fen: Set(t.price_fen),
            deposit_percent: Set(t.deposit_percent),
            cancellation_rules: Set(t.cancellation_rules),
            status: Set(PresaleStatus::Open),
            batch_id: Set(None),
            batch_code: Set(None),
            actual_yield: Set(None),
            harvested_at: Set(None),
            created_by: Set(actor.account_id.as_uuid()),
            created_at: Set(now),
        }
        .insert(&self.infra().db)
        .await?;
        tracing::info!(presale.id = %row.id, "pre-sale opened");
        Ok(row)
    }

    /// One pre-sale, for anyone (its terms are public, like a listing's).
    pub async fn presale(&self, id: Uuid) -> Result<presale::Model> {
        pq::presale(&self.infra().db, id)
            .await?
            .ok_or(OrdersError::NotFound(Missing::Presale))
    }

    /// The open pre-sales, newest first, for anyone.
    pub async fn open_presales(&self, page: Page) -> Result<Paged<presale::Model>> {
        let (rows, total) = pq::open(&self.infra().db, page.limit(), page.offset()).await?;
        Ok(Paged::new(rows, total, page))
    }

    /// An organisation's pre-sales: its members and the operator.
    pub async fn presales_of_org(
        &self,
        actor: &Actor,
        org: OrgId,
        page: Page,
    ) -> Result<Paged<presale::Model>> {
        if !actor.is_operator() && actor.membership(org).is_none() {
            return Err(OrdersError::Forbidden);
        }
        let (rows, total) =
            pq::of_seller(&self.infra().db, org.as_uuid(), page.limit(), page.offset()).await?;
        Ok(Paged::new(rows, total, page))
    }

    /// Closes a pre-sale to new reservations (those made stand): its seller or the operator.
    /// Closing a closed one changes nothing.
    pub async fn close_presale(&self, actor: &Actor, id: Uuid) -> Result<presale::Model> {
        let p = self.presale(id).await?;
        if !actor.is_operator() {
            actor.require_selling_member(OrgId(p.seller_org_id))?;
        }
        pq::set_status(
            &self.infra().db,
            id,
            PresaleStatus::Open,
            PresaleStatus::Closed,
        )
        .await?;
        self.presale(id).await
    }

    /// The seller (or the operator) harvests: links the real batch, fills the paid
    /// reservations first come from the actual yield and refunds the deposit of every part not
    /// filled through the refund ledger (seller-liable, key `presale:{reservation}`). All of it
    /// is one transaction behind a conditional move to `harvested`, so a harvest sent twice,
    /// at once or after a restart, fills and refunds exactly once. Refused while a deposit is
    /// neither paid nor lapsed (`deposits_pending`): close the pre-sale first, then harvest
    /// after the last deadline.
    #[tracing::instrument(skip_all, fields(presale.id = %id))]
    pub async fn harvest(
        &self,
        actor: &Actor,
        id: Uuid,
        req: &HarvestRequest,
    ) -> Result<presale::Model> {
        let p = self.presale(id).await?;
        if !actor.is_operator() {
            actor.require_selling_member(OrgId(p.seller_org_id))?;
        }
        if p.status == PresaleStatus::Harvested {
            return Err(OrdersError::AlreadyHarvested);
        }
        if !(0..=MAX_YIELD).contains(&req.actual_yield) {
            return Err(FieldError::new(
                "actual_yield",
                "out_of_range",
                format!("实际产量应在 0 到 {MAX_YIELD} 之间"),
                format!("the actual yield is 0 to {MAX_YIELD}"),
            )
            .into());
        }
        let batch = match self
            .trace()
            .shippable_batch(req.batch_id, ListingId(p.listing_id))
            .await?
        {
            Ok(b) => b,
            Err(why) => {
                return Err(
                    FieldError::new("batch_id", why.code, why.message.zh, why.message.en).into(),
                );
            }
        };
        let now = self.now();
        let txn = begin_write(&self.infra().db).await?;
        // The move first: it holds the pre-sale's row, so a reservation running at the same
        // moment either committed before (and is read below, pending: refused) or finds it
        // harvested and takes nothing. A deposit is never paid after the harvest filled.
        if !pq::harvest(&txn, id, (batch.id.0, &batch.code), req.actual_yield, now).await? {
            return Err(OrdersError::AlreadyHarvested);
        }
        let reservations = pq::of_presale(&txn, id).await?;
        if reservations
            .iter()
            .any(|r| r.status == ReservationStatus::Pending)
        {
            return Err(OrdersError::DepositsPending);
        }
        let balance_by = now + self.config().presale_balance_pay_within;
        let paid: Vec<&presale_reservation::Model> = reservations
            .iter()
            .filter(|r| r.status == ReservationStatus::Reserved)
            .collect();
        let asked: Vec<i64> = paid.iter().map(|r| r.quantity).collect();
        let mut short = 0;
        for (r, filled) in paid.iter().zip(fill(&asked, req.actual_yield)) {
            let back = shortfall_refund(r.deposit_fen, p.price_fen, filled, p.deposit_percent);
            if back > 0 {
                let sub = q::sub_orders_of_order(&txn, r.deposit_order_id)
                    .await?
                    .into_iter()
                    .next()
                    .ok_or_else(|| {
                        OrdersError::Internal("a deposit order without its part".into())
                    })?;
                self.refund_sub_order_in(
                    &txn,
                    SubOrderId(sub.id),
                    back,
                    Liability::SELLER,
                    "预售减产：未满足部分退还定金 / yield shortfall: the deposit of the unfilled part",
                    &format!("presale:{}", r.id),
                    None,
                )
                .await?;
                short += 1;
            }
            self.bill_balance(&txn, &p, r, (filled, back), balance_by, now)
                .await?;
        }
        txn.commit().await?;
        self.infra().outbox.wake();
        tracing::info!(batch = %batch.code, actual_yield = req.actual_yield, short, "harvested");
        self.presale(id).await
    }

    /// A buyer reserves a quantity: in one transaction the capacity is taken (never past the
    /// maximum, whatever runs at the same moment), the deposit order written and the
    /// reservation recorded. The buyer pays it like any order (`POST /orders/{id}/pay`). With
    /// an `Idempotency-Key` a retry gets the first reservation.
    #[tracing::instrument(skip_all, fields(presale.id = %id))]
    pub async fn reserve(
        &self,
        actor: &Actor,
        id: Uuid,
        req: &ReserveRequest,
        key: Option<&str>,
    ) -> Result<Reserved> {
        let me = actor.account_id.as_uuid();
        let db = &self.infra().db;
        let key = parse_idempotency_key(key)?;
        let key = key.as_deref();
        if let Some(k) = key
            && let Some(r) = pq::reservation_by_key(db, me, k).await?
        {
            return self.retried(r, id, req).await;
        }
        let p = self.presale(id).await?;
        if actor.membership(OrgId(p.seller_org_id)).is_some() {
            // A seller's own pre-sale is not reserved by its members.
            return Err(OrdersError::Forbidden);
        }
        if p.status != PresaleStatus::Open {
            return Err(OrdersError::PresaleClosed);
        }
        let quantity = domain::parse_quantity("quantity", req.quantity)?;
        if req.payment_method == PaymentMethod::Gateway && !self.online_payment_available() {
            return Err(OrdersError::OnlinePaymentUnavailable);
        }
        if req.payment_method == PaymentMethod::Offline
            && restrictions::is_restricted(
                db,
                actor.account_id,
                restrictions::RestrictionKind::NoOfflinePayment,
            )
            .await?
        {
            return Err(FieldError::new(
                "payment_method",
                "restricted",
                "该账号不可使用线下支付，请选择在线支付",
                "this account may not pay offline: choose online payment",
            )
            .into());
        }
        let address = match self.own_address(actor, req.address_id).await {
            Ok(a) => a,
            Err(OrdersError::NotFound(_)) => {
                return Err(FieldError::new(
                    "address_id",
                    "not_found",
                    "请选择一个收货地址",
                    "choose a delivery address",
                )
                .into());
            }
            Err(e) => return Err(e),
        };
        let sale = self
            .catalog()
            .for_sale(&[SkuId(p.sku_id)])
            .await?
            .remove(&SkuId(p.sku_id))
            .ok_or(OrdersError::PresaleClosed)?;
        let deposit = deposit_fen(p.price_fen, quantity, p.deposit_percent);
        let now = self.now();
        let pay_by = now
            + match req.payment_method {
                PaymentMethod::Gateway => self.config().gateway_pay_within,
                PaymentMethod::Offline => self.config().offline_pay_within,
            };
        let order_id = Uuid::now_v7();
        let number = domain::order_number(now, rand::rng().random());
        let txn = begin_write(db).await?;
        if !pq::take(&txn, p.id, quantity).await? {
            drop(txn);
            // Closed or taken a moment ago: say which, with what is left now.
            let p = self.presale(p.id).await?;
            if p.status != PresaleStatus::Open {
                return Err(OrdersError::PresaleClosed);
            }
            return Err(OrdersError::PresaleFull {
                left: (p.max_quantity - p.reserved_quantity).max(0),
            });
        }
        write_one_line_order(
            &txn,
            &OneLineOrder {
                order_id,
                number: &number,
                buyer: me,
                address: json!(address_snapshot(&address)),
                payment_method: req.payment_method,
                amount: deposit,
                pay_by,
                note: format!("预售定金 / pre-sale deposit: {}", p.title),
                ship_within_hours: None,
                line: OneLine {
                    presale: &p,
                    category_id: sale.category.id,
                    commission_bp: sale.category.commission_bp,
                    claim_window_hours: sale.category.claim_window_hours,
                    title: format!("【预售定金】{}", p.title),
                    sku_name: format!("定金 {}%", p.deposit_percent),
                    quantity,
                },
            },
            now,
        )
        .await?;
        let reservation = presale_reservation::ActiveModel {
            id: Set(Uuid::now_v7()),
            presale_id: Set(p.id),
            buyer_account_id: Set(me),
            quantity: Set(quantity),
            deposit_fen: Set(deposit),
            deposit_order_id: Set(order_id),
            status: Set(ReservationStatus::Pending),
            filled_quantity: Set(0),
            shortfall_refund_fen: Set(0),
            idempotency_key: Set(key.map(str::to_owned)),
            created_at: Set(now),
            balance_order_id: Set(None),
            balance_fen: Set(0),
        }
        .insert(&txn)
        .await;
        let reservation = match reservation {
            Ok(r) => r,
            // The same key committed by a request running at the same moment: its answer.
            Err(e) if violates(&e, &pq::RESERVATION_KEY) => {
                drop(txn);
                let k = key.unwrap_or_default();
                let r = pq::reservation_by_key(db, me, k).await?.ok_or_else(|| {
                    OrdersError::Internal("a reservation key without its row".into())
                })?;
                return self.retried(r, id, req).await;
            }
            Err(e) => return Err(e.into()),
        };
        self.placed(
            &txn,
            order_id,
            me,
            json!({"payment_method": req.payment_method, "pay_by": pay_by, "presale_id": p.id}),
            pay_by,
            now,
        )
        .await?;
        txn.commit().await?;
        self.infra().outbox.wake();
        tracing::info!(reservation.id = %reservation.id, quantity, deposit, "reserved");
        let presale = self.presale(p.id).await?;
        Ok(Reserved {
            reservation,
            presale,
        })
    }

    /// A retry answered with the reservation its key made; the same key for another
    /// reservation is refused.
    async fn retried(
        &self,
        r: presale_reservation::Model,
        id: Uuid,
        req: &ReserveRequest,
    ) -> Result<Reserved> {
        if r.presale_id != id || r.quantity != req.quantity {
            return Err(OrdersError::OrderKeyReused);
        }
        self.reserved(r).await
    }

    async fn reserved(&self, r: presale_reservation::Model) -> Result<Reserved> {
        let presale = self.presale(r.presale_id).await?;
        Ok(Reserved {
            reservation: r,
            presale,
        })
    }

    /// The buyer's own reservations, newest first.
    pub async fn my_reservations(&self, actor: &Actor, page: Page) -> Result<Paged<Reserved>> {
        let db = &self.infra().db;
        let (rows, total) =
            pq::of_buyer(db, actor.account_id.as_uuid(), page.limit(), page.offset()).await?;
        let mut items = Vec::with_capacity(rows.len());
        for r in rows {
            items.push(self.reserved(r).await?);
        }
        Ok(Paged::new(items, total, page))
    }

    /// Pre-sold volume of one seller (订单农业, "plant to demand"): per product and harvest
    /// month, what is planned (expected yield, most pre-sold) and what buyers put a deposit on
    /// (quantity, deposits held, reservations, distinct buyers). Its members and the operator.
    /// Products with nothing reserved yet show with zeros.
    pub async fn presale_volume(&self, actor: &Actor, org: OrgId) -> Result<Vec<VolumeRow>> {
        if !actor.is_operator() && actor.membership(org).is_none() {
            return Err(OrdersError::Forbidden);
        }
        let sales = crate::read::presold::presold(&self.infra().db, Some(org.as_uuid())).await?;
        Ok(volume_rows(&sales))
    }

    /// The deposit order's record, for the reservation's answer.
    pub async fn deposit_order(&self, r: &presale_reservation::Model) -> Result<OrderRecord> {
        self.existing(OrderId(r.deposit_order_id)).await
    }
}

/// The line of a pre-sale's own order (its deposit, or its balance): the pre-sale's SKU at its
/// price, in the category the deposit was taken in.
pub(crate) struct OneLine<'a> {
    pub presale: &'a presale::Model,
    pub category_id: Uuid,
    pub commission_bp: i32,
    pub claim_window_hours: i32,
    pub title: String,
    pub sku_name: String,
    pub quantity: i64,
}

/// A pre-sale's own order: one seller, one line, no shipping fee (the pre-sale's price
/// includes delivery), `amount` fen in all.
pub(crate) struct OneLineOrder<'a> {
    pub order_id: Uuid,
    pub number: &'a str,
    pub buyer: Uuid,
    pub address: serde_json::Value,
    pub payment_method: PaymentMethod,
    pub amount: i64,
    pub pay_by: DateTime<Utc>,
    pub note: String,
    /// `None` for a deposit (nothing ships); the ship-by promise of the balance order.
    pub ship_within_hours: Option<i32>,
    pub line: OneLine<'a>,
}

/// Writes a pre-sale's order, its sub-order and its line, unpaid, in the caller's
/// transaction (the caller adds the `placed` event and the payment deadline). The sub-order's
/// id.
pub(crate) async fn write_one_line_order(
    conn: &impl ConnectionTrait,
    o: &OneLineOrder<'_>,
    now: DateTime<Utc>,
) -> Result<Uuid> {
    let l = &o.line;
    let p = l.presale;
    let commission = domain::commission(Money::from_fen(o.amount), l.commission_bp).fen();
    order::ActiveModel {
        id: Set(o.order_id),
        number: Set(o.number.to_owned()),
        buyer_account_id: Set(o.buyer),
        buyer_org_id: Set(None),
        wholesale: Set(false),
        address: Set(o.address.clone()),
        goods_fen: Set(o.amount),
        shipping_fen: Set(0),
        total_fen: Set(o.amount),
        payment_method: Set(o.payment_method),
        status: Set(OrderStatus::PendingPayment),
        pay_by: Set(o.pay_by),
        paid_at: Set(None),
        idempotency_key: Set(None),
        request_hash: Set(None),
        note: Set(Some(o.note.clone())),
        created_at: Set(now),
        refunded_fen: Set(0),
    }
    .insert(conn)
    .await?;
    let sub = pending_sub_order(
        o.order_id,
        format!("{}-1", o.number),
        p.seller_org_id,
        (o.amount, 0, commission),
        o.ship_within_hours,
        now,
    )
    .insert(conn)
    .await?;
    line::ActiveModel {
        id: Set(Uuid::now_v7()),
        order_id: Set(o.order_id),
        sub_order_id: Set(sub.id),
        listing_id: Set(p.listing_id),
        sku_id: Set(p.sku_id),
        category_id: Set(l.category_id),
        title: Set(l.title.clone()),
        sku_name: Set(l.sku_name.clone()),
        unit: Set(p.unit.clone()),
        quantity: Set(l.quantity),
        retail_price_fen: Set(p.price_fen),
        unit_price_fen: Set(p.price_fen),
        line_fen: Set(o.amount),
        commission_bp: Set(l.commission_bp),
        commission_fen: Set(commission),
        claim_window_hours: Set(l.claim_window_hours),
        weight_grams: Set(0),
        catch_nominal_grams: Set(None),
        catch_tolerance_permille: Set(None),
    }
    .insert(conn)
    .await?;
    Ok(sub.id)
}

/// One product's pre-sold volume in one harvest month (`YYYY-MM`, the month the harvest
/// window starts).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct VolumeRow {
    pub listing_id: ListingId,
    pub sku_id: SkuId,
    pub title: String,
    pub unit: String,
    pub harvest_month: String,
    /// How many pre-sales (not cancelled) it sums.
    pub presales: i64,
    pub expected_yield: i64,
    pub max_quantity: i64,
    /// Reserved with a paid deposit that stands (`reserved`, `balance_due`, `balance_paid`).
    pub reserved_quantity: i64,
    /// Deposits held for it, fen: paid less any shortfall refund.
    pub deposit_fen: i64,
    pub reservations: i64,
    /// Distinct buyers.
    pub buyers: i64,
}

/// Sums pre-sales per (SKU, harvest month), ordered by month, then title.
pub(crate) fn volume_rows(sales: &[crate::read::presold::PresoldSale]) -> Vec<VolumeRow> {
    use std::collections::{BTreeMap, HashSet};
    let mut rows: BTreeMap<(String, String, Uuid), (VolumeRow, HashSet<Uuid>)> = BTreeMap::new();
    for p in sales {
        let month = p.harvest_from.format("%Y-%m").to_string();
        let (row, buyers) = rows
            .entry((month.clone(), p.title.clone(), p.sku_id))
            .or_insert_with(|| {
                (
                    VolumeRow {
                        listing_id: ListingId(p.listing_id),
                        sku_id: SkuId(p.sku_id),
                        title: p.title.clone(),
                        unit: p.unit.clone(),
                        harvest_month: month,
                        presales: 0,
                        expected_yield: 0,
                        max_quantity: 0,
                        reserved_quantity: 0,
                        deposit_fen: 0,
                        reservations: 0,
                        buyers: 0,
                    },
                    HashSet::new(),
                )
            });
        row.presales += 1;
        row.expected_yield += p.expected_yield;
        row.max_quantity += p.max_quantity;
        for r in &p.reservations {
            row.reserved_quantity += r.quantity;
            row.deposit_fen += r.deposit_fen;
            row.reservations += 1;
            buyers.insert(r.buyer);
        }
    }
    rows.into_values()
        .map(|(mut row, buyers)| {
            row.buyers = i64::try_from(buyers.len()).unwrap_or(i64::MAX);
            row
        })
        .collect()
}
