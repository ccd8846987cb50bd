//! Claims and recalls as shop credit (信用, issue #20) counts them.
//!
//! Who: `farmgate-stats` (a seller's credit figures, the operator's seller list, the search
//! ranking's credit signal). Why: credit is recomputed from the records for one seller or every
//! seller at once, with one grouped query each; the claim and recall use cases answer one
//! record to someone allowed to see it. Counts only: no buyer, no contact, no text.

use crate::store::{claim, recall};
use chrono::{DateTime, Utc};
use farmgate_kernel::id::OrgId;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};
use std::collections::HashMap;
use uuid::Uuid;

/// Damage claims filed against each seller since `since` (or one seller's), by seller.
pub async fn claims_filed<C: ConnectionTrait>(
    db: &C,
    since: DateTime<Utc>,
    seller: Option<OrgId>,
) -> Result<HashMap<OrgId, i64>, DbErr> {
    use claim::Column as C;
    let mut q = claim::Entity::find()
        .select_only()
        .column(C::SellerOrgId)
        .column_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "n")
        .filter(C::CreatedAt.gte(since))
        .group_by(C::SellerOrgId);
    if let Some(org) = seller {
        q = q.filter(C::SellerOrgId.eq(org.0));
    }
    let rows: Vec<(Uuid, i64)> = q.into_tuple().all(db).await?;
    Ok(rows.into_iter().map(|(o, n)| (OrgId(o), n)).collect())
}

/// Recalls of each seller's batches ordered since `since` (or one seller's), by seller.
pub async fn recalls<C: ConnectionTrait>(
    db: &C,
    since: DateTime<Utc>,
    seller: Option<OrgId>,
) -> Result<HashMap<OrgId, i64>, DbErr> {
    use recall::Column as R;
    let mut q = recall::Entity::find()
        .select_only()
        .column(R::SellerOrgId)
        .column_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "n")
        .filter(R::CreatedAt.gte(since))
        .group_by(R::SellerOrgId);
    if let Some(org) = seller {
        q = q.filter(R::SellerOrgId.eq(org.0));
    }
    let rows: Vec<(Uuid, i64)> = q.into_tuple().all(db).await?;
    Ok(rows.into_iter().map(|(o, n)| (OrgId(o), n)).collect())
}
