//! The transparency log's tables (CHAIN.md §10) and the queries over them. Every query takes
//! `&impl ConnectionTrait`, so an append runs inside the transaction that records the event.

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

pub mod state {
    use sea_orm::entity::prelude::*;

    /// One row (id 1): the tree's size. Updating it takes the lock that orders appends.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "trace_log_state")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: i32,
        pub size: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod leaf {
    use sea_orm::entity::prelude::*;

    /// Append-only: leaf `idx` of the tree.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "trace_log_leaves")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub idx: i64,
        pub batch_id: Uuid,
        pub code: String,
        pub seq: i32,
        pub event_hash: String,
        pub logged_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod hash {
    use sea_orm::entity::prelude::*;

    /// Append-only: the tree's stored hash `idx` (lower-case hex).
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "trace_log_hashes")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub idx: i64,
        pub hash: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod checkpoint {
    use sea_orm::entity::prelude::*;

    /// A checkpoint the log signed: published (with its cosignatures) or refused by witnesses.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "trace_log_checkpoints")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub size: i64,
        pub root: String,
        /// The signed note: the log's signature and every witness's cosignature.
        pub note: String,
        pub published: bool,
        /// What each witness answered (a line each).
        pub witness_report: String,
        pub signed_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Grows the tree by `n` leaves and returns the size before: the row lock this takes is held
/// until the caller's transaction ends, so appends are numbered one after another.
pub async fn reserve(conn: &impl ConnectionTrait, n: i64) -> Result<i64, DbErr> {
    state::Entity::update_many()
        .col_expr(state::Column::Size, Expr::col(state::Column::Size).add(n))
        .filter(state::Column::Id.eq(1))
        .exec(conn)
        .await?;
    let size = size(conn).await?;
    Ok(size - n)
}

pub async fn size(conn: &impl ConnectionTrait) -> Result<i64, DbErr> {
    state::Entity::find_by_id(1)
        .one(conn)
        .await?
        .map(|s| s.size)
        .ok_or_else(|| DbErr::RecordNotFound("trace_log_state row 1 (migration 22)".into()))
}

pub async fn hashes(
    conn: &impl ConnectionTrait,
    indexes: &[u64],
) -> Result<Vec<(u64, String)>, DbErr> {
    let mut out = Vec::with_capacity(indexes.len());
    for chunk in indexes.chunks(500) {
        let ids: Vec<i64> = chunk
            .iter()
            .filter_map(|i| i64::try_from(*i).ok())
            .collect();
        let rows = hash::Entity::find()
            .filter(hash::Column::Idx.is_in(ids))
            .all(conn)
            .await?;
        out.extend(
            rows.into_iter()
                .filter_map(|r| Some((u64::try_from(r.idx).ok()?, r.hash))),
        );
    }
    Ok(out)
}

pub async fn insert_hashes(
    conn: &impl ConnectionTrait,
    rows: Vec<hash::Model>,
) -> Result<(), DbErr> {
    for chunk in rows.chunks(500) {
        hash::Entity::insert_many(chunk.iter().cloned().map(hash::ActiveModel::from))
            .exec_without_returning(conn)
            .await?;
    }
    Ok(())
}

pub async fn insert_leaves(
    conn: &impl ConnectionTrait,
    rows: Vec<leaf::Model>,
) -> Result<(), DbErr> {
    for chunk in rows.chunks(500) {
        leaf::Entity::insert_many(chunk.iter().cloned().map(leaf::ActiveModel::from))
            .exec_without_returning(conn)
            .await?;
    }
    Ok(())
}

/// Leaves `from .. from + n`, in order.
pub async fn leaves(
    conn: &impl ConnectionTrait,
    from: i64,
    n: i64,
) -> Result<Vec<leaf::Model>, DbErr> {
    leaf::Entity::find()
        .filter(leaf::Column::Idx.gte(from))
        .filter(leaf::Column::Idx.lt(from + n))
        .order_by_asc(leaf::Column::Idx)
        .all(conn)
        .await
}

/// A batch's leaves, by seq.
pub async fn leaves_of_code(
    conn: &impl ConnectionTrait,
    code: &str,
) -> Result<Vec<leaf::Model>, DbErr> {
    leaf::Entity::find()
        .filter(leaf::Column::Code.eq(code))
        .order_by_asc(leaf::Column::Seq)
        .all(conn)
        .await
}

/// (batch, seq) of every event already in the log.
pub async fn logged_events(conn: &impl ConnectionTrait) -> Result<Vec<(uuid::Uuid, i32)>, DbErr> {
    leaf::Entity::find()
        .select_only()
        .column(leaf::Column::BatchId)
        .column(leaf::Column::Seq)
        .into_tuple()
        .all(conn)
        .await
}

pub async fn latest_checkpoint(
    conn: &impl ConnectionTrait,
    published_only: bool,
) -> Result<Option<checkpoint::Model>, DbErr> {
    let mut q = checkpoint::Entity::find();
    if published_only {
        q = q.filter(checkpoint::Column::Published.eq(true));
    }
    q.order_by_desc(checkpoint::Column::Id).one(conn).await
}

pub async fn insert_checkpoint(
    conn: &impl ConnectionTrait,
    c: checkpoint::ActiveModel,
) -> Result<(), DbErr> {
    checkpoint::Entity::insert(c)
        .exec_without_returning(conn)
        .await
        .map(|_| ())
}
