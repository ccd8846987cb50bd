//! Standing orders and their runs (issue #22). A state change and the move of the period the
//! job waits for are conditional updates, so two managers, or two workers, never both win; a
//! period's run is written once (the unique index on (standing order, period)).

use crate::domain::standing::StandingStatus;
use crate::store::{standing_order, standing_order_run};
use chrono::NaiveDate;
use sea_orm::sea_query::OnConflict;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

pub async fn by_id(
    conn: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<standing_order::Model>, DbErr> {
    standing_order::Entity::find_by_id(id).one(conn).await
}

pub async fn insert(conn: &impl ConnectionTrait, m: standing_order::Model) -> Result<(), DbErr> {
    standing_order::Entity::insert(standing_order::ActiveModel::from(m))
        .exec_without_returning(conn)
        .await
        .map(|_| ())
}

/// A page of the standing orders an organisation buys or sells by, newest first, and how
/// many there are.
pub async fn of_org(
    conn: &impl ConnectionTrait,
    org: Uuid,
    limit: u64,
    offset: u64,
) -> Result<(Vec<standing_order::Model>, u64), DbErr> {
    let q = standing_order::Entity::find().filter(
        Condition::any()
            .add(standing_order::Column::BuyerOrgId.eq(org))
            .add(standing_order::Column::SellerOrgId.eq(org)),
    );
    let total = q.clone().count(conn).await?;
    let rows = q
        .order_by_desc(standing_order::Column::CreatedAt)
        .order_by_desc(standing_order::Column::Id)
        .limit(limit)
        .offset(offset)
        .all(conn)
        .await?;
    Ok((rows, total))
}

/// Writes `change` (its `Set` columns) if the standing order is still in `from`; whether it
/// was.
pub async fn update_if(
    conn: &impl ConnectionTrait,
    id: Uuid,
    from: StandingStatus,
    change: standing_order::ActiveModel,
) -> Result<bool, DbErr> {
    let done = standing_order::Entity::update_many()
        .set(change)
        .filter(standing_order::Column::Id.eq(id))
        .filter(standing_order::Column::Status.eq(from))
        .exec(conn)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Moves the period the job waits for from `from` to `to`, if nobody moved it first.
pub async fn advance_period(
    conn: &impl ConnectionTrait,
    id: Uuid,
    from: NaiveDate,
    to: Option<NaiveDate>,
) -> Result<bool, DbErr> {
    use sea_orm::sea_query::Expr;
    let done = standing_order::Entity::update_many()
        .col_expr(standing_order::Column::NextPeriod, Expr::value(to))
        .filter(standing_order::Column::Id.eq(id))
        .filter(standing_order::Column::NextPeriod.eq(from))
        .exec(conn)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Records a period's run unless one is recorded; whether this one was.
pub async fn insert_run_once(
    conn: &impl ConnectionTrait,
    run: standing_order_run::Model,
) -> Result<bool, DbErr> {
    let done = standing_order_run::Entity::insert(standing_order_run::ActiveModel::from(run))
        .on_conflict(
            OnConflict::columns([
                standing_order_run::Column::StandingOrderId,
                standing_order_run::Column::Period,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(done == 1)
}

/// A standing order's runs, newest period first (at most `limit`).
pub async fn runs_of(
    conn: &impl ConnectionTrait,
    id: Uuid,
    limit: u64,
) -> Result<Vec<standing_order_run::Model>, DbErr> {
    standing_order_run::Entity::find()
        .filter(standing_order_run::Column::StandingOrderId.eq(id))
        .order_by_desc(standing_order_run::Column::Period)
        .limit(limit)
        .all(conn)
        .await
}
