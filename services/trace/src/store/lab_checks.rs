//! The index of third-party tests (`lab_checks`): one row per `lab_check` record, written in
//! the transaction that chains the record and never changed. The record in the chain is the
//! truth; this row lets a lab list its tests and the public bulletin find failed ones without
//! reading every record.

use crate::domain::LabCheckKind;
use chrono::{DateTime, Utc};
use farmgate_kernel::id::{BatchId, OrgId};
use sea_orm::entity::prelude::*;
use sea_orm::{QueryOrder, QuerySelect};

farmgate_infra::stored_enum!(crate::domain::LabCheckKind);

/// Append-only: never updated, never deleted.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "lab_checks")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub batch_id: Uuid,
    pub code: String,
    pub seq: i32,
    pub event_id: Uuid,
    pub listing_id: Uuid,
    pub seller_org_id: Uuid,
    pub lab_org_id: Uuid,
    pub lab_name: String,
    pub recorded_by: Uuid,
    pub check_kind: LabCheckKind,
    /// `pass` or `fail`.
    pub result: String,
    pub report_no: String,
    pub sampled_at: DateTimeUtc,
    pub recorded_at: DateTimeUtc,
    pub corrects_seq: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

pub async fn insert(conn: &impl ConnectionTrait, m: Model) -> Result<(), DbErr> {
    Entity::insert(ActiveModel::from(m))
        .exec_without_returning(conn)
        .await
        .map(|_| ())
}

/// A lab's tests, newest first.
pub async fn of_lab(
    conn: &impl ConnectionTrait,
    lab: OrgId,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::LabOrgId.eq(lab.0))
        .order_by_desc(Column::RecordedAt)
        .order_by_desc(Column::Id)
        .limit(limit)
        .all(conn)
        .await
}

/// The tests recorded on one batch, in chain order.
pub async fn of_batch(conn: &impl ConnectionTrait, batch: BatchId) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::BatchId.eq(batch.0))
        .order_by_asc(Column::Seq)
        .all(conn)
        .await
}

/// Failed tests recorded in `[from, to]`, newest first (the public bulletin).
pub async fn failed_between(
    conn: &impl ConnectionTrait,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::Result.eq("fail"))
        .filter(Column::RecordedAt.gte(from))
        .filter(Column::RecordedAt.lte(to))
        .order_by_desc(Column::RecordedAt)
        .order_by_desc(Column::Id)
        .limit(limit)
        .all(conn)
        .await
}
