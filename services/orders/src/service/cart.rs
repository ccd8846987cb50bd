//! The cart: one per account, every line re-checked against today's price and stock when it
//! is read.

use crate::Orders;
use crate::domain::{self, MAX_LINES};
use crate::error::{Missing, OrdersError, Result};
use crate::store::cart_item;
use crate::store::queries::cart as q;
use farmgate_catalog::sale::{ForSale, Unavailable};
use farmgate_identity::Actor;
use farmgate_kernel::id::SkuId;
use sea_orm::{ActiveModelTrait, Set};

/// A cart line as it stands now.
#[derive(Clone, Debug)]
pub struct CartLine {
    pub item: cart_item::Model,
    /// The SKU as it is on sale now (absent when it no longer exists).
    pub sale: Option<ForSale>,
}

/// Why a SKU cannot be bought now, as the error that says so (its code is also the code of the
/// cart line's field error).
pub(crate) fn unavailable(title: &str, why: Unavailable) -> OrdersError {
    let title = title.to_owned();
    match why {
        Unavailable::SoldOut => OrdersError::SoldOut { title },
        Unavailable::ListingOff | Unavailable::SkuOff => OrdersError::NoLongerOnSale { title },
    }
}

impl Orders {
    /// The cart with every line as it stands now (price, stock, availability).
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id))]
    pub async fn cart(&self, actor: &Actor) -> Result<Vec<CartLine>> {
        let items = q::items_of(&self.infra().db, actor.account_id.as_uuid()).await?;
        let ids: Vec<SkuId> = items.iter().map(|i| SkuId(i.sku_id)).collect();
        let mut sales = self.catalog().for_sale(&ids).await?;
        Ok(items
            .into_iter()
            .map(|item| CartLine {
                sale: sales.remove(&SkuId(item.sku_id)),
                item,
            })
            .collect())
    }

    /// Adds `quantity` of a SKU (to what is there already).
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id, sku.id = %sku))]
    pub async fn add_to_cart(&self, actor: &Actor, sku: SkuId, quantity: i64) -> Result<()> {
        let quantity = domain::parse_quantity("quantity", quantity)?;
        let me = actor.account_id.as_uuid();
        let sale = self
            .catalog()
            .for_sale(&[sku])
            .await?
            .remove(&sku)
            .ok_or(OrdersError::NotFound(Missing::Sku))?;
        if let Some(why) = sale.unavailable {
            return Err(unavailable(&sale.listing.title, why));
        }
        let db = &self.infra().db;
        let now = self.now();
        match q::item(db, me, sku.0).await? {
            Some(item) => {
                let total = domain::parse_quantity("quantity", item.quantity + quantity)?;
                let mut m: cart_item::ActiveModel = item.into();
                m.quantity = Set(total);
                m.price_seen_fen = Set(sale.sku.price_fen);
                m.updated_at = Set(now);
                m.update(db).await?;
            }
            None => {
                if q::count_items(db, me).await? >= MAX_LINES as u64 {
                    return Err(OrdersError::CartFull);
                }
                cart_item::ActiveModel {
                    account_id: Set(me),
                    sku_id: Set(sku.0),
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
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id, sku.id = %sku))]
    pub async fn set_cart_quantity(&self, actor: &Actor, sku: SkuId, quantity: i64) -> Result<()> {
        let quantity = domain::parse_quantity("quantity", quantity)?;
        let db = &self.infra().db;
        let item = q::item(db, actor.account_id.as_uuid(), sku.0)
            .await?
            .ok_or(OrdersError::NotFound(Missing::CartItem))?;
        let mut m: cart_item::ActiveModel = item.into();
        m.quantity = Set(quantity);
        m.updated_at = Set(self.now());
        m.update(db).await?;
        Ok(())
    }

    /// Takes a line out of the cart (one not there is already gone).
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id, sku.id = %sku))]
    pub async fn remove_from_cart(&self, actor: &Actor, sku: SkuId) -> Result<()> {
        q::remove(&self.infra().db, actor.account_id.as_uuid(), sku.0).await?;
        Ok(())
    }
}
