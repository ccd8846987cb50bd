//! Agents and their duty, canned replies, limits, surveys, follow-ups and problem-customer
//! records.

use super::CHUNK;
use crate::store::{agent, canned, customer_record, follow_up, limit, survey};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    Set,
};
use uuid::Uuid;

// ---------------------------------------------------------------------------------------------
// Agents

pub async fn agent(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<agent::Model>, DbErr> {
    agent::Entity::find_by_id(id).one(conn).await
}

pub async fn agents(conn: &impl ConnectionTrait) -> Result<Vec<agent::Model>, DbErr> {
    agent::Entity::find()
        .order_by_asc(agent::Column::DisplayName)
        .all(conn)
        .await
}

/// Records an agent (their current name); the duty flag is kept when they exist, and set when
/// `on_duty` is given.
pub async fn upsert_agent(
    conn: &impl ConnectionTrait,
    id: Uuid,
    name: &str,
    on_duty: Option<bool>,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    let mut update = vec![agent::Column::DisplayName, agent::Column::UpdatedAt];
    if on_duty.is_some() {
        update.push(agent::Column::OnDuty);
    }
    agent::Entity::insert(agent::ActiveModel {
        account_id: Set(id),
        display_name: Set(name.to_owned()),
        on_duty: Set(on_duty.unwrap_or(false)),
        last_assigned_at: Set(None),
        updated_at: Set(now),
    })
    .on_conflict(
        OnConflict::column(agent::Column::AccountId)
            .update_columns(update)
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await
    .map(|_| ())
}

/// The on-duty agent who has waited longest for a ticket (never assigned first).
pub async fn next_on_duty(conn: &impl ConnectionTrait) -> Result<Option<agent::Model>, DbErr> {
    agent::Entity::find()
        .filter(agent::Column::OnDuty.eq(true))
        .order_by_asc(Expr::cust(
            "CASE WHEN desk_agents.last_assigned_at IS NULL THEN 0 ELSE 1 END",
        ))
        .order_by_asc(agent::Column::LastAssignedAt)
        .order_by_asc(agent::Column::AccountId)
        .one(conn)
        .await
}

pub async fn touch_assigned(
    conn: &impl ConnectionTrait,
    id: Uuid,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    agent::Entity::update_many()
        .col_expr(agent::Column::LastAssignedAt, Expr::value(at))
        .filter(agent::Column::AccountId.eq(id))
        .exec(conn)
        .await
        .map(|_| ())
}

// ---------------------------------------------------------------------------------------------
// Canned replies

pub async fn canned_replies(
    conn: &impl ConnectionTrait,
    include_inactive: bool,
) -> Result<Vec<canned::Model>, DbErr> {
    let mut q = canned::Entity::find();
    if !include_inactive {
        q = q.filter(canned::Column::Active.eq(true));
    }
    q.order_by_asc(canned::Column::Title).all(conn).await
}

pub async fn canned_reply(
    conn: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<canned::Model>, DbErr> {
    canned::Entity::find_by_id(id).one(conn).await
}

pub async fn save_canned_reply(
    conn: &impl ConnectionTrait,
    m: canned::Model,
    new: bool,
) -> Result<(), DbErr> {
    let am = canned::ActiveModel::from(m);
    if new {
        am.insert(conn).await.map(|_| ())
    } else {
        am.reset_all().update(conn).await.map(|_| ())
    }
}

// ---------------------------------------------------------------------------------------------
// Limits

pub async fn limits(conn: &impl ConnectionTrait) -> Result<Vec<limit::Model>, DbErr> {
    limit::Entity::find().all(conn).await
}

pub async fn upsert_limit(conn: &impl ConnectionTrait, m: limit::Model) -> Result<(), DbErr> {
    limit::Entity::insert(limit::ActiveModel::from(m))
        .on_conflict(
            OnConflict::columns([limit::Column::Kind, limit::Column::Urgency])
                .update_columns([
                    limit::Column::RespondMinutes,
                    limit::Column::ResolveMinutes,
                    limit::Column::UpdatedBy,
                    limit::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await
        .map(|_| ())
}

// ---------------------------------------------------------------------------------------------
// Surveys and follow-ups

/// Records a survey once: `false` when the ticket was rated already.
pub async fn insert_survey(conn: &impl ConnectionTrait, m: survey::Model) -> Result<bool, DbErr> {
    let n = survey::Entity::insert(survey::ActiveModel::from(m))
        .on_conflict(
            OnConflict::column(survey::Column::TicketId)
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(n == 1)
}

pub async fn survey_of(
    conn: &impl ConnectionTrait,
    ticket: Uuid,
) -> Result<Option<survey::Model>, DbErr> {
    survey::Entity::find_by_id(ticket).one(conn).await
}

pub async fn surveys_of(
    conn: &impl ConnectionTrait,
    tickets: &[Uuid],
) -> Result<Vec<survey::Model>, DbErr> {
    let mut out = Vec::new();
    for chunk in tickets.chunks(CHUNK) {
        out.extend(
            survey::Entity::find()
                .filter(survey::Column::TicketId.is_in(chunk.iter().copied()))
                .all(conn)
                .await?,
        );
    }
    Ok(out)
}

/// Creates the follow-up of one closing, once (a retried close does not owe two calls).
pub async fn insert_follow_up(
    conn: &impl ConnectionTrait,
    m: follow_up::Model,
) -> Result<(), DbErr> {
    follow_up::Entity::insert(follow_up::ActiveModel::from(m))
        .on_conflict(
            OnConflict::columns([follow_up::Column::TicketId, follow_up::Column::Round])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await
        .map(|_| ())
}

pub async fn follow_ups_of(
    conn: &impl ConnectionTrait,
    tickets: &[Uuid],
) -> Result<Vec<follow_up::Model>, DbErr> {
    let mut out = Vec::new();
    for chunk in tickets.chunks(CHUNK) {
        out.extend(
            follow_up::Entity::find()
                .filter(follow_up::Column::TicketId.is_in(chunk.iter().copied()))
                .order_by_asc(follow_up::Column::Round)
                .all(conn)
                .await?,
        );
    }
    Ok(out)
}

/// Follow-ups not yet done, oldest first; one agent's when given.
pub async fn open_follow_ups(
    conn: &impl ConnectionTrait,
    agent: Option<Uuid>,
) -> Result<Vec<follow_up::Model>, DbErr> {
    let mut q = follow_up::Entity::find().filter(follow_up::Column::DoneAt.is_null());
    if let Some(a) = agent {
        q = q.filter(follow_up::Column::AgentId.eq(a));
    }
    q.order_by_asc(follow_up::Column::CreatedAt).all(conn).await
}

/// Records the call's outcome once: `false` when it was recorded already.
pub async fn complete_follow_up(
    conn: &impl ConnectionTrait,
    id: Uuid,
    m: follow_up::ActiveModel,
) -> Result<bool, DbErr> {
    let r = follow_up::Entity::update_many()
        .set(m)
        .filter(follow_up::Column::Id.eq(id))
        .filter(follow_up::Column::DoneAt.is_null())
        .exec(conn)
        .await?;
    Ok(r.rows_affected == 1)
}

// ---------------------------------------------------------------------------------------------
// Problem-customer records

pub async fn insert_record(
    conn: &impl ConnectionTrait,
    m: customer_record::Model,
) -> Result<(), DbErr> {
    customer_record::ActiveModel::from(m)
        .insert(conn)
        .await
        .map(|_| ())
}

pub async fn record(
    conn: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<customer_record::Model>, DbErr> {
    customer_record::Entity::find_by_id(id).one(conn).await
}

/// An account's records, newest first (withdrawn ones too: the history is kept).
pub async fn records_of(
    conn: &impl ConnectionTrait,
    account: Uuid,
) -> Result<Vec<customer_record::Model>, DbErr> {
    customer_record::Entity::find()
        .filter(customer_record::Column::AccountId.eq(account))
        .order_by_desc(customer_record::Column::RecordedAt)
        .all(conn)
        .await
}

/// Withdraws a record once: `false` when it was withdrawn already.
pub async fn withdraw_record(
    conn: &impl ConnectionTrait,
    id: Uuid,
    by: Uuid,
    at: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let r = customer_record::Entity::update_many()
        .col_expr(customer_record::Column::WithdrawnBy, Expr::value(by))
        .col_expr(customer_record::Column::WithdrawnAt, Expr::value(at))
        .filter(customer_record::Column::Id.eq(id))
        .filter(customer_record::Column::WithdrawnAt.is_null())
        .exec(conn)
        .await?;
    Ok(r.rows_affected == 1)
}
