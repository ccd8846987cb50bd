//! A quote: what checkout would charge for SKUs that are not in the cart ("立即购买", buy now
//! from a listing), priced and shipped exactly like the cart, nothing written. The cart is left
//! as it is, so buying one thing at once never disturbs what the buyer collected there.

use crate::Orders;
use crate::domain::{self, MAX_LINES};
use crate::error::Result;
use crate::service::cart::CartLine;
use crate::store::cart_item;
use farmgate_identity::Actor;
use farmgate_kernel::id::SkuId;
use farmgate_kernel::{FieldError, ValidationErrors};
use serde::{Deserialize, Serialize};

/// One SKU to quote.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuoteItem {
    pub sku_id: SkuId,
    pub quantity: i64,
}

/// What to quote: 1 to 50 SKUs with their quantities.
#[derive(Clone, Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct QuoteRequest {
    pub items: Vec<QuoteItem>,
}

impl Orders {
    /// The lines as the cart would show them (price now, tier, stock, availability, photo);
    /// the same SKU twice is one line. An unknown SKU is a line that can no longer be bought,
    /// as in the cart.
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id, items = req.items.len()))]
    pub async fn quote(&self, actor: &Actor, req: &QuoteRequest) -> Result<Vec<CartLine>> {
        let mut errs = ValidationErrors::new();
        if req.items.is_empty() {
            errs.push(FieldError::new(
                "items",
                "empty",
                "请至少选择一件商品",
                "choose at least one item",
            ));
        }
        if req.items.len() > MAX_LINES {
            errs.push(FieldError::new(
                "items",
                "too_many",
                format!("一次最多购买 {MAX_LINES} 种商品"),
                format!("at most {MAX_LINES} items per order"),
            ));
        }
        let mut merged: Vec<(SkuId, i64)> = Vec::new();
        for (i, it) in req.items.iter().enumerate() {
            let Some(q) = errs.check(
                &format!("items[{i}].quantity"),
                domain::parse_quantity("quantity", it.quantity),
            ) else {
                continue;
            };
            match merged.iter_mut().find(|(s, _)| *s == it.sku_id) {
                Some(m) => m.1 = m.1.saturating_add(q),
                None => merged.push((it.sku_id, q)),
            }
        }
        for (i, (_, q)) in merged.iter().enumerate() {
            // Merged lines are checked again: two lines of 60 000 are more than one may buy.
            errs.check(
                &format!("items[{i}].quantity"),
                domain::parse_quantity("quantity", *q),
            );
        }
        errs.finish()?;
        let ids: Vec<SkuId> = merged.iter().map(|(s, _)| *s).collect();
        let mut sales = self.catalog().for_sale(&ids).await?;
        let now = self.now();
        let me = actor.account_id.as_uuid();
        Ok(merged
            .into_iter()
            .map(|(sku, quantity)| {
                let sale = sales.remove(&sku);
                CartLine {
                    item: cart_item::Model {
                        account_id: me,
                        sku_id: sku.0,
                        quantity,
                        // The price shown is today's: a quote never says a price moved.
                        price_seen_fen: sale.as_ref().map_or(0, |s| s.sku.price_fen),
                        added_at: now,
                        updated_at: now,
                    },
                    sale,
                }
            })
            .collect())
    }
}
