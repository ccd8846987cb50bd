//! What notifications (`farmgate-notify`) read of the catalogue, and why: a
//! `catalog.listing.approved` / `catalog.listing.rejected` event names a listing and the
//! revision decided; the seller's members are told which listing, whether it was a new listing
//! or a change, and the operator's reason for a rejection. Nothing here writes.

use crate::domain::{RevisionId, RevisionKind, RevisionStatus};
use crate::store::queries::{listings, revisions};
use farmgate_kernel::id::{ListingId, OrgId};
use sea_orm::{ConnectionTrait, DbErr};

/// A decided revision as its notification names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReviewDecision {
    pub listing: ListingId,
    pub seller: OrgId,
    /// The title the revision proposed (what the seller submitted).
    pub title: String,
    /// A new listing (`true`) or a change to a live one.
    pub new_listing: bool,
    pub approved: bool,
    /// The operator's reason, for a rejection.
    pub reason: Option<String>,
}

/// The revision's decision; `None` when there is no such revision or listing, or the
/// revision is still pending.
pub async fn decision(
    conn: &impl ConnectionTrait,
    revision: RevisionId,
) -> Result<Option<ReviewDecision>, DbErr> {
    let Some(rev) = revisions::by_id(conn, revision).await? else {
        return Ok(None);
    };
    if rev.status == RevisionStatus::Pending {
        return Ok(None);
    }
    let Some(listing) = listings::by_id(conn, ListingId(rev.listing_id)).await? else {
        return Ok(None);
    };
    Ok(Some(ReviewDecision {
        listing: ListingId(listing.id),
        seller: OrgId(listing.seller_org_id),
        title: rev.title,
        new_listing: rev.kind == RevisionKind::New,
        approved: rev.status == RevisionStatus::Approved,
        reason: rev.reason,
    }))
}
