//! Photos uploaded before the save that attaches them, and creates' idempotency keys.

use crate::store::{create_key, org_document, photo_draft};
use chrono::{DateTime, Utc};
use farmgate_kernel::id::{ListingId, OrgId};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter};
use uuid::Uuid;

pub async fn insert(conn: &impl ConnectionTrait, model: &photo_draft::Model) -> Result<(), DbErr> {
    photo_draft::Entity::insert(photo_draft::ActiveModel::from(model.clone()))
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// How many unexpired drafts an organisation holds.
pub async fn count_live(
    conn: &impl ConnectionTrait,
    org: OrgId,
    now: DateTime<Utc>,
) -> Result<u64, DbErr> {
    photo_draft::Entity::find()
        .filter(photo_draft::Column::OrgId.eq(org.as_uuid()))
        .filter(photo_draft::Column::ExpiresAt.gt(now))
        .count(conn)
        .await
}

/// The organisation's unexpired drafts among `ids` (others' and expired ones are left out).
pub async fn live_of_org(
    conn: &impl ConnectionTrait,
    org: OrgId,
    ids: &[Uuid],
    now: DateTime<Utc>,
) -> Result<Vec<photo_draft::Model>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    photo_draft::Entity::find()
        .filter(photo_draft::Column::Id.is_in(ids.to_vec()))
        .filter(photo_draft::Column::OrgId.eq(org.as_uuid()))
        .filter(photo_draft::Column::ExpiresAt.gt(now))
        .all(conn)
        .await
}

/// Takes a draft for attaching: true when this call removed it (a save sent twice at once, or
/// a draft named by two listings, finds it gone the second time).
pub async fn take(conn: &impl ConnectionTrait, id: Uuid, org: OrgId) -> Result<bool, DbErr> {
    let res = photo_draft::Entity::delete_many()
        .filter(photo_draft::Column::Id.eq(id))
        .filter(photo_draft::Column::OrgId.eq(org.as_uuid()))
        .exec(conn)
        .await?;
    Ok(res.rows_affected == 1)
}

pub async fn by_id(
    conn: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<photo_draft::Model>, DbErr> {
    photo_draft::Entity::find_by_id(id).one(conn).await
}

/// A create's idempotency key, when it was used before.
pub async fn key(
    conn: &impl ConnectionTrait,
    org: OrgId,
    key: &str,
) -> Result<Option<create_key::Model>, DbErr> {
    create_key::Entity::find_by_id((org.as_uuid(), key.to_owned()))
        .one(conn)
        .await
}

pub async fn insert_key(
    conn: &impl ConnectionTrait,
    org: OrgId,
    key: &str,
    listing: ListingId,
    request_sha256: &str,
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    create_key::Entity::insert(create_key::ActiveModel {
        org_id: sea_orm::Set(org.as_uuid()),
        key: sea_orm::Set(key.to_owned()),
        listing_id: sea_orm::Set(listing.as_uuid()),
        request_sha256: sea_orm::Set(request_sha256.to_owned()),
        created_at: sea_orm::Set(now),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// An organisation's application pictures, oldest first.
pub async fn documents_of(
    conn: &impl ConnectionTrait,
    org: OrgId,
) -> Result<Vec<org_document::Model>, DbErr> {
    use sea_orm::QueryOrder;
    org_document::Entity::find()
        .filter(org_document::Column::OrgId.eq(org.as_uuid()))
        .order_by_asc(org_document::Column::CreatedAt)
        .all(conn)
        .await
}

pub async fn insert_document(
    conn: &impl ConnectionTrait,
    model: &org_document::Model,
) -> Result<(), DbErr> {
    org_document::Entity::insert(org_document::ActiveModel::from(model.clone()))
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// Removes one of the organisation's pictures; whether it was there.
pub async fn delete_document(
    conn: &impl ConnectionTrait,
    id: Uuid,
    org: OrgId,
) -> Result<bool, DbErr> {
    let r = org_document::Entity::delete_many()
        .filter(org_document::Column::Id.eq(id))
        .filter(org_document::Column::OrgId.eq(org.as_uuid()))
        .exec(conn)
        .await?;
    Ok(r.rows_affected > 0)
}
