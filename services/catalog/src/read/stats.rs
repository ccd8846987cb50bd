//! What the county statistics (`farmgate-stats`) need to know about the catalogue.
//!
//! Who: the statistics rollups and dashboard. Why: a sold line is counted under its listing's
//! origin (county, township, village) and title, its category and that category's top-level
//! root, and its weight (the SKU's net weight when the unit is not a weight). The live path
//! looks up the few listings and SKUs of one order; the rebuild loads them all once (the
//! catalogue is small next to the orders) rather than once per order. The dashboard checks
//! that a filter names something that exists and groups its category picker by root.

use crate::store::{category, listing, sku};
use farmgate_kernel::id::{CategoryId, ListingId, SkuId};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, FromQueryResult, PaginatorTrait, QueryFilter,
    QuerySelect,
};
use std::collections::HashMap;
use uuid::Uuid;

/// Where a listing's produce comes from, and what it is called.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListingOrigin {
    pub id: ListingId,
    pub title: String,
    pub county: String,
    pub township: Option<String>,
    pub village: Option<String>,
}

/// A category in the tree.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CategoryNode {
    pub id: CategoryId,
    pub parent: Option<CategoryId>,
    pub name: String,
    pub name_en: String,
}

#[derive(FromQueryResult)]
struct ListingRow {
    id: Uuid,
    title: String,
    county: String,
    township: Option<String>,
    village: Option<String>,
}

/// The origins of these listings; `None`: of every listing (the rebuild).
pub async fn listing_origins<C: ConnectionTrait>(
    db: &C,
    ids: Option<&[ListingId]>,
) -> Result<Vec<ListingOrigin>, DbErr> {
    use listing::Column as L;
    let mut q = listing::Entity::find().select_only().columns([
        L::Id,
        L::Title,
        L::County,
        L::Township,
        L::Village,
    ]);
    if let Some(ids) = ids {
        q = q.filter(L::Id.is_in(ids.iter().map(|i| i.0)));
    }
    Ok(q.into_model::<ListingRow>()
        .all(db)
        .await?
        .into_iter()
        .map(|r| ListingOrigin {
            id: ListingId(r.id),
            title: r.title,
            county: r.county,
            township: r.township,
            village: r.village,
        })
        .collect())
}

/// The net weight in grams of one sold unit of these SKUs, where the seller gave it; `None`:
/// of every SKU (the rebuild).
pub async fn net_weights<C: ConnectionTrait>(
    db: &C,
    ids: Option<&[SkuId]>,
) -> Result<HashMap<SkuId, Option<i32>>, DbErr> {
    let mut q = sku::Entity::find()
        .select_only()
        .columns([sku::Column::Id, sku::Column::NetWeightGrams]);
    if let Some(ids) = ids {
        q = q.filter(sku::Column::Id.is_in(ids.iter().map(|i| i.0)));
    }
    let rows: Vec<(Uuid, Option<i32>)> = q.into_tuple().all(db).await?;
    Ok(rows.into_iter().map(|(id, g)| (SkuId(id), g)).collect())
}

/// Every category (the tree is small: a few hundred at most).
pub async fn categories<C: ConnectionTrait>(db: &C) -> Result<Vec<CategoryNode>, DbErr> {
    use category::Column as K;
    let rows: Vec<(Uuid, Option<Uuid>, String, String)> = category::Entity::find()
        .select_only()
        .columns([K::Id, K::ParentId, K::Name, K::NameEn])
        .into_tuple()
        .all(db)
        .await?;
    Ok(rows
        .into_iter()
        .map(|(id, parent, name, name_en)| CategoryNode {
            id: CategoryId(id),
            parent: parent.map(CategoryId),
            name,
            name_en,
        })
        .collect())
}

/// Whether any listing comes from this township (and village, when given) of `county`.
pub async fn origin_listed<C: ConnectionTrait>(
    db: &C,
    county: &str,
    township: &str,
    village: Option<&str>,
) -> Result<bool, DbErr> {
    let mut q = listing::Entity::find()
        .filter(listing::Column::County.eq(county))
        .filter(listing::Column::Township.eq(township));
    if let Some(v) = village {
        q = q.filter(listing::Column::Village.eq(v));
    }
    Ok(q.count(db).await? > 0)
}

/// Whether the category exists.
pub async fn category_exists<C: ConnectionTrait>(db: &C, id: CategoryId) -> Result<bool, DbErr> {
    Ok(category::Entity::find()
        .filter(category::Column::Id.eq(id.0))
        .count(db)
        .await?
        > 0)
}

/// Whether the listing exists.
pub async fn listing_exists<C: ConnectionTrait>(db: &C, id: ListingId) -> Result<bool, DbErr> {
    Ok(listing::Entity::find()
        .filter(listing::Column::Id.eq(id.0))
        .count(db)
        .await?
        > 0)
}
