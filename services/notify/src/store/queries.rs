//! Query functions over notifications' tables.

use super::{notification, pref, setting};
use crate::domain::{Channel, DeliveryStatus, NotificationKind};
use chrono::{DateTime, Utc};
use farmgate_kernel::{Page, Paged};
use sea_orm::sea_query::{Expr, ExprTrait, OnConflict};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

use notification::Column as N;

/// Writes a notification unless one exists for its (event, recipient, channel); true when
/// this call wrote it. Two workers racing on one event both call this: one writes, the other
/// (on PostgreSQL after waiting for the first to commit) writes nothing.
pub async fn insert_if_new(
    conn: &impl ConnectionTrait,
    row: notification::Model,
) -> Result<bool, DbErr> {
    let am: notification::ActiveModel = row.into();
    let n = notification::Entity::insert(am)
        .on_conflict(
            OnConflict::columns([N::EventId, N::RecipientId, N::Channel])
                .do_nothing()
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(n == 1)
}

/// One notification by id.
pub async fn find(
    conn: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<notification::Model>, DbErr> {
    notification::Entity::find_by_id(id).one(conn).await
}

/// A person's centre, newest first: in-app rows, optionally only unread or one kind.
pub async fn centre(
    conn: &impl ConnectionTrait,
    recipient: Uuid,
    unread_only: bool,
    kind: Option<NotificationKind>,
    page: Page,
) -> Result<Paged<notification::Model>, DbErr> {
    let mut q = notification::Entity::find()
        .filter(N::RecipientId.eq(recipient))
        .filter(N::Channel.eq(Channel::InApp));
    if unread_only {
        q = q.filter(N::ReadAt.is_null());
    }
    if let Some(kind) = kind {
        q = q.filter(N::Kind.eq(kind));
    }
    let total = q.clone().count(conn).await?;
    let items = q
        .order_by_desc(N::CreatedAt)
        .order_by_desc(N::Id)
        .limit(page.limit())
        .offset(page.offset())
        .all(conn)
        .await?;
    Ok(Paged::new(items, total, page))
}

/// How many of a person's in-app notifications are unread.
pub async fn unread_count(conn: &impl ConnectionTrait, recipient: Uuid) -> Result<u64, DbErr> {
    notification::Entity::find()
        .filter(N::RecipientId.eq(recipient))
        .filter(N::Channel.eq(Channel::InApp))
        .filter(N::ReadAt.is_null())
        .count(conn)
        .await
}

/// Marks one of the person's in-app notifications read (once: a second call keeps the first
/// time). `None`: no such notification of theirs.
pub async fn mark_read(
    conn: &impl ConnectionTrait,
    id: Uuid,
    recipient: Uuid,
    at: DateTime<Utc>,
) -> Result<Option<notification::Model>, DbErr> {
    notification::Entity::update_many()
        .col_expr(N::ReadAt, Expr::value(at))
        .filter(N::Id.eq(id))
        .filter(N::RecipientId.eq(recipient))
        .filter(N::Channel.eq(Channel::InApp))
        .filter(N::ReadAt.is_null())
        .exec(conn)
        .await?;
    notification::Entity::find_by_id(id)
        .filter(N::RecipientId.eq(recipient))
        .filter(N::Channel.eq(Channel::InApp))
        .one(conn)
        .await
}

/// Marks every unread in-app notification of the person read; how many.
pub async fn mark_all_read(
    conn: &impl ConnectionTrait,
    recipient: Uuid,
    at: DateTime<Utc>,
) -> Result<u64, DbErr> {
    Ok(notification::Entity::update_many()
        .col_expr(N::ReadAt, Expr::value(at))
        .filter(N::RecipientId.eq(recipient))
        .filter(N::Channel.eq(Channel::InApp))
        .filter(N::ReadAt.is_null())
        .exec(conn)
        .await?
        .rows_affected)
}

/// Whether anyone read an in-app notification of `kind` about `subject`.
pub async fn read_by_anyone(
    conn: &impl ConnectionTrait,
    subject: Uuid,
    kind: NotificationKind,
) -> Result<bool, DbErr> {
    Ok(notification::Entity::find()
        .filter(N::SubjectId.eq(subject))
        .filter(N::Kind.eq(kind))
        .filter(N::Channel.eq(Channel::InApp))
        .filter(N::ReadAt.is_not_null())
        .count(conn)
        .await?
        > 0)
}

/// Takes an outside delivery for sending: pending, or sending under a claim that ran out (a
/// worker died mid-send). True when this worker holds it now.
pub async fn claim_delivery(
    conn: &impl ConnectionTrait,
    id: Uuid,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let res = notification::Entity::update_many()
        .col_expr(N::Status, Expr::value(DeliveryStatus::Sending))
        .col_expr(N::ClaimedUntil, Expr::value(until))
        .col_expr(N::Attempts, Expr::col(N::Attempts).add(1))
        .filter(N::Id.eq(id))
        .filter(N::Channel.ne(Channel::InApp))
        .filter(
            Condition::any()
                .add(N::Status.eq(DeliveryStatus::Pending))
                .add(
                    Condition::all()
                        .add(N::Status.eq(DeliveryStatus::Sending))
                        .add(N::ClaimedUntil.lt(now)),
                ),
        )
        .exec(conn)
        .await?;
    Ok(res.rows_affected == 1)
}

/// Records how a claimed delivery ended.
pub async fn finish_delivery(
    conn: &impl ConnectionTrait,
    id: Uuid,
    status: DeliveryStatus,
    error: Option<String>,
    sent_at: Option<DateTime<Utc>>,
) -> Result<(), DbErr> {
    notification::Entity::update_many()
        .col_expr(N::Status, Expr::value(status))
        .col_expr(N::LastError, Expr::value(error))
        .col_expr(N::SentAt, Expr::value(sent_at))
        .col_expr(N::ClaimedUntil, Expr::value(Option::<DateTime<Utc>>::None))
        .filter(N::Id.eq(id))
        .filter(N::Status.eq(DeliveryStatus::Sending))
        .exec(conn)
        .await?;
    Ok(())
}

/// A person's chosen channels per kind.
pub async fn prefs(conn: &impl ConnectionTrait, account: Uuid) -> Result<Vec<pref::Model>, DbErr> {
    pref::Entity::find()
        .filter(pref::Column::AccountId.eq(account))
        .all(conn)
        .await
}

/// Sets a person's channels for one kind.
pub async fn upsert_pref(conn: &impl ConnectionTrait, row: pref::Model) -> Result<(), DbErr> {
    let am: pref::ActiveModel = row.into();
    pref::Entity::insert(am)
        .on_conflict(
            OnConflict::columns([pref::Column::AccountId, pref::Column::Kind])
                .update_columns([
                    pref::Column::Sms,
                    pref::Column::Wechat,
                    pref::Column::UpdatedAt,
                ])
                .to_owned(),
        )
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// A person's quiet-hours row.
pub async fn setting(
    conn: &impl ConnectionTrait,
    account: Uuid,
) -> Result<Option<setting::Model>, DbErr> {
    setting::Entity::find_by_id(account).one(conn).await
}

/// Sets a person's quiet hours (`None`: none).
pub async fn upsert_setting(
    conn: &impl ConnectionTrait,
    account: Uuid,
    quiet: Option<(i16, i16)>,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    setting::Entity::insert(setting::ActiveModel {
        account_id: Set(account),
        quiet_start_minute: Set(quiet.map(|q| q.0)),
        quiet_end_minute: Set(quiet.map(|q| q.1)),
        updated_at: Set(at),
    })
    .on_conflict(
        OnConflict::column(setting::Column::AccountId)
            .update_columns([
                setting::Column::QuietStartMinute,
                setting::Column::QuietEndMinute,
                setting::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(())
}
