//! The demo's claims, through after-sales' own use cases: one waiting for its seller (the
//! community supermarket received its wholesale parcel with two crushed boxes), so the seller's
//! claim inbox has work; and one the operator decided with the liability split between the
//! carrier and the platform, so the recourse and settlement pages have money to show.

use anyhow::Context;
use farmgate_aftersales::Aftersales;
use farmgate_aftersales::domain::{ClaimKind, Party, Share};
use farmgate_aftersales::service::{Decision, Escalation, FileClaim, LineQuantity, SellerAnswer};
use farmgate_identity::Actor;
use farmgate_kernel::id::{OrderLineId, SubOrderId};
use farmgate_orders::domain::SubOrderStatus;

/// A demo claim waiting for its seller: the supermarket received its wholesale parcel with two
/// crushed boxes. Seeded with the demo orders, so the seller's claim inbox has work.
pub(super) async fn seed(aftersales: &Aftersales, shop: &Actor) -> anyhow::Result<()> {
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
    orders
        .receive(shop, farmgate_kernel::id::SubOrderId(sub.id))
        .await?;
    let photo = super::listings::draw(super::listings::Shape::Round, [230, 140, 40], 77);
    let evidence = aftersales.upload_evidence(shop, photo.into()).await?;
    aftersales
        .file(
            shop,
            farmgate_kernel::id::SubOrderId(sub.id),
            &FileClaim {
                kind: ClaimKind::DamagedInTransit,
                description:
                    "到货时两箱外箱被压塌，箱内脐橙多个破裂渗汁，已拍照留存（含快递面单）。"
                        .to_owned(),
                lines: vec![LineQuantity {
                    line_id: farmgate_kernel::id::OrderLineId(line.id),
                    quantity: 2,
                }],
                photos: vec![evidence.id],
                contact_phone: None,
                waybill_photo: None,
            },
        )
        .await
        .context("filing the demo claim")?;
    Ok(())
}

/// A decided claim with the liability split, so the money pages have something to show: 王芳
/// receives the other parcel of her first order and claims one crushed box of it, the seller rejects it, she escalates, and
/// the operator refunds the box with 60 % on the carrier (a recourse to collect) and 40 % on
/// the platform (its expense: the seller's payable keeps it).
pub(super) async fn seed_decided(
    aftersales: &Aftersales,
    buyer: &Actor,
    operator: &Actor,
    sellers: &[super::Seller],
) -> anyhow::Result<()> {
    let orders = aftersales.orders();
    let page = farmgate_kernel::Page {
        limit: None,
        offset: None,
    };
    let mine = orders.my_orders(buyer, page).await?;
    let found = mine.items.iter().find_map(|record| {
        let sub = record
            .subs
            .iter()
            .find(|s| s.status == SubOrderStatus::Shipped)?;
        let line = record.lines.iter().find(|l| l.sub_order_id == sub.id)?;
        Some((sub.clone(), line.clone()))
    });
    let Some((sub, line)) = found else {
        return Ok(());
    };
    let Some(seller) = sellers
        .iter()
        .find(|(_, _, org, _)| org.as_uuid() == sub.seller_org_id)
        .map(|(_, account, org, kind)| super::seller_actor(*account, *org, *kind))
    else {
        return Ok(());
    };
    // Her other parcel (the received one is left whole for the claim stories), received now.
    orders.receive(buyer, SubOrderId(sub.id)).await?;
    let photo = super::listings::draw(super::listings::Shape::Round, [200, 60, 40], 78);
    let evidence = aftersales.upload_evidence(buyer, photo.into()).await?;
    let claim = aftersales
        .file(
            buyer,
            SubOrderId(sub.id),
            &FileClaim {
                kind: ClaimKind::DamagedInTransit,
                description: "一箱外箱一角被压破，里面几个果子压伤，快递员说是中转时挤压的。"
                    .to_owned(),
                lines: vec![LineQuantity {
                    line_id: OrderLineId(line.id),
                    quantity: 1,
                }],
                photos: vec![evidence.id],
                contact_phone: None,
                waybill_photo: None,
            },
        )
        .await
        .context("filing the demo's decided claim")?;
    let id = claim.id();
    aftersales
        .respond(
            &seller,
            id,
            &SellerAnswer::Reject {
                reason: "发货时包装完好，有出库照片，损坏应是运输途中造成。".to_owned(),
            },
        )
        .await?;
    aftersales
        .escalate(
            buyer,
            id,
            &Escalation {
                reason: "东西确实坏了，请平台判一下。".to_owned(),
            },
        )
        .await?;
    aftersales
        .decide(
            operator,
            id,
            &Decision {
                amount: line.unit_price_fen,
                liability: vec![
                    Share {
                        party: Party::Carrier,
                        percent: 60,
                    },
                    Share {
                        party: Party::Platform,
                        percent: 40,
                    },
                ],
                note: "外箱受压属运输责任，向承运商追偿六成；其余责任不清，由平台承担（分不清责任的以我为主）。"
                    .to_owned(),
            },
        )
        .await
        .context("deciding the demo's claim")?;
    Ok(())
}
