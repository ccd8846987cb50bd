//! Listing revisions: proposals of the reviewed facts and the operator's decisions.

use crate::domain::{ReviewedFacts, RevisionId, RevisionKind, RevisionStatus};
use crate::store::revision;
use chrono::{DateTime, Utc};
use farmgate_kernel::Page;
use farmgate_kernel::id::{AccountId, ListingId};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Set,
};

pub async fn by_id(
    conn: &impl ConnectionTrait,
    id: RevisionId,
) -> Result<Option<revision::Model>, DbErr> {
    revision::Entity::find_by_id(id.as_uuid()).one(conn).await
}

/// The listing's latest revision, pending or decided.
pub async fn latest_of(
    conn: &impl ConnectionTrait,
    listing: ListingId,
) -> Result<Option<revision::Model>, DbErr> {
    revision::Entity::find()
        .filter(revision::Column::ListingId.eq(listing.as_uuid()))
        .order_by_desc(revision::Column::SubmittedAt)
        .order_by_desc(revision::Column::Id)
        .one(conn)
        .await
}

/// Withdraws the listing's waiting proposal, if any.
pub async fn delete_pending(conn: &impl ConnectionTrait, listing: ListingId) -> Result<(), DbErr> {
    revision::Entity::delete_many()
        .filter(revision::Column::ListingId.eq(listing.as_uuid()))
        .filter(revision::Column::Status.eq(RevisionStatus::Pending))
        .exec(conn)
        .await?;
    Ok(())
}

/// A new waiting proposal of the listing's reviewed facts.
pub async fn insert_pending(
    conn: &impl ConnectionTrait,
    listing: ListingId,
    kind: RevisionKind,
    facts: &ReviewedFacts,
    by: AccountId,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    revision::Entity::insert(revision::ActiveModel {
        id: Set(RevisionId::new().as_uuid()),
        listing_id: Set(listing.as_uuid()),
        kind: Set(kind),
        status: Set(RevisionStatus::Pending),
        title: Set(facts.title.clone()),
        category_id: Set(facts.category_id.as_uuid()),
        province: Set(facts.origin.province.clone()),
        city: Set(facts.origin.city.clone()),
        county: Set(facts.origin.county.clone()),
        township: Set(facts.origin.township.clone()),
        village: Set(facts.origin.village.clone()),
        origin_note: Set(facts.origin_note.clone()),
        reason: Set(None),
        submitted_by: Set(by.as_uuid()),
        submitted_at: Set(at),
        decided_by: Set(None),
        decided_at: Set(None),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// One page of the revisions in a status with the total: waiting ones oldest first (a queue),
/// decided ones newest decision first (a history).
pub async fn page_in_status(
    conn: &impl ConnectionTrait,
    status: RevisionStatus,
    page: Page,
) -> Result<(Vec<revision::Model>, u64), DbErr> {
    let q = revision::Entity::find().filter(revision::Column::Status.eq(status));
    let total = q.clone().count(conn).await?;
    let q = if status == RevisionStatus::Pending {
        q.order_by_asc(revision::Column::SubmittedAt)
    } else {
        q.order_by_desc(revision::Column::DecidedAt)
    };
    let items = q
        .order_by_asc(revision::Column::Id)
        .offset(page.offset())
        .limit(page.limit())
        .all(conn)
        .await?;
    Ok((items, total))
}

/// Records the operator's decision on a revision.
pub async fn record_decision(
    conn: &impl ConnectionTrait,
    id: RevisionId,
    status: RevisionStatus,
    reason: Option<String>,
    by: AccountId,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    revision::Entity::update_many()
        .col_expr(revision::Column::Status, Expr::value(status))
        .col_expr(revision::Column::Reason, Expr::value(reason))
        .col_expr(revision::Column::DecidedBy, Expr::value(Some(by.as_uuid())))
        .col_expr(revision::Column::DecidedAt, Expr::value(Some(at)))
        .filter(revision::Column::Id.eq(id.as_uuid()))
        .exec(conn)
        .await?;
    Ok(())
}
