//! The carrier recourse as a receivable: the list, the totals by carrier, and the moves —
//! a collection added, what is outstanding written off — each a conditional update on what is
//! outstanding, so two at once can never take more than the recourse's amount.

use crate::domain::RecourseStatus;
use crate::store::{claim, collection, recourse};
use chrono::{DateTime, Utc};
use farmgate_kernel::Page;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect,
};
use std::collections::HashMap;
use uuid::Uuid;

pub async fn by_id(
    conn: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<recourse::Model>, DbErr> {
    recourse::Entity::find_by_id(id).one(conn).await
}

/// A page of recourses, newest first, of one status and/or carrier, opened in `[from, until)`;
/// and how many in all.
pub async fn page(
    conn: &impl ConnectionTrait,
    status: Option<RecourseStatus>,
    carrier: Option<&str>,
    opened: Option<(DateTime<Utc>, DateTime<Utc>)>,
    page: Page,
) -> Result<(Vec<recourse::Model>, u64), DbErr> {
    let mut q = recourse::Entity::find();
    if let Some((from, until)) = opened {
        q = q
            .filter(recourse::Column::CreatedAt.gte(from))
            .filter(recourse::Column::CreatedAt.lt(until));
    }
    if let Some(s) = status {
        q = q.filter(recourse::Column::Status.eq(s.as_str()));
    }
    if let Some(c) = carrier {
        q = q.filter(recourse::Column::Carrier.eq(c));
    }
    let total = q.clone().count(conn).await?;
    let rows = q
        .order_by_desc(recourse::Column::CreatedAt)
        .order_by_desc(recourse::Column::Id)
        .offset(page.offset())
        .limit(page.limit())
        .all(conn)
        .await?;
    Ok((rows, total))
}

/// The numbers of the claims the recourses came from.
pub async fn claim_numbers(
    conn: &impl ConnectionTrait,
    claims: &[Uuid],
) -> Result<HashMap<Uuid, String>, DbErr> {
    let mut out = HashMap::new();
    for chunk in claims.chunks(super::CHUNK) {
        let rows: Vec<(Uuid, String)> = claim::Entity::find()
            .select_only()
            .column(claim::Column::Id)
            .column(claim::Column::Number)
            .filter(claim::Column::Id.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(conn)
            .await?;
        out.extend(rows);
    }
    Ok(out)
}

pub async fn collections_of(
    conn: &impl ConnectionTrait,
    recourse: Uuid,
) -> Result<Vec<collection::Model>, DbErr> {
    collection::Entity::find()
        .filter(collection::Column::RecourseId.eq(recourse))
        .order_by_asc(collection::Column::CreatedAt)
        .order_by_asc(collection::Column::Id)
        .all(conn)
        .await
}

pub async fn collection_by_reference(
    conn: &impl ConnectionTrait,
    recourse: Uuid,
    reference: &str,
) -> Result<Option<collection::Model>, DbErr> {
    collection::Entity::find()
        .filter(collection::Column::RecourseId.eq(recourse))
        .filter(collection::Column::Reference.eq(reference))
        .one(conn)
        .await
}

/// Adds `amount` to what was collected, only while the recourse is open and at least that
/// much is outstanding (the update's condition); closes it when nothing is left. `false`:
/// refused.
pub async fn add_collected(
    conn: &impl ConnectionTrait,
    id: Uuid,
    amount: i64,
    closes: bool,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    use recourse::Column as C;
    let mut update = recourse::Entity::update_many()
        .col_expr(C::CollectedFen, Expr::col(C::CollectedFen).add(amount));
    if closes {
        update = update
            .col_expr(C::Status, Expr::value(RecourseStatus::Collected.as_str()))
            .col_expr(C::ClosedAt, Expr::value(now));
    }
    let done = update
        .filter(C::Id.eq(id))
        .filter(C::Status.eq(RecourseStatus::Open.as_str()))
        .filter(
            Expr::col(C::AmountFen)
                .sub(Expr::col(C::CollectedFen))
                .sub(Expr::col(C::WrittenOffFen))
                .gte(amount),
        )
        .exec(conn)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Writes off what is outstanding (`amount`, read in the same turn), only while the recourse
/// is open with exactly that outstanding. `false`: refused.
pub async fn write_off(
    conn: &impl ConnectionTrait,
    id: Uuid,
    amount: i64,
    reason: &str,
    by: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    use recourse::Column as C;
    let done = recourse::Entity::update_many()
        .col_expr(C::WrittenOffFen, Expr::col(C::WrittenOffFen).add(amount))
        .col_expr(C::WriteOffReason, Expr::value(reason))
        .col_expr(C::WrittenOffBy, Expr::value(by))
        .col_expr(C::Status, Expr::value(RecourseStatus::WrittenOff.as_str()))
        .col_expr(C::ClosedAt, Expr::value(now))
        .filter(C::Id.eq(id))
        .filter(C::Status.eq(RecourseStatus::Open.as_str()))
        .filter(
            Expr::col(C::AmountFen)
                .sub(Expr::col(C::CollectedFen))
                .sub(Expr::col(C::WrittenOffFen))
                .eq(amount),
        )
        .exec(conn)
        .await?;
    Ok(done.rows_affected == 1)
}

pub async fn insert_collection(
    conn: &impl ConnectionTrait,
    c: collection::Model,
) -> Result<(), DbErr> {
    collection::ActiveModel::from(c).insert(conn).await?;
    Ok(())
}

/// One carrier's sums, fen.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CarrierSums {
    pub carrier: String,
    pub count: i64,
    pub opened: i64,
    pub collected: i64,
    pub written_off: i64,
}

/// Every carrier's sums, by carrier, of the recourses opened in `[from, until)` (all: `None`).
pub async fn sums_by_carrier(
    conn: &impl ConnectionTrait,
    opened: Option<(DateTime<Utc>, DateTime<Utc>)>,
) -> Result<Vec<CarrierSums>, DbErr> {
    let mut q = recourse::Entity::find()
        .select_only()
        .column(recourse::Column::Carrier)
        .column_as(recourse::Column::Id.count(), "n")
        // CAST: PostgreSQL sums BIGINT into NUMERIC.
        .column_as(Expr::cust("CAST(SUM(amount_fen) AS BIGINT)"), "opened")
        .column_as(
            Expr::cust("CAST(SUM(collected_fen) AS BIGINT)"),
            "collected",
        )
        .column_as(
            Expr::cust("CAST(SUM(written_off_fen) AS BIGINT)"),
            "written_off",
        )
        .group_by(recourse::Column::Carrier)
        .order_by_asc(recourse::Column::Carrier);
    if let Some((from, until)) = opened {
        q = q
            .filter(recourse::Column::CreatedAt.gte(from))
            .filter(recourse::Column::CreatedAt.lt(until));
    }
    let rows = q.into_model::<SumsRow>().all(conn).await?;
    Ok(rows
        .into_iter()
        .map(|r| CarrierSums {
            carrier: r.carrier,
            count: r.n,
            opened: r.opened.unwrap_or(0),
            collected: r.collected.unwrap_or(0),
            written_off: r.written_off.unwrap_or(0),
        })
        .collect())
}

#[derive(Debug, sea_orm::FromQueryResult)]
struct SumsRow {
    carrier: String,
    n: i64,
    opened: Option<i64>,
    collected: Option<i64>,
    written_off: Option<i64>,
}
