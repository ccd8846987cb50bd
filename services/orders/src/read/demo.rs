//! What the demo crate (`farmgate-demo`) reads of the orders' tables. The demo county places
//! its own orders once, when there are none yet; its order-history generator writes back-dated
//! orders with raw multi-row INSERTs for speed (see `farmgate_demo::history`) and needs to end
//! them before the demo's first order, salt its ids with what is already there, and never
//! reuse an order number. Nothing else should use these.

use crate::store::{order, shipment};
use chrono::{DateTime, Utc};
use sea_orm::{
    ConnectionTrait, DbBackend, DbErr, EntityTrait, PaginatorTrait, QueryOrder, QuerySelect,
    Statement, Value,
};
use std::collections::HashSet;

/// Whether any order exists.
pub async fn has_orders(conn: &impl ConnectionTrait) -> Result<bool, DbErr> {
    Ok(order::Entity::find().one(conn).await?.is_some())
}

/// When the oldest order was placed.
pub async fn first_order_at(conn: &impl ConnectionTrait) -> Result<Option<DateTime<Utc>>, DbErr> {
    order::Entity::find()
        .select_only()
        .column(order::Column::CreatedAt)
        .order_by_asc(order::Column::CreatedAt)
        .into_tuple::<DateTime<Utc>>()
        .one(conn)
        .await
}

/// How many orders there are.
pub async fn order_count(conn: &impl ConnectionTrait) -> Result<u64, DbErr> {
    order::Entity::find().count(conn).await
}

/// How many parcels have shipped.
pub async fn shipment_count(conn: &impl ConnectionTrait) -> Result<u64, DbErr> {
    shipment::Entity::find().count(conn).await
}

/// Which of these order numbers are taken already.
pub async fn taken_order_numbers(
    conn: &impl ConnectionTrait,
    numbers: &[String],
) -> Result<HashSet<String>, DbErr> {
    // Fixed-size lists (padded with the last number): one prepared statement for every call,
    // where the generator asks about thousands of numbers per transaction.
    const LIST: usize = 1_024;
    let backend = conn.get_database_backend();
    let mut sql = String::from("SELECT number FROM orders WHERE number IN (");
    for i in 0..LIST {
        if i > 0 {
            sql.push_str(", ");
        }
        match backend {
            DbBackend::Postgres => sql.push_str(&format!("${}", i + 1)),
            _ => sql.push('?'),
        }
    }
    sql.push(')');
    let mut taken: HashSet<String> = HashSet::new();
    for chunk in numbers.chunks(LIST) {
        let mut values: Vec<Value> = chunk.iter().map(|n| Value::from(n.clone())).collect();
        let last = chunk.last().cloned().unwrap_or_default();
        values.resize(LIST, Value::from(last));
        for row in conn
            .query_all_raw(Statement::from_sql_and_values(backend, sql.clone(), values))
            .await?
        {
            taken.insert(row.try_get::<String>("", "number")?);
        }
    }
    Ok(taken)
}
