//! Replacements (补发): an after-sales remedy that sends some units of a received sub-order
//! again, at no charge, as a new paid sub-order of the same order and seller.

use crate::Orders;
use crate::domain::{EventKind, SubOrderStatus};
use crate::error::{Missing, OrdersError, Result};
use crate::service::append;
use crate::store::queries::orders as q;
use crate::store::{line, sub_order};
use farmgate_infra::db::begin_write;
use farmgate_kernel::FieldError;
use farmgate_kernel::id::{AccountId, OrderLineId, SkuId, SubOrderId};
use sea_orm::{ActiveModelTrait, Set};
use serde_json::json;
use uuid::Uuid;

impl Orders {
    /// A zero-price replacement (补发) of some units of a received sub-order, as an after-sales
    /// remedy: a new paid sub-order of the same order and seller, its lines copied at price 0,
    /// stock taken like any sale, shipped like any other. `key` makes it once per remedy.
    #[tracing::instrument(skip_all, fields(sub_order.id = %id))]
    pub async fn create_replacement(
        &self,
        id: SubOrderId,
        lines: &[(OrderLineId, i64)],
        key: &str,
        actor: Option<AccountId>,
    ) -> Result<sub_order::Model> {
        let db = &self.infra().db;
        let not_found = || OrdersError::NotFound(Missing::SubOrder);
        let sub = q::sub_order(db, id.0).await?.ok_or_else(not_found)?;
        let number = format!("{}-R", sub.number);
        // The remedy key is kept on the replacement's event: a retry finds what it made.
        if let Some(made) = q::replacement_made_with_key(db, sub.order_id, key).await? {
            return q::sub_order(db, made).await?.ok_or_else(not_found);
        }
        let originals = q::lines_of_sub_order(db, sub.id).await?;
        let existing = q::count_sub_orders_numbered(db, sub.order_id, &number).await?;
        let now = self.now();
        let new_id = Uuid::now_v7();
        let ship_by = now + self.ship_within_of(&sub);
        let txn = begin_write(db).await?;
        let mut replacement = crate::service::checkout::pending_sub_order(
            sub.order_id,
            format!("{number}{}", existing + 1),
            sub.seller_org_id,
            (0, 0, 0),
            sub.ship_within_hours,
            now,
        );
        replacement.id = Set(new_id);
        // Created paid: nothing to pay, ready for the seller to ship, under the promise its
        // original was sold with.
        replacement.status = Set(SubOrderStatus::Paid);
        replacement.paid_at = Set(Some(now));
        replacement.ship_by = Set(Some(ship_by));
        replacement.insert(&txn).await?;
        for (line_id, quantity) in lines {
            let Some(l) = originals.iter().find(|l| l.id == line_id.0) else {
                return Err(OrdersError::NotFound(Missing::OrderLine));
            };
            if *quantity < 1 || *quantity > l.quantity {
                return Err(OrdersError::field(FieldError::new(
                    "lines",
                    "out_of_range",
                    "补发数量超出原订单",
                    "a replacement cannot exceed what was bought",
                )));
            }
            if !self
                .catalog()
                .take_stock(&txn, SkuId(l.sku_id), *quantity)
                .await?
            {
                return Err(OrdersError::NoStockToReplace {
                    title: l.title.clone(),
                });
            }
            line::ActiveModel {
                id: Set(Uuid::now_v7()),
                order_id: Set(l.order_id),
                sub_order_id: Set(new_id),
                listing_id: Set(l.listing_id),
                sku_id: Set(l.sku_id),
                category_id: Set(l.category_id),
                title: Set(l.title.clone()),
                sku_name: Set(l.sku_name.clone()),
                unit: Set(l.unit.clone()),
                quantity: Set(*quantity),
                retail_price_fen: Set(l.retail_price_fen),
                unit_price_fen: Set(0),
                line_fen: Set(0),
                commission_bp: Set(0),
                commission_fen: Set(0),
                claim_window_hours: Set(l.claim_window_hours),
                weight_grams: Set(l.weight_grams),
                catch_nominal_grams: Set(None),
                catch_tolerance_permille: Set(None),
            }
            .insert(&txn)
            .await?;
        }
        // The same reminder and lapse as a paid part: unsent by then, it is called off and
        // after-sales refunds what it stood for (`orders.replacement_cancelled`).
        self.schedule_ship_by(&txn, new_id, now, ship_by).await?;
        append(
            &txn,
            sub.order_id,
            Some(new_id),
            EventKind::Replacement,
            actor.map(|a| a.as_uuid()),
            json!({"replaces": sub.id, "key": key,
                   "lines": lines.iter().map(|(l, q)| json!({"line_id": l, "quantity": q})).collect::<Vec<_>>()}),
            now,
        )
        .await?;
        txn.commit().await?;
        self.infra().outbox.wake();
        q::sub_order(db, new_id).await?.ok_or_else(not_found)
    }
}
