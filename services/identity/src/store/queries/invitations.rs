//! Invitations to join an organisation, addressed to a phone number or e-mail address.

use crate::domain::{InvitationId, InvitationStatus};
use crate::store::invitation;
use chrono::{DateTime, Utc};
use farmgate_kernel::id::OrgId;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
};

pub async fn insert(conn: &impl ConnectionTrait, model: &invitation::Model) -> Result<(), DbErr> {
    invitation::Entity::insert(invitation::ActiveModel::from(model.clone()))
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// The pending invitation of `org` to `login`, if one waits.
pub async fn pending_to(
    conn: &impl ConnectionTrait,
    org: OrgId,
    login: &str,
) -> Result<Option<invitation::Model>, DbErr> {
    invitation::Entity::find()
        .filter(invitation::Column::OrgId.eq(org.as_uuid()))
        .filter(invitation::Column::Login.eq(login))
        .filter(invitation::Column::Status.eq(InvitationStatus::Pending))
        .one(conn)
        .await
}

/// The invitations an organisation sent, newest first (the latest 200).
pub async fn of_org(
    conn: &impl ConnectionTrait,
    org: OrgId,
) -> Result<Vec<invitation::Model>, DbErr> {
    invitation::Entity::find()
        .filter(invitation::Column::OrgId.eq(org.as_uuid()))
        .order_by_desc(invitation::Column::CreatedAt)
        .limit(200)
        .all(conn)
        .await
}

/// Pending invitations addressed to any of these logins, newest first.
pub async fn pending_for(
    conn: &impl ConnectionTrait,
    logins: Vec<String>,
) -> Result<Vec<invitation::Model>, DbErr> {
    invitation::Entity::find()
        .filter(invitation::Column::Login.is_in(logins))
        .filter(invitation::Column::Status.eq(InvitationStatus::Pending))
        .order_by_desc(invitation::Column::CreatedAt)
        .all(conn)
        .await
}

/// Invitation `id` if it is addressed to one of these logins.
pub async fn addressed_to(
    conn: &impl ConnectionTrait,
    id: InvitationId,
    logins: Vec<String>,
) -> Result<Option<invitation::Model>, DbErr> {
    invitation::Entity::find_by_id(id.as_uuid())
        .filter(invitation::Column::Login.is_in(logins))
        .one(conn)
        .await
}

/// Invitation `id` if `org` sent it.
pub async fn sent_by(
    conn: &impl ConnectionTrait,
    id: InvitationId,
    org: OrgId,
) -> Result<Option<invitation::Model>, DbErr> {
    invitation::Entity::find_by_id(id.as_uuid())
        .filter(invitation::Column::OrgId.eq(org.as_uuid()))
        .one(conn)
        .await
}

/// Moves invitation `id` from `from` to `to`, only if it still is in `from`: two answers racing
/// (an accept and a revoke) cannot both win. Returns whether it moved.
pub async fn set_status(
    conn: &impl ConnectionTrait,
    id: InvitationId,
    from: InvitationStatus,
    to: InvitationStatus,
    at: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let res = invitation::Entity::update_many()
        .col_expr(invitation::Column::Status, Expr::value(to))
        .col_expr(invitation::Column::RespondedAt, Expr::value(Some(at)))
        .filter(invitation::Column::Id.eq(id.as_uuid()))
        .filter(invitation::Column::Status.eq(from))
        .exec(conn)
        .await?;
    Ok(res.rows_affected > 0)
}
