//! Reusable queries. Each takes `&impl ConnectionTrait`: the pool or the use case's transaction.

use super::entities::{account, audit, membership, organisation};
use crate::domain::{OrgKind, OrgRole, OrgStatus, PlatformRole};
use farmgate_infra::http::RequestMeta;
use farmgate_kernel::LoginId;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

/// Reads a stored enum value; an unknown value means the database was edited by hand or a
/// migration is missing, which is our bug, not the user's.
pub fn stored<T>(value: &str, parse: impl Fn(&str) -> Option<T>, column: &str) -> Result<T, DbErr> {
    parse(value).ok_or_else(|| DbErr::Custom(format!("unexpected value {value:?} in {column}")))
}

pub fn org_kind(o: &organisation::Model) -> Result<OrgKind, DbErr> {
    stored(&o.kind, OrgKind::parse, "organisations.kind")
}

pub fn org_status(o: &organisation::Model) -> Result<OrgStatus, DbErr> {
    stored(&o.status, OrgStatus::parse, "organisations.status")
}

pub fn member_role(m: &membership::Model) -> Result<OrgRole, DbErr> {
    stored(&m.role, OrgRole::parse, "memberships.role")
}

pub fn platform_role(a: &account::Model) -> Result<Option<PlatformRole>, DbErr> {
    a.platform_role
        .as_deref()
        .map(|r| stored(r, PlatformRole::parse, "accounts.platform_role"))
        .transpose()
}

pub async fn account_by_login(
    conn: &impl ConnectionTrait,
    login: &LoginId,
) -> Result<Option<account::Model>, DbErr> {
    let filter = match login {
        LoginId::Phone(p) => account::Column::Phone.eq(p.as_str()),
        LoginId::Email(e) => account::Column::Email.eq(e.as_str()),
    };
    account::Entity::find().filter(filter).one(conn).await
}

pub async fn account_by_id(
    conn: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<account::Model>, DbErr> {
    account::Entity::find_by_id(id).one(conn).await
}

pub async fn org_by_id(
    conn: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<organisation::Model>, DbErr> {
    organisation::Entity::find_by_id(id).one(conn).await
}

/// An account's memberships with their organisations, oldest first.
pub async fn memberships_of(
    conn: &impl ConnectionTrait,
    account_id: Uuid,
) -> Result<Vec<(membership::Model, organisation::Model)>, DbErr> {
    let members = membership::Entity::find()
        .filter(membership::Column::AccountId.eq(account_id))
        .order_by_asc(membership::Column::CreatedAt)
        .all(conn)
        .await?;
    let ids: Vec<Uuid> = members.iter().map(|m| m.org_id).collect();
    let orgs = organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(ids))
        .all(conn)
        .await?;
    Ok(members
        .into_iter()
        .filter_map(|m| {
            let org = orgs.iter().find(|o| o.id == m.org_id)?.clone();
            Some((m, org))
        })
        .collect())
}

pub async fn membership(
    conn: &impl ConnectionTrait,
    org_id: Uuid,
    account_id: Uuid,
) -> Result<Option<membership::Model>, DbErr> {
    membership::Entity::find_by_id((org_id, account_id))
        .one(conn)
        .await
}

/// How many owners an organisation has: it must never drop to zero.
pub async fn owner_count(conn: &impl ConnectionTrait, org_id: Uuid) -> Result<u64, DbErr> {
    use sea_orm::PaginatorTrait;
    membership::Entity::find()
        .filter(membership::Column::OrgId.eq(org_id))
        .filter(membership::Column::Role.eq(OrgRole::Owner.as_str()))
        .count(conn)
        .await
}

/// One privileged action, appended to the audit log.
pub struct AuditEntry<'a> {
    pub actor_id: Option<Uuid>,
    pub action: &'a str,
    pub target_type: &'a str,
    pub target_id: Option<String>,
    pub details: serde_json::Value,
}

pub async fn append_audit(
    conn: &impl ConnectionTrait,
    now: chrono::DateTime<chrono::Utc>,
    meta: &RequestMeta,
    entry: AuditEntry<'_>,
) -> Result<(), DbErr> {
    audit::Entity::insert(audit::ActiveModel {
        id: Set(Uuid::now_v7()),
        at: Set(now),
        actor_id: Set(entry.actor_id),
        action: Set(entry.action.to_owned()),
        target_type: Set(entry.target_type.to_owned()),
        target_id: Set(entry.target_id),
        ip: Set(meta.ip_string()),
        request_id: Set(meta.request_id.clone()),
        details: Set(entry.details),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}
