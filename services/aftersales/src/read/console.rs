//! What the back-office consoles (the seller's and the operator's home, served by the server's
//! `console` module) read of after-sales, and why: each home counts the claims waiting for its
//! reader, the most urgent deadline first.
//!
//! - [`seller_claims`]: one seller's claims awaiting its answer, how many are past the answer
//!   deadline, and the nearest deadline (the seller's home says when the next answer is due).
//! - [`arbitration`]: the claims in platform arbitration, how many are past the operator's
//!   decision deadline, and the nearest deadline.
//!
//! Nothing here writes; no claim's contact detail is read.

use crate::domain::ClaimStatus;
use crate::store::claim;
use chrono::{DateTime, Utc};
use farmgate_kernel::id::OrgId;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

/// Claims waiting for someone, with their deadlines.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Waiting {
    pub count: u64,
    /// Past their deadline (included in `count`).
    pub overdue: u64,
    /// The nearest deadline (possibly past).
    pub next_due: Option<DateTime<Utc>>,
}

/// One seller's claims awaiting its answer at `now`.
pub async fn seller_claims(
    conn: &impl ConnectionTrait,
    seller: OrgId,
    now: DateTime<Utc>,
) -> Result<Waiting, DbErr> {
    let waiting = || {
        claim::Entity::find()
            .filter(claim::Column::SellerOrgId.eq(seller.as_uuid()))
            .filter(claim::Column::Status.eq(ClaimStatus::AwaitingSeller))
    };
    let count = waiting().count(conn).await?;
    let overdue = waiting()
        .filter(claim::Column::RespondBy.lt(now))
        .count(conn)
        .await?;
    let next_due = waiting()
        .order_by_asc(claim::Column::RespondBy)
        .limit(1)
        .one(conn)
        .await?
        .map(|c| c.respond_by);
    Ok(Waiting {
        count,
        overdue,
        next_due,
    })
}

/// The claims in platform arbitration at `now`.
pub async fn arbitration(
    conn: &impl ConnectionTrait,
    now: DateTime<Utc>,
) -> Result<Waiting, DbErr> {
    let waiting =
        || claim::Entity::find().filter(claim::Column::Status.eq(ClaimStatus::InArbitration));
    let count = waiting().count(conn).await?;
    let overdue = waiting()
        .filter(claim::Column::ArbitrateBy.lt(now))
        .count(conn)
        .await?;
    let next_due = waiting()
        .filter(claim::Column::ArbitrateBy.is_not_null())
        .order_by_asc(claim::Column::ArbitrateBy)
        .limit(1)
        .one(conn)
        .await?
        .and_then(|c| c.arbitrate_by);
    Ok(Waiting {
        count,
        overdue,
        next_due,
    })
}
