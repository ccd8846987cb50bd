//! Demo orders, through the orders service's own use cases: a consumer's two-seller order paid
//! through the sandbox gateway, shipped from traced batches, received and reviewed; an offline
//! order the seller has acknowledged and still has to ship; an order waiting for payment; and a
//! community supermarket's wholesale order on its way. Seeded once, when there are no orders.

use anyhow::Context;
use farmgate_aftersales::Aftersales;
use farmgate_aftersales::domain::ClaimKind;
use farmgate_aftersales::service::{FileClaim, LineQuantity};
use farmgate_identity::{Actor, OrgKind};
use farmgate_kernel::id::{
    AccountId, AddressId, BatchId, OrderId, OrderLineId, OrgId, SkuId, SubOrderId,
};
use farmgate_orders::domain::{AddressInput, PaymentMethod, SubOrderStatus};
use farmgate_orders::payment::Outcome;
use farmgate_orders::store::order;
use farmgate_orders::{
    BatchPick, CheckoutRequest, ItemInput, OrderRecord, Orders, ReviewRequest, ShipRequest,
};
use farmgate_trace::store::batch;
use sea_orm::{EntityTrait, QueryOrder};
use uuid::Uuid;

/// A demo buyer: the person, and the business they buy for, if any.
pub struct DemoBuyer {
    pub actor: Actor,
    pub address: AddressInput,
}

fn address(name: &str, phone: &str, city: &str, district: &str, street: &str) -> AddressInput {
    AddressInput {
        name: name.to_owned(),
        phone: phone.to_owned(),
        province: "江西省".to_owned(),
        city: city.to_owned(),
        district: district.to_owned(),
        street: street.to_owned(),
        is_default: true,
    }
}

/// The demo buyers' delivery addresses, by phone.
pub fn address_for(phone: &str, name: &str) -> AddressInput {
    match phone {
        "13600000001" => address(
            name,
            phone,
            "南昌市",
            "红谷滩区",
            "丰和中大道 1188 号 6 栋 1202 室",
        ),
        "13600000002" => address(
            name,
            phone,
            "赣州市",
            "章贡区",
            "红旗大道 18 号 3 栋 502 室",
        ),
        _ => address(
            name,
            phone,
            "赣州市",
            "青石县",
            "城东新区惠民路 66 号 惠民社区超市",
        ),
    }
}

/// Seeds the demo orders when there are none; returns how many it placed.
pub async fn seed(
    orders: &Orders,
    operator: &Actor,
    sellers: &[(&str, AccountId, OrgId, OrgKind)],
    buyers: &[DemoBuyer],
) -> anyhow::Result<usize> {
    let db = &orders.infra().db;
    if order::Entity::find().one(db).await?.is_some() {
        return Ok(0);
    }
    let [wang, li, shop] = buyers else {
        anyhow::bail!("the demo orders need three buyers");
    };
    // SKUs of listings with traced batches, by seller, so every parcel leads to a trace page.
    let batches = batch::Entity::find()
        .order_by_asc(batch::Column::CreatedAt)
        .all(db)
        .await?;
    let mut goods: Vec<(Uuid, Uuid)> = Vec::new(); // (seller org, sku)
    for b in &batches {
        if goods.iter().any(|(org, _)| *org == b.seller_org_id) {
            continue;
        }
        let Some(bundle) = orders.catalog().bundle(b.listing_id).await? else {
            continue;
        };
        if let Some(sku) = bundle.skus.iter().find(|s| s.stock >= 20) {
            goods.push((b.seller_org_id, sku.id));
        }
    }
    if goods.len() < 3 {
        return Ok(0);
    }
    let seller_of = |org: Uuid| {
        sellers
            .iter()
            .find(|(_, _, o, _)| o.as_uuid() == org)
            .map(|(_, account, o, kind)| crate::demo_listings::seller_actor(*account, *o, *kind))
    };
    let mut placed = 0;
    let mut address_ids = Vec::new();
    for b in buyers {
        let a = orders
            .add_address(&b.actor, &b.address)
            .await
            .context("demo address")?;
        address_ids.push(AddressId(a.id));
    }
    let place =
        |buyer: &Actor, address: AddressId, items: Vec<(Uuid, i64)>, method: PaymentMethod| {
            let req = CheckoutRequest {
                address_id: address,
                items: Some(
                    items
                        .into_iter()
                        .map(|(sku_id, quantity)| ItemInput {
                            sku_id: SkuId(sku_id),
                            quantity,
                            price_seen: None,
                        })
                        .collect(),
                ),
                payment_method: method,
                note: None,
            };
            let buyer = buyer.clone();
            async move { orders.checkout(&buyer, req, None).await }
        };

    // 1. 王芳: two sellers, paid online, both shipped from their batches, one received and
    //    reviewed.
    let (first, _) = place(
        &wang.actor,
        address_ids[0],
        vec![(goods[0].1, 2), (goods[1].1, 1)],
        PaymentMethod::Gateway,
    )
    .await?;
    placed += 1;
    let intent = orders.pay(&wang.actor, OrderId(first.order.id)).await?;
    orders
        .sandbox_complete(&wang.actor, intent.id, Outcome::Succeeded)
        .await?;
    let record = orders.order_for(operator, OrderId(first.order.id)).await?;
    ship_all(orders, &record, &batches, &seller_of, 0).await?;
    if let Some(sub) = record.subs.first() {
        orders.receive(&wang.actor, SubOrderId(sub.id)).await?;
        if let Some(line) = record.lines.iter().find(|l| l.sub_order_id == sub.id) {
            orders
                .review(
                    &wang.actor,
                    OrderLineId(line.id),
                    &ReviewRequest {
                        rating: 5,
                        text: Some("很新鲜，个头均匀，扫码能看到检测报告，放心。".to_owned()),
                        photos: Vec::new(),
                    },
                )
                .await?;
        }
    }

    // 2. 李娜: bank transfer, confirmed by the operator; the seller has acknowledged it.
    let (second, _) = place(
        &li.actor,
        address_ids[1],
        vec![(goods[2].1, 1)],
        PaymentMethod::Offline,
    )
    .await?;
    placed += 1;
    orders
        .confirm_offline_payment(operator, OrderId(second.order.id), "ABC-20261123-0018")
        .await?;
    if let (Some(sub), Some(seller)) = (
        second.subs.first(),
        second.subs.first().and_then(|s| seller_of(s.seller_org_id)),
    ) {
        orders.acknowledge(&seller, SubOrderId(sub.id)).await?;
    }

    // 3. 李娜: placed, waiting for payment.
    place(
        &li.actor,
        address_ids[1],
        vec![(goods[1].1, 1)],
        PaymentMethod::Gateway,
    )
    .await?;
    placed += 1;

    // 4. 惠民社区超市: a wholesale order at tier prices, paid by transfer, shipped.
    let (fourth, _) = place(
        &shop.actor,
        address_ids[2],
        vec![(goods[0].1, 12)],
        PaymentMethod::Offline,
    )
    .await?;
    placed += 1;
    orders
        .confirm_offline_payment(operator, OrderId(fourth.order.id), "ICBC-20261123-7731")
        .await?;
    let record = orders.order_for(operator, OrderId(fourth.order.id)).await?;
    ship_all(orders, &record, &batches, &seller_of, 3).await?;
    Ok(placed)
}

/// A demo claim waiting for its seller: the supermarket received its wholesale parcel with two
/// crushed boxes. Seeded with the demo orders, so the seller's claim inbox has work.
pub async fn seed_claim(aftersales: &Aftersales, shop: &Actor) -> anyhow::Result<()> {
    let orders = aftersales.orders();
    let mine = orders
        .my_orders(
            shop,
            farmgate_kernel::Page {
                limit: None,
                offset: None,
            },
        )
        .await?;
    let Some(record) = mine.items.first() else {
        return Ok(());
    };
    let Some(sub) = record.subs.first() else {
        return Ok(());
    };
    let Some(line) = record.lines.iter().find(|l| l.sub_order_id == sub.id) else {
        return Ok(());
    };
    orders.receive(shop, SubOrderId(sub.id)).await?;
    let photo = crate::demo_listings::draw(crate::demo_listings::Shape::Round, [230, 140, 40], 77);
    let evidence = aftersales.upload_evidence(shop, photo.into()).await?;
    aftersales
        .file(
            shop,
            sub.id,
            &FileClaim {
                kind: ClaimKind::DamagedInTransit,
                description:
                    "到货时两箱外箱被压塌，箱内脐橙多个破裂渗汁，已拍照留存（含快递面单）。"
                        .to_owned(),
                lines: vec![LineQuantity {
                    line_id: line.id,
                    quantity: 2,
                }],
                photos: vec![evidence.id],
                contact_phone: None,
            },
        )
        .await
        .context("filing the demo claim")?;
    Ok(())
}

/// Ships every paid sub-order of an order from the batches of its listings.
async fn ship_all(
    orders: &Orders,
    record: &OrderRecord,
    batches: &[batch::Model],
    seller_of: &impl Fn(Uuid) -> Option<Actor>,
    waybill_seed: usize,
) -> anyhow::Result<()> {
    const CARRIERS: [(&str, &str); 3] =
        [("顺丰速运", "SF"), ("中国邮政", "EMS"), ("京东物流", "JDV")];
    for (i, sub) in record.subs.iter().enumerate() {
        if sub.status != SubOrderStatus::Paid && sub.status != SubOrderStatus::Acknowledged {
            continue;
        }
        let Some(seller) = seller_of(sub.seller_org_id) else {
            continue;
        };
        let picks = record
            .lines
            .iter()
            .filter(|l| l.sub_order_id == sub.id)
            .filter_map(|l| {
                batches
                    .iter()
                    .find(|b| b.listing_id == l.listing_id)
                    .map(|b| BatchPick {
                        line_id: OrderLineId(l.id),
                        batch_id: BatchId(b.id),
                    })
            })
            .collect();
        let (carrier, prefix) = CARRIERS[(i + waybill_seed) % CARRIERS.len()];
        orders
            .ship(
                &seller,
                SubOrderId(sub.id),
                &ShipRequest {
                    carrier: carrier.to_owned(),
                    tracking_no: format!(
                        "{prefix}{}",
                        3_100_000_000_u64 + (i + waybill_seed) as u64 * 7_919
                    ),
                    batches: picks,
                },
            )
            .await
            .with_context(|| format!("shipping demo sub-order {}", sub.number))?;
    }
    Ok(())
}
