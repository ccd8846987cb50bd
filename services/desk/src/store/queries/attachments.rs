//! Photos on desk items and claim follow-ups. Tying photos to a message is one conditional
//! update over the uploader's unsent photos, so a photo is sent once, by its uploader only.

use crate::store::{attachment, claim_follow_up};
use chrono::{DateTime, Utc};
use farmgate_infra::db::UniqueIndex;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

/// One follow-up per claim (`m20261206_000034`).
pub const CLAIM_FOLLOW_UP: UniqueIndex = UniqueIndex {
    name: "ux_desk_claim_follow_ups_claim",
    table: "desk_claim_follow_ups",
    columns: &["claim_id"],
};

pub async fn insert(conn: &impl ConnectionTrait, m: attachment::Model) -> Result<(), DbErr> {
    attachment::Entity::insert(attachment::ActiveModel::from(m))
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

pub async fn by_id(
    conn: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<attachment::Model>, DbErr> {
    attachment::Entity::find_by_id(id).one(conn).await
}

fn unsent() -> sea_orm::Condition {
    sea_orm::Condition::all()
        .add(attachment::Column::TicketId.is_null())
        .add(attachment::Column::MessageId.is_null())
        .add(attachment::Column::ConversationId.is_null())
        .add(attachment::Column::ConversationMessageId.is_null())
}

/// How many photos the account uploaded and has not sent yet.
pub async fn unsent_count(conn: &impl ConnectionTrait, account: Uuid) -> Result<u64, DbErr> {
    attachment::Entity::find()
        .filter(attachment::Column::AccountId.eq(account))
        .filter(unsent())
        .count(conn)
        .await
}

/// How many of `ids` are the account's and unsent.
pub async fn usable_count(
    conn: &impl ConnectionTrait,
    ids: &[Uuid],
    account: Uuid,
) -> Result<u64, DbErr> {
    attachment::Entity::find()
        .filter(attachment::Column::Id.is_in(ids.to_vec()))
        .filter(attachment::Column::AccountId.eq(account))
        .filter(unsent())
        .count(conn)
        .await
}

/// Deletes photo `id` if it is still unsent; whether it did.
pub async fn delete_unsent(conn: &impl ConnectionTrait, id: Uuid) -> Result<bool, DbErr> {
    let r = attachment::Entity::delete_many()
        .filter(attachment::Column::Id.eq(id))
        .filter(unsent())
        .exec(conn)
        .await?;
    Ok(r.rows_affected == 1)
}

/// Every photo `account` uploaded, oldest first.
pub async fn of_account(
    conn: &impl ConnectionTrait,
    account: Uuid,
) -> Result<Vec<attachment::Model>, DbErr> {
    attachment::Entity::find()
        .filter(attachment::Column::AccountId.eq(account))
        .order_by_asc(attachment::Column::UploadedAt)
        .order_by_asc(attachment::Column::Id)
        .all(conn)
        .await
}

/// Where a photo is sent.
#[derive(Clone, Copy, Debug)]
pub enum Target {
    Ticket { ticket: Uuid, message: Uuid },
    Conversation { conversation: Uuid, message: Uuid },
}

/// Ties the account's unsent photos `ids` to `target`; how many were tied.
pub async fn attach(
    conn: &impl ConnectionTrait,
    ids: &[Uuid],
    account: Uuid,
    target: Target,
) -> Result<u64, DbErr> {
    let q = attachment::Entity::update_many();
    let q = match target {
        Target::Ticket { ticket, message } => q
            .col_expr(attachment::Column::TicketId, Expr::value(Some(ticket)))
            .col_expr(attachment::Column::MessageId, Expr::value(Some(message))),
        Target::Conversation {
            conversation,
            message,
        } => q
            .col_expr(
                attachment::Column::ConversationId,
                Expr::value(Some(conversation)),
            )
            .col_expr(
                attachment::Column::ConversationMessageId,
                Expr::value(Some(message)),
            ),
    };
    let r = q
        .filter(attachment::Column::Id.is_in(ids.to_vec()))
        .filter(attachment::Column::AccountId.eq(account))
        .filter(unsent())
        .exec(conn)
        .await?;
    Ok(r.rows_affected)
}

/// The photos sent on a ticket, in upload order.
pub async fn of_ticket(
    conn: &impl ConnectionTrait,
    ticket: Uuid,
) -> Result<Vec<attachment::Model>, DbErr> {
    attachment::Entity::find()
        .filter(attachment::Column::TicketId.eq(ticket))
        .order_by_asc(attachment::Column::UploadedAt)
        .order_by_asc(attachment::Column::Id)
        .all(conn)
        .await
}

/// The photos sent in a conversation, in upload order.
pub async fn of_conversation(
    conn: &impl ConnectionTrait,
    conversation: Uuid,
) -> Result<Vec<attachment::Model>, DbErr> {
    attachment::Entity::find()
        .filter(attachment::Column::ConversationId.eq(conversation))
        .order_by_asc(attachment::Column::UploadedAt)
        .order_by_asc(attachment::Column::Id)
        .all(conn)
        .await
}

/// A unique-index failure ([`CLAIM_FOLLOW_UP`]) comes back as the error.
pub async fn insert_claim_follow_up(
    conn: &impl ConnectionTrait,
    m: claim_follow_up::Model,
) -> Result<(), DbErr> {
    claim_follow_up::Entity::insert(claim_follow_up::ActiveModel::from(m))
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

pub async fn claim_follow_up(
    conn: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<claim_follow_up::Model>, DbErr> {
    claim_follow_up::Entity::find_by_id(id).one(conn).await
}

/// Claim follow-ups still owed (one agent's when `agent`), oldest first.
pub async fn open_claim_follow_ups(
    conn: &impl ConnectionTrait,
    agent: Option<Uuid>,
) -> Result<Vec<claim_follow_up::Model>, DbErr> {
    let mut q = claim_follow_up::Entity::find().filter(claim_follow_up::Column::DoneAt.is_null());
    if let Some(a) = agent {
        q = q.filter(claim_follow_up::Column::AgentId.eq(a));
    }
    q.order_by_asc(claim_follow_up::Column::CreatedAt)
        .order_by_asc(claim_follow_up::Column::Id)
        .all(conn)
        .await
}

/// Records the outcome unless it is recorded; whether it was.
pub async fn complete_claim_follow_up(
    conn: &impl ConnectionTrait,
    id: Uuid,
    outcome: crate::domain::FollowUpOutcome,
    note: Option<String>,
    by: Uuid,
    at: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let r = claim_follow_up::Entity::update_many()
        .col_expr(claim_follow_up::Column::Outcome, Expr::value(outcome))
        .col_expr(claim_follow_up::Column::Note, Expr::value(note))
        .col_expr(claim_follow_up::Column::DoneBy, Expr::value(Some(by)))
        .col_expr(claim_follow_up::Column::DoneAt, Expr::value(Some(at)))
        .filter(claim_follow_up::Column::Id.eq(id))
        .filter(claim_follow_up::Column::DoneAt.is_null())
        .exec(conn)
        .await?;
    Ok(r.rows_affected == 1)
}

/// The claim follow-ups given to `agent` between `from` and `to`.
pub async fn claim_follow_ups_of(
    conn: &impl ConnectionTrait,
    agent: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<claim_follow_up::Model>, DbErr> {
    claim_follow_up::Entity::find()
        .filter(claim_follow_up::Column::AgentId.eq(agent))
        .filter(claim_follow_up::Column::CreatedAt.gte(from))
        .filter(claim_follow_up::Column::CreatedAt.lt(to))
        .all(conn)
        .await
}
