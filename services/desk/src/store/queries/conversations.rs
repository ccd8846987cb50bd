//! Conversation queries. The unread counts, notice flags and the response clock change by
//! conditional updates in the message's transaction, so two messages at once cannot both
//! send the "first of the burst" notice, nor both start the clock.

use crate::domain::conversation::{ConversationSubject, ReportOutcome, Side};
use crate::store::{conversation, conversation_message, conversation_read, conversation_report};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use conversation::Column as C;

pub async fn by_id(
    conn: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<conversation::Model>, DbErr> {
    conversation::Entity::find_by_id(id).one(conn).await
}

pub async fn by_subject(
    conn: &impl ConnectionTrait,
    buyer: Uuid,
    kind: ConversationSubject,
    subject: Uuid,
    seller: Uuid,
) -> Result<Option<conversation::Model>, DbErr> {
    conversation::Entity::find()
        .filter(C::BuyerAccountId.eq(buyer))
        .filter(C::SubjectKind.eq(kind))
        .filter(C::SubjectId.eq(subject))
        .filter(C::SellerOrgId.eq(seller))
        .one(conn)
        .await
}

pub async fn insert(conn: &impl ConnectionTrait, m: conversation::Model) -> Result<(), DbErr> {
    conversation::Entity::insert(conversation::ActiveModel::from(m))
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// A page of a buyer's (or a seller's) conversations, the latest message first.
pub async fn page(
    conn: &impl ConnectionTrait,
    side: Side,
    who: Uuid,
    offset: u64,
    limit: u64,
) -> Result<(Vec<conversation::Model>, u64), DbErr> {
    let q = match side {
        Side::Buyer => conversation::Entity::find().filter(C::BuyerAccountId.eq(who)),
        Side::Seller => conversation::Entity::find().filter(C::SellerOrgId.eq(who)),
    }
    .order_by_desc(C::LastMessageAt)
    .order_by_desc(C::CreatedAt)
    .order_by_asc(C::Id);
    let total = q.clone().count(conn).await?;
    let rows = q.offset(offset).limit(limit).all(conn).await?;
    Ok((rows, total))
}

/// Unread messages over all of a buyer's (or a seller's) conversations.
pub async fn unread_total(
    conn: &impl ConnectionTrait,
    side: Side,
    who: Uuid,
) -> Result<i64, DbErr> {
    let (col, filter) = match side {
        Side::Buyer => (C::BuyerUnread, C::BuyerAccountId.eq(who)),
        Side::Seller => (C::SellerUnread, C::SellerOrgId.eq(who)),
    };
    let n: Option<Option<i64>> = conversation::Entity::find()
        .select_only()
        .column_as(Expr::col(col).sum(), "n")
        .filter(filter)
        .into_tuple()
        .one(conn)
        .await?;
    Ok(n.flatten().unwrap_or(0))
}

pub async fn messages(
    conn: &impl ConnectionTrait,
    conversation_id: Uuid,
) -> Result<Vec<conversation_message::Model>, DbErr> {
    conversation_message::Entity::find()
        .filter(conversation_message::Column::ConversationId.eq(conversation_id))
        .order_by_asc(conversation_message::Column::At)
        .order_by_asc(conversation_message::Column::Id)
        .all(conn)
        .await
}

pub async fn message(
    conn: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<conversation_message::Model>, DbErr> {
    conversation_message::Entity::find_by_id(id).one(conn).await
}

pub async fn messages_by_ids(
    conn: &impl ConnectionTrait,
    ids: Vec<Uuid>,
) -> Result<Vec<conversation_message::Model>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    conversation_message::Entity::find()
        .filter(conversation_message::Column::Id.is_in(ids))
        .all(conn)
        .await
}

pub async fn insert_message(
    conn: &impl ConnectionTrait,
    m: conversation_message::Model,
) -> Result<(), DbErr> {
    conversation_message::Entity::insert(conversation_message::ActiveModel::from(m))
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// After a message by `side`: the recipient's unread count grows, the last message moves,
/// the response clock starts or stops (`domain::conversation::ResponseClock`). Whether the
/// recipient is to be noticed (they were not since they last read: `on_message`).
pub async fn after_message(
    conn: &impl ConnectionTrait,
    id: Uuid,
    side: Side,
    message_id: Uuid,
    at: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let (unread, noticed) = match side.other() {
        Side::Buyer => (C::BuyerUnread, C::BuyerNoticed),
        Side::Seller => (C::SellerUnread, C::SellerNoticed),
    };
    let notice = conversation::Entity::update_many()
        .col_expr(noticed, Expr::value(true))
        .filter(C::Id.eq(id))
        .filter(noticed.eq(false))
        .exec(conn)
        .await?
        .rows_affected
        == 1;
    conversation::Entity::update_many()
        .col_expr(unread, Expr::col(unread).add(1))
        .col_expr(C::LastMessageId, Expr::value(message_id))
        .col_expr(C::LastMessageAt, Expr::value(at))
        .filter(C::Id.eq(id))
        .exec(conn)
        .await?;
    let clock = match side {
        Side::Buyer => conversation::Entity::update_many()
            .col_expr(C::FirstBuyerMessageAt, Expr::value(at))
            .filter(C::FirstBuyerMessageAt.is_null()),
        Side::Seller => conversation::Entity::update_many()
            .col_expr(C::FirstSellerReplyAt, Expr::value(at))
            .filter(C::FirstSellerReplyAt.is_null())
            .filter(C::FirstBuyerMessageAt.is_not_null()),
    };
    clock.filter(C::Id.eq(id)).exec(conn).await?;
    Ok(notice)
}

/// `side` read the conversation up to `last_message_id`: its unread count and notice flag
/// clear (`on_read`) — unless a message arrived since, which the next reading clears.
pub async fn mark_read(
    conn: &impl ConnectionTrait,
    id: Uuid,
    side: Side,
    last_message_id: Option<Uuid>,
) -> Result<(), DbErr> {
    let (unread, noticed) = match side {
        Side::Buyer => (C::BuyerUnread, C::BuyerNoticed),
        Side::Seller => (C::SellerUnread, C::SellerNoticed),
    };
    let q = conversation::Entity::update_many()
        .col_expr(unread, Expr::value(0))
        .col_expr(noticed, Expr::value(false))
        .filter(C::Id.eq(id));
    let q = match last_message_id {
        Some(m) => q.filter(C::LastMessageId.eq(m)),
        None => q.filter(C::LastMessageId.is_null()),
    };
    q.exec(conn).await?;
    Ok(())
}

pub async fn insert_read(
    conn: &impl ConnectionTrait,
    m: conversation_read::Model,
) -> Result<(), DbErr> {
    conversation_read::Entity::insert(conversation_read::ActiveModel::from(m))
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

pub async fn reads_of(
    conn: &impl ConnectionTrait,
    conversation_id: Uuid,
) -> Result<Vec<conversation_read::Model>, DbErr> {
    conversation_read::Entity::find()
        .filter(conversation_read::Column::ConversationId.eq(conversation_id))
        .order_by_asc(conversation_read::Column::At)
        .all(conn)
        .await
}

pub async fn insert_report(
    conn: &impl ConnectionTrait,
    m: conversation_report::Model,
) -> Result<(), DbErr> {
    conversation_report::Entity::insert(conversation_report::ActiveModel::from(m))
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

pub async fn report(
    conn: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<conversation_report::Model>, DbErr> {
    conversation_report::Entity::find_by_id(id).one(conn).await
}

/// A page of reports: open ones oldest first, or all newest first.
pub async fn reports(
    conn: &impl ConnectionTrait,
    open_only: bool,
    offset: u64,
    limit: u64,
) -> Result<(Vec<conversation_report::Model>, u64), DbErr> {
    use conversation_report::Column as R;
    let q = conversation_report::Entity::find();
    let q = if open_only {
        q.filter(R::ResolvedAt.is_null()).order_by_asc(R::CreatedAt)
    } else {
        q.order_by_desc(R::CreatedAt)
    }
    .order_by_asc(R::Id);
    let total = q.clone().count(conn).await?;
    let rows = q.offset(offset).limit(limit).all(conn).await?;
    Ok((rows, total))
}

/// Resolves open reports: one (`report`), or every one of the message; how many.
pub async fn resolve_reports(
    conn: &impl ConnectionTrait,
    message_id: Uuid,
    report: Option<Uuid>,
    outcome: ReportOutcome,
    by: Uuid,
    at: DateTime<Utc>,
) -> Result<u64, DbErr> {
    use conversation_report::Column as R;
    let mut q = conversation_report::Entity::update_many()
        .col_expr(R::Outcome, Expr::value(outcome.as_str().to_owned()))
        .col_expr(R::ResolvedBy, Expr::value(by))
        .col_expr(R::ResolvedAt, Expr::value(at))
        .filter(R::MessageId.eq(message_id))
        .filter(R::ResolvedAt.is_null());
    if let Some(r) = report {
        q = q.filter(R::Id.eq(r));
    }
    Ok(q.exec(conn).await?.rows_affected)
}

/// Hides a shown message with the reason; whether it was shown.
pub async fn hide_message(
    conn: &impl ConnectionTrait,
    id: Uuid,
    reason: &str,
    by: Uuid,
    at: DateTime<Utc>,
) -> Result<bool, DbErr> {
    use conversation_message::Column as M;
    let r = conversation_message::Entity::update_many()
        .col_expr(M::HiddenAt, Expr::value(at))
        .col_expr(M::HiddenReason, Expr::value(reason.to_owned()))
        .col_expr(M::HiddenBy, Expr::value(by))
        .filter(M::Id.eq(id))
        .filter(M::HiddenAt.is_null())
        .exec(conn)
        .await?;
    Ok(r.rows_affected == 1)
}

/// A seller's conversations whose buyer first wrote in [`from`, `to`): their clocks.
pub async fn clocks_of_seller(
    conn: &impl ConnectionTrait,
    seller: Uuid,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<(Option<DateTime<Utc>>, Option<DateTime<Utc>>)>, DbErr> {
    conversation::Entity::find()
        .select_only()
        .column(C::FirstBuyerMessageAt)
        .column(C::FirstSellerReplyAt)
        .filter(C::SellerOrgId.eq(seller))
        .filter(C::FirstBuyerMessageAt.gte(from))
        .filter(C::FirstBuyerMessageAt.lt(to))
        .into_tuple()
        .all(conn)
        .await
}
