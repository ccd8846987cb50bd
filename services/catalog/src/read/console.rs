//! What the back-office consoles (the seller's and the operator's home, served by the server's
//! `console` module) read of the catalogue, and why:
//!
//! - [`low_stock`]: one seller's SKUs on sale (active, on an approved listing) with
//!   [`LOW_STOCK`] or fewer units left, so the seller restocks before they stop selling.
//! - [`review_queue`]: the revisions waiting for the operator's review (new listings and
//!   changes to live ones) and when the oldest was submitted.
//!
//! Nothing here writes.

use crate::domain::{ListingStatus, RevisionStatus};
use crate::store::{listing, revision, sku};
use chrono::{DateTime, Utc};
use farmgate_kernel::id::OrgId;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

/// At or below this many units a SKU on sale counts as low on stock.
pub const LOW_STOCK: i64 = 10;

/// Ids per `IN (…)` list, far below SQLite's limit of bound parameters.
const CHUNK: usize = 1_000;

/// How many of a seller's SKUs on sale have [`LOW_STOCK`] units or fewer (sold out included).
pub async fn low_stock(conn: &impl ConnectionTrait, seller: OrgId) -> Result<u64, DbErr> {
    let listings: Vec<uuid::Uuid> = listing::Entity::find()
        .select_only()
        .column(listing::Column::Id)
        .filter(listing::Column::SellerOrgId.eq(seller.as_uuid()))
        .filter(listing::Column::Status.eq(ListingStatus::Approved))
        .into_tuple()
        .all(conn)
        .await?;
    let mut n = 0;
    for ids in listings.chunks(CHUNK) {
        n += sku::Entity::find()
            .filter(sku::Column::ListingId.is_in(ids.iter().copied()))
            .filter(sku::Column::Active.eq(true))
            .filter(sku::Column::Stock.lte(LOW_STOCK))
            .count(conn)
            .await?;
    }
    Ok(n)
}

/// The review queue's length and its oldest submission.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReviewQueue {
    pub count: u64,
    pub oldest_submitted_at: Option<DateTime<Utc>>,
}

/// The revisions waiting for review.
pub async fn review_queue(conn: &impl ConnectionTrait) -> Result<ReviewQueue, DbErr> {
    let pending =
        || revision::Entity::find().filter(revision::Column::Status.eq(RevisionStatus::Pending));
    let count = pending().count(conn).await?;
    let oldest_submitted_at = pending()
        .order_by_asc(revision::Column::SubmittedAt)
        .limit(1)
        .one(conn)
        .await?
        .map(|r| r.submitted_at);
    Ok(ReviewQueue {
        count,
        oldest_submitted_at,
    })
}
