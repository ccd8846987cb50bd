//! A demo claim waiting for its seller: the community supermarket received its wholesale
//! parcel with two crushed boxes and claims them through after-sales' own use case, so the
//! seller's claim inbox has work.

use anyhow::Context;
use farmgate_aftersales::Aftersales;
use farmgate_aftersales::domain::ClaimKind;
use farmgate_aftersales::service::{FileClaim, LineQuantity};
use farmgate_identity::Actor;

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
            },
        )
        .await
        .context("filing the demo claim")?;
    Ok(())
}
