//! Tickets, their conversation and their event log.

use super::CHUNK;
use crate::domain::{TicketEventKind, TicketKind, TicketStatus};
use crate::store::{event, message, ticket};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Select, Set,
};
use serde_json::Value;
use uuid::Uuid;

pub async fn by_id(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<ticket::Model>, DbErr> {
    ticket::Entity::find_by_id(id).one(conn).await
}

/// One ticket per opener and `Idempotency-Key` (`m20261206_000032`).
pub const IDEMPOTENCY: farmgate_infra::db::UniqueIndex = farmgate_infra::db::UniqueIndex {
    name: "ux_desk_tickets_idempotency",
    table: "desk_tickets",
    columns: &["opener_account_id", "idempotency_key"],
};

/// The ticket `opener` opened under `key`, if any.
pub async fn by_idempotency_key(
    conn: &impl ConnectionTrait,
    opener: Uuid,
    key: &str,
) -> Result<Option<ticket::Model>, DbErr> {
    ticket::Entity::find()
        .filter(ticket::Column::OpenerAccountId.eq(opener))
        .filter(ticket::Column::IdempotencyKey.eq(key))
        .one(conn)
        .await
}

pub async fn insert(conn: &impl ConnectionTrait, t: ticket::Model) -> Result<(), DbErr> {
    ticket::ActiveModel::from(t).insert(conn).await.map(|_| ())
}

/// Writes `changes` (with `version` + 1 and `updated_at`) only if the ticket is still at
/// `version`: `false` when another request changed it first.
pub async fn update_at_version(
    conn: &impl ConnectionTrait,
    id: Uuid,
    version: i64,
    mut changes: ticket::ActiveModel,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    changes.version = Set(version + 1);
    changes.updated_at = Set(now);
    let r = ticket::Entity::update_many()
        .set(changes)
        .filter(ticket::Column::Id.eq(id))
        .filter(ticket::Column::Version.eq(version))
        .exec(conn)
        .await?;
    Ok(r.rows_affected == 1)
}

/// Sets the assignee only while the ticket has none: `false` when someone took it first.
pub async fn take_if_unassigned(
    conn: &impl ConnectionTrait,
    id: Uuid,
    agent: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let r = ticket::Entity::update_many()
        .col_expr(ticket::Column::AssigneeId, Expr::value(agent))
        .col_expr(ticket::Column::AssignedAt, Expr::value(now))
        .col_expr(ticket::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            ticket::Column::Version,
            Expr::col(ticket::Column::Version).add(1),
        )
        .filter(ticket::Column::Id.eq(id))
        .filter(ticket::Column::AssigneeId.is_null())
        .exec(conn)
        .await?;
    Ok(r.rows_affected == 1)
}

/// Marks a deadline as overdue once: `false` when it was marked already.
pub async fn mark_overdue(
    conn: &impl ConnectionTrait,
    id: Uuid,
    response: bool,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let col = if response {
        ticket::Column::ResponseOverdueAt
    } else {
        ticket::Column::ResolutionOverdueAt
    };
    let r = ticket::Entity::update_many()
        .col_expr(col, Expr::value(now))
        .filter(ticket::Column::Id.eq(id))
        .filter(col.is_null())
        .exec(conn)
        .await?;
    Ok(r.rows_affected == 1)
}

pub async fn insert_event(
    conn: &impl ConnectionTrait,
    ticket_id: Uuid,
    kind: TicketEventKind,
    actor: Option<Uuid>,
    data: Value,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    event::ActiveModel::from(event::Model {
        id: Uuid::now_v7(),
        ticket_id,
        kind,
        actor_id: actor,
        data,
        at,
    })
    .insert(conn)
    .await
    .map(|_| ())
}

pub async fn insert_message(conn: &impl ConnectionTrait, m: message::Model) -> Result<(), DbErr> {
    message::ActiveModel::from(m).insert(conn).await.map(|_| ())
}

/// A ticket's conversation, oldest first; internal notes only when asked.
pub async fn messages_of(
    conn: &impl ConnectionTrait,
    id: Uuid,
    with_internal: bool,
) -> Result<Vec<message::Model>, DbErr> {
    let mut q = message::Entity::find().filter(message::Column::TicketId.eq(id));
    if !with_internal {
        q = q.filter(message::Column::Internal.eq(false));
    }
    q.order_by_asc(message::Column::At)
        .order_by_asc(message::Column::Id)
        .all(conn)
        .await
}

/// A ticket's event log, oldest first.
pub async fn events_of(conn: &impl ConnectionTrait, id: Uuid) -> Result<Vec<event::Model>, DbErr> {
    event::Entity::find()
        .filter(event::Column::TicketId.eq(id))
        .order_by_asc(event::Column::At)
        .order_by_asc(event::Column::Id)
        .all(conn)
        .await
}

/// What the queue can be narrowed to.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    pub opener: Option<Uuid>,
    pub status: Option<TicketStatus>,
    pub kind: Option<TicketKind>,
    pub assignee: Option<Uuid>,
    pub unassigned: bool,
    /// Only tickets whose next deadline has passed at this time.
    pub overdue_at: Option<DateTime<Utc>>,
    /// Only tickets still being worked (open or answered).
    pub active: bool,
}

/// Tickets matching `f`: the nearest (or most overdue) deadline first, closed ones last and
/// newest first among them.
pub fn list(f: &Filter) -> Select<ticket::Entity> {
    let mut q = ticket::Entity::find();
    if let Some(o) = f.opener {
        q = q.filter(ticket::Column::OpenerAccountId.eq(o));
    }
    if let Some(s) = f.status {
        q = q.filter(ticket::Column::Status.eq(s));
    }
    if f.active {
        q = q.filter(
            Condition::any()
                .add(ticket::Column::Status.eq(TicketStatus::Open))
                .add(ticket::Column::Status.eq(TicketStatus::Answered)),
        );
    }
    if let Some(k) = f.kind {
        q = q.filter(ticket::Column::Kind.eq(k));
    }
    if let Some(a) = f.assignee {
        q = q.filter(ticket::Column::AssigneeId.eq(a));
    }
    if f.unassigned {
        q = q.filter(ticket::Column::AssigneeId.is_null());
    }
    if let Some(now) = f.overdue_at {
        q = q.filter(ticket::Column::NextDueAt.lt(now));
    }
    q.order_by_asc(Expr::cust(
        "CASE WHEN desk_tickets.next_due_at IS NULL THEN 1 ELSE 0 END",
    ))
    .order_by_asc(ticket::Column::NextDueAt)
    .order_by_desc(ticket::Column::CreatedAt)
    .order_by_asc(ticket::Column::Id)
}

/// One page of a list, and the total.
pub async fn page(
    conn: &impl ConnectionTrait,
    q: Select<ticket::Entity>,
    offset: u64,
    limit: u64,
) -> Result<(Vec<ticket::Model>, u64), DbErr> {
    let total = q.clone().count(conn).await?;
    let items = q.offset(offset).limit(limit).all(conn).await?;
    Ok((items, total))
}

/// Tickets opened in `[from, to)` (the figures).
pub async fn created_between(
    conn: &impl ConnectionTrait,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<ticket::Model>, DbErr> {
    ticket::Entity::find()
        .filter(ticket::Column::CreatedAt.gte(from))
        .filter(ticket::Column::CreatedAt.lt(to))
        .filter(ticket::Column::Status.ne(TicketStatus::Merged))
        .all(conn)
        .await
}

/// Many tickets by id.
pub async fn by_ids(
    conn: &impl ConnectionTrait,
    ids: &[Uuid],
) -> Result<Vec<ticket::Model>, DbErr> {
    let mut out = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        out.extend(
            ticket::Entity::find()
                .filter(ticket::Column::Id.is_in(chunk.iter().copied()))
                .all(conn)
                .await?,
        );
    }
    Ok(out)
}
