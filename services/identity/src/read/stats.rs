//! What the county statistics (`farmgate-stats`) need to know about organisations.
//!
//! Who: the statistics rollups and dashboard. Why: a sale is counted under its seller (by
//! name) and the seller's kind (cooperative, family farm …); the live path looks up the sellers
//! of one order, the rebuild loads every organisation once rather than once per order. The
//! onboarding view counts organisations verified over time (organisations are public facts;
//! no person is read), and a seller filter must name an organisation that exists.

use crate::domain::OrgKind;
use crate::store::organisation;
use chrono::{DateTime, Utc};
use farmgate_kernel::id::OrgId;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
};
use uuid::Uuid;

/// An organisation as a sale names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrgName {
    pub id: OrgId,
    pub kind: OrgKind,
    pub name: String,
}

/// An organisation's verification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    pub kind: OrgKind,
    pub verified_at: DateTime<Utc>,
}

fn kind_of(id: Uuid, kind: &str) -> Result<OrgKind, DbErr> {
    OrgKind::parse(kind).ok_or_else(|| DbErr::Custom(format!("organisation {id} has kind {kind}")))
}

/// These organisations' kinds and names; `None`: every organisation's (the rebuild).
pub async fn org_names<C: ConnectionTrait>(
    db: &C,
    ids: Option<&[OrgId]>,
) -> Result<Vec<OrgName>, DbErr> {
    use organisation::Column as O;
    let mut q = organisation::Entity::find()
        .select_only()
        .columns([O::Id, O::Kind, O::Name]);
    if let Some(ids) = ids {
        q = q.filter(O::Id.is_in(ids.iter().map(|i| i.0)));
    }
    let rows: Vec<(Uuid, String, String)> = q.into_tuple().all(db).await?;
    rows.into_iter()
        .map(|(id, kind, name)| {
            Ok(OrgName {
                id: OrgId(id),
                kind: kind_of(id, &kind)?,
                name,
            })
        })
        .collect()
}

/// Organisations verified in [`from`, `until`), by kind and instant.
pub async fn verified_between<C: ConnectionTrait>(
    db: &C,
    from: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Result<Vec<Verified>, DbErr> {
    use organisation::Column as O;
    let rows: Vec<(Uuid, String, Option<DateTime<Utc>>)> = organisation::Entity::find()
        .select_only()
        .columns([O::Id, O::Kind, O::VerifiedAt])
        .filter(O::VerifiedAt.gte(from))
        .filter(O::VerifiedAt.lt(until))
        .into_tuple()
        .all(db)
        .await?;
    rows.into_iter()
        .filter_map(|(id, kind, at)| at.map(|at| (id, kind, at)))
        .map(|(id, kind, verified_at)| {
            Ok(Verified {
                kind: kind_of(id, &kind)?,
                verified_at,
            })
        })
        .collect()
}

/// Whether the organisation exists.
pub async fn org_exists<C: ConnectionTrait>(db: &C, id: OrgId) -> Result<bool, DbErr> {
    Ok(organisation::Entity::find()
        .filter(organisation::Column::Id.eq(id.0))
        .count(db)
        .await?
        > 0)
}
