//! Sellers as shop credit (信用, issue #20) lists them.
//!
//! Who: `farmgate-stats` (the credit figures: months on the platform; the operator's seller
//! list). Why: credit is computed for every verified seller at once; the organisation use
//! cases answer one organisation to someone allowed to see it. Public facts only: name, kind,
//! when verified.

use crate::domain::OrgKind;
use crate::store::organisation;
use chrono::{DateTime, Utc};
use farmgate_kernel::id::OrgId;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

/// A verified seller.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Seller {
    pub id: OrgId,
    pub kind: OrgKind,
    pub name: String,
    pub verified_at: DateTime<Utc>,
}

/// An organisation's id, kind, name and when it was verified.
type Row = (Uuid, String, String, Option<DateTime<Utc>>);

/// Every verified selling organisation (or one), oldest first.
pub async fn sellers<C: ConnectionTrait>(
    db: &C,
    only: Option<OrgId>,
) -> Result<Vec<Seller>, DbErr> {
    use organisation::Column as O;
    let mut q = organisation::Entity::find()
        .select_only()
        .columns([O::Id, O::Kind, O::Name, O::VerifiedAt])
        .filter(O::VerifiedAt.is_not_null());
    if let Some(org) = only {
        q = q.filter(O::Id.eq(org.0));
    }
    let rows: Vec<Row> = q.into_tuple().all(db).await?;
    let mut out: Vec<Seller> = rows
        .into_iter()
        .filter_map(|(id, kind, name, at)| {
            let kind = OrgKind::parse(&kind).filter(|k| k.is_seller())?;
            Some(Seller {
                id: OrgId(id),
                kind,
                name,
                verified_at: at?,
            })
        })
        .collect();
    out.sort_by_key(|s| s.verified_at);
    Ok(out)
}
