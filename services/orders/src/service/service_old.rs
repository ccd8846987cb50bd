//! Orders' use cases. Each checks who may act, applies the domain rules, and writes its change
//! with its order event (and outbox events) in one transaction.

use crate::Orders;
use crate::domain::{
    self, Address, AddressInput, EventKind, MAX_LINES, OrderStatus, PaymentMethod, SubOrderStatus,
};
use crate::error::{OrdersError, Result};
use crate::store::{
    address, cart_item, event, intent, line, order, payment, refund, review, shipment,
    shipment_batch, shipment_event, sub_order,
};
use chrono::{DateTime, Utc};
use farmgate_catalog::domain::unit_price;
use farmgate_catalog::sale::{ForSale, Unavailable};
use farmgate_identity::{Actor, PlatformRole};
use farmgate_infra::db::{begin_write, unique_violation};
use farmgate_kernel::id::OrgId;
use farmgate_kernel::text::clean_optional_text;
use farmgate_kernel::{FieldError, Money, Page, Paged, ValidationErrors};
use rand::Rng;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};
use uuid::Uuid;

/// Outbox topics orders publish.
pub mod topics {
    /// `{"order_id"}`, scheduled at the payment deadline: an unpaid order expires.
    pub const PAYMENT_DUE: &str = "orders.payment_due";
    /// `{"order_id"}`: an order was paid (statistics, notifications).
    pub const PAID: &str = "orders.paid";
    /// `{"refund_id"}`: a refund was recorded; the provider pays it back (statistics too).
    pub const REFUNDED: &str = "orders.refunded";
    /// `{"sub_order_id"}`: a sub-order shipped.
    pub const SHIPPED: &str = "orders.shipped";
    /// `{"sub_order_id"}`, scheduled when it shipped: an unconfirmed shipment counts as received.
    pub const AUTO_RECEIVE: &str = "orders.auto_receive";
    /// `{"sub_order_id"}`: a sub-order was received; its after-sales window runs.
    pub const RECEIVED: &str = "orders.received";
}

/// One line of a checkout that does not come from the cart.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemInput {
    pub sku_id: Uuid,
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
    pub address_id: Uuid,
    /// What to buy; when absent, everything in the cart.
    #[serde(default)]
    pub items: Option<Vec<ItemInput>>,
    pub payment_method: PaymentMethod,
    /// A note to the sellers (at most 200 characters).
    #[serde(default)]
    pub note: Option<String>,
}

/// An order with everything in it.
#[derive(Clone, Debug)]
pub struct OrderRecord {
    pub order: order::Model,
    pub subs: Vec<sub_order::Model>,
    pub lines: Vec<line::Model>,
    pub events: Vec<event::Model>,
    pub payments: Vec<payment::Model>,
    pub seller_names: HashMap<Uuid, String>,
    pub shipments: Vec<shipment::Model>,
    pub shipment_batches: Vec<shipment_batch::Model>,
    pub shipment_events: Vec<shipment_event::Model>,
    pub reviews: Vec<review::Model>,
    pub refunds: Vec<refund::Model>,
}

/// A cart line as it stands now.
#[derive(Clone, Debug)]
pub struct CartLine {
    pub item: cart_item::Model,
    pub sale: Option<ForSale>,
}

fn unavailable_error(field: String, title: &str, why: Unavailable) -> (FieldError, &'static str) {
    match why {
        Unavailable::SoldOut => (
            FieldError::new(
                field,
                "sold_out",
                format!("“{title}”已售罄"),
                format!("“{title}” is sold out"),
            ),
            "sold_out",
        ),
        Unavailable::ListingOff | Unavailable::SkuOff => (
            FieldError::new(
                field,
                "unavailable",
                format!("“{title}”已下架，暂不能购买"),
                format!("“{title}” is no longer on sale"),
            ),
            "unavailable",
        ),
    }
}

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

impl Orders {
    fn now(&self) -> DateTime<Utc> {
        self.infra().clock.now()
    }

    // -----------------------------------------------------------------------------------------
    // Addresses

    pub async fn addresses(&self, actor: &Actor) -> Result<Vec<address::Model>> {
        Ok(address::Entity::find()
            .filter(address::Column::AccountId.eq(actor.account_id.as_uuid()))
            .filter(address::Column::Deleted.eq(false))
            .order_by_desc(address::Column::IsDefault)
            .order_by_desc(address::Column::UpdatedAt)
            .all(&self.infra().db)
            .await?)
    }

    async fn own_address(&self, actor: &Actor, id: Uuid) -> Result<address::Model> {
        address::Entity::find_by_id(id)
            .one(&self.infra().db)
            .await?
            .filter(|a| a.account_id == actor.account_id.as_uuid() && !a.deleted)
            .ok_or(OrdersError::not_found("收货地址", "address"))
    }

    /// Saves a new address (the first one, or one marked default, becomes the default).
    pub async fn add_address(&self, actor: &Actor, input: &AddressInput) -> Result<address::Model> {
        let a = Address::parse(input)?;
        let me = actor.account_id.as_uuid();
        let existing = self.addresses(actor).await?;
        if existing.len() >= 20 {
            return Err(OrdersError::conflict(
                "too_many_addresses",
                "最多保存 20 个收货地址",
                "at most 20 saved addresses",
            ));
        }
        let default = input.is_default || existing.is_empty();
        let now = self.now();
        let txn = begin_write(&self.infra().db).await?;
        if default {
            clear_default(&txn, me).await?;
        }
        let saved = address::ActiveModel {
            id: Set(Uuid::now_v7()),
            account_id: Set(me),
            name: Set(a.name),
            phone: Set(a.phone),
            province: Set(a.province),
            city: Set(a.city),
            district: Set(a.district),
            street: Set(a.street),
            is_default: Set(default),
            deleted: Set(false),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        Ok(saved)
    }

    /// Replaces an address's fields (orders already placed keep their copy).
    pub async fn update_address(
        &self,
        actor: &Actor,
        id: Uuid,
        input: &AddressInput,
    ) -> Result<address::Model> {
        let current = self.own_address(actor, id).await?;
        let a = Address::parse(input)?;
        let txn = begin_write(&self.infra().db).await?;
        if input.is_default {
            clear_default(&txn, current.account_id).await?;
        }
        let mut m: address::ActiveModel = current.clone().into();
        m.name = Set(a.name);
        m.phone = Set(a.phone);
        m.province = Set(a.province);
        m.city = Set(a.city);
        m.district = Set(a.district);
        m.street = Set(a.street);
        m.is_default = Set(input.is_default || current.is_default);
        m.updated_at = Set(self.now());
        let saved = m.update(&txn).await?;
        txn.commit().await?;
        Ok(saved)
    }

    /// Forgets an address for future checkouts.
    pub async fn delete_address(&self, actor: &Actor, id: Uuid) -> Result<()> {
        let current = self.own_address(actor, id).await?;
        let mut m: address::ActiveModel = current.into();
        m.deleted = Set(true);
        m.is_default = Set(false);
        m.updated_at = Set(self.now());
        m.update(&self.infra().db).await?;
        Ok(())
    }

    // -----------------------------------------------------------------------------------------
    // Cart

    /// The cart with every line as it stands now (price, stock, availability).
    pub async fn cart(&self, actor: &Actor) -> Result<Vec<CartLine>> {
        let items = cart_item::Entity::find()
            .filter(cart_item::Column::AccountId.eq(actor.account_id.as_uuid()))
            .order_by_asc(cart_item::Column::AddedAt)
            .all(&self.infra().db)
            .await?;
        let ids: Vec<Uuid> = items.iter().map(|i| i.sku_id).collect();
        let mut sales = self.catalog().for_sale(&ids).await?;
        Ok(items
            .into_iter()
            .map(|item| CartLine {
                sale: sales.remove(&item.sku_id),
                item,
            })
            .collect())
    }

    /// Adds `quantity` of a SKU (to what is there already).
    pub async fn add_to_cart(&self, actor: &Actor, sku_id: Uuid, quantity: i64) -> Result<()> {
        let quantity = domain::parse_quantity("quantity", quantity)?;
        let me = actor.account_id.as_uuid();
        let sale = self
            .catalog()
            .for_sale(&[sku_id])
            .await?
            .remove(&sku_id)
            .ok_or(OrdersError::not_found("商品规格", "SKU"))?;
        if let Some(why) = sale.unavailable {
            let (e, code) = unavailable_error("sku_id".into(), &sale.listing.title, why);
            return Err(OrdersError::conflict_at(
                code,
                e.message.zh.clone(),
                e.message.en.clone(),
                e.into(),
            ));
        }
        let db = &self.infra().db;
        let existing = cart_item::Entity::find_by_id((me, sku_id)).one(db).await?;
        let now = self.now();
        match existing {
            Some(item) => {
                let total = domain::parse_quantity("quantity", item.quantity + quantity)?;
                let mut m: cart_item::ActiveModel = item.into();
                m.quantity = Set(total);
                m.price_seen_fen = Set(sale.sku.price_fen);
                m.updated_at = Set(now);
                m.update(db).await?;
            }
            None => {
                let count = cart_item::Entity::find()
                    .filter(cart_item::Column::AccountId.eq(me))
                    .count(db)
                    .await?;
                if count >= MAX_LINES as u64 {
                    return Err(OrdersError::conflict(
                        "cart_full",
                        format!("购物车最多放 {MAX_LINES} 种商品"),
                        format!("a cart holds at most {MAX_LINES} items"),
                    ));
                }
                cart_item::ActiveModel {
                    account_id: Set(me),
                    sku_id: Set(sku_id),
                    quantity: Set(quantity),
                    price_seen_fen: Set(sale.sku.price_fen),
                    added_at: Set(now),
                    updated_at: Set(now),
                }
                .insert(db)
                .await?;
            }
        }
        Ok(())
    }

    /// Sets a cart line's quantity.
    pub async fn set_cart_quantity(
        &self,
        actor: &Actor,
        sku_id: Uuid,
        quantity: i64,
    ) -> Result<()> {
        let quantity = domain::parse_quantity("quantity", quantity)?;
        let db = &self.infra().db;
        let item = cart_item::Entity::find_by_id((actor.account_id.as_uuid(), sku_id))
            .one(db)
            .await?
            .ok_or(OrdersError::not_found("购物车中的商品", "cart item"))?;
        let mut m: cart_item::ActiveModel = item.into();
        m.quantity = Set(quantity);
        m.updated_at = Set(self.now());
        m.update(db).await?;
        Ok(())
    }

    pub async fn remove_from_cart(&self, actor: &Actor, sku_id: Uuid) -> Result<()> {
        cart_item::Entity::delete_by_id((actor.account_id.as_uuid(), sku_id))
            .exec(&self.infra().db)
            .await?;
        Ok(())
    }

    // -----------------------------------------------------------------------------------------
    // Checkout

    /// Places an order: one sub-order per seller, stock taken for every line in the same
    /// transaction (all or nothing). With an idempotency key, a retry returns the order the
    /// first request made (`false`: nothing new was created).
    pub async fn checkout(
        &self,
        actor: &Actor,
        req: CheckoutRequest,
        idempotency_key: Option<&str>,
    ) -> Result<(OrderRecord, bool)> {
        let me = actor.account_id.as_uuid();
        let key = match idempotency_key.map(str::trim) {
            Some(k) if !k.is_empty() && k.len() <= 80 => Some(k.to_owned()),
            Some(k) if !k.is_empty() => {
                return Err(OrdersError::field(FieldError::new(
                    "Idempotency-Key",
                    "too_long",
                    "Idempotency-Key 最长 80 个字符",
                    "Idempotency-Key is at most 80 characters",
                )));
            }
            _ => None,
        };
        let hash = request_hash(&req);
        if let Some(k) = &key
            && let Some(found) = self.by_idempotency_key(me, k, &hash).await?
        {
            return Ok((found, false));
        }
        let mut errs = ValidationErrors::new();
        let note = errs.check("note", clean_optional_text(req.note.as_deref(), 200, true));
        let address = match self.own_address(actor, req.address_id).await {
            Ok(a) => Some(a),
            Err(OrdersError::NotFound { .. }) => {
                errs.push(FieldError::new(
                    "address_id",
                    "not_found",
                    "请选择一个收货地址",
                    "choose a delivery address",
                ));
                None
            }
            Err(e) => return Err(e),
        };
        // What to buy: (field name, sku, quantity, price the buyer saw).
        let from_cart = req.items.is_none();
        let wanted: Vec<(String, Uuid, i64, Option<i64>)> = match &req.items {
            Some(items) => items
                .iter()
                .enumerate()
                .map(|(i, it)| (format!("items[{i}]"), it.sku_id, it.quantity, it.price_seen))
                .collect(),
            None => cart_item::Entity::find()
                .filter(cart_item::Column::AccountId.eq(me))
                .order_by_asc(cart_item::Column::AddedAt)
                .all(&self.infra().db)
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

        let skus: Vec<Uuid> = merged.keys().copied().collect();
        let mut sales = self.catalog().for_sale(&skus).await?;
        let wholesale = actor.wholesale_buyer_org();
        let mut problems = ValidationErrors::new();
        let mut code = "unavailable";
        let mut price_moved = Vec::new();
        let mut priced = Vec::new();
        for (sku, (field, quantity, seen)) in merged {
            let Some(sale) = sales.remove(&sku) else {
                problems.push(FieldError::new(
                    field,
                    "unavailable",
                    "商品已不存在",
                    "this item no longer exists",
                ));
                continue;
            };
            if let Some(why) = sale.unavailable {
                let (e, c) = unavailable_error(field, &sale.listing.title, why);
                code = c;
                problems.push(e);
                continue;
            }
            if sale.sku.stock < quantity {
                code = "sold_out";
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
                price_moved.push((field.clone(), sku, sale.sku.price_fen));
                problems.push(FieldError::new(
                    field,
                    "price_changed",
                    format!(
                        "“{}”价格已从 {} 变为 {}",
                        sale.listing.title,
                        Money::from_fen(seen),
                        Money::from_fen(sale.sku.price_fen)
                    ),
                    format!(
                        "the price of “{}” changed from {} to {}",
                        sale.listing.title,
                        Money::from_fen(seen),
                        Money::from_fen(sale.sku.price_fen)
                    ),
                ));
                continue;
            }
            let retail = Money::from_fen(sale.sku.price_fen);
            let unit = unit_price(retail, &sale.tiers, quantity, wholesale.is_some());
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
                for (_, sku, price) in &price_moved {
                    cart_item::Entity::update_many()
                        .col_expr(cart_item::Column::PriceSeenFen, Expr::value(*price))
                        .filter(cart_item::Column::AccountId.eq(me))
                        .filter(cart_item::Column::SkuId.eq(*sku))
                        .exec(&self.infra().db)
                        .await?;
                }
            }
            return Err(OrdersError::conflict_at(
                "price_changed",
                "部分商品价格有变动，请确认新价格后再提交",
                "some prices changed: check the new prices and confirm again",
                problems,
            ));
        }
        if !problems.is_empty() {
            let (zh, en) = if code == "sold_out" {
                ("部分商品库存不足", "some items are sold out or short")
            } else {
                ("部分商品已下架", "some items are no longer on sale")
            };
            return Err(OrdersError::conflict_at(code, zh, en, problems));
        }

        for attempt in 0..3 {
            match self
                .write_order(
                    actor,
                    &req,
                    &address,
                    note.as_deref(),
                    &priced,
                    wholesale,
                    key.as_deref(),
                    &hash,
                    from_cart,
                )
                .await
            {
                Ok(id) => {
                    self.infra().outbox.wake();
                    let record = self
                        .record(id)
                        .await?
                        .ok_or_else(|| OrdersError::Internal("the new order vanished".into()))?;
                    return Ok((record, true));
                }
                Err(OrdersError::Db(e)) => match unique_violation(&e).as_deref() {
                    Some("ux_orders_number") if attempt < 2 => continue,
                    Some("ux_orders_idempotency") => {
                        if let Some(k) = &key
                            && let Some(found) = self.by_idempotency_key(me, k, &hash).await?
                        {
                            return Ok((found, false));
                        }
                        return Err(OrdersError::Db(e));
                    }
                    _ => return Err(OrdersError::Db(e)),
                },
                Err(e) => return Err(e),
            }
        }
        Err(OrdersError::Internal("could not number the order".into()))
    }

    async fn by_idempotency_key(
        &self,
        buyer: Uuid,
        key: &str,
        hash: &str,
    ) -> Result<Option<OrderRecord>> {
        let Some(found) = order::Entity::find()
            .filter(order::Column::BuyerAccountId.eq(buyer))
            .filter(order::Column::IdempotencyKey.eq(key))
            .one(&self.infra().db)
            .await?
        else {
            return Ok(None);
        };
        if found.request_hash.as_deref() != Some(hash) {
            return Err(OrdersError::conflict(
                "idempotency_key_reused",
                "这个 Idempotency-Key 已用于另一笔不同的订单",
                "this Idempotency-Key was used for a different order",
            ));
        }
        self.record(found.id).await
    }

    #[expect(
        clippy::too_many_arguments,
        reason = "one checkout's parts, written together"
    )]
    async fn write_order(
        &self,
        actor: &Actor,
        req: &CheckoutRequest,
        address: &address::Model,
        note: Option<&str>,
        priced: &[Priced],
        wholesale: Option<OrgId>,
        key: Option<&str>,
        hash: &str,
        from_cart: bool,
    ) -> Result<Uuid> {
        let now = self.now();
        let me = actor.account_id.as_uuid();
        let number = domain::order_number(now, rand::rng().random());
        let pay_by = now
            + match req.payment_method {
                PaymentMethod::Gateway => self.config().gateway_pay_within,
                PaymentMethod::Offline => self.config().offline_pay_within,
            };
        // Sellers in a stable order, so sub-order numbers do not depend on hashing.
        let mut by_seller: BTreeMap<Uuid, Vec<&Priced>> = BTreeMap::new();
        for p in priced {
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
                domain::shipping_fee(Money::from_fen(goods), grams, wholesale.is_some()).fen();
            let commission: i64 = lines.iter().map(|p| p.commission.fen()).sum();
            goods_total += goods;
            shipping_total += shipping;
            subs.push(sub_order::ActiveModel {
                id: Set(Uuid::now_v7()),
                order_id: Set(order_id),
                number: Set(format!("{number}-{}", i + 1)),
                seller_org_id: Set(*seller),
                goods_fen: Set(goods),
                shipping_fen: Set(shipping),
                total_fen: Set(goods + shipping),
                commission_fen: Set(commission),
                status: Set(SubOrderStatus::PendingPayment.as_str().to_owned()),
                paid_at: Set(None),
                acknowledged_at: Set(None),
                shipped_at: Set(None),
                received_at: Set(None),
                created_at: Set(now),
                auto_receive_at: Set(None),
                window_closes_at: Set(None),
                refunded_fen: Set(0),
            });
        }
        let snapshot = Address {
            name: address.name.clone(),
            phone: address.phone.clone(),
            province: address.province.clone(),
            city: address.city.clone(),
            district: address.district.clone(),
            street: address.street.clone(),
        };
        let txn = begin_write(&self.infra().db).await?;
        order::ActiveModel {
            id: Set(order_id),
            number: Set(number),
            buyer_account_id: Set(me),
            buyer_org_id: Set(wholesale.map(|o| o.as_uuid())),
            wholesale: Set(wholesale.is_some()),
            address: Set(json!(snapshot)),
            goods_fen: Set(goods_total),
            shipping_fen: Set(shipping_total),
            total_fen: Set(goods_total + shipping_total),
            payment_method: Set(req.payment_method.as_str().to_owned()),
            status: Set(OrderStatus::PendingPayment.as_str().to_owned()),
            pay_by: Set(pay_by),
            paid_at: Set(None),
            idempotency_key: Set(key.map(str::to_owned)),
            request_hash: Set(Some(hash.to_owned())),
            note: Set(note.map(str::to_owned)),
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
        for p in priced {
            let sku = &p.sale.sku;
            if !self.catalog().take_stock(&txn, sku.id, p.quantity).await? {
                // Someone else bought the last ones a moment ago: nothing of this order stays.
                drop(txn);
                return Err(OrdersError::conflict_at(
                    "sold_out",
                    format!("“{}”刚刚售罄", p.sale.listing.title),
                    format!("“{}” just sold out", p.sale.listing.title),
                    FieldError::new(
                        format!("sku.{}", sku.id),
                        "sold_out",
                        format!("“{}”刚刚售罄", p.sale.listing.title),
                        format!("“{}” just sold out", p.sale.listing.title),
                    )
                    .into(),
                ));
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
                unit: Set(sku.unit.clone()),
                quantity: Set(p.quantity),
                retail_price_fen: Set(sku.price_fen),
                unit_price_fen: Set(p.unit_price.fen()),
                line_fen: Set(p.line.fen()),
                commission_bp: Set(p.sale.category.commission_bp),
                commission_fen: Set(p.commission.fen()),
                claim_window_hours: Set(p.sale.category.claim_window_hours),
                weight_grams: Set(sku.weight_grams),
            }
            .insert(&txn)
            .await?;
            if from_cart {
                cart_item::Entity::delete_by_id((me, sku.id))
                    .exec(&txn)
                    .await?;
            }
        }
        append(
            &txn,
            order_id,
            None,
            EventKind::Placed,
            Some(me),
            json!({"payment_method": req.payment_method, "pay_by": pay_by}),
            now,
        )
        .await?;
        self.infra()
            .outbox
            .enqueue_at(
                &txn,
                topics::PAYMENT_DUE,
                &json!({"order_id": order_id}),
                pay_by,
            )
            .await?;
        txn.commit().await?;
        Ok(order_id)
    }

    // -----------------------------------------------------------------------------------------
    // Reading

    /// An order with its sub-orders, lines, events and payments.
    pub async fn record(&self, id: Uuid) -> Result<Option<OrderRecord>> {
        let db = &self.infra().db;
        let Some(o) = order::Entity::find_by_id(id).one(db).await? else {
            return Ok(None);
        };
        let subs = sub_order::Entity::find()
            .filter(sub_order::Column::OrderId.eq(id))
            .order_by_asc(sub_order::Column::Number)
            .all(db)
            .await?;
        let lines = line::Entity::find()
            .filter(line::Column::OrderId.eq(id))
            .all(db)
            .await?;
        let events = event::Entity::find()
            .filter(event::Column::OrderId.eq(id))
            .order_by_asc(event::Column::At)
            .order_by_asc(event::Column::Id)
            .all(db)
            .await?;
        let payments = payment::Entity::find()
            .filter(payment::Column::OrderId.eq(id))
            .all(db)
            .await?;
        let sellers: Vec<OrgId> = subs.iter().map(|s| OrgId(s.seller_org_id)).collect();
        let seller_names = self
            .identity()
            .org_summaries(&sellers)
            .await?
            .into_iter()
            .map(|(k, v)| (k.as_uuid(), v.name))
            .collect();
        let shipments = shipment::Entity::find()
            .filter(shipment::Column::OrderId.eq(id))
            .all(db)
            .await?;
        let ship_ids: Vec<Uuid> = shipments.iter().map(|s| s.id).collect();
        let (shipment_batches, shipment_events) = if ship_ids.is_empty() {
            (Vec::new(), Vec::new())
        } else {
            (
                shipment_batch::Entity::find()
                    .filter(shipment_batch::Column::ShipmentId.is_in(ship_ids.clone()))
                    .all(db)
                    .await?,
                shipment_event::Entity::find()
                    .filter(shipment_event::Column::ShipmentId.is_in(ship_ids))
                    .order_by_asc(shipment_event::Column::At)
                    .all(db)
                    .await?,
            )
        };
        let reviews = review::Entity::find()
            .filter(review::Column::OrderId.eq(id))
            .all(db)
            .await?;
        let refunds = refund::Entity::find()
            .filter(refund::Column::OrderId.eq(id))
            .order_by_asc(refund::Column::CreatedAt)
            .all(db)
            .await?;
        Ok(Some(OrderRecord {
            order: o,
            subs,
            lines,
            events,
            payments,
            seller_names,
            shipments,
            shipment_batches,
            shipment_events,
            reviews,
            refunds,
        }))
    }

    /// Orders by id, in that order (ids no longer there are skipped).
    async fn records(&self, ids: Vec<Uuid>) -> Result<Vec<OrderRecord>> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(r) = self.record(id).await? {
                out.push(r);
            }
        }
        Ok(out)
    }

    /// An order that must exist (it was just read or written).
    pub(crate) async fn existing(&self, id: Uuid) -> Result<OrderRecord> {
        self.record(id)
            .await?
            .ok_or(OrdersError::not_found("订单", "order"))
    }

    /// An order as `actor` may see it: the buyer, a seller with a part in it, or the operator.
    pub async fn order_for(&self, actor: &Actor, id: Uuid) -> Result<OrderRecord> {
        let record = self.existing(id).await?;
        let buyer = record.order.buyer_account_id == actor.account_id.as_uuid();
        let seller = record
            .subs
            .iter()
            .any(|s| actor.membership(OrgId(s.seller_org_id)).is_some());
        if buyer || seller || is_platform_staff(actor) {
            Ok(record)
        } else {
            Err(OrdersError::not_found("订单", "order"))
        }
    }

    /// The buyer's orders, newest first.
    pub async fn my_orders(&self, actor: &Actor, page: Page) -> Result<Paged<OrderRecord>> {
        let db = &self.infra().db;
        let q = order::Entity::find()
            .filter(order::Column::BuyerAccountId.eq(actor.account_id.as_uuid()))
            .order_by_desc(order::Column::CreatedAt);
        let total = q.clone().count(db).await?;
        let ids: Vec<Uuid> = q
            .offset(page.offset())
            .limit(page.limit())
            .all(db)
            .await?
            .into_iter()
            .map(|o| o.id)
            .collect();
        Ok(Paged::new(self.records(ids).await?, total, page))
    }

    /// Every order, for the operator (and after-sales agents): by status and by order number.
    pub async fn all_orders(
        &self,
        actor: &Actor,
        status: Option<OrderStatus>,
        number: Option<&str>,
        page: Page,
    ) -> Result<Paged<OrderRecord>> {
        actor.require_platform(&[PlatformRole::Operator, PlatformRole::AfterSalesAgent])?;
        let db = &self.infra().db;
        let mut q = order::Entity::find().order_by_desc(order::Column::CreatedAt);
        if let Some(s) = status {
            q = q.filter(order::Column::Status.eq(s.as_str()));
        }
        if let Some(n) = number.map(str::trim).filter(|n| !n.is_empty()) {
            // A sub-order number is the order number and a suffix.
            let n = n.split('-').next().unwrap_or(n);
            q = q.filter(order::Column::Number.eq(n));
        }
        let total = q.clone().count(db).await?;
        let ids: Vec<Uuid> = q
            .offset(page.offset())
            .limit(page.limit())
            .all(db)
            .await?
            .into_iter()
            .map(|o| o.id)
            .collect();
        Ok(Paged::new(self.records(ids).await?, total, page))
    }

    /// A seller's sub-orders (members and the operator), newest first, by status if asked.
    pub async fn seller_sub_orders(
        &self,
        actor: &Actor,
        org: OrgId,
        status: Option<SubOrderStatus>,
        page: Page,
    ) -> Result<Paged<(sub_order::Model, OrderRecord)>> {
        actor.require_member_or_operator(org)?;
        let db = &self.infra().db;
        let mut q = sub_order::Entity::find()
            .filter(sub_order::Column::SellerOrgId.eq(org.as_uuid()))
            .filter(sub_order::Column::Status.ne(SubOrderStatus::PendingPayment.as_str()))
            .order_by_desc(sub_order::Column::CreatedAt);
        if let Some(s) = status {
            q = q.filter(sub_order::Column::Status.eq(s.as_str()));
        }
        let total = q.clone().count(db).await?;
        let subs = q.offset(page.offset()).limit(page.limit()).all(db).await?;
        let mut out = Vec::with_capacity(subs.len());
        for s in subs {
            if let Some(r) = self.record(s.order_id).await? {
                out.push((s, r));
            }
        }
        Ok(Paged::new(out, total, page))
    }

    // -----------------------------------------------------------------------------------------
    // Cancelling and expiring

    /// The buyer (or the operator) cancels an unpaid order; its stock goes back.
    pub async fn cancel(
        &self,
        actor: &Actor,
        id: Uuid,
        reason: Option<&str>,
    ) -> Result<OrderRecord> {
        let record = self.order_for(actor, id).await?;
        let buyer = record.order.buyer_account_id == actor.account_id.as_uuid();
        if !buyer && !actor.is_operator() {
            return Err(OrdersError::Forbidden);
        }
        let reason = clean_optional_text(reason, 200, true).map_err(OrdersError::field)?;
        let released = self
            .release(
                &record,
                OrderStatus::Cancelled,
                EventKind::Cancelled,
                Some(actor.account_id.as_uuid()),
                json!({"reason": reason}),
            )
            .await?;
        if !released {
            return Err(OrdersError::conflict(
                "cannot_cancel",
                "订单已付款或已关闭，不能取消；已付款的订单请申请售后",
                "the order is paid or closed and cannot be cancelled; for a paid order, file an after-sales claim",
            ));
        }
        self.existing(id).await
    }

    /// Expires an order still unpaid at its deadline (the scheduled job calls this; running
    /// it twice, or after payment, changes nothing).
    pub async fn expire_if_unpaid(&self, id: Uuid) -> Result<bool> {
        let Some(record) = self.record(id).await? else {
            return Ok(false);
        };
        if self.now() < record.order.pay_by {
            return Ok(false);
        }
        self.release(
            &record,
            OrderStatus::Expired,
            EventKind::Expired,
            None,
            json!({}),
        )
        .await
    }

    /// Closes an unpaid order and puts its stock back, once: the status changes only from
    /// `pending_payment`, in the same transaction as the stock.
    async fn release(
        &self,
        record: &OrderRecord,
        to: OrderStatus,
        kind: EventKind,
        actor: Option<Uuid>,
        data: Value,
    ) -> Result<bool> {
        let now = self.now();
        let txn = begin_write(&self.infra().db).await?;
        let done = order::Entity::update_many()
            .col_expr(order::Column::Status, Expr::value(to.as_str()))
            .filter(order::Column::Id.eq(record.order.id))
            .filter(order::Column::Status.eq(OrderStatus::PendingPayment.as_str()))
            .exec(&txn)
            .await?;
        if done.rows_affected != 1 {
            return Ok(false);
        }
        sub_order::Entity::update_many()
            .col_expr(
                sub_order::Column::Status,
                Expr::value(SubOrderStatus::Cancelled.as_str()),
            )
            .filter(sub_order::Column::OrderId.eq(record.order.id))
            .exec(&txn)
            .await?;
        for l in &record.lines {
            self.catalog()
                .return_stock(&txn, l.sku_id, l.quantity)
                .await?;
        }
        append(&txn, record.order.id, None, kind, actor, data, now).await?;
        txn.commit().await?;
        self.infra().outbox.wake();
        Ok(true)
    }

    // -----------------------------------------------------------------------------------------
    // Payment

    /// Confirms an offline payment (bank transfer, cash) with its reference: the operator for
    /// any order, or the seller of an order that is all theirs. A second confirmation of a
    /// paid order changes nothing and says so (`false`).
    pub async fn confirm_offline_payment(
        &self,
        actor: &Actor,
        id: Uuid,
        reference: &str,
    ) -> Result<(OrderRecord, bool)> {
        let record = self.order_for(actor, id).await?;
        let sole_seller = record.subs.len() == 1
            && record
                .subs
                .first()
                .is_some_and(|s| actor.require_selling_member(OrgId(s.seller_org_id)).is_ok());
        if !actor.is_operator() && !sole_seller {
            return Err(OrdersError::Forbidden);
        }
        if !actor.is_operator() && record.order.payment_method != PaymentMethod::Offline.as_str() {
            return Err(OrdersError::conflict(
                "not_offline",
                "这笔订单选择在线支付，由支付平台确认",
                "this order is paid online and confirmed by the payment gateway",
            ));
        }
        let reference = farmgate_kernel::text::clean_text(reference, 2, 80, false)
            .map_err(|e| OrdersError::field(e.at("reference")))?;
        let paid = self
            .mark_paid(
                &record,
                PaymentMethod::Offline,
                &reference,
                Some(actor.account_id.as_uuid()),
            )
            .await?;
        let record = self.existing(id).await?;
        Ok((record, paid))
    }

    /// Records a payment of the whole order and moves it to `paid`, once.
    pub async fn mark_paid(
        &self,
        record: &OrderRecord,
        provider: PaymentMethod,
        reference: &str,
        actor: Option<Uuid>,
    ) -> Result<bool> {
        let status = OrderStatus::parse(&record.order.status);
        match status {
            Some(OrderStatus::Paid) => return Ok(false),
            Some(OrderStatus::PendingPayment) => {}
            _ => {
                return Err(OrdersError::conflict(
                    "order_closed",
                    "订单已取消或已超时关闭，不能再付款",
                    "the order was cancelled or expired and can no longer be paid",
                ));
            }
        }
        let now = self.now();
        let txn = begin_write(&self.infra().db).await?;
        let done = order::Entity::update_many()
            .col_expr(
                order::Column::Status,
                Expr::value(OrderStatus::Paid.as_str()),
            )
            .col_expr(order::Column::PaidAt, Expr::value(now))
            .filter(order::Column::Id.eq(record.order.id))
            .filter(order::Column::Status.eq(OrderStatus::PendingPayment.as_str()))
            .exec(&txn)
            .await?;
        if done.rows_affected != 1 {
            // Paid, cancelled or expired a moment ago by another request.
            drop(txn);
            let now_status = self
                .record(record.order.id)
                .await?
                .map(|r| r.order.status)
                .unwrap_or_default();
            if now_status == OrderStatus::Paid.as_str() {
                return Ok(false);
            }
            return Err(OrdersError::conflict(
                "order_closed",
                "订单已取消或已超时关闭，不能再付款",
                "the order was cancelled or expired and can no longer be paid",
            ));
        }
        sub_order::Entity::update_many()
            .col_expr(
                sub_order::Column::Status,
                Expr::value(SubOrderStatus::Paid.as_str()),
            )
            .col_expr(sub_order::Column::PaidAt, Expr::value(now))
            .filter(sub_order::Column::OrderId.eq(record.order.id))
            .exec(&txn)
            .await?;
        // The buyer's payment in progress is settled by this one (an offline order's
        // instructions, or the gateway intent the notification named).
        intent::Entity::update_many()
            .col_expr(intent::Column::Status, Expr::value("succeeded"))
            .col_expr(intent::Column::CompletedAt, Expr::value(now))
            .filter(intent::Column::OrderId.eq(record.order.id))
            .filter(intent::Column::Provider.eq(self.provider(provider).name()))
            .filter(intent::Column::Status.eq("pending"))
            .exec(&txn)
            .await?;
        payment::ActiveModel {
            id: Set(Uuid::now_v7()),
            order_id: Set(record.order.id),
            provider: Set(provider.as_str().to_owned()),
            amount_fen: Set(record.order.total_fen),
            status: Set("succeeded".to_owned()),
            reference: Set(Some(reference.to_owned())),
            confirmed_by: Set(actor),
            created_at: Set(now),
            settled_at: Set(Some(now)),
        }
        .insert(&txn)
        .await?;
        let mut sold: BTreeMap<Uuid, i64> = BTreeMap::new();
        for l in &record.lines {
            *sold.entry(l.listing_id).or_default() += l.quantity;
        }
        for (listing, quantity) in sold {
            self.catalog().add_sales(&txn, listing, quantity).await?;
        }
        append(
            &txn,
            record.order.id,
            None,
            EventKind::Paid,
            actor,
            json!({"provider": provider, "reference": reference, "amount_fen": record.order.total_fen}),
            now,
        )
        .await?;
        self.infra()
            .outbox
            .enqueue(&txn, topics::PAID, &json!({"order_id": record.order.id}))
            .await?;
        txn.commit().await?;
        self.infra().outbox.wake();
        Ok(true)
    }

    // -----------------------------------------------------------------------------------------
    // The seller's console

    /// The seller has seen a paid sub-order; the time it took is recorded.
    pub async fn acknowledge(&self, actor: &Actor, sub_id: Uuid) -> Result<OrderRecord> {
        let db = &self.infra().db;
        let sub = self.sub_of_seller(actor, sub_id).await?;
        let status = SubOrderStatus::parse(&sub.status);
        if status != Some(SubOrderStatus::Paid) {
            if status == Some(SubOrderStatus::Acknowledged) {
                return self.existing(sub.order_id).await;
            }
            return Err(OrdersError::conflict(
                "cannot_acknowledge",
                "只有已付款、待处理的订单可以确认接单",
                "only a paid sub-order waiting for the seller can be acknowledged",
            ));
        }
        let now = self.now();
        let waited = sub
            .paid_at
            .map(|p| std::cmp::max((now - p).num_seconds(), 0))
            .unwrap_or(0);
        let txn = begin_write(db).await?;
        let done = sub_order::Entity::update_many()
            .col_expr(
                sub_order::Column::Status,
                Expr::value(SubOrderStatus::Acknowledged.as_str()),
            )
            .col_expr(sub_order::Column::AcknowledgedAt, Expr::value(now))
            .filter(sub_order::Column::Id.eq(sub.id))
            .filter(sub_order::Column::Status.eq(SubOrderStatus::Paid.as_str()))
            .exec(&txn)
            .await?;
        if done.rows_affected == 1 {
            append(
                &txn,
                sub.order_id,
                Some(sub.id),
                EventKind::Acknowledged,
                Some(actor.account_id.as_uuid()),
                json!({"seconds_since_paid": waited}),
                now,
            )
            .await?;
        }
        txn.commit().await?;
        self.existing(sub.order_id).await
    }
}

async fn clear_default(conn: &impl ConnectionTrait, account: Uuid) -> Result<()> {
    address::Entity::update_many()
        .col_expr(address::Column::IsDefault, Expr::value(false))
        .filter(address::Column::AccountId.eq(account))
        .exec(conn)
        .await?;
    Ok(())
}

/// The operator and after-sales agents see every order whole.
pub fn is_platform_staff(actor: &Actor) -> bool {
    actor
        .require_platform(&[PlatformRole::Operator, PlatformRole::AfterSalesAgent])
        .is_ok()
}

/// Appends to an order's event log.
pub(crate) async fn append(
    conn: &impl ConnectionTrait,
    order_id: Uuid,
    sub_order_id: Option<Uuid>,
    kind: EventKind,
    actor: Option<Uuid>,
    data: Value,
    at: DateTime<Utc>,
) -> Result<()> {
    event::ActiveModel {
        id: Set(Uuid::now_v7()),
        order_id: Set(order_id),
        sub_order_id: Set(sub_order_id),
        kind: Set(kind.as_str().to_owned()),
        actor_id: Set(actor),
        data: Set(data),
        at: Set(at),
    }
    .insert(conn)
    .await?;
    Ok(())
}
