//! Catch-weight entries (issue #22): one per line, written once.

use crate::store::catch_weight;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter};
use uuid::Uuid;

pub async fn of_line(
    conn: &impl ConnectionTrait,
    line_id: Uuid,
) -> Result<Option<catch_weight::Model>, DbErr> {
    catch_weight::Entity::find_by_id(line_id).one(conn).await
}

pub async fn of_sub_order(
    conn: &impl ConnectionTrait,
    sub_order_id: Uuid,
) -> Result<Vec<catch_weight::Model>, DbErr> {
    catch_weight::Entity::find()
        .filter(catch_weight::Column::SubOrderId.eq(sub_order_id))
        .all(conn)
        .await
}

pub async fn of_order(
    conn: &impl ConnectionTrait,
    order_id: Uuid,
) -> Result<Vec<catch_weight::Model>, DbErr> {
    catch_weight::Entity::find()
        .filter(catch_weight::Column::OrderId.eq(order_id))
        .all(conn)
        .await
}

/// Inserts the entry; a second one for the line fails on the primary key.
pub async fn insert(conn: &impl ConnectionTrait, row: catch_weight::Model) -> Result<(), DbErr> {
    catch_weight::ActiveModel::from(row).insert(conn).await?;
    Ok(())
}
