//! Checkout: one order with a sub-order per seller, prices checked against what the buyer saw,
//! stock taken for every line inside the order's transaction (all or nothing), retried safely
//! with an `Idempotency-Key`.

use crate::Orders;
use crate::domain::{
    self, Address, EventKind, MAX_LINES, OrderStatus, PaymentMethod, SubOrderStatus,
};
use crate::error::{OrdersError, Result};
use crate::service::cart::unavailable;
use crate::service::rfq::AcceptedQuote;
use crate::service::{OrderRecord, append, topics};
use crate::store::queries::{cart as cart_q, orders as q};
use crate::store::{address, line, order, sub_order};
use farmgate_catalog::domain::unit_price;
use farmgate_catalog::sale::ForSale;
use farmgate_identity::Actor;
use farmgate_identity::read::restrictions;
use farmgate_infra::db::{begin_write, violates};
use farmgate_kernel::id::{AddressId, OrderId, OrgId, SkuId};
use farmgate_kernel::text::clean_optional_text;
use farmgate_kernel::{FieldError, Money, ValidationErrors};
use rand::Rng;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// One line of a checkout that does not come from the cart.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemInput {
    pub sku_id: SkuId,
    pub quantity: i64,
    /// The unit price (fen) the buyer was shown; a different price now is refused with
    /// `price_changed`, so nobody pays a price they did not see.
    #[serde(default)]
    pub price_seen: Option<i64>,
}

/// A checkout.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckoutRequest {
    /// One of the buyer's saved addresses.
    pub address_id: AddressId,
    /// What to buy; when absent, everything in the cart.
    #[serde(default)]
    pub items: Option<Vec<ItemInput>>,
    pub payment_method: PaymentMethod,
    /// A note to the sellers (at most 200 characters).
    #[serde(default)]
    pub note: Option<String>,
}

/// What a retry must match: the same key with another body is refused.
fn request_hash(req: &CheckoutRequest) -> String {
    hex::encode(Sha256::digest(
        serde_json::to_vec(req).unwrap_or_default().as_slice(),
    ))
}

/// A line priced and ready to write.
struct Priced {
    sale: ForSale,
    quantity: i64,
    unit_price: Money,
    line: Money,
    commission: Money,
}

/// Everything checked, ready to be written in one transaction.
struct Checked<'a> {
    req: &'a CheckoutRequest,
    address: address::Model,
    note: Option<String>,
    priced: Vec<Priced>,
    wholesale: Option<OrgId>,
    key: Option<String>,
    hash: String,
    from_cart: bool,
    /// The accepted RFQ quote this order comes from (`service/rfq.rs`), if any.
    quote: Option<&'a AcceptedQuote>,
}

impl Orders {
    /// Places an order: one sub-order per seller, stock taken for every line in the same
    /// transaction (all or nothing). With an idempotency key, a retry returns the order the
    /// first request made (`false`: nothing new was created).
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id, order.id))]
    pub async fn checkout(
        &self,
        actor: &Actor,
        req: CheckoutRequest,
        idempotency_key: Option<&str>,
    ) -> Result<(OrderRecord, bool)> {
        let me = actor.account_id.as_uuid();
        let key = parse_idempotency_key(idempotency_key)?;
        let hash = request_hash(&req);
        if let Some(k) = &key
            && let Some(found) = self.by_idempotency_key(me, k, &hash).await?
        {
            return Ok((found, false));
        }
        match self.place(actor, &req, key.as_deref(), &hash, None).await {
            Ok(id) => {
                let record = self
                    .record(OrderId(id))
                    .await?
                    .ok_or_else(|| OrdersError::Internal("the new order vanished".into()))?;
                Ok((record, true))
            }
            // A retry sent while its first request was still running fails on what that
            // request did: the cart it emptied, the stock it took, the key it wrote (the
            // unique index). Each of those is only visible once the first order has
            // committed, so the key finds it now, and the retry answers with that order
            // instead of "cart is empty" or "sold out".
            Err(e) => match &key {
                Some(k) if !matches!(e, OrdersError::OrderKeyReused) => {
                    match self.by_idempotency_key(me, k, &hash).await? {
                        Some(found) => {
                            let on_the_key = matches!(&e, OrdersError::Db(d) if violates(d, &q::ORDER_IDEMPOTENCY));
                            tracing::info!(error = %e, on_the_key, "a concurrent retry of a checkout answered with its order");
                            Ok((found, false))
                        }
                        None => Err(e),
                    }
                }
                _ => Err(e),
            },
        }
    }

    /// Checks the request, prices it and writes the order; the id of the new order.
    async fn place(
        &self,
        actor: &Actor,
        req: &CheckoutRequest,
        key: Option<&str>,
        hash: &str,
        quote: Option<&AcceptedQuote>,
    ) -> Result<Uuid> {
        let me = actor.account_id.as_uuid();
        if req.payment_method == PaymentMethod::Gateway && !self.online_payment_available() {
            return Err(OrdersError::OnlinePaymentUnavailable);
        }
        let mut errs = ValidationErrors::new();
        let note = errs.check("note", clean_optional_text(req.note.as_deref(), 200, true));
        // An account the operator restricted (劣质客户, asked of identity) pays online only.
        if req.payment_method == PaymentMethod::Offline
            && restrictions::is_restricted(
                &self.infra().db,
                actor.account_id,
                restrictions::RestrictionKind::NoOfflinePayment,
            )
            .await?
        {
            errs.push(FieldError::new(
                "payment_method",
                "restricted",
                "该账号不可使用线下支付或货到付款，请选择在线支付",
                "this account may not pay offline or on delivery: choose online payment",
            ));
        }
        let address = self.address_field(actor, req.address_id, &mut errs).await?;
        // What to buy: (field name, sku, quantity, price the buyer saw).
        let from_cart = req.items.is_none();
        let wanted: Vec<(String, Uuid, i64, Option<i64>)> = match &req.items {
            Some(items) => items
                .iter()
                .enumerate()
                .map(|(i, it)| {
                    (
                        format!("items[{i}]"),
                        it.sku_id.0,
                        it.quantity,
                        it.price_seen,
                    )
                })
                .collect(),
            None => cart_q::items_of(&self.infra().db, me)
                .await?
                .into_iter()
                .map(|c| {
                    (
                        format!("cart.{}", c.sku_id),
                        c.sku_id,
                        c.quantity,
                        Some(c.price_seen_fen),
                    )
                })
                .collect(),
        };
        if wanted.is_empty() {
            errs.push(FieldError::new(
                "items",
                "empty",
                "购物车是空的",
                "there is nothing to buy",
            ));
        }
        if wanted.len() > MAX_LINES {
            errs.push(FieldError::new(
                "items",
                "too_many",
                format!("一次最多购买 {MAX_LINES} 种商品"),
                format!("at most {MAX_LINES} items per order"),
            ));
        }
        // The same SKU twice is one line.
        let mut merged: BTreeMap<Uuid, (String, i64, Option<i64>)> = BTreeMap::new();
        for (field, sku, qty, seen) in wanted {
            if let Some(q) = errs.check(
                &format!("{field}.quantity"),
                domain::parse_quantity("quantity", qty),
            ) {
                let e = merged.entry(sku).or_insert((field, 0, seen));
                e.1 += q;
            }
        }
        errs.finish()?;
        let (Some(address), Some(note)) = (address, note) else {
            return Err(OrdersError::Invalid(ValidationErrors::new()));
        };
        let wholesale = actor.wholesale_buyer_org();
        let priced = self.price(me, merged, wholesale, from_cart, quote).await?;
        let checked = Checked {
            req,
            address,
            note,
            priced,
            wholesale,
            key: key.map(str::to_owned),
            hash: hash.to_owned(),
            from_cart,
            quote,
        };

        for attempt in 0..3 {
            match self.write_order(actor, &checked).await {
                Ok(id) => {
                    tracing::Span::current().record("order.id", tracing::field::display(id));
                    self.infra().outbox.wake();
                    return Ok(id);
                }
                // The random part of the number collided: a new number, a new transaction.
                Err(OrdersError::Db(e)) if violates(&e, &q::ORDER_NUMBER) && attempt < 2 => {
                    tracing::info!(attempt, "order number collision, numbering again");
                }
                // The same key committed by a request running at the same moment
                // (`ORDER_IDEMPOTENCY`) is answered by the caller with that order.
                Err(e) => return Err(e),
            }
        }
        Err(OrdersError::Internal("could not number the order".into()))
    }

    /// Prices every line as it is on sale now, or says which lines cannot be bought as asked:
    /// off sale, too few left, or a price other than the one the buyer saw (then the cart
    /// remembers the new price, so confirming again goes through).
    async fn price(
        &self,
        me: Uuid,
        merged: BTreeMap<Uuid, (String, i64, Option<i64>)>,
        wholesale: Option<OrgId>,
        from_cart: bool,
        quote: Option<&AcceptedQuote>,
    ) -> Result<Vec<Priced>> {
        let skus: Vec<SkuId> = merged.keys().copied().map(SkuId).collect();
        let mut sales = self.catalog().for_sale(&skus).await?;
        let mut problems = ValidationErrors::new();
        // The last line that could not be bought decides which of the two answers it is.
        let mut short = false;
        let mut price_moved = Vec::new();
        let mut priced = Vec::new();
        for (sku, (field, quantity, seen)) in merged {
            let Some(sale) = sales.remove(&SkuId(sku)) else {
                problems.push(FieldError::new(
                    field,
                    "unavailable",
                    "商品已不存在",
                    "this item no longer exists",
                ));
                continue;
            };
            if let Some(why) = sale.unavailable {
                let e = unavailable(&sale.listing.title, why);
                short = matches!(e, OrdersError::SoldOut { .. });
                let m = e.message();
                problems.push(FieldError::new(field, e.code(), m.zh, m.en));
                continue;
            }
            if sale.sku.stock < quantity {
                short = true;
                problems.push(FieldError::new(
                    field,
                    "insufficient_stock",
                    format!("“{}”库存仅剩 {}", sale.listing.title, sale.sku.stock),
                    format!("only {} of “{}” left", sale.sku.stock, sale.listing.title),
                ));
                continue;
            }
            if let Some(seen) = seen
                && seen != sale.sku.price_fen
            {
                price_moved.push((sku, sale.sku.price_fen));
                let (was, now) = (Money::from_fen(seen), Money::from_fen(sale.sku.price_fen));
                problems.push(FieldError::new(
                    field,
                    "price_changed",
                    format!("“{}”价格已从 {was} 变为 {now}", sale.listing.title),
                    format!(
                        "the price of “{}” changed from {was} to {now}",
                        sale.listing.title
                    ),
                ));
                continue;
            }
            let retail = Money::from_fen(sale.sku.price_fen);
            // An accepted RFQ quote prices its own line; nothing else overrides the listing.
            let unit = match quote.and_then(|q| q.price_of(SkuId(sku))) {
                Some(quoted) => Money::from_fen(quoted),
                None => unit_price(retail, &sale.tiers, quantity, wholesale.is_some()),
            };
            let line = unit
                .checked_mul(quantity)
                .ok_or_else(|| OrdersError::Internal("line total overflow".into()))?;
            let commission = domain::commission(line, sale.category.commission_bp);
            priced.push(Priced {
                sale,
                quantity,
                unit_price: unit,
                line,
                commission,
            });
        }
        if !price_moved.is_empty() && problems.errors().len() == price_moved.len() {
            // The buyer has now been told: the cart remembers the new price, so confirming
            // again goes through.
            if from_cart {
                for (sku, price) in &price_moved {
                    cart_q::remember_price(&self.infra().db, me, *sku, *price).await?;
                }
            }
            return Err(OrdersError::PriceChanged { lines: problems });
        }
        if !problems.is_empty() {
            return Err(if short {
                OrdersError::ItemsShort { lines: problems }
            } else {
                OrdersError::ItemsOffSale { lines: problems }
            });
        }
        Ok(priced)
    }

    /// Places the order of an accepted RFQ quote (`service/rfq.rs`): its one line at the
    /// quoted unit price, checked, stocked, held for approval and paid like any order.
    pub(crate) async fn checkout_quoted(
        &self,
        actor: &Actor,
        req: CheckoutRequest,
        quote: &AcceptedQuote,
    ) -> Result<OrderRecord> {
        let id = self
            .place(actor, &req, None, &request_hash(&req), Some(quote))
            .await?;
        self.existing(OrderId(id)).await
    }

    async fn by_idempotency_key(
        &self,
        buyer: Uuid,
        key: &str,
        hash: &str,
    ) -> Result<Option<OrderRecord>> {
        let Some(found) = q::order_by_idempotency_key(&self.infra().db, buyer, key).await? else {
            return Ok(None);
        };
        if found.request_hash.as_deref() != Some(hash) {
            return Err(OrdersError::OrderKeyReused);
        }
        self.record(OrderId(found.id)).await
    }

    /// Writes the order, its sub-orders and lines, takes the stock, empties the cart lines it
    /// bought and schedules the payment deadline, in one transaction.
    /// The handling time (hours) a seller's part promises: the shortest of its lines' (each
    /// its category's, own or inherited, else the configured default), fixed on the part.
    fn promised_ship_within(&self, lines: &[&Priced]) -> i32 {
        let default = i32::try_from(self.config().ship_within.num_hours()).unwrap_or(48);
        domain::promised_ship_within(lines.iter().map(|p| p.sale.ship_within_hours), default)
    }

    async fn write_order(&self, actor: &Actor, c: &Checked<'_>) -> Result<Uuid> {
        let now = self.now();
        let me = actor.account_id.as_uuid();
        let number = domain::order_number(now, rand::rng().random());
        let pay_by = now
            + match c.req.payment_method {
                PaymentMethod::Gateway => self.config().gateway_pay_within,
                PaymentMethod::Offline => self.config().offline_pay_within,
            };
        // Sellers in a stable order, so sub-order numbers do not depend on hashing.
        let mut by_seller: BTreeMap<Uuid, Vec<&Priced>> = BTreeMap::new();
        for p in &c.priced {
            by_seller
                .entry(p.sale.listing.seller_org_id)
                .or_default()
                .push(p);
        }
        let order_id = Uuid::now_v7();
        let mut subs = Vec::new();
        let (mut goods_total, mut shipping_total) = (0i64, 0i64);
        for (i, (seller, lines)) in by_seller.iter().enumerate() {
            let goods: i64 = lines.iter().map(|p| p.line.fen()).sum();
            let grams: i64 = lines
                .iter()
                .map(|p| i64::from(p.sale.sku.weight_grams) * p.quantity)
                .sum();
            let shipping =
                domain::shipping_fee(Money::from_fen(goods), grams, c.wholesale.is_some()).fen();
            let commission: i64 = lines.iter().map(|p| p.commission.fen()).sum();
            goods_total += goods;
            shipping_total += shipping;
            subs.push(pending_sub_order(
                order_id,
                format!("{number}-{}", i + 1),
                *seller,
                (goods, shipping, commission),
                Some(self.promised_ship_within(lines)),
                now,
            ));
        }
        let snapshot = address_snapshot(&c.address);
        let txn = begin_write(&self.infra().db).await?;
        order::ActiveModel {
            id: Set(order_id),
            number: Set(number),
            buyer_account_id: Set(me),
            buyer_org_id: Set(c.wholesale.map(|o| o.as_uuid())),
            wholesale: Set(c.wholesale.is_some()),
            address: Set(json!(snapshot)),
            goods_fen: Set(goods_total),
            shipping_fen: Set(shipping_total),
            total_fen: Set(goods_total + shipping_total),
            payment_method: Set(c.req.payment_method),
            status: Set(OrderStatus::PendingPayment),
            pay_by: Set(pay_by),
            paid_at: Set(None),
            idempotency_key: Set(c.key.clone()),
            request_hash: Set(Some(c.hash.clone())),
            note: Set(c.note.clone()),
            created_at: Set(now),
            refunded_fen: Set(0),
        }
        .insert(&txn)
        .await?;
        let mut sub_ids = HashMap::new();
        for s in subs {
            let sub = s.insert(&txn).await?;
            sub_ids.insert(sub.seller_org_id, sub.id);
        }
        for p in &c.priced {
            let sku = &p.sale.sku;
            if !self
                .catalog()
                .take_stock(&txn, SkuId(sku.id), p.quantity)
                .await?
            {
                // Someone else bought the last ones a moment ago: nothing of this order stays.
                drop(txn);
                return Err(OrdersError::JustSoldOut {
                    title: p.sale.listing.title.clone(),
                    sku: SkuId(sku.id),
                });
            }
            let sub_id = sub_ids
                .get(&p.sale.listing.seller_org_id)
                .copied()
                .ok_or_else(|| OrdersError::Internal("a line without its sub-order".into()))?;
            line::ActiveModel {
                id: Set(Uuid::now_v7()),
                order_id: Set(order_id),
                sub_order_id: Set(sub_id),
                listing_id: Set(p.sale.listing.id),
                sku_id: Set(sku.id),
                category_id: Set(p.sale.category.id),
                title: Set(p.sale.listing.title.clone()),
                sku_name: Set(sku.name.clone()),
                unit: Set(sku.unit.as_str().to_owned()),
                quantity: Set(p.quantity),
                retail_price_fen: Set(sku.price_fen),
                unit_price_fen: Set(p.unit_price.fen()),
                line_fen: Set(p.line.fen()),
                commission_bp: Set(p.sale.category.commission_bp),
                commission_fen: Set(p.commission.fen()),
                claim_window_hours: Set(p.sale.category.claim_window_hours),
                weight_grams: Set(sku.weight_grams),
                catch_nominal_grams: Set(sku.catch_tolerance_permille.and(sku.net_weight_grams)),
                catch_tolerance_permille: Set(sku
                    .net_weight_grams
                    .and(sku.catch_tolerance_permille)),
            }
            .insert(&txn)
            .await?;
            if c.from_cart {
                cart_q::remove(&txn, me, sku.id).await?;
            }
        }
        let mut data = json!({"payment_method": c.req.payment_method, "pay_by": pay_by});
        if let Some(q) = c.quote {
            // The order from an accepted quote: the quote is sealed with it, or it does not stand.
            self.seal_acceptance(&txn, q, (order_id, me), now).await?;
            data["rfq"] = q.event_data();
        }
        self.placed(&txn, order_id, me, data, pay_by, now).await?;
        // A purchaser's order above the buyer's approval limit waits for a manager (#22).
        if let Some(org) = c.wholesale {
            self.hold_for_approval(
                &txn,
                actor,
                org,
                order_id,
                goods_total + shipping_total,
                now,
            )
            .await?;
        }
        txn.commit().await?;
        Ok(order_id)
    }

    /// What every new unpaid order writes beside its rows, in its transaction: the `placed`
    /// event (`data` says how it is paid and by when) and the job that expires it unpaid at
    /// `pay_by`. Checkout, a pre-sale's deposit and its balance share it.
    pub(crate) async fn placed(
        &self,
        txn: &impl ConnectionTrait,
        order_id: Uuid,
        buyer: Uuid,
        data: serde_json::Value,
        pay_by: chrono::DateTime<chrono::Utc>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<()> {
        append(
            txn,
            order_id,
            None,
            EventKind::Placed,
            Some(buyer),
            data,
            now,
        )
        .await?;
        self.infra()
            .outbox
            .enqueue_at(
                txn,
                topics::PAYMENT_DUE,
                &json!({"order_id": order_id}),
                pay_by,
            )
            .await?;
        Ok(())
    }
}

/// An `Idempotency-Key` header: trimmed, at most 80 characters; empty is none.
pub(crate) fn parse_idempotency_key(key: Option<&str>) -> Result<Option<String>> {
    match key.map(str::trim) {
        Some(k) if !k.is_empty() && k.len() <= 80 => Ok(Some(k.to_owned())),
        Some(k) if !k.is_empty() => Err(OrdersError::field(FieldError::new(
            "Idempotency-Key",
            "too_long",
            "Idempotency-Key 最长 80 个字符",
            "Idempotency-Key is at most 80 characters",
        ))),
        _ => Ok(None),
    }
}

/// The delivery address as an order keeps it (a copy: editing the address later changes no
/// order).
pub(crate) fn address_snapshot(a: &address::Model) -> Address {
    Address {
        name: a.name.clone(),
        phone: a.phone.clone(),
        province: a.province.clone(),
        city: a.city.clone(),
        district: a.district.clone(),
        street: a.street.clone(),
        region_code: crate::domain::divisions::Divisions::get().code_for(
            &a.province,
            &a.city,
            &a.district,
        ),
    }
}

/// A new, unpaid sub-order: `(goods, shipping, commission)` in fen; the rest is set as it
/// moves on (paid, shipped, received, refunded).
pub(crate) fn pending_sub_order(
    order_id: Uuid,
    number: String,
    seller: Uuid,
    (goods, shipping, commission): (i64, i64, i64),
    ship_within_hours: Option<i32>,
    now: chrono::DateTime<chrono::Utc>,
) -> sub_order::ActiveModel {
    sub_order::ActiveModel {
        id: Set(Uuid::now_v7()),
        order_id: Set(order_id),
        number: Set(number),
        seller_org_id: Set(seller),
        goods_fen: Set(goods),
        shipping_fen: Set(shipping),
        total_fen: Set(goods + shipping),
        commission_fen: Set(commission),
        status: Set(SubOrderStatus::PendingPayment),
        paid_at: Set(None),
        acknowledged_at: Set(None),
        shipped_at: Set(None),
        received_at: Set(None),
        created_at: Set(now),
        auto_receive_at: Set(None),
        window_closes_at: Set(None),
        refunded_fen: Set(0),
        refunded_seller_fen: Set(0),
        refunded_platform_fen: Set(0),
        refunded_carrier_fen: Set(0),
        // Set when paid.
        ship_by: Set(None),
        shipped_late: Set(false),
        cancel_request: Set(None),
        cancel_reason: Set(None),
        cancel_requested_at: Set(None),
        cancel_answer_by: Set(None),
        cancel_answered_at: Set(None),
        cancel_refusal: Set(None),
        ship_by_reminded_at: Set(None),
        ship_within_hours: Set(ship_within_hours),
        // Catch-weight extra charges (补差价) paid later are added here.
        extra_fen: Set(0),
        extra_commission_fen: Set(0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_retry_with_the_same_body_hashes_alike_and_typed_ids_serialise_as_plain_uuids() {
        let sku = Uuid::now_v7();
        let req = CheckoutRequest {
            address_id: AddressId(Uuid::nil()),
            items: Some(vec![ItemInput {
                sku_id: SkuId(sku),
                quantity: 2,
                price_seen: Some(100),
            }]),
            payment_method: PaymentMethod::Gateway,
            note: None,
        };
        let json = serde_json::to_value(&req).unwrap_or_default();
        assert_eq!(json["address_id"], Uuid::nil().to_string());
        assert_eq!(json["items"][0]["sku_id"], sku.to_string());
        assert_eq!(request_hash(&req), request_hash(&req.clone()));
    }
}
