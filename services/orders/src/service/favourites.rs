//! Favourites (收藏): a buyer hearts a listing and finds it again under 我的. A listing that is
//! later withdrawn or removed stays in the list, marked unavailable, until the buyer takes it
//! out; nobody sees another account's favourites.

use crate::Orders;
use crate::error::{Missing, OrdersError, Result};
use crate::store::favourite;
use crate::store::queries::favourites as q;
use farmgate_catalog::domain::Availability;
use farmgate_catalog::read::ListingCard;
use farmgate_identity::Actor;
use farmgate_kernel::id::ListingId;
use farmgate_kernel::{FieldError, Page, Paged};

/// How many listings one account may heart.
pub const MAX_FAVOURITES: u64 = 500;

/// A favourite as it stands now: the row, and the listing's card when the listing still exists.
#[derive(Clone, Debug)]
pub struct Favourite {
    pub row: favourite::Model,
    pub card: Option<ListingCard>,
}

impl Favourite {
    /// Whether buyers can still see (and perhaps buy) it.
    pub fn available(&self) -> bool {
        self.card
            .as_ref()
            .is_some_and(|c| c.availability != Availability::Hidden)
    }
}

impl Orders {
    /// Hearts a listing buyers can see; hearting it again changes nothing. `true` when added.
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id, listing.id = %listing))]
    pub async fn add_favourite(&self, actor: &Actor, listing: ListingId) -> Result<bool> {
        let me = actor.account_id.as_uuid();
        let card = self
            .catalog()
            .listing_card(listing)
            .await?
            .filter(|c| c.availability != Availability::Hidden)
            .ok_or(OrdersError::NotFound(Missing::Listing))?;
        let db = &self.infra().db;
        if q::one(db, me, listing.as_uuid()).await?.is_some() {
            return Ok(false);
        }
        if q::count(db, me).await? >= MAX_FAVOURITES {
            return Err(OrdersError::field(FieldError::new(
                "listing_id",
                "too_many",
                format!("最多收藏 {MAX_FAVOURITES} 件商品，请先移除一些"),
                format!("at most {MAX_FAVOURITES} favourites: remove some first"),
            )));
        }
        Ok(q::add(
            db,
            favourite::Model {
                account_id: me,
                listing_id: listing.as_uuid(),
                title: card.title.chars().take(200).collect(),
                created_at: self.now(),
            },
        )
        .await?)
    }

    /// Takes a listing out of the favourites (one not there is already out).
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id, listing.id = %listing))]
    pub async fn remove_favourite(&self, actor: &Actor, listing: ListingId) -> Result<()> {
        q::remove(
            &self.infra().db,
            actor.account_id.as_uuid(),
            listing.as_uuid(),
        )
        .await?;
        Ok(())
    }

    /// Whether the caller hearted this listing.
    pub async fn is_favourite(&self, actor: &Actor, listing: ListingId) -> Result<bool> {
        Ok(q::one(
            &self.infra().db,
            actor.account_id.as_uuid(),
            listing.as_uuid(),
        )
        .await?
        .is_some())
    }

    /// The caller's favourites, newest first, each with its listing as it stands now.
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id))]
    pub async fn favourites(&self, actor: &Actor, page: Page) -> Result<Paged<Favourite>> {
        let (rows, total) = q::page_of(
            &self.infra().db,
            actor.account_id.as_uuid(),
            page.offset(),
            page.limit(),
        )
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let card = self
                .catalog()
                .listing_card(ListingId(row.listing_id))
                .await?;
            out.push(Favourite { row, card });
        }
        Ok(Paged::new(out, total, page))
    }
}
