//! The county's search vocabulary and its audit trail.

use crate::domain::VocabularyKind;
use crate::store::{vocabulary, vocabulary_change};
use farmgate_infra::db::UniqueIndex;
use sea_orm::sea_query::Condition;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

/// One entry per kind and canonical text (migration 28).
pub const ENTRY: UniqueIndex = UniqueIndex {
    name: "ux_search_vocabulary_entry",
    table: "search_vocabulary",
    columns: &["kind", "entry"],
};

/// Every entry, oldest first (the order they are merged in: a later reading wins).
pub async fn all(conn: &impl ConnectionTrait) -> Result<Vec<vocabulary::Model>, DbErr> {
    vocabulary::Entity::find()
        .order_by_asc(vocabulary::Column::CreatedAt)
        .order_by_asc(vocabulary::Column::Id)
        .all(conn)
        .await
}

/// The vocabulary's version: how many changes were ever recorded and the latest one's id. It
/// moves with every add and removal (the audit trail is append-only); replicas compare it.
pub async fn version(conn: &impl ConnectionTrait) -> Result<(u64, Option<Uuid>), DbErr> {
    let changes = vocabulary_change::Entity::find().count(conn).await?;
    let latest: Option<Uuid> = vocabulary_change::Entity::find()
        .order_by_desc(vocabulary_change::Column::At)
        .order_by_desc(vocabulary_change::Column::Id)
        .select_only()
        .column(vocabulary_change::Column::Id)
        .into_tuple()
        .one(conn)
        .await?;
    Ok((changes, latest))
}

pub async fn count(conn: &impl ConnectionTrait) -> Result<u64, DbErr> {
    vocabulary::Entity::find().count(conn).await
}

pub async fn by_id(
    conn: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<vocabulary::Model>, DbErr> {
    vocabulary::Entity::find_by_id(id).one(conn).await
}

/// Word entries for this word (with or without a reading).
pub async fn words_named(
    conn: &impl ConnectionTrait,
    word: &str,
) -> Result<Vec<vocabulary::Model>, DbErr> {
    vocabulary::Entity::find()
        .filter(vocabulary::Column::Kind.eq(VocabularyKind::Word))
        .filter(
            Condition::any()
                .add(vocabulary::Column::Entry.eq(word))
                .add(vocabulary::Column::Entry.starts_with(format!("{word} "))),
        )
        .all(conn)
        .await
}

pub async fn insert(conn: &impl ConnectionTrait, m: &vocabulary::Model) -> Result<(), DbErr> {
    vocabulary::Entity::insert(vocabulary::ActiveModel::from(m.clone()))
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// Deletes an entry; whether it was there.
pub async fn delete(conn: &impl ConnectionTrait, id: Uuid) -> Result<bool, DbErr> {
    Ok(vocabulary::Entity::delete_by_id(id)
        .exec(conn)
        .await?
        .rows_affected
        > 0)
}

pub async fn record_change(
    conn: &impl ConnectionTrait,
    m: &vocabulary_change::Model,
) -> Result<(), DbErr> {
    vocabulary_change::Entity::insert(vocabulary_change::ActiveModel::from(m.clone()))
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// The latest changes, newest first.
pub async fn recent_changes(
    conn: &impl ConnectionTrait,
    limit: u64,
) -> Result<Vec<vocabulary_change::Model>, DbErr> {
    vocabulary_change::Entity::find()
        .order_by_desc(vocabulary_change::Column::At)
        .order_by_desc(vocabulary_change::Column::Id)
        .limit(limit)
        .all(conn)
        .await
}
