//! The outbox job that erases a buyer's personal data from orders when their account is erased
//! (`identity.account.erased`), and again when an order of an erased buyer that was still on
//! its way is received (`orders.received`): see [`crate::service::erasure`].

use crate::Orders;
use crate::service::topics;
use crate::store::{order, sub_order};
use async_trait::async_trait;
use farmgate_identity::topics::ACCOUNT_ERASED;
use farmgate_infra::outbox::{BoxError, OutboxEvent, OutboxHandler};
use farmgate_kernel::id::{AccountId, SubOrderId};
use sea_orm::EntityTrait;
use serde::Deserialize;

#[derive(Deserialize)]
struct Erased {
    account_id: AccountId,
}

#[derive(Deserialize)]
struct Received {
    sub_order_id: SubOrderId,
}

/// Erases buyers' personal data from orders; see the module comment.
pub struct AccountErasedJob {
    orders: Orders,
}

impl AccountErasedJob {
    pub fn new(orders: Orders) -> Self {
        Self { orders }
    }

    /// The buyer of a received sub-order, when their account is erased.
    async fn erased_buyer_of(&self, id: SubOrderId) -> Result<Option<AccountId>, BoxError> {
        let db = &self.orders.infra().db;
        let Some(part) = sub_order::Entity::find_by_id(id.0).one(db).await? else {
            return Ok(None);
        };
        let Some(o) = order::Entity::find_by_id(part.order_id).one(db).await? else {
            return Ok(None);
        };
        let buyer = AccountId(o.buyer_account_id);
        let account = self.orders.identity().account(buyer).await?;
        Ok(account.erased_at.map(|_| buyer))
    }
}

#[async_trait]
impl OutboxHandler for AccountErasedJob {
    fn name(&self) -> &'static str {
        "orders-erase-buyer"
    }

    fn handles(&self, topic: &str) -> bool {
        topic == ACCOUNT_ERASED || topic == topics::RECEIVED
    }

    async fn handle(&self, event: &OutboxEvent) -> Result<(), BoxError> {
        let buyer = if event.topic == ACCOUNT_ERASED {
            Some(event.parse::<Erased>()?.account_id)
        } else {
            self.erased_buyer_of(event.parse::<Received>()?.sub_order_id)
                .await?
        };
        if let Some(buyer) = buyer {
            self.orders.erase_buyer(buyer).await?;
        }
        Ok(())
    }
}
