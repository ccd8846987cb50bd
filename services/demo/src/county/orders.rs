//! Demo orders, through the orders service's own use cases: a consumer's two-seller order paid
//! through the sandbox gateway, shipped from traced batches, received and reviewed; an offline
//! order the seller has acknowledged and still has to ship; an order waiting for payment; and a
//! community supermarket's wholesale order on its way. Seeded once, when there are no orders.

use super::people::Seller;
use anyhow::Context;
use chrono::{DateTime, Utc};
use farmgate_catalog::read::demo as catalog_read;
use farmgate_identity::Actor;
use farmgate_kernel::id::{AddressId, BatchId, ListingId, OrderId, OrderLineId, SkuId, SubOrderId};
use farmgate_orders::domain::{AddressInput, OfflineChannel, PaymentMethod, SubOrderStatus};
use farmgate_orders::payment::Outcome;
use farmgate_orders::read::demo as orders_read;
use farmgate_orders::{
    BatchPick, CheckoutRequest, ItemInput, OrderRecord, Orders, ReviewRequest, ShipRequest,
};
use uuid::Uuid;

/// A demo batch a parcel can name: whose, of which listing, and when it was recorded.
struct Batch {
    id: Uuid,
    listing_id: Uuid,
    seller_org_id: Uuid,
    created_at: DateTime<Utc>,
}

/// A demo buyer: the person, and the business they buy for, if any.
pub(super) struct DemoBuyer {
    pub(super) actor: Actor,
    pub(super) address: AddressInput,
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
pub(super) fn address_for(phone: &str, name: &str) -> AddressInput {
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
pub(super) async fn seed(
    orders: &Orders,
    operator: &Actor,
    finance: &Actor,
    sellers: &[Seller],
    buyers: &[DemoBuyer],
) -> anyhow::Result<usize> {
    if orders_read::has_orders(&orders.infra().db).await? {
        return Ok(0);
    }
    let [wang, li, shop] = buyers else {
        anyhow::bail!("the demo orders need three buyers");
    };
    // SKUs of listings with traced batches, by seller, so every parcel leads to a trace page.
    let batches = demo_batches(orders, sellers).await?;
    let mut goods: Vec<(Uuid, Uuid)> = Vec::new(); // (seller org, sku)
    for b in &batches {
        if goods.iter().any(|(org, _)| *org == b.seller_org_id) {
            continue;
        }
        let sku =
            catalog_read::sku_in_stock(&orders.infra().db, ListingId(b.listing_id), 20).await?;
        if let Some(sku) = sku {
            goods.push((b.seller_org_id, sku.as_uuid()));
        }
    }
    if goods.len() < 3 {
        return Ok(0);
    }
    let seller_of = |org: Uuid| {
        sellers
            .iter()
            .find(|(_, _, o, _)| o.as_uuid() == org)
            .map(|(_, account, o, kind)| super::seller_actor(*account, *o, *kind))
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
    // Through the sandbox by name: a demo may also have a real gateway (or its simulator).
    let sandbox = farmgate_orders::service::Payer {
        provider: Some(farmgate_orders::service::SANDBOX.to_owned()),
        ..Default::default()
    };
    let intent = orders
        .pay(&wang.actor, OrderId(first.order.id), &sandbox)
        .await?;
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

    // 2. 李娜: bank transfer, confirmed by platform finance; the seller has acknowledged it.
    let (second, _) = place(
        &li.actor,
        address_ids[1],
        vec![(goods[2].1, 1)],
        PaymentMethod::Offline,
    )
    .await?;
    placed += 1;
    orders
        .confirm_offline_payment(
            finance,
            OrderId(second.order.id),
            "ABC-20261123-0018",
            OfflineChannel::BankTransfer,
        )
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
        .confirm_offline_payment(
            finance,
            OrderId(fourth.order.id),
            "ICBC-20261123-7731",
            OfflineChannel::BankTransfer,
        )
        .await?;
    let record = orders.order_for(operator, OrderId(fourth.order.id)).await?;
    ship_all(orders, &record, &batches, &seller_of, 3).await?;
    Ok(placed)
}

/// Ships every paid sub-order of an order from the batches of its listings.
async fn ship_all(
    orders: &Orders,
    record: &OrderRecord,
    batches: &[Batch],
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
                    carrier_name: None,
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

/// Every batch of the demo sellers, oldest first, read through trace's own seller view.
async fn demo_batches(orders: &Orders, sellers: &[Seller]) -> anyhow::Result<Vec<Batch>> {
    let mut batches = Vec::new();
    for (_, account, org, kind) in sellers {
        let seller = super::seller_actor(*account, *org, *kind);
        for listed in orders.trace().batches_of(&seller, *org).await? {
            let b = listed.batch;
            batches.push(Batch {
                id: b.id,
                listing_id: b.listing_id,
                seller_org_id: b.seller_org_id,
                created_at: b.created_at,
            });
        }
    }
    batches.sort_by_key(|b| (b.created_at, b.id));
    Ok(batches)
}
