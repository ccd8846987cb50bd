//! What the catalogue API answers. Wholesale tiers are shown only to verified business
//! buyers, the listing's seller and the operator.

use crate::domain::{
    Availability, ListingStatus, RevisionKind, RevisionStatus, SkuChangeField, Tier, Unit,
};
use crate::service::{ListingBundle, origin_of, origin_of_revision, sees_tiers, tiers_of};
use crate::store::{category, image, org_document, photo_draft, revision, sku, sku_change};
use chrono::{DateTime, Utc};
use farmgate_identity::{Actor, OrgKind, OrgStatus, OrgSummary};
use farmgate_infra::search::{SearchHit, SearchResponse};
use farmgate_kernel::Region;
use serde::Serialize;
use std::collections::BTreeMap;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryView {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub name: String,
    pub name_en: String,
    pub slug: String,
    pub sort_order: i32,
    pub active: bool,
    /// Hours after receipt during which a damage claim may be filed.
    pub claim_window_hours: i32,
    /// Platform commission in basis points (500 = 5%).
    pub commission_bp: i32,
    /// Hours from payment within which a part sold under this category must ship (12–240);
    /// `null`: the parent's, else the platform's default.
    pub ship_within_hours: Option<i32>,
    /// Subcategories (roots only; the tree has two levels).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    #[schema(no_recursion)]
    pub children: Vec<CategoryView>,
}

impl CategoryView {
    pub fn of(c: &category::Model) -> Self {
        Self {
            id: c.id,
            parent_id: c.parent_id,
            name: c.name.clone(),
            name_en: c.name_en.clone(),
            slug: c.slug.clone(),
            sort_order: c.sort_order,
            active: c.active,
            claim_window_hours: c.claim_window_hours,
            commission_bp: c.commission_bp,
            ship_within_hours: c.ship_within_hours,
            children: Vec::new(),
        }
    }

    /// The tree: roots with their children, each level in sort order. Inactive categories only
    /// when asked (the operator's view).
    pub fn tree(all: &[category::Model], include_inactive: bool) -> Vec<CategoryView> {
        let keep = |c: &&category::Model| include_inactive || c.active;
        all.iter()
            .filter(|c| c.parent_id.is_none())
            .filter(keep)
            .map(|root| {
                let mut v = CategoryView::of(root);
                v.children = all
                    .iter()
                    .filter(|c| c.parent_id == Some(root.id))
                    .filter(keep)
                    .map(CategoryView::of)
                    .collect();
                v
            })
            .collect()
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryRef {
    pub id: Uuid,
    pub name: String,
    pub name_en: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryPath {
    pub id: Uuid,
    pub name: String,
    pub name_en: String,
    /// Root first.
    pub path: Vec<CategoryRef>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SkuView {
    pub id: Uuid,
    pub name: String,
    pub unit: Unit,
    /// Retail price per unit, fen.
    pub price: i64,
    pub stock: i64,
    pub weight_grams: i32,
    pub net_weight_grams: Option<i32>,
    /// Sold by catch weight (约 `net_weight_grams`，多退少补): the tolerance in per mille above
    /// the nominal net weight; `null`: a fixed weight.
    pub catch_tolerance_permille: Option<i32>,
    pub gtin: Option<String>,
    /// Wholesale tiers: present only for verified business buyers, the seller and the operator.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tiers: Option<Vec<Tier>>,
    pub active: bool,
    /// Active and in stock.
    pub on_sale: bool,
}

impl SkuView {
    pub fn of(s: &sku::Model, show_tiers: bool) -> Self {
        Self {
            id: s.id,
            name: s.name.clone(),
            unit: s.unit,
            price: s.price_fen,
            stock: s.stock,
            weight_grams: s.weight_grams,
            net_weight_grams: s.net_weight_grams,
            catch_tolerance_permille: s.catch_tolerance_permille,
            gtin: s.gtin.clone(),
            tiers: show_tiers.then(|| tiers_of(s)),
            active: s.active,
            on_sale: s.active && s.stock > 0,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImageView {
    pub id: Uuid,
    pub url: String,
    pub thumb_url: String,
    pub width: i32,
    pub height: i32,
}

impl ImageView {
    pub fn of(i: &image::Model) -> Self {
        Self {
            id: i.id,
            url: format!("/media/{}", i.display_key),
            thumb_url: format!("/media/{}", i.thumb_key),
            width: i.width,
            height: i.height,
        }
    }
}

/// A picture of an organisation's papers; `url` answers only its members and the operator.
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgDocumentView {
    pub id: Uuid,
    /// `business_licence` or `other`.
    pub kind: String,
    pub url: String,
    pub width: i32,
    pub height: i32,
    pub uploaded_at: DateTime<Utc>,
}

impl OrgDocumentView {
    pub fn of(d: &org_document::Model) -> Self {
        Self {
            id: d.id,
            kind: d.kind.clone(),
            url: format!("/api/v1/orgs/{}/documents/{}/file", d.org_id, d.id),
            width: d.width,
            height: d.height,
            uploaded_at: d.created_at,
        }
    }
}

/// A photo uploaded before the save that attaches it (`photo_ids`).
#[derive(Debug, Serialize, ToSchema)]
pub struct DraftPhotoView {
    pub id: Uuid,
    pub url: String,
    pub thumb_url: String,
    pub width: i32,
    pub height: i32,
    /// When it is removed unless a save attaches it (UTC).
    pub expires_at: DateTime<Utc>,
}

impl DraftPhotoView {
    pub fn of(d: &photo_draft::Model) -> Self {
        Self {
            id: d.id,
            url: format!("/media/{}", d.display_key),
            thumb_url: format!("/media/{}", d.thumb_key),
            width: d.width,
            height: d.height,
            expires_at: d.expires_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SellerRef {
    pub id: Uuid,
    pub name: String,
    pub kind: OrgKind,
    pub verified: bool,
    pub region: Region,
}

impl SellerRef {
    pub fn of(s: &OrgSummary) -> Self {
        Self {
            id: s.id.as_uuid(),
            name: s.name.clone(),
            kind: s.kind,
            verified: s.status == OrgStatus::Verified,
            region: s.region.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PreviousFacts {
    pub title: String,
    pub category_id: Uuid,
    pub origin: Region,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionView {
    pub id: Uuid,
    pub listing_id: Uuid,
    pub kind: RevisionKind,
    pub status: RevisionStatus,
    pub title: String,
    pub category_id: Uuid,
    pub origin: Region,
    pub origin_note: Option<String>,
    /// What the live listing says now, for a proposed change.
    pub previous: Option<PreviousFacts>,
    pub reason: Option<String>,
    pub submitted_at: DateTime<Utc>,
    pub decided_at: Option<DateTime<Utc>>,
}

impl RevisionView {
    pub fn of(r: &revision::Model, b: &ListingBundle) -> Self {
        let kind = r.kind;
        Self {
            id: r.id,
            listing_id: r.listing_id,
            kind,
            status: r.status,
            title: r.title.clone(),
            category_id: r.category_id,
            origin: origin_of_revision(r),
            origin_note: r.origin_note.clone(),
            previous: (kind == RevisionKind::Change).then(|| PreviousFacts {
                title: b.listing.title.clone(),
                category_id: b.listing.category_id,
                origin: origin_of(&b.listing),
            }),
            reason: r.reason.clone(),
            submitted_at: r.submitted_at,
            decided_at: r.decided_at,
        }
    }
}

/// A listing. The seller and the operator also get `status`, `status_reason` and `revision`.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListingView {
    pub id: Uuid,
    pub title: String,
    pub category: CategoryPath,
    pub description: String,
    pub origin: Region,
    pub origin_note: Option<String>,
    pub season: Option<String>,
    pub storage: Option<String>,
    pub shelf_life_days: Option<i32>,
    pub seller: SellerRef,
    /// Who grew or made it, when not the seller (the platform's own store names its producer).
    pub producer: Option<SellerRef>,
    pub skus: Vec<SkuView>,
    pub images: Vec<ImageView>,
    /// Lowest price of a SKU on sale (of any active SKU when sold out), fen.
    pub price_from: Option<i64>,
    pub sales: i64,
    pub availability: Availability,
    /// The seller ships within this many hours of payment (发货时限): the category's promise,
    /// its parent's, or the platform's default; the order keeps it as its ship-by deadline.
    pub ship_within_hours: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<ListingStatus>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_reason: Option<String>,
    /// The latest revision (pending, or the last decision).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<RevisionView>,
}

impl ListingView {
    pub fn of(b: &ListingBundle, viewer: Option<&Actor>) -> Self {
        let l = &b.listing;
        let manager = crate::Catalog::manages(viewer, b.seller_id());
        let tiers = sees_tiers(viewer, b.seller_id());
        let leaf = b.path.last();
        let on_sale: Vec<&sku::Model> = b.skus.iter().filter(|s| s.active && s.stock > 0).collect();
        let priced: Vec<&sku::Model> = if on_sale.is_empty() {
            b.skus.iter().filter(|s| s.active).collect()
        } else {
            on_sale
        };
        Self {
            id: l.id,
            title: l.title.clone(),
            category: CategoryPath {
                id: l.category_id,
                name: leaf.map(|c| c.name.clone()).unwrap_or_default(),
                name_en: leaf.map(|c| c.name_en.clone()).unwrap_or_default(),
                path: b
                    .path
                    .iter()
                    .map(|c| CategoryRef {
                        id: c.id,
                        name: c.name.clone(),
                        name_en: c.name_en.clone(),
                    })
                    .collect(),
            },
            description: l.description.clone(),
            origin: origin_of(l),
            origin_note: l.origin_note.clone(),
            season: l.season.clone(),
            storage: l.storage.clone(),
            shelf_life_days: l.shelf_life_days,
            seller: SellerRef::of(&b.seller),
            producer: b.producer.as_ref().map(SellerRef::of),
            skus: b
                .skus
                .iter()
                .filter(|s| manager || s.active)
                .map(|s| SkuView::of(s, tiers))
                .collect(),
            images: b.images.iter().map(ImageView::of).collect(),
            price_from: priced.iter().map(|s| s.price_fen).min(),
            sales: l.sales,
            availability: b.availability(),
            ship_within_hours: b.ship_within_hours,
            created_at: l.created_at,
            updated_at: l.updated_at,
            status: manager.then(|| b.status()),
            status_reason: if manager {
                l.status_reason.clone()
            } else {
                None
            },
            revision: if manager {
                b.revision.as_ref().map(|r| RevisionView::of(r, b))
            } else {
                None
            },
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewItem {
    pub revision: RevisionView,
    pub listing: ListingView,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SkuChangeView {
    pub at: DateTime<Utc>,
    pub sku_id: Uuid,
    pub field: SkuChangeField,
    pub old: String,
    pub new: String,
}

impl SkuChangeView {
    pub fn of(c: &sku_change::Model) -> Self {
        Self {
            at: c.at,
            sku_id: c.sku_id,
            field: c.field,
            old: c.old_value.clone(),
            new: c.new_value.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HitSeller {
    pub id: Uuid,
    pub name: String,
    pub kind: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchHitView {
    pub id: Uuid,
    pub title: String,
    /// The title as HTML: only `<mark>` tags, everything else escaped.
    pub title_highlight: String,
    pub price_from: i64,
    pub unit: String,
    /// The listing's category and its ancestors.
    pub category_ids: Vec<Uuid>,
    pub township: Option<String>,
    pub seller: HitSeller,
    pub thumb_url: Option<String>,
    pub in_stock: bool,
    pub sales: i64,
}

impl SearchHitView {
    pub fn of(h: &SearchHit) -> Self {
        let d = &h.doc;
        Self {
            id: d.id,
            title: d.title.clone(),
            title_highlight: h.title_highlight.clone(),
            price_from: d.price_from,
            unit: d.unit.clone(),
            category_ids: d.category_ids.clone(),
            township: d.township.clone(),
            seller: HitSeller {
                id: d.seller_id,
                name: d.seller_name.clone(),
                kind: d.seller_kind.clone(),
            },
            thumb_url: d.thumb_url.clone(),
            in_stock: d.in_stock,
            sales: d.sales,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FacetsView {
    /// Category id → matches (a parent counts its children's listings too).
    pub category: BTreeMap<String, u64>,
    pub township: BTreeMap<String, u64>,
    pub seller_kind: BTreeMap<String, u64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchResultView {
    pub hits: Vec<SearchHitView>,
    pub total: u64,
    pub page: u64,
    pub per_page: u64,
    pub facets: FacetsView,
    pub took_ms: u64,
    /// `embedded` or `meilisearch`.
    pub engine: String,
    /// Words of the query left out because no listing had them all together (relaxation: the
    /// page says "没有同时包含…的结果，为你显示…"); empty when every word matched.
    pub dropped_words: Vec<String>,
    /// The words the hits match when some were dropped.
    pub kept_words: Vec<String>,
    /// "Did you mean": the query with typed words replaced by known words that sound the same
    /// (大咪 → 大米), offered when the query as typed found nothing.
    pub suggestion: Option<String>,
}

impl SearchResultView {
    pub fn of(r: SearchResponse, page: u64, per_page: u64, took_ms: u64, engine: &str) -> Self {
        Self {
            hits: r.hits.iter().map(SearchHitView::of).collect(),
            total: r.total,
            page,
            per_page,
            facets: FacetsView {
                category: r.facets.category,
                township: r.facets.township,
                seller_kind: r.facets.seller_kind,
            },
            took_ms,
            engine: engine.to_owned(),
            dropped_words: r.notes.dropped.clone(),
            kept_words: r.notes.kept.clone(),
            suggestion: r.notes.suggestion.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SellerPageView {
    pub seller: SellerRef,
    pub listings: Vec<SearchHitView>,
}
