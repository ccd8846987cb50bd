//! A buyer erased their account (identity publishes `identity.account.erased`; the job
//! [`crate::jobs::AccountErasedJob`] calls [`Orders::erase_buyer`]). Orders are trade records
//! the law says to keep, so they stay — amounts, lines, dates, and the province, city and
//! district of the delivery (the statistics count by city) — but who received them goes: the
//! recipient's name, phone and street, the buyer's note, the saved addresses, the cart, the
//! favourites, and the name on their reviews.
//!
//! An order still on its way (paid, not yet received) keeps its address until it is done: the
//! seller must still deliver it. Those are erased when they close, by the same call, which the
//! job repeats (idempotent) when such an order is received or cancelled later — see
//! `ErasedBuyer::left_open`.

use crate::Orders;
use crate::domain::{Address, SubOrderStatus};
use crate::error::Result;
use crate::store::{address, cart_item, favourite, order, review, sub_order};
use farmgate_infra::db::begin_write;
use farmgate_kernel::id::AccountId;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};

/// What an erased name reads as wherever it still shows (identity's wording too).
pub const ERASED_NAME: &str = "已注销用户";

/// What [`Orders::erase_buyer`] did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ErasedBuyer {
    /// Orders whose recipient was erased.
    pub orders: u64,
    /// Orders still to be delivered, whose address stays until they close.
    pub left_open: u64,
    pub addresses: u64,
    pub reviews: u64,
}

/// Whether every part of an order is done with its address (received, cancelled or closed
/// as undelivered).
fn closed(parts: &[sub_order::Model]) -> bool {
    parts.iter().all(|p| {
        matches!(
            p.status,
            SubOrderStatus::Received | SubOrderStatus::Cancelled | SubOrderStatus::Undelivered
        )
    })
}

impl Orders {
    /// Erases the personal data orders hold about buyer `account` (see the module comment).
    /// Idempotent: a second call finds nothing more to erase.
    #[tracing::instrument(skip_all, fields(account.id = %account))]
    pub async fn erase_buyer(&self, account: AccountId) -> Result<ErasedBuyer> {
        let me = account.as_uuid();
        let mut done = ErasedBuyer::default();
        let txn = begin_write(&self.infra().db).await?;
        let orders = order::Entity::find()
            .filter(order::Column::BuyerAccountId.eq(me))
            .all(&txn)
            .await?;
        for o in orders {
            let parts = sub_order::Entity::find()
                .filter(sub_order::Column::OrderId.eq(o.id))
                .all(&txn)
                .await?;
            if !closed(&parts) {
                done.left_open += 1;
                continue;
            }
            let mut addr: Address = serde_json::from_value(o.address.clone()).unwrap_or_default();
            if addr.name.is_empty() && addr.phone.is_empty() && addr.street.is_empty() {
                continue;
            }
            addr.name = String::new();
            addr.phone = String::new();
            addr.street = String::new();
            let mut m: order::ActiveModel = o.into();
            m.address = Set(serde_json::to_value(&addr)
                .map_err(|e| sea_orm::DbErr::Custom(format!("erasing an order's address: {e}")))?);
            m.note = Set(None);
            m.update(&txn).await?;
            done.orders += 1;
        }
        done.addresses = address::Entity::update_many()
            .col_expr(address::Column::Name, Expr::value(""))
            .col_expr(address::Column::Phone, Expr::value(""))
            .col_expr(address::Column::Street, Expr::value(""))
            .col_expr(address::Column::Deleted, Expr::value(true))
            .col_expr(address::Column::IsDefault, Expr::value(false))
            .filter(address::Column::AccountId.eq(me))
            .filter(address::Column::Street.ne(""))
            .exec(&txn)
            .await?
            .rows_affected;
        cart_item::Entity::delete_many()
            .filter(cart_item::Column::AccountId.eq(me))
            .exec(&txn)
            .await?;
        favourite::Entity::delete_many()
            .filter(favourite::Column::AccountId.eq(me))
            .exec(&txn)
            .await?;
        // The openid says who the person is to WeChat: it goes with the account.
        crate::store::queries::payments::delete_wechat_openids(&txn, me).await?;
        done.reviews = review::Entity::update_many()
            .col_expr(review::Column::Reviewer, Expr::value(ERASED_NAME))
            .filter(review::Column::BuyerAccountId.eq(me))
            .filter(review::Column::Reviewer.ne(ERASED_NAME))
            .exec(&txn)
            .await?
            .rows_affected;
        txn.commit().await?;
        tracing::info!(
            orders = done.orders,
            left_open = done.left_open,
            addresses = done.addresses,
            reviews = done.reviews,
            "a buyer's personal data erased from orders"
        );
        Ok(done)
    }
}
