//! Categories: the whole tree is small and read whole.

use crate::store::category;
use farmgate_kernel::id::CategoryId;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, QueryOrder};

/// Every category, in display order (sort order, then name).
pub async fn all(conn: &impl ConnectionTrait) -> Result<Vec<category::Model>, DbErr> {
    category::Entity::find()
        .order_by_asc(category::Column::SortOrder)
        .order_by_asc(category::Column::Name)
        .all(conn)
        .await
}

pub async fn by_id(
    conn: &impl ConnectionTrait,
    id: CategoryId,
) -> Result<Option<category::Model>, DbErr> {
    category::Entity::find_by_id(id.as_uuid()).one(conn).await
}

pub async fn insert(conn: &impl ConnectionTrait, model: &category::Model) -> Result<(), DbErr> {
    category::Entity::insert(category::ActiveModel::from(model.clone()))
        .exec_without_returning(conn)
        .await?;
    Ok(())
}
