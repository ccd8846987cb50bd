//! Organisations and their verification history.

use crate::domain::{OrgFilter, OrgStatus, ReviewAction};
use crate::store::{org_review, organisation};
use chrono::{DateTime, Utc};
use farmgate_kernel::Page;
use farmgate_kernel::id::{AccountId, OrgId};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use uuid::Uuid;

pub async fn by_id(
    conn: &impl ConnectionTrait,
    id: OrgId,
) -> Result<Option<organisation::Model>, DbErr> {
    organisation::Entity::find_by_id(id.as_uuid())
        .one(conn)
        .await
}

/// The organisations with these ids (any order; unknown ids are skipped).
pub async fn by_ids(
    conn: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
) -> Result<Vec<organisation::Model>, DbErr> {
    organisation::Entity::find()
        .filter(organisation::Column::Id.is_in(ids))
        .all(conn)
        .await
}

/// A unique-constraint failure (licence number) comes back as the error; the use case names
/// the field.
pub async fn insert(conn: &impl ConnectionTrait, model: &organisation::Model) -> Result<(), DbErr> {
    organisation::Entity::insert(organisation::ActiveModel::from(model.clone()))
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// The operator's list: the verification queue (status `pending`, oldest first, the order it
/// is worked in) or the directory (newest first), and how many match.
pub async fn filtered(
    conn: &impl ConnectionTrait,
    filter: &OrgFilter,
    page: Page,
) -> Result<(Vec<organisation::Model>, u64), DbErr> {
    let mut q = organisation::Entity::find();
    if let Some(s) = filter.status {
        q = q.filter(organisation::Column::Status.eq(s));
    }
    if let Some(k) = filter.kind {
        q = q.filter(organisation::Column::Kind.eq(k));
    }
    if let Some(text) = super::search_text(filter.q.as_deref()) {
        q = q.filter(
            Condition::any()
                .add(organisation::Column::Name.contains(text.clone()))
                .add(organisation::Column::LicenceNo.contains(text.to_uppercase())),
        );
    }
    let total = q.clone().count(conn).await?;
    let q = if filter.status == Some(OrgStatus::Pending) {
        q.order_by_asc(organisation::Column::UpdatedAt)
    } else {
        q.order_by_desc(organisation::Column::UpdatedAt)
    };
    let orgs = q
        .order_by_asc(organisation::Column::Id)
        .offset(page.offset())
        .limit(page.limit())
        .all(conn)
        .await?;
    Ok((orgs, total))
}

/// Appends to an organisation's verification history.
pub async fn append_review(
    conn: &impl ConnectionTrait,
    org: OrgId,
    action: ReviewAction,
    actor: AccountId,
    reason: Option<String>,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    org_review::Entity::insert(org_review::ActiveModel {
        id: Set(Uuid::now_v7()),
        org_id: Set(org.as_uuid()),
        action: Set(action),
        actor_id: Set(actor.as_uuid()),
        reason: Set(reason),
        at: Set(at),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// An organisation's verification history, oldest first.
pub async fn history(
    conn: &impl ConnectionTrait,
    org: OrgId,
) -> Result<Vec<org_review::Model>, DbErr> {
    org_review::Entity::find()
        .filter(org_review::Column::OrgId.eq(org.as_uuid()))
        .order_by_asc(org_review::Column::At)
        .order_by_asc(org_review::Column::Id)
        .all(conn)
        .await
}
