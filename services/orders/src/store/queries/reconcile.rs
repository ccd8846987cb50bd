//! Reconciliation runs and differences, and the ledger as a bill is compared with it.

use crate::domain::reconcile::{DifferenceKind, RunStatus};
use crate::domain::{IntentStatus, RefundStatus};
use crate::store::{intent, recon_difference, recon_run, refund};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

/// One run per provider and bill day.
pub const RUN_OF_DAY: farmgate_infra::db::UniqueIndex = farmgate_infra::db::UniqueIndex {
    name: "ux_reconciliation_runs_day",
    table: "reconciliation_runs",
    columns: &["provider", "bill_date"],
};

/// How many keys one `IN (…)` carries (SQLite allows 32 766 parameters; stay far below).
const CHUNK: usize = 500;

// ---- Runs

pub async fn run(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<recon_run::Model>, DbErr> {
    recon_run::Entity::find_by_id(id).one(conn).await
}

pub async fn run_of_day(
    conn: &impl ConnectionTrait,
    provider: &str,
    day: NaiveDate,
) -> Result<Option<recon_run::Model>, DbErr> {
    recon_run::Entity::find()
        .filter(recon_run::Column::Provider.eq(provider))
        .filter(recon_run::Column::BillDate.eq(day))
        .one(conn)
        .await
}

/// Takes over a failed run, or a running one started before `stale_before` (its process
/// died): `false` when another took it first or it finished.
pub async fn restart_run(
    conn: &impl ConnectionTrait,
    id: Uuid,
    by: Option<Uuid>,
    now: DateTime<Utc>,
    stale_before: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let done = recon_run::Entity::update_many()
        .col_expr(recon_run::Column::Status, Expr::value(RunStatus::Running))
        .col_expr(recon_run::Column::StartedAt, Expr::value(now))
        .col_expr(recon_run::Column::TriggeredBy, Expr::value(by))
        .col_expr(
            recon_run::Column::Error,
            Expr::value(Option::<String>::None),
        )
        .filter(recon_run::Column::Id.eq(id))
        .filter(
            Condition::any()
                .add(recon_run::Column::Status.eq(RunStatus::Failed))
                .add(
                    Condition::all()
                        .add(recon_run::Column::Status.eq(RunStatus::Running))
                        .add(recon_run::Column::StartedAt.lt(stale_before)),
                ),
        )
        .exec(conn)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Records how a run ended.
pub async fn finish_run(
    conn: &impl ConnectionTrait,
    id: Uuid,
    status: RunStatus,
    counts: (i64, i64, i64),
    error: Option<String>,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    recon_run::Entity::update_many()
        .col_expr(recon_run::Column::Status, Expr::value(status))
        .col_expr(recon_run::Column::BillEntries, Expr::value(counts.0))
        .col_expr(recon_run::Column::Matched, Expr::value(counts.1))
        .col_expr(recon_run::Column::Differences, Expr::value(counts.2))
        .col_expr(recon_run::Column::Error, Expr::value(error))
        .col_expr(recon_run::Column::FinishedAt, Expr::value(Some(at)))
        .filter(recon_run::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}

/// Runs, newest bill day first, optionally of one provider; and how many there are.
pub async fn runs(
    conn: &impl ConnectionTrait,
    provider: Option<&str>,
    limit: u64,
    offset: u64,
) -> Result<(Vec<recon_run::Model>, u64), DbErr> {
    let mut q = recon_run::Entity::find();
    if let Some(p) = provider {
        q = q.filter(recon_run::Column::Provider.eq(p));
    }
    let total = q.clone().count(conn).await?;
    let rows = q
        .order_by_desc(recon_run::Column::BillDate)
        .order_by_asc(recon_run::Column::Provider)
        .limit(limit)
        .offset(offset)
        .all(conn)
        .await?;
    Ok((rows, total))
}

// ---- Differences

pub async fn insert_differences(
    conn: &impl ConnectionTrait,
    rows: Vec<recon_difference::ActiveModel>,
) -> Result<(), DbErr> {
    for chunk in rows.chunks(CHUNK / 16) {
        recon_difference::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(conn)
            .await?;
    }
    Ok(())
}

pub async fn differences_of_run(
    conn: &impl ConnectionTrait,
    run_id: Uuid,
) -> Result<Vec<recon_difference::Model>, DbErr> {
    recon_difference::Entity::find()
        .filter(recon_difference::Column::RunId.eq(run_id))
        .order_by_asc(recon_difference::Column::CreatedAt)
        .order_by_asc(recon_difference::Column::Id)
        .all(conn)
        .await
}

/// Open (or resolved) differences, oldest bill day first; and how many there are.
pub async fn differences(
    conn: &impl ConnectionTrait,
    resolved: bool,
    limit: u64,
    offset: u64,
) -> Result<(Vec<recon_difference::Model>, u64), DbErr> {
    let q =
        recon_difference::Entity::find().filter(recon_difference::Column::Resolved.eq(resolved));
    let total = q.clone().count(conn).await?;
    let rows = q
        .order_by_asc(recon_difference::Column::BillDate)
        .order_by_asc(recon_difference::Column::Id)
        .limit(limit)
        .offset(offset)
        .all(conn)
        .await?;
    Ok((rows, total))
}

pub async fn difference(
    conn: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<recon_difference::Model>, DbErr> {
    recon_difference::Entity::find_by_id(id).one(conn).await
}

/// Resolves an open difference with a person's note: `false` when it was already resolved.
pub async fn resolve(
    conn: &impl ConnectionTrait,
    id: Uuid,
    note: &str,
    by: Uuid,
    at: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let done = recon_difference::Entity::update_many()
        .col_expr(recon_difference::Column::Resolved, Expr::value(true))
        .col_expr(
            recon_difference::Column::Resolution,
            Expr::value(note.to_owned()),
        )
        .col_expr(recon_difference::Column::ResolvedBy, Expr::value(Some(by)))
        .col_expr(recon_difference::Column::ResolvedAt, Expr::value(Some(at)))
        .filter(recon_difference::Column::Id.eq(id))
        .filter(recon_difference::Column::Resolved.eq(false))
        .exec(conn)
        .await?;
    Ok(done.rows_affected == 1)
}

/// An earlier day's "absent from the bill" that this bill carries was a timing difference:
/// resolved, by nobody, with `note`. Returns how many.
pub async fn clear_timing(
    conn: &impl ConnectionTrait,
    provider: &str,
    kind: DifferenceKind,
    column: recon_difference::Column,
    keys: &[String],
    note: &str,
    at: DateTime<Utc>,
) -> Result<u64, DbErr> {
    let mut n = 0;
    for chunk in keys.chunks(CHUNK) {
        let done = recon_difference::Entity::update_many()
            .col_expr(recon_difference::Column::Resolved, Expr::value(true))
            .col_expr(
                recon_difference::Column::Resolution,
                Expr::value(note.to_owned()),
            )
            .col_expr(recon_difference::Column::ResolvedAt, Expr::value(Some(at)))
            .filter(recon_difference::Column::Provider.eq(provider))
            .filter(recon_difference::Column::Kind.eq(kind))
            .filter(recon_difference::Column::Resolved.eq(false))
            .filter(column.is_in(chunk.iter().cloned()))
            .exec(conn)
            .await?;
        n += done.rows_affected;
    }
    Ok(n)
}

// ---- The ledger, as the bill names it

/// The intents of `provider` among `ids`.
pub async fn intents_in(
    conn: &impl ConnectionTrait,
    provider: &str,
    ids: &[Uuid],
) -> Result<Vec<intent::Model>, DbErr> {
    let mut out = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        out.extend(
            intent::Entity::find()
                .filter(intent::Column::Provider.eq(provider))
                .filter(intent::Column::Id.is_in(chunk.iter().copied()))
                .all(conn)
                .await?,
        );
    }
    Ok(out)
}

/// The refunds through `provider` among `ids`.
pub async fn refunds_in(
    conn: &impl ConnectionTrait,
    provider: &str,
    ids: &[Uuid],
) -> Result<Vec<refund::Model>, DbErr> {
    let mut out = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        out.extend(
            refund::Entity::find()
                .filter(refund::Column::Provider.eq(provider))
                .filter(refund::Column::Id.is_in(chunk.iter().copied()))
                .all(conn)
                .await?,
        );
    }
    Ok(out)
}

/// Intents of `provider` that succeeded in `[from, to)`.
pub async fn intents_paid_between(
    conn: &impl ConnectionTrait,
    provider: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<intent::Model>, DbErr> {
    intent::Entity::find()
        .filter(intent::Column::Provider.eq(provider))
        .filter(intent::Column::Status.eq(IntentStatus::Succeeded))
        .filter(intent::Column::CompletedAt.gte(from))
        .filter(intent::Column::CompletedAt.lt(to))
        .order_by_asc(intent::Column::CompletedAt)
        .all(conn)
        .await
}

/// Refunds through `provider` settled in `[from, to)`.
pub async fn refunds_settled_between(
    conn: &impl ConnectionTrait,
    provider: &str,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<refund::Model>, DbErr> {
    refund::Entity::find()
        .filter(refund::Column::Provider.eq(provider))
        .filter(refund::Column::Status.eq(RefundStatus::Succeeded))
        .filter(refund::Column::SettledAt.gte(from))
        .filter(refund::Column::SettledAt.lt(to))
        .order_by_asc(refund::Column::SettledAt)
        .all(conn)
        .await
}
