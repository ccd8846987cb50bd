//! Sellers' ranking signals (migration 43).

use crate::domain::CreditSignal;
use crate::store::seller_signal;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, Set};
use std::collections::HashMap;
use uuid::Uuid;

/// The credit level of each of these sellers that has one stored (the others are neutral).
pub async fn credit_of(
    conn: &impl ConnectionTrait,
    sellers: &[Uuid],
) -> Result<HashMap<Uuid, CreditSignal>, DbErr> {
    let mut out = HashMap::new();
    for chunk in sellers.chunks(500) {
        let rows = seller_signal::Entity::find()
            .filter(seller_signal::Column::SellerOrgId.is_in(chunk.iter().copied()))
            .all(conn)
            .await?;
        out.extend(rows.into_iter().map(|r| (r.seller_org_id, r.credit_level)));
    }
    Ok(out)
}

/// Every stored level (a few rows per seller of the county).
pub async fn all_credit(conn: &impl ConnectionTrait) -> Result<HashMap<Uuid, CreditSignal>, DbErr> {
    Ok(seller_signal::Entity::find()
        .all(conn)
        .await?
        .into_iter()
        .map(|r| (r.seller_org_id, r.credit_level))
        .collect())
}

/// Stores a seller's level, replacing the one it had (two writers of the same seller at once
/// both succeed: the last one's row stays).
pub async fn put_credit(
    conn: &impl ConnectionTrait,
    seller: Uuid,
    level: CreditSignal,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    seller_signal::Entity::insert(seller_signal::ActiveModel {
        seller_org_id: Set(seller),
        credit_level: Set(level),
        updated_at: Set(at),
    })
    .on_conflict(
        OnConflict::column(seller_signal::Column::SellerOrgId)
            .update_columns([
                seller_signal::Column::CreditLevel,
                seller_signal::Column::UpdatedAt,
            ])
            .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(())
}
