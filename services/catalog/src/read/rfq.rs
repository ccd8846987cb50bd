//! What orders' requests for quotation (`farmgate-orders`, `service/rfq.rs`, issue #22) read of
//! the catalogue: whether a category exists and its name, and which sellers list in it, so an
//! RFQ sent "to the whole category" reaches every seller with an approved listing there (or in
//! a sub-category). Whether a seller is verified is identity's to say; orders asks it next.

use crate::domain::ListingStatus;
use crate::store::{category, listing};
use farmgate_kernel::id::{CategoryId, OrgId};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

/// A category's names (zh, en), if it exists and is active.
pub async fn category_name(
    conn: &impl ConnectionTrait,
    id: CategoryId,
) -> Result<Option<(String, String)>, DbErr> {
    Ok(category::Entity::find_by_id(id.0)
        .one(conn)
        .await?
        .filter(|c| c.active)
        .map(|c| (c.name, c.name_en)))
}

/// The sellers with an approved listing in the category or one of its sub-categories, at most
/// `limit` of them.
pub async fn sellers_in_category(
    conn: &impl ConnectionTrait,
    id: CategoryId,
    limit: u64,
) -> Result<Vec<OrgId>, DbErr> {
    let mut cats: Vec<Uuid> = category::Entity::find()
        .filter(category::Column::ParentId.eq(id.0))
        .all(conn)
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect();
    cats.push(id.0);
    let rows: Vec<Uuid> = listing::Entity::find()
        .select_only()
        .column(listing::Column::SellerOrgId)
        .distinct()
        .filter(listing::Column::CategoryId.is_in(cats))
        .filter(listing::Column::Status.eq(ListingStatus::Approved))
        .limit(limit)
        .into_tuple()
        .all(conn)
        .await?;
    Ok(rows.into_iter().map(OrgId).collect())
}
