//! Claims, their lines, their event log, their thread and the carrier recourse.

use super::CHUNK;
use crate::domain::{ClaimKind, ClaimStatus, EventKind, Role};
use crate::store::{claim, claim_line, event, message, recourse};
use chrono::{DateTime, Utc};
use farmgate_kernel::Page;
use farmgate_kernel::id::{AccountId, ClaimId, OrderId, OrderLineId, OrgId, SubOrderId};
use sea_orm::sea_query::{Expr, ExprTrait, Func};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait,
    QueryFilter, QueryOrder, QuerySelect, Select, Set,
};
use serde_json::Value;
use uuid::Uuid;

pub async fn by_id(
    conn: &impl ConnectionTrait,
    id: ClaimId,
) -> Result<Option<claim::Model>, DbErr> {
    claim::Entity::find_by_id(id.0).one(conn).await
}

/// The lines a claim names, as stored.
pub async fn lines_of(
    conn: &impl ConnectionTrait,
    id: ClaimId,
) -> Result<Vec<claim_line::Model>, DbErr> {
    claim_line::Entity::find()
        .filter(claim_line::Column::ClaimId.eq(id.0))
        .all(conn)
        .await
}

/// The lines of many claims (the quality figures), as stored.
pub async fn lines_of_claims(
    conn: &impl ConnectionTrait,
    ids: &[ClaimId],
) -> Result<Vec<claim_line::Model>, DbErr> {
    let mut out = Vec::new();
    for chunk in ids.chunks(CHUNK) {
        out.extend(
            claim_line::Entity::find()
                .filter(claim_line::Column::ClaimId.is_in(chunk.iter().map(|c| c.0)))
                .all(conn)
                .await?,
        );
    }
    Ok(out)
}

/// Units of an order line claimed so far, over every claim on it.
pub async fn claimed_so_far(conn: &impl ConnectionTrait, line: OrderLineId) -> Result<i64, DbErr> {
    Ok(claim_line::Entity::find()
        .filter(claim_line::Column::LineId.eq(line.0))
        .all(conn)
        .await?
        .iter()
        .map(|c| c.quantity)
        .sum())
}

/// A claim's event log, oldest first.
pub async fn events_of(
    conn: &impl ConnectionTrait,
    id: ClaimId,
) -> Result<Vec<event::Model>, DbErr> {
    event::Entity::find()
        .filter(event::Column::ClaimId.eq(id.0))
        .order_by_asc(event::Column::At)
        .order_by_asc(event::Column::Id)
        .all(conn)
        .await
}

/// A claim's thread, oldest first.
pub async fn messages_of(
    conn: &impl ConnectionTrait,
    id: ClaimId,
) -> Result<Vec<message::Model>, DbErr> {
    message::Entity::find()
        .filter(message::Column::ClaimId.eq(id.0))
        .order_by_asc(message::Column::At)
        .all(conn)
        .await
}

pub async fn recourse_of(
    conn: &impl ConnectionTrait,
    id: ClaimId,
) -> Result<Option<recourse::Model>, DbErr> {
    recourse::Entity::find()
        .filter(recourse::Column::ClaimId.eq(id.0))
        .one(conn)
        .await
}

// ---------------------------------------------------------------------------------------------
// Lists

/// A buyer's claims, newest first.
pub fn of_buyer(buyer: AccountId) -> Select<claim::Entity> {
    claim::Entity::find()
        .filter(claim::Column::BuyerAccountId.eq(buyer.0))
        .order_by_desc(claim::Column::CreatedAt)
}

/// A seller's claims, the nearest deadline first.
pub fn of_seller(org: OrgId) -> Select<claim::Entity> {
    claim::Entity::find()
        .filter(claim::Column::SellerOrgId.eq(org.0))
        .order_by_asc(claim::Column::RespondBy)
}

/// Every claim, arbitrations past their deadline at `now` first, then oldest first.
pub fn overdue_first(now: DateTime<Utc>) -> Select<claim::Entity> {
    use sea_orm::sea_query::ExprTrait;
    let overdue = claim::Column::Status
        .eq(ClaimStatus::InArbitration)
        .and(claim::Column::ArbitrateBy.lte(now));
    claim::Entity::find()
        .order_by(
            Expr::Case(Box::new(
                Expr::case(overdue, Expr::val(0)).finally(Expr::val(1)),
            )),
            sea_orm::Order::Asc,
        )
        .order_by_asc(claim::Column::CreatedAt)
}

/// Narrows a list to one status.
pub fn with_status(q: Select<claim::Entity>, status: Option<ClaimStatus>) -> Select<claim::Entity> {
    match status {
        Some(s) => q.filter(claim::Column::Status.eq(s)),
        None => q,
    }
}

/// Narrows a list to one order's claims.
pub fn of_order(q: Select<claim::Entity>, order: Option<OrderId>) -> Select<claim::Entity> {
    match order {
        Some(o) => q.filter(claim::Column::OrderId.eq(o.0)),
        None => q,
    }
}

/// One page of a list, and how many there are in all.
pub async fn page(
    conn: &impl ConnectionTrait,
    q: Select<claim::Entity>,
    page: Page,
) -> Result<(Vec<claim::Model>, u64), DbErr> {
    let total = q.clone().count(conn).await?;
    let rows = q
        .offset(page.offset())
        .limit(page.limit())
        .all(conn)
        .await?;
    Ok((rows, total))
}

/// Claims filed in `[from, until)`, of one seller or all (the quality figures).
pub async fn filed_between(
    conn: &impl ConnectionTrait,
    (from, until): (DateTime<Utc>, DateTime<Utc>),
    seller: Option<OrgId>,
) -> Result<Vec<claim::Model>, DbErr> {
    let mut q = claim::Entity::find()
        .filter(claim::Column::CreatedAt.gte(from))
        .filter(claim::Column::CreatedAt.lt(until));
    if let Some(o) = seller {
        q = q.filter(claim::Column::SellerOrgId.eq(o.0));
    }
    q.all(conn).await
}

/// Claims filed at or after `since` (the flagged buyers).
pub async fn filed_since(
    conn: &impl ConnectionTrait,
    since: DateTime<Utc>,
) -> Result<Vec<claim::Model>, DbErr> {
    claim::Entity::find()
        .filter(claim::Column::CreatedAt.gte(since))
        .all(conn)
        .await
}

// ---------------------------------------------------------------------------------------------
// Writes

/// A new claim and its lines.
pub async fn insert(
    conn: &impl ConnectionTrait,
    c: claim::Model,
    lines: Vec<claim_line::Model>,
) -> Result<(), DbErr> {
    claim::ActiveModel::from(c).insert(conn).await?;
    for l in lines {
        claim_line::ActiveModel::from(l).insert(conn).await?;
    }
    Ok(())
}

/// What a step changes on a claim besides its status; `None` leaves a column alone.
#[derive(Clone, Debug)]
pub struct Change {
    pub to: ClaimStatus,
    pub offered_fen: Option<i64>,
    pub refunded_fen: Option<i64>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub liability: Option<Value>,
    /// Marks the claim escalated (for the figures; it stays marked).
    pub escalated: bool,
    pub first_response_at: Option<DateTime<Utc>>,
    /// The buyer's answer to an offer is due by then.
    pub answer_by: Option<DateTime<Utc>>,
    /// The operator's decision is due by then.
    pub arbitrate_by: Option<DateTime<Utc>>,
}

impl Change {
    pub fn to(to: ClaimStatus) -> Self {
        Self {
            to,
            offered_fen: None,
            refunded_fen: None,
            resolved_at: None,
            liability: None,
            escalated: false,
            first_response_at: None,
            answer_by: None,
            arbitrate_by: None,
        }
    }
}

/// Moves a claim on from `from`, once: the status is the update's condition, so of two
/// concurrent steps one wins. Whether this one did.
pub async fn move_on(
    conn: &impl ConnectionTrait,
    id: ClaimId,
    from: ClaimStatus,
    change: Change,
) -> Result<bool, DbErr> {
    let mut up = claim::Entity::update_many()
        .col_expr(claim::Column::Status, Expr::value(change.to))
        .filter(claim::Column::Id.eq(id.0))
        .filter(claim::Column::Status.eq(from));
    if let Some(v) = change.offered_fen {
        up = up.col_expr(claim::Column::OfferedFen, Expr::value(v));
    }
    if let Some(v) = change.refunded_fen {
        up = up.col_expr(claim::Column::RefundedFen, Expr::value(v));
    }
    if let Some(v) = change.resolved_at {
        up = up.col_expr(claim::Column::ResolvedAt, Expr::value(v));
    }
    if let Some(v) = change.liability {
        up = up.col_expr(claim::Column::Liability, Expr::value(v));
    }
    if change.escalated {
        up = up.col_expr(claim::Column::Escalated, Expr::value(true));
    }
    if let Some(v) = change.first_response_at {
        up = up.col_expr(claim::Column::FirstResponseAt, Expr::value(v));
    }
    if let Some(v) = change.answer_by {
        up = up.col_expr(claim::Column::AnswerBy, Expr::value(v));
    }
    if let Some(v) = change.arbitrate_by {
        up = up.col_expr(claim::Column::ArbitrateBy, Expr::value(v));
    }
    Ok(up.exec(conn).await?.rows_affected == 1)
}

/// Adds a refund made after the claim was settled (an unsent replacement's units) to what the
/// claim refunded, in the caller's transaction.
pub async fn add_refunded(conn: &impl ConnectionTrait, id: ClaimId, fen: i64) -> Result<(), DbErr> {
    claim::Entity::update_many()
        .col_expr(
            claim::Column::RefundedFen,
            Expr::expr(Func::coalesce([
                Expr::col(claim::Column::RefundedFen),
                Expr::val(0i64),
            ]))
            .add(fen),
        )
        .filter(claim::Column::Id.eq(id.0))
        .exec(conn)
        .await?;
    Ok(())
}

/// Records the buyer's rating, once. Whether this one did.
pub async fn rate(
    conn: &impl ConnectionTrait,
    id: ClaimId,
    rating: i16,
    comment: Option<String>,
) -> Result<bool, DbErr> {
    let done = claim::Entity::update_many()
        .col_expr(claim::Column::Satisfaction, Expr::value(rating))
        .col_expr(claim::Column::SatisfactionComment, Expr::value(comment))
        .filter(claim::Column::Id.eq(id.0))
        .filter(claim::Column::Satisfaction.is_null())
        .exec(conn)
        .await?;
    Ok(done.rows_affected == 1)
}

/// Appends to a claim's event log.
pub async fn append_event(
    conn: &impl ConnectionTrait,
    claim_id: ClaimId,
    kind: EventKind,
    actor: Option<AccountId>,
    role: Role,
    data: Value,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    event::ActiveModel {
        id: Set(Uuid::now_v7()),
        claim_id: Set(claim_id.0),
        kind: Set(kind),
        actor_id: Set(actor.map(|a| a.0)),
        actor_role: Set(role),
        data: Set(data),
        at: Set(at),
    }
    .insert(conn)
    .await?;
    Ok(())
}

pub async fn insert_message(conn: &impl ConnectionTrait, m: message::Model) -> Result<(), DbErr> {
    message::ActiveModel::from(m).insert(conn).await?;
    Ok(())
}

pub async fn insert_recourse(conn: &impl ConnectionTrait, r: recourse::Model) -> Result<(), DbErr> {
    recourse::ActiveModel::from(r).insert(conn).await?;
    Ok(())
}

/// Whether a "not received" or "lost" claim on the sub-order is still being handled.
pub async fn open_before_receipt(
    conn: &impl ConnectionTrait,
    sub_order: SubOrderId,
) -> Result<bool, DbErr> {
    Ok(claim::Entity::find()
        .filter(claim::Column::SubOrderId.eq(sub_order.0))
        .filter(claim::Column::Kind.is_in([ClaimKind::NotReceived, ClaimKind::Lost]))
        .filter(claim::Column::Status.ne(ClaimStatus::Resolved))
        .count(conn)
        .await?
        > 0)
}
