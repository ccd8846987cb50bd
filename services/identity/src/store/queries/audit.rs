//! The audit log: an append-only record of privileged actions.

use crate::domain::{AuditAction, AuditTarget};
use crate::store::audit;
use farmgate_infra::http::RequestMeta;
use farmgate_kernel::Page;
use farmgate_kernel::id::AccountId;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryOrder, QuerySelect, Set};
use uuid::Uuid;

/// One privileged action, appended to the audit log.
pub struct AuditEntry {
    pub actor_id: Option<AccountId>,
    pub action: AuditAction,
    pub target_type: AuditTarget,
    pub target_id: Option<String>,
    pub details: serde_json::Value,
}

pub async fn append(
    conn: &impl ConnectionTrait,
    now: chrono::DateTime<chrono::Utc>,
    meta: &RequestMeta,
    entry: AuditEntry,
) -> Result<(), DbErr> {
    audit::Entity::insert(audit::ActiveModel {
        id: Set(Uuid::now_v7()),
        at: Set(now),
        actor_id: Set(entry.actor_id.map(|a| a.as_uuid())),
        action: Set(entry.action.as_str().to_owned()),
        target_type: Set(entry.target_type.as_str().to_owned()),
        target_id: Set(entry.target_id),
        ip: Set(meta.ip_string()),
        request_id: Set(meta.request_id.clone()),
        details: Set(entry.details),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// The log, newest first, and how long it is.
pub async fn page(
    conn: &impl ConnectionTrait,
    page: Page,
) -> Result<(Vec<audit::Model>, u64), DbErr> {
    let total = audit::Entity::find().count(conn).await?;
    let rows = audit::Entity::find()
        .order_by_desc(audit::Column::At)
        .order_by_desc(audit::Column::Id)
        .offset(page.offset())
        .limit(page.limit())
        .all(conn)
        .await?;
    Ok((rows, total))
}

/// The entries an account made or that concern it, newest first (for "download my data").
pub async fn about_account(
    conn: &impl ConnectionTrait,
    account: AccountId,
) -> Result<Vec<audit::Model>, DbErr> {
    use sea_orm::{ColumnTrait, Condition, QueryFilter};
    audit::Entity::find()
        .filter(
            Condition::any()
                .add(audit::Column::ActorId.eq(account.as_uuid()))
                .add(
                    Condition::all()
                        .add(audit::Column::TargetType.eq(AuditTarget::Account.as_str()))
                        .add(audit::Column::TargetId.eq(account.to_string())),
                ),
        )
        .order_by_desc(audit::Column::At)
        .limit(1000)
        .all(conn)
        .await
}
