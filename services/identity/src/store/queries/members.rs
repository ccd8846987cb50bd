//! Memberships: who belongs to which organisation, in which role.

use crate::domain::OrgRole;
use crate::store::{membership, organisation};
use chrono::{DateTime, Utc};
use farmgate_kernel::id::{AccountId, OrgId};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, Set,
};
use uuid::Uuid;

/// An account's memberships with their organisations, oldest first.
pub async fn of_account(
    conn: &impl ConnectionTrait,
    account: AccountId,
) -> Result<Vec<(membership::Model, organisation::Model)>, DbErr> {
    let members = membership::Entity::find()
        .filter(membership::Column::AccountId.eq(account.as_uuid()))
        .order_by_asc(membership::Column::CreatedAt)
        .all(conn)
        .await?;
    let orgs = super::orgs::by_ids(conn, members.iter().map(|m| m.org_id)).await?;
    Ok(members
        .into_iter()
        .filter_map(|m| {
            let org = orgs.iter().find(|o| o.id == m.org_id)?.clone();
            Some((m, org))
        })
        .collect())
}

/// An organisation's members, oldest first.
pub async fn of_org(
    conn: &impl ConnectionTrait,
    org: OrgId,
) -> Result<Vec<membership::Model>, DbErr> {
    membership::Entity::find()
        .filter(membership::Column::OrgId.eq(org.as_uuid()))
        .order_by_asc(membership::Column::CreatedAt)
        .all(conn)
        .await
}

/// The owners of these organisations, oldest membership first.
pub async fn owners_of(
    conn: &impl ConnectionTrait,
    orgs: impl IntoIterator<Item = Uuid>,
) -> Result<Vec<membership::Model>, DbErr> {
    membership::Entity::find()
        .filter(membership::Column::OrgId.is_in(orgs))
        .filter(membership::Column::Role.eq(OrgRole::Owner))
        .order_by_asc(membership::Column::CreatedAt)
        .all(conn)
        .await
}

pub async fn get(
    conn: &impl ConnectionTrait,
    org: OrgId,
    account: AccountId,
) -> Result<Option<membership::Model>, DbErr> {
    membership::Entity::find_by_id((org.as_uuid(), account.as_uuid()))
        .one(conn)
        .await
}

pub async fn insert(
    conn: &impl ConnectionTrait,
    org: OrgId,
    account: AccountId,
    role: OrgRole,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    membership::Entity::insert(membership::ActiveModel {
        org_id: Set(org.as_uuid()),
        account_id: Set(account.as_uuid()),
        role: Set(role),
        created_at: Set(at),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

pub async fn delete(
    conn: &impl ConnectionTrait,
    org: OrgId,
    account: AccountId,
) -> Result<(), DbErr> {
    membership::Entity::delete_by_id((org.as_uuid(), account.as_uuid()))
        .exec(conn)
        .await?;
    Ok(())
}

/// How many owners an organisation has: it must never drop to zero.
pub async fn owner_count(conn: &impl ConnectionTrait, org: OrgId) -> Result<u64, DbErr> {
    membership::Entity::find()
        .filter(membership::Column::OrgId.eq(org.as_uuid()))
        .filter(membership::Column::Role.eq(OrgRole::Owner))
        .count(conn)
        .await
}
