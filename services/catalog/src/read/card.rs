//! A listing as other rooms show it beside their own records.
//!
//! Who: traceability (`farmgate-trace`: recording a batch of a listing, the batch record, the
//! public scan page, its EPCIS document and the seller's batch views) and after-sales
//! (`farmgate-aftersales`: the listing title in a recall report), and orders (a buyer's
//! favourites: title, photo, whether it is still on sale). Why: they name the listing a
//! batch or recall belongs to, take its origin into a batch's certificate, show its first
//! photo and link to it while it is on sale; they never need its SKUs, revisions or category
//! path, so they get this card rather than the catalogue's entities.

use crate::Catalog;
use crate::domain::Availability;
use crate::error::Result;
use crate::service::origin_of;
use farmgate_kernel::Region;
use farmgate_kernel::id::{ListingId, OrgId};

/// What another room may know of a listing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListingCard {
    pub id: ListingId,
    pub title: String,
    /// The organisation that sells it.
    pub seller_org_id: OrgId,
    /// Where its produce comes from (as the operator approved it).
    pub origin: Region,
    /// The storage key of its first photo's display size (served under `/media/`), if it has one.
    pub first_image_key: Option<String>,
    /// The first GTIN among its SKUs in display order, if any carries one.
    pub gtin: Option<String>,
    /// Whether buyers can see it and whether it can be bought now.
    pub availability: Availability,
}

impl Catalog {
    /// The card of a listing; `None` when there is no such listing.
    pub async fn listing_card(&self, id: ListingId) -> Result<Option<ListingCard>> {
        let Some(b) = self.bundle(id).await? else {
            return Ok(None);
        };
        Ok(Some(ListingCard {
            id: b.id(),
            seller_org_id: b.seller_id(),
            availability: b.availability(),
            origin: origin_of(&b.listing),
            first_image_key: b.images.first().map(|i| i.display_key.clone()),
            gtin: b.skus.iter().find_map(|s| s.gtin.clone()),
            title: b.listing.title,
        }))
    }
}
