//! Listings: single rows, id lists for the seller's page and the search indexer, the row lock,
//! and the sales counter.

use crate::domain::ListingStatus;
use crate::store::listing;
use farmgate_kernel::id::{CategoryId, ListingId, OrgId};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};
use uuid::Uuid;

pub async fn by_id(
    conn: &impl ConnectionTrait,
    id: ListingId,
) -> Result<Option<listing::Model>, DbErr> {
    listing::Entity::find_by_id(id.as_uuid()).one(conn).await
}

pub async fn by_ids(
    conn: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<Vec<listing::Model>, DbErr> {
    listing::Entity::find()
        .filter(listing::Column::Id.is_in(ids.to_vec()))
        .all(conn)
        .await
}

/// A seller's listings, most recently changed first, optionally of one status; at most `limit`.
pub async fn ids_of_seller(
    conn: &impl ConnectionTrait,
    seller: OrgId,
    status: Option<ListingStatus>,
    limit: u64,
) -> Result<Vec<ListingId>, DbErr> {
    let mut q = listing::Entity::find().filter(listing::Column::SellerOrgId.eq(seller.as_uuid()));
    if let Some(s) = status {
        q = q.filter(listing::Column::Status.eq(s));
    }
    let ids: Vec<Uuid> = q
        .order_by_desc(listing::Column::UpdatedAt)
        .limit(limit)
        .select_only()
        .column(listing::Column::Id)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(ids.into_iter().map(ListingId).collect())
}

/// Every listing of a seller, in any state (the indexer, when the seller's verification
/// changes).
pub async fn all_ids_of_seller(
    conn: &impl ConnectionTrait,
    seller: OrgId,
) -> Result<Vec<ListingId>, DbErr> {
    ids_where(conn, listing::Column::SellerOrgId, seller.as_uuid()).await
}

/// Every listing filed directly under a category (not its children).
pub async fn ids_in_category(
    conn: &impl ConnectionTrait,
    category: CategoryId,
) -> Result<Vec<ListingId>, DbErr> {
    ids_where(conn, listing::Column::CategoryId, category.as_uuid()).await
}

/// Listings whose title or origin (province, city, county, township, village) contains any of
/// these words (a vocabulary change re-analyses them: both are segmented into the document).
pub async fn ids_mentioning(
    conn: &impl ConnectionTrait,
    words: &[String],
) -> Result<Vec<ListingId>, DbErr> {
    if words.is_empty() {
        return Ok(Vec::new());
    }
    let mut any = sea_orm::sea_query::Condition::any();
    for w in words {
        for column in [
            listing::Column::Title,
            listing::Column::Province,
            listing::Column::City,
            listing::Column::County,
            listing::Column::Township,
            listing::Column::Village,
        ] {
            any = any.add(column.contains(w.as_str()));
        }
    }
    let ids: Vec<Uuid> = listing::Entity::find()
        .filter(any)
        .select_only()
        .column(listing::Column::Id)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(ids.into_iter().map(ListingId).collect())
}

async fn ids_where(
    conn: &impl ConnectionTrait,
    column: listing::Column,
    value: Uuid,
) -> Result<Vec<ListingId>, DbErr> {
    let ids: Vec<Uuid> = listing::Entity::find()
        .filter(column.eq(value))
        .select_only()
        .column(listing::Column::Id)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(ids.into_iter().map(ListingId).collect())
}

/// One page of the catalogue in id order after `after`, every status: the caller keeps the
/// approved ones and pages on from the last id. The status is deliberately not in the query:
/// SQLite would then pick `ix_listings_status` and sort every approved row for each page, which
/// made a full rebuild quadratic (1,000,000 listings did not finish in 20 minutes); the
/// primary-key range reads each row once.
pub async fn page_after(
    conn: &impl ConnectionTrait,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Vec<listing::Model>, DbErr> {
    let mut q = listing::Entity::find()
        .order_by_asc(listing::Column::Id)
        .limit(limit);
    if let Some(a) = after {
        q = q.filter(listing::Column::Id.gt(a));
    }
    q.all(conn).await
}

pub async fn any_approved(conn: &impl ConnectionTrait) -> Result<bool, DbErr> {
    Ok(listing::Entity::find()
        .filter(listing::Column::Status.eq(ListingStatus::Approved))
        .one(conn)
        .await?
        .is_some())
}

/// Takes the listing's row lock for the rest of the transaction (a no-op update: PostgreSQL
/// locks the row; SQLite's write transaction already excludes other writers).
pub async fn lock(conn: &impl ConnectionTrait, id: ListingId) -> Result<(), DbErr> {
    listing::Entity::update_many()
        .col_expr(
            listing::Column::UpdatedAt,
            Expr::col(listing::Column::UpdatedAt),
        )
        .filter(listing::Column::Id.eq(id.as_uuid()))
        .exec(conn)
        .await?;
    Ok(())
}

/// Sets the sales count (never below zero).
pub async fn set_sales(
    conn: &impl ConnectionTrait,
    id: ListingId,
    sales: i64,
) -> Result<(), DbErr> {
    listing::Entity::update_many()
        .col_expr(listing::Column::Sales, Expr::value(Ord::max(sales, 0)))
        .filter(listing::Column::Id.eq(id.as_uuid()))
        .exec(conn)
        .await?;
    Ok(())
}

/// Adds to the sales count in the database (no read-modify-write).
pub async fn add_sales(
    conn: &impl ConnectionTrait,
    id: ListingId,
    quantity: i64,
) -> Result<(), DbErr> {
    listing::Entity::update_many()
        .col_expr(
            listing::Column::Sales,
            Expr::col(listing::Column::Sales).add(quantity),
        )
        .filter(listing::Column::Id.eq(id.as_uuid()))
        .exec(conn)
        .await?;
    Ok(())
}
