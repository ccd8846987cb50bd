//! Business buyers' purchasing settings (`buyer_profiles`, issue #22): read one, write one.

use crate::store::buyer_profile;
use farmgate_kernel::id::OrgId;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ConnectionTrait, DbErr, EntityTrait, Set};

/// The organisation's settings, if its owner ever wrote them.
pub async fn get(
    conn: &impl ConnectionTrait,
    org: OrgId,
) -> Result<Option<buyer_profile::Model>, DbErr> {
    buyer_profile::Entity::find_by_id(org.as_uuid())
        .one(conn)
        .await
}

/// Writes the settings whole (insert or replace): two owners saving at once leave one of
/// the two complete versions, never a mix and never a unique-key failure.
pub async fn put(conn: &impl ConnectionTrait, row: buyer_profile::Model) -> Result<(), DbErr> {
    use buyer_profile::Column as C;
    buyer_profile::Entity::insert(buyer_profile::ActiveModel {
        org_id: Set(row.org_id),
        buyer_kind: Set(row.buyer_kind),
        approval_limit_fen: Set(row.approval_limit_fen),
        updated_by: Set(row.updated_by),
        updated_at: Set(row.updated_at),
    })
    .on_conflict(
        OnConflict::column(C::OrgId)
            .update_columns([
                C::BuyerKind,
                C::ApprovalLimitFen,
                C::UpdatedBy,
                C::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await
    .map(|_| ())
}
