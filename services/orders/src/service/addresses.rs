//! Saved delivery addresses. Orders copy the address at checkout; editing or deleting one
//! never changes an order.

use crate::Orders;
use crate::domain::{Address, AddressInput, MAX_ADDRESSES};
use crate::error::{Missing, OrdersError, Result};
use crate::store::address;
use crate::store::queries::addresses as q;
use farmgate_identity::Actor;
use farmgate_infra::db::begin_write;
use farmgate_kernel::id::AddressId;
use farmgate_kernel::{FieldError, ValidationErrors};
use sea_orm::{ActiveModelTrait, Set};
use uuid::Uuid;

impl Orders {
    /// The caller's saved addresses, the default first.
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id))]
    pub async fn addresses(&self, actor: &Actor) -> Result<Vec<address::Model>> {
        Ok(q::of_account(&self.infra().db, actor.account_id.as_uuid()).await?)
    }

    /// One of the caller's addresses (someone else's, or a deleted one, does not exist).
    pub(crate) async fn own_address(&self, actor: &Actor, id: AddressId) -> Result<address::Model> {
        q::by_id(&self.infra().db, id.0)
            .await?
            .filter(|a| a.account_id == actor.account_id.as_uuid() && !a.deleted)
            .ok_or(OrdersError::NotFound(Missing::Address))
    }

    /// One of the caller's addresses for a request's `address_id`, checked beside the other
    /// fields: someone else's or a deleted one is remembered in `errs` as `not_found` (`None`).
    pub(crate) async fn address_field(
        &self,
        actor: &Actor,
        id: AddressId,
        errs: &mut ValidationErrors,
    ) -> Result<Option<address::Model>> {
        match self.own_address(actor, id).await {
            Ok(a) => Ok(Some(a)),
            Err(OrdersError::NotFound(_)) => {
                errs.push(FieldError::new(
                    "address_id",
                    "not_found",
                    "请选择一个收货地址",
                    "choose a delivery address",
                ));
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    /// Saves a new address (the first one, or one marked default, becomes the default).
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id))]
    pub async fn add_address(&self, actor: &Actor, input: &AddressInput) -> Result<address::Model> {
        let a = Address::parse(input)?;
        let me = actor.account_id.as_uuid();
        let existing = self.addresses(actor).await?;
        if existing.len() >= MAX_ADDRESSES {
            return Err(OrdersError::TooManyAddresses);
        }
        let default = input.is_default || existing.is_empty();
        let now = self.now();
        let txn = begin_write(&self.infra().db).await?;
        if default {
            q::clear_default(&txn, me).await?;
        }
        let saved = address::ActiveModel {
            id: Set(Uuid::now_v7()),
            account_id: Set(me),
            name: Set(a.name),
            phone: Set(a.phone),
            province: Set(a.province),
            city: Set(a.city),
            district: Set(a.district),
            street: Set(a.street),
            is_default: Set(default),
            deleted: Set(false),
            created_at: Set(now),
            updated_at: Set(now),
        }
        .insert(&txn)
        .await?;
        txn.commit().await?;
        Ok(saved)
    }

    /// Replaces an address's fields (orders already placed keep their copy).
    #[tracing::instrument(skip_all, fields(address.id = %id))]
    pub async fn update_address(
        &self,
        actor: &Actor,
        id: AddressId,
        input: &AddressInput,
    ) -> Result<address::Model> {
        let current = self.own_address(actor, id).await?;
        let a = Address::parse(input)?;
        let txn = begin_write(&self.infra().db).await?;
        if input.is_default {
            q::clear_default(&txn, current.account_id).await?;
        }
        let mut m: address::ActiveModel = current.clone().into();
        m.name = Set(a.name);
        m.phone = Set(a.phone);
        m.province = Set(a.province);
        m.city = Set(a.city);
        m.district = Set(a.district);
        m.street = Set(a.street);
        m.is_default = Set(input.is_default || current.is_default);
        m.updated_at = Set(self.now());
        let saved = m.update(&txn).await?;
        txn.commit().await?;
        Ok(saved)
    }

    /// Forgets an address for future checkouts.
    #[tracing::instrument(skip_all, fields(address.id = %id))]
    pub async fn delete_address(&self, actor: &Actor, id: AddressId) -> Result<()> {
        let current = self.own_address(actor, id).await?;
        let mut m: address::ActiveModel = current.into();
        m.deleted = Set(true);
        m.is_default = Set(false);
        m.updated_at = Set(self.now());
        m.update(&self.infra().db).await?;
        Ok(())
    }
}
