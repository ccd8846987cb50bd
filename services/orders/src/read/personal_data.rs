//! Orders' part of "download my data": the saved addresses, the favourites and every order the
//! person placed, as they see it themselves (lines, parcels, payments, refunds, their reviews).

use crate::Orders;
use crate::http::FavouriteView;
use crate::http::views::{AddressView, OrderView};
use async_trait::async_trait;
use farmgate_identity::Actor;
use farmgate_identity::service::{PartError, PersonalDataPart};
use farmgate_kernel::paging::all_pages;
use serde_json::{Value, json};

/// Registered with identity at start (`Identity::add_personal_data_part`).
#[derive(Clone, Debug)]
pub struct OrdersPersonalData(pub Orders);

#[async_trait]
impl PersonalDataPart for OrdersPersonalData {
    fn name(&self) -> &'static str {
        "orders"
    }

    async fn export(&self, actor: &Actor) -> Result<Value, PartError> {
        let addresses: Vec<AddressView> = self
            .0
            .addresses(actor)
            .await?
            .iter()
            .map(AddressView::of)
            .collect();
        let orders = all_pages(
            |page| self.0.my_orders(actor, page),
            |r| OrderView::of(r, actor),
        )
        .await?;
        let favourites =
            all_pages(|page| self.0.favourites(actor, page), FavouriteView::of).await?;
        Ok(json!({ "addresses": addresses, "favourites": favourites, "orders": orders }))
    }
}
