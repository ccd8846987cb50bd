//! What the operator's console home (served by the server's `console` module) reads of
//! identity, and why: the organisations waiting for verification (sellers, business buyers),
//! counted, with when the oldest applied, so the operator sees how long the queue has waited.
//!
//! - [`org_queue`]: pending organisations and the oldest's application time.
//! - [`org_exists`]: whether an organisation exists (a console for no organisation is 404).
//!
//! Nothing here writes; no contact detail is read.

use crate::domain::OrgStatus;
use crate::store::organisation;
use chrono::{DateTime, Utc};
use farmgate_kernel::id::OrgId;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

/// The organisation review queue.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OrgQueue {
    pub count: u64,
    pub oldest_applied_at: Option<DateTime<Utc>>,
}

/// Organisations waiting for the operator's verification.
pub async fn org_queue(conn: &impl ConnectionTrait) -> Result<OrgQueue, DbErr> {
    let pending =
        || organisation::Entity::find().filter(organisation::Column::Status.eq(OrgStatus::Pending));
    let count = pending().count(conn).await?;
    let oldest_applied_at = pending()
        .order_by_asc(organisation::Column::UpdatedAt)
        .limit(1)
        .one(conn)
        .await?
        .map(|o| o.updated_at);
    Ok(OrgQueue {
        count,
        oldest_applied_at,
    })
}

/// Whether the organisation exists.
pub async fn org_exists(conn: &impl ConnectionTrait, id: OrgId) -> Result<bool, DbErr> {
    Ok(organisation::Entity::find_by_id(id.as_uuid())
        .select_only()
        .column(organisation::Column::Id)
        .into_tuple::<uuid::Uuid>()
        .one(conn)
        .await?
        .is_some())
}
