//! "我的订单" by tab (全部, 待付款, 待发货, 待收货, 待评价) and how many orders each tab holds,
//! for the signed-in buyer only.

use crate::Orders;
use crate::domain::OrderTab;
use crate::error::Result;
use crate::service::OrderRecord;
use crate::store::queries::orders as q;
use farmgate_identity::Actor;
use farmgate_kernel::{Page, Paged};

impl Orders {
    /// The buyer's orders in a tab, newest first.
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id, tab = %tab))]
    pub async fn my_orders_in(
        &self,
        actor: &Actor,
        tab: OrderTab,
        page: Page,
    ) -> Result<Paged<OrderRecord>> {
        let (ids, total) = q::order_ids_of_buyer_in(
            &self.infra().db,
            actor.account_id.as_uuid(),
            tab,
            page.offset(),
            page.limit(),
        )
        .await?;
        Ok(Paged::new(self.records(ids).await?, total, page))
    }

    /// How many of the buyer's own orders each tab holds (nobody else's are ever counted).
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id))]
    pub async fn my_order_counts(&self, actor: &Actor) -> Result<Vec<(OrderTab, u64)>> {
        Ok(q::buyer_tab_counts(&self.infra().db, actor.account_id.as_uuid()).await?)
    }
}
