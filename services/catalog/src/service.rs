//! The catalogue's use cases. Each checks who may act through the [`Actor`], applies the domain
//! rules, and writes its change, its change-log entries and its outbox event in one
//! transaction. Search picks the change up from the outbox (see `index.rs`).

use crate::Catalog;
use crate::domain::{
    self, ListingStatus, ReviewedFacts, RevisionKind, RevisionStatus, SkuFields, SkuInput, Tier,
    Unit,
};
use crate::error::{CatalogError, Result};
use crate::images;
use crate::store::{category, image, listing, revision, sku, sku_change};
use chrono::{DateTime, Utc};
use farmgate_identity::{Actor, OrgKind, OrgStatus, OrgSummary, PlatformRole};
use farmgate_infra::db::begin_write;
use farmgate_infra::objects::ObjectKey;
use farmgate_kernel::id::OrgId;
use farmgate_kernel::region::RegionInput;
use farmgate_kernel::{FieldError, Page, Paged, Region, ValidationErrors};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect, Set,
};
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

/// Outbox topics the catalogue publishes.
pub mod topics {
    /// `{"listing_id"}`: anything about a listing that search or caches show changed.
    pub const LISTING_CHANGED: &str = "catalog.listing.changed";
    /// `{"category_id"}`: a category's name or state changed; its listings need reindexing.
    pub const CATEGORY_CHANGED: &str = "catalog.category.changed";
}

/// A SKU as a request sends it.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SkuRequest {
    /// 规格, e.g. 5斤装.
    pub name: String,
    pub unit: Unit,
    /// Retail price per unit, fen.
    pub price: i64,
    pub stock: i64,
    /// Shipping weight in grams.
    pub weight_grams: i64,
    /// Net weight of the goods in grams (for per-kg prices), when known.
    #[serde(default)]
    pub net_weight_grams: Option<i64>,
    #[serde(default)]
    pub gtin: Option<String>,
    /// Wholesale tiers for verified business buyers.
    #[serde(default)]
    pub tiers: Vec<Tier>,
}

/// A new listing as a request sends it.
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewListingRequest {
    pub category_id: Uuid,
    pub title: String,
    #[serde(default)]
    pub description: String,
    pub origin: RegionInput,
    /// Required when the origin lies outside the seller's registered county.
    #[serde(default)]
    pub origin_note: Option<String>,
    #[serde(default)]
    pub season: Option<String>,
    #[serde(default)]
    pub storage: Option<String>,
    #[serde(default)]
    pub shelf_life_days: Option<i64>,
    /// Who grew or made it, when not the seller: a verified cooperative, family farm,
    /// specialised household or agricultural enterprise (the platform's own store names the
    /// producer of what it sells).
    #[serde(default)]
    pub producer_org_id: Option<Uuid>,
    #[serde(default)]
    pub skus: Vec<SkuRequest>,
}

/// Changes to a listing; absent fields stay as they are.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ListingPatch {
    pub category_id: Option<Uuid>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub origin: Option<RegionInput>,
    /// Send `""` to clear.
    pub origin_note: Option<String>,
    /// Send `""` to clear.
    pub season: Option<String>,
    /// Send `""` to clear.
    pub storage: Option<String>,
    /// Send `0` to clear.
    pub shelf_life_days: Option<i64>,
    /// Send the nil id (`00000000-0000-0000-0000-000000000000`) to clear.
    pub producer_org_id: Option<Uuid>,
}

/// Changes to a SKU; absent fields stay as they are. Apply at once and are logged.
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SkuPatch {
    pub name: Option<String>,
    pub price: Option<i64>,
    pub stock: Option<i64>,
    pub weight_grams: Option<i64>,
    /// Send `0` to clear.
    pub net_weight_grams: Option<i64>,
    /// Send `""` to clear.
    pub gtin: Option<String>,
    pub tiers: Option<Vec<Tier>>,
    pub active: Option<bool>,
}

/// A new category (operator).
#[derive(Clone, Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCategoryRequest {
    pub parent_id: Option<Uuid>,
    pub name: String,
    pub name_en: String,
    pub slug: String,
    #[serde(default)]
    pub sort_order: i32,
    #[serde(default)]
    pub claim_window_hours: Option<i32>,
    #[serde(default)]
    pub commission_bp: Option<i32>,
}

/// Changes to a category (operator).
#[derive(Clone, Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CategoryPatch {
    pub name: Option<String>,
    pub name_en: Option<String>,
    pub sort_order: Option<i32>,
    pub active: Option<bool>,
    pub claim_window_hours: Option<i32>,
    pub commission_bp: Option<i32>,
}

/// Everything a listing page needs.
#[derive(Clone, Debug)]
pub struct ListingBundle {
    pub listing: listing::Model,
    pub skus: Vec<sku::Model>,
    pub images: Vec<image::Model>,
    /// The listing's category and its ancestors, root first.
    pub path: Vec<category::Model>,
    pub seller: OrgSummary,
    /// Who grew or made it, when not the seller.
    pub producer: Option<OrgSummary>,
    /// The latest revision (pending or decided).
    pub revision: Option<revision::Model>,
}

impl ListingBundle {
    pub fn status(&self) -> Result<ListingStatus> {
        status_of(&self.listing)
    }

    pub fn availability(&self) -> Result<domain::Availability> {
        let in_stock = self.skus.iter().filter(|s| s.active && s.stock > 0).count();
        Ok(domain::availability(
            self.status()?,
            self.seller.status == OrgStatus::Verified,
            in_stock,
        ))
    }
}

pub(crate) fn status_of(l: &listing::Model) -> Result<ListingStatus> {
    ListingStatus::parse(&l.status).ok_or_else(|| {
        CatalogError::Db(sea_orm::DbErr::Custom(format!(
            "unexpected listing status {:?}",
            l.status
        )))
    })
}

/// A listing's origin as a region.
pub fn origin_of(l: &listing::Model) -> Region {
    Region {
        province: l.province.clone(),
        city: l.city.clone(),
        county: l.county.clone(),
        township: l.township.clone(),
        village: l.village.clone(),
    }
}

fn origin_of_revision(r: &revision::Model) -> Region {
    Region {
        province: r.province.clone(),
        city: r.city.clone(),
        county: r.county.clone(),
        township: r.township.clone(),
        village: r.village.clone(),
    }
}

pub(crate) fn tiers_of(s: &sku::Model) -> Vec<Tier> {
    serde_json::from_value(s.tiers.clone()).unwrap_or_default()
}

/// The seller's county, as a region that contains everything in it.
fn county_of(seller: &Region) -> Region {
    Region {
        township: None,
        village: None,
        ..seller.clone()
    }
}

fn parse_region(prefix: &str, input: &RegionInput, errs: &mut ValidationErrors) -> Option<Region> {
    match Region::parse(input) {
        Ok(r) => Some(r),
        Err(list) => {
            for e in list {
                let field = e.field.replacen("region", prefix, 1);
                errs.push(e.at(field));
            }
            None
        }
    }
}

fn sku_fields<'a>(r: &'a SkuRequest) -> SkuFields<'a> {
    SkuFields {
        name: &r.name,
        unit: Some(r.unit),
        price: r.price,
        stock: r.stock,
        weight_grams: r.weight_grams,
        net_weight_grams: r.net_weight_grams,
        gtin: r.gtin.as_deref(),
        tiers: &r.tiers,
    }
}

impl Catalog {
    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.infra().clock.now()
    }

    pub(crate) async fn publish(
        &self,
        conn: &impl ConnectionTrait,
        listing_id: Uuid,
    ) -> Result<()> {
        self.infra()
            .outbox
            .enqueue(
                conn,
                topics::LISTING_CHANGED,
                &json!({ "listing_id": listing_id }),
            )
            .await?;
        Ok(())
    }

    // -----------------------------------------------------------------------------------------
    // Categories

    pub async fn categories(&self) -> Result<Vec<category::Model>> {
        Ok(category::Entity::find()
            .order_by_asc(category::Column::SortOrder)
            .order_by_asc(category::Column::Name)
            .all(&self.infra().db)
            .await?)
    }

    /// The category and its ancestors, root first.
    pub(crate) fn path_in(all: &[category::Model], id: Uuid) -> Vec<category::Model> {
        let mut path = Vec::new();
        let mut cur = all.iter().find(|c| c.id == id);
        while let Some(c) = cur {
            if path.iter().any(|p: &category::Model| p.id == c.id) {
                break; // a cycle would be a data error; never loop forever
            }
            path.push(c.clone());
            cur = c.parent_id.and_then(|p| all.iter().find(|x| x.id == p));
        }
        path.reverse();
        path
    }

    pub async fn create_category(
        &self,
        actor: &Actor,
        req: NewCategoryRequest,
    ) -> Result<category::Model> {
        actor.require_platform(&[PlatformRole::Operator])?;
        let mut errs = ValidationErrors::new();
        let name = errs.check(
            "name",
            farmgate_kernel::text::clean_text(&req.name, 1, 20, false),
        );
        let name_en = errs.check(
            "name_en",
            farmgate_kernel::text::clean_text(&req.name_en, 1, 40, false),
        );
        let slug = req.slug.trim().to_lowercase();
        if slug.is_empty()
            || slug.len() > 40
            || !slug.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
        {
            errs.push(FieldError::new(
                "slug",
                "invalid",
                "别名只能包含小写字母、数字和连字符",
                "use lower-case letters, digits and hyphens",
            ));
        }
        let window = req.claim_window_hours.unwrap_or(48);
        if !(1..=720).contains(&window) {
            errs.push(FieldError::new(
                "claim_window_hours",
                "out_of_range",
                "理赔时限应在 1 到 720 小时之间",
                "between 1 and 720 hours",
            ));
        }
        let commission = req.commission_bp.unwrap_or(500);
        if !(0..=5000).contains(&commission) {
            errs.push(FieldError::new(
                "commission_bp",
                "out_of_range",
                "佣金比例应在 0 到 50% 之间",
                "between 0 and 5000 basis points",
            ));
        }
        let all = self.categories().await?;
        if let Some(p) = req.parent_id {
            match all.iter().find(|c| c.id == p) {
                None => errs.push(FieldError::new(
                    "parent_id",
                    "not_found",
                    "上级类目不存在",
                    "no such parent category",
                )),
                Some(parent) if parent.parent_id.is_some() => errs.push(FieldError::new(
                    "parent_id",
                    "too_deep",
                    "类目最多两级",
                    "categories have two levels at most",
                )),
                Some(_) => {}
            }
        }
        if all.iter().any(|c| c.slug == slug) {
            errs.push(FieldError::new(
                "slug",
                "taken",
                "别名已被使用",
                "this slug is taken",
            ));
        }
        let (Some(name), Some(name_en)) = (name, name_en) else {
            return Err(errs.into());
        };
        errs.finish()?;
        let model = category::Model {
            id: Uuid::now_v7(),
            parent_id: req.parent_id,
            name,
            name_en,
            slug,
            sort_order: req.sort_order,
            active: true,
            claim_window_hours: window,
            commission_bp: commission,
            created_at: self.now(),
        };
        category::Entity::insert(category::ActiveModel::from(model.clone()))
            .exec_without_returning(&self.infra().db)
            .await?;
        Ok(model)
    }

    pub async fn update_category(
        &self,
        actor: &Actor,
        id: Uuid,
        patch: CategoryPatch,
    ) -> Result<category::Model> {
        actor.require_platform(&[PlatformRole::Operator])?;
        let current = category::Entity::find_by_id(id)
            .one(&self.infra().db)
            .await?
            .ok_or(CatalogError::not_found("类目", "category"))?;
        let mut errs = ValidationErrors::new();
        let mut active: category::ActiveModel = current.into();
        if let Some(n) = &patch.name
            && let Some(n) = errs.check("name", farmgate_kernel::text::clean_text(n, 1, 20, false))
        {
            active.name = Set(n);
        }
        if let Some(n) = &patch.name_en
            && let Some(n) = errs.check(
                "name_en",
                farmgate_kernel::text::clean_text(n, 1, 40, false),
            )
        {
            active.name_en = Set(n);
        }
        if let Some(o) = patch.sort_order {
            active.sort_order = Set(o);
        }
        if let Some(a) = patch.active {
            active.active = Set(a);
        }
        if let Some(w) = patch.claim_window_hours {
            if (1..=720).contains(&w) {
                active.claim_window_hours = Set(w);
            } else {
                errs.push(FieldError::new(
                    "claim_window_hours",
                    "out_of_range",
                    "理赔时限应在 1 到 720 小时之间",
                    "between 1 and 720 hours",
                ));
            }
        }
        if let Some(c) = patch.commission_bp {
            if (0..=5000).contains(&c) {
                active.commission_bp = Set(c);
            } else {
                errs.push(FieldError::new(
                    "commission_bp",
                    "out_of_range",
                    "佣金比例应在 0 到 50% 之间",
                    "between 0 and 5000 basis points",
                ));
            }
        }
        errs.finish()?;
        let txn = begin_write(&self.infra().db).await?;
        let updated = active.update(&txn).await?;
        self.infra()
            .outbox
            .enqueue(
                &txn,
                topics::CATEGORY_CHANGED,
                &json!({ "category_id": id }),
            )
            .await?;
        txn.commit().await?;
        self.infra().outbox.wake();
        Ok(updated)
    }

    // -----------------------------------------------------------------------------------------
    // Reading listings

    /// Loads a listing with everything its page shows.
    pub async fn bundle(&self, id: Uuid) -> Result<Option<ListingBundle>> {
        let db = &self.infra().db;
        let Some(l) = listing::Entity::find_by_id(id).one(db).await? else {
            return Ok(None);
        };
        let skus = sku::Entity::find()
            .filter(sku::Column::ListingId.eq(id))
            .order_by_asc(sku::Column::SortOrder)
            .order_by_asc(sku::Column::CreatedAt)
            .all(db)
            .await?;
        let images = image::Entity::find()
            .filter(image::Column::ListingId.eq(id))
            .order_by_asc(image::Column::Position)
            .order_by_asc(image::Column::CreatedAt)
            .all(db)
            .await?;
        let all = self.categories().await?;
        let path = Self::path_in(&all, l.category_id);
        let seller = self
            .identity()
            .org_summary(OrgId(l.seller_org_id))
            .await?
            .ok_or(CatalogError::not_found("商家", "seller"))?;
        let revision = revision::Entity::find()
            .filter(revision::Column::ListingId.eq(id))
            .order_by_desc(revision::Column::SubmittedAt)
            .order_by_desc(revision::Column::Id)
            .one(db)
            .await?;
        let producer = match l.producer_org_id {
            Some(p) => self.identity().org_summary(OrgId(p)).await?,
            None => None,
        };
        Ok(Some(ListingBundle {
            listing: l,
            skus,
            images,
            path,
            seller,
            producer,
            revision,
        }))
    }

    /// Whether `actor` sees the listing as its seller or the operator does.
    pub fn manages(actor: Option<&Actor>, seller: Uuid) -> bool {
        actor.is_some_and(|a| a.is_operator() || a.membership(OrgId(seller)).is_some())
    }

    /// A listing for its page: public when it is on sale or sold out; otherwise only for its
    /// seller and the operator (everyone else gets 404, as if it did not exist).
    pub async fn listing_for(&self, actor: Option<&Actor>, id: Uuid) -> Result<ListingBundle> {
        let b = self
            .bundle(id)
            .await?
            .ok_or(CatalogError::not_found("商品", "listing"))?;
        if b.availability()? == domain::Availability::Hidden
            && !Self::manages(actor, b.listing.seller_org_id)
        {
            return Err(CatalogError::not_found("商品", "listing"));
        }
        Ok(b)
    }

    /// An organisation's listings, for its members (and the operator).
    pub async fn seller_listings(
        &self,
        actor: &Actor,
        org: OrgId,
        status: Option<ListingStatus>,
    ) -> Result<Vec<ListingBundle>> {
        actor.require_member_or_operator(org)?;
        let mut q = listing::Entity::find().filter(listing::Column::SellerOrgId.eq(org.as_uuid()));
        if let Some(s) = status {
            q = q.filter(listing::Column::Status.eq(s.as_str()));
        }
        let ids: Vec<Uuid> = q
            .order_by_desc(listing::Column::UpdatedAt)
            .limit(500)
            .select_only()
            .column(listing::Column::Id)
            .into_tuple()
            .all(&self.infra().db)
            .await?;
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(b) = self.bundle(id).await? {
                out.push(b);
            }
        }
        Ok(out)
    }

    /// The change log of a listing's SKUs, newest first (seller members and the operator).
    pub async fn changes(&self, actor: &Actor, id: Uuid) -> Result<Vec<sku_change::Model>> {
        let l = self.listing_row(id).await?;
        actor.require_member_or_operator(OrgId(l.seller_org_id))?;
        Ok(sku_change::Entity::find()
            .filter(sku_change::Column::ListingId.eq(id))
            .order_by_desc(sku_change::Column::At)
            .order_by_desc(sku_change::Column::Id)
            .limit(500)
            .all(&self.infra().db)
            .await?)
    }

    async fn listing_row(&self, id: Uuid) -> Result<listing::Model> {
        listing::Entity::find_by_id(id)
            .one(&self.infra().db)
            .await?
            .ok_or(CatalogError::not_found("商品", "listing"))
    }

    /// Loads a listing its seller is about to change, refusing everyone but a member of a
    /// verified selling organisation that owns it.
    async fn listing_for_seller(&self, actor: &Actor, id: Uuid) -> Result<listing::Model> {
        let l = self.listing_row(id).await?;
        if actor.membership(OrgId(l.seller_org_id)).is_none() {
            return Err(CatalogError::Forbidden);
        }
        actor.require_selling_member(OrgId(l.seller_org_id))?;
        Ok(l)
    }

    // -----------------------------------------------------------------------------------------
    // Writing listings

    fn parse_skus(&self, skus: &[SkuRequest], errs: &mut ValidationErrors) -> Vec<SkuInput> {
        if skus.len() > 20 {
            errs.push(FieldError::new(
                "skus",
                "too_many",
                "每个商品最多 20 个规格",
                "at most 20 SKUs per listing",
            ));
            return Vec::new();
        }
        skus.iter()
            .enumerate()
            .filter_map(|(i, r)| SkuInput::parse(&format!("skus[{i}]"), &sku_fields(r), errs))
            .collect()
    }

    async fn check_category(&self, id: Uuid, errs: &mut ValidationErrors) -> Result<()> {
        let all = self.categories().await?;
        match all.iter().find(|c| c.id == id) {
            Some(c) if c.active => Ok(()),
            _ => {
                errs.push(FieldError::new(
                    "category_id",
                    "not_found",
                    "请选择有效的类目",
                    "choose an existing category",
                ));
                Ok(())
            }
        }
    }

    /// Checks the origin against the seller's registered county: outside it, a note must
    /// explain (e.g. a cooperative member's plot across the county line).
    fn check_origin(
        seller: &Region,
        origin: &Region,
        note: Option<&str>,
        errs: &mut ValidationErrors,
    ) {
        if !county_of(seller).contains(origin) && note.is_none_or(|n| n.trim().is_empty()) {
            errs.push(FieldError::new(
                "origin_note",
                "required",
                "产地不在本店注册的县区内，请说明原因",
                "the origin is outside your registered county; please explain",
            ));
        }
    }

    /// Creates a draft listing with its SKUs (seller members of a verified selling
    /// organisation).
    pub async fn create_listing(
        &self,
        actor: &Actor,
        org: OrgId,
        req: NewListingRequest,
    ) -> Result<ListingBundle> {
        let membership = actor.require_selling_member(org)?;
        if membership.org_kind == OrgKind::BusinessBuyer {
            return Err(CatalogError::Forbidden);
        }
        let seller = self.identity().ensure_can_sell(org).await?;
        let mut errs = ValidationErrors::new();
        let facts = parse_facts(
            &FactsInput {
                title: Some(&req.title),
                description: Some(&req.description),
                origin: Some(&req.origin),
                origin_note: Some(req.origin_note.as_deref().unwrap_or("")),
                season: Some(req.season.as_deref().unwrap_or("")),
                storage: Some(req.storage.as_deref().unwrap_or("")),
                shelf_life_days: Some(req.shelf_life_days.unwrap_or(0)),
            },
            None,
            &seller.region,
            &mut errs,
        );
        self.check_category(req.category_id, &mut errs).await?;
        let producer = self
            .check_producer(org, req.producer_org_id, &mut errs)
            .await?;
        let skus = self.parse_skus(&req.skus, &mut errs);
        errs.finish()?;
        let Some(Facts {
            title,
            description,
            origin,
            origin_note,
            season,
            storage,
            shelf,
        }) = facts
        else {
            return Err(CatalogError::Invalid(ValidationErrors::new()));
        };
        let now = self.now();
        let id = Uuid::now_v7();
        let txn = begin_write(&self.infra().db).await?;
        listing::Entity::insert(listing::ActiveModel {
            id: Set(id),
            seller_org_id: Set(org.as_uuid()),
            category_id: Set(req.category_id),
            title: Set(title),
            description: Set(description),
            province: Set(origin.province),
            city: Set(origin.city),
            county: Set(origin.county),
            township: Set(origin.township),
            village: Set(origin.village),
            origin_note: Set(origin_note),
            season: Set(season),
            storage: Set(storage),
            shelf_life_days: Set(shelf),
            status: Set(ListingStatus::Draft.as_str().to_owned()),
            status_reason: Set(None),
            sales: Set(0),
            created_by: Set(actor.account_id.as_uuid()),
            created_at: Set(now),
            updated_at: Set(now),
            approved_at: Set(None),
            producer_org_id: Set(producer),
        })
        .exec_without_returning(&txn)
        .await?;
        for (i, s) in skus.iter().enumerate() {
            self.insert_sku(&txn, id, s, i32::try_from(i).unwrap_or(0))
                .await?;
        }
        txn.commit().await?;
        self.bundle(id)
            .await?
            .ok_or(CatalogError::not_found("商品", "listing"))
    }

    async fn insert_sku(
        &self,
        conn: &impl ConnectionTrait,
        listing_id: Uuid,
        s: &SkuInput,
        order: i32,
    ) -> Result<sku::Model> {
        let now = self.now();
        let model = sku::Model {
            id: Uuid::now_v7(),
            listing_id,
            name: s.name.clone(),
            unit: s.unit.as_str().to_owned(),
            price_fen: s.price.fen(),
            stock: s.stock,
            weight_grams: s.weight_grams,
            net_weight_grams: s.net_weight_grams,
            gtin: s.gtin.clone(),
            tiers: serde_json::to_value(&s.tiers).unwrap_or_else(|_| json!([])),
            active: true,
            sort_order: order,
            created_at: now,
            updated_at: now,
        };
        sku::Entity::insert(sku::ActiveModel::from(model.clone()))
            .exec_without_returning(conn)
            .await?;
        Ok(model)
    }

    /// Edits a listing. While it is not live, everything is edited in place. Once live, a
    /// change of title, category or origin becomes a pending revision (the live listing keeps
    /// its approved facts until the operator decides); other fields apply at once.
    pub async fn update_listing(
        &self,
        actor: &Actor,
        id: Uuid,
        patch: ListingPatch,
    ) -> Result<ListingBundle> {
        let current = self.listing_for_seller(actor, id).await?;
        let seller = self
            .identity()
            .ensure_can_sell(OrgId(current.seller_org_id))
            .await?;
        let status = status_of(&current)?;
        let mut errs = ValidationErrors::new();
        let facts = parse_facts(
            &FactsInput {
                title: patch.title.as_deref(),
                description: patch.description.as_deref(),
                origin: patch.origin.as_ref(),
                origin_note: patch.origin_note.as_deref(),
                season: patch.season.as_deref(),
                storage: patch.storage.as_deref(),
                shelf_life_days: patch.shelf_life_days,
            },
            Some(&current),
            &seller.region,
            &mut errs,
        );
        let category_id = patch.category_id.unwrap_or(current.category_id);
        if patch.category_id.is_some() {
            self.check_category(category_id, &mut errs).await?;
        }
        let producer = match patch.producer_org_id {
            Some(p) => Some(
                self.check_producer(OrgId(current.seller_org_id), Some(p), &mut errs)
                    .await?,
            ),
            None => None,
        };
        errs.finish()?;
        let Some(Facts {
            title,
            description,
            origin,
            origin_note,
            season,
            storage,
            shelf,
        }) = facts
        else {
            return Err(CatalogError::Invalid(ValidationErrors::new()));
        };
        let old = ReviewedFacts {
            title: current.title.clone(),
            category_id: current.category_id,
            origin: origin_of(&current),
            origin_note: current.origin_note.clone(),
        };
        let new = ReviewedFacts {
            title,
            category_id,
            origin,
            origin_note,
        };
        let now = self.now();
        let txn = begin_write(&self.infra().db).await?;
        let mut active: listing::ActiveModel = current.clone().into();
        active.description = Set(description);
        active.season = Set(season);
        active.storage = Set(storage);
        active.shelf_life_days = Set(shelf);
        active.updated_at = Set(now);
        if let Some(p) = producer {
            active.producer_org_id = Set(p);
        }
        let reviewed_change = domain::needs_review(&old, &new);
        if status == ListingStatus::Approved {
            if reviewed_change {
                self.propose(&txn, &current, RevisionKind::Change, &new, actor)
                    .await?;
            }
        } else {
            set_facts(&mut active, &new);
            if status == ListingStatus::Pending && reviewed_change {
                // Keep the waiting proposal in step with what the seller now says.
                self.propose(&txn, &current, RevisionKind::New, &new, actor)
                    .await?;
            }
        }
        active.update(&txn).await?;
        self.publish(&txn, id).await?;
        txn.commit().await?;
        self.infra().outbox.wake();
        self.bundle(id)
            .await?
            .ok_or(CatalogError::not_found("商品", "listing"))
    }

    /// The producer a listing may name: none (the seller itself), or a verified organisation
    /// that grows or makes produce. Errors go into `errs`.
    async fn check_producer(
        &self,
        seller: OrgId,
        producer: Option<Uuid>,
        errs: &mut ValidationErrors,
    ) -> Result<Option<Uuid>> {
        let Some(p) = producer.filter(|p| !p.is_nil() && *p != seller.as_uuid()) else {
            return Ok(None);
        };
        let ok = self
            .identity()
            .org_summary(OrgId(p))
            .await?
            .is_some_and(|o| {
                o.status == farmgate_identity::OrgStatus::Verified
                    && o.kind.is_seller()
                    && o.kind != OrgKind::PlatformStore
            });
        if !ok {
            errs.push(FieldError::new(
                "producer_org_id",
                "invalid",
                "生产者须为已认证的合作社、家庭农场、专业大户或农业企业",
                "the producer is a verified cooperative, family farm, specialised household or agricultural enterprise",
            ));
        }
        Ok(Some(p))
    }

    /// Records a proposal, replacing a pending one of the same listing.
    async fn propose(
        &self,
        conn: &impl ConnectionTrait,
        l: &listing::Model,
        kind: RevisionKind,
        facts: &ReviewedFacts,
        actor: &Actor,
    ) -> Result<()> {
        revision::Entity::delete_many()
            .filter(revision::Column::ListingId.eq(l.id))
            .filter(revision::Column::Status.eq(RevisionStatus::Pending.as_str()))
            .exec(conn)
            .await?;
        revision::Entity::insert(revision::ActiveModel {
            id: Set(Uuid::now_v7()),
            listing_id: Set(l.id),
            kind: Set(kind.as_str().to_owned()),
            status: Set(RevisionStatus::Pending.as_str().to_owned()),
            title: Set(facts.title.clone()),
            category_id: Set(facts.category_id),
            province: Set(facts.origin.province.clone()),
            city: Set(facts.origin.city.clone()),
            county: Set(facts.origin.county.clone()),
            township: Set(facts.origin.township.clone()),
            village: Set(facts.origin.village.clone()),
            origin_note: Set(facts.origin_note.clone()),
            reason: Set(None),
            submitted_by: Set(actor.account_id.as_uuid()),
            submitted_at: Set(self.now()),
            decided_by: Set(None),
            decided_at: Set(None),
        })
        .exec_without_returning(conn)
        .await?;
        Ok(())
    }

    /// Submits a draft, rejected or delisted listing for review.
    pub async fn submit(&self, actor: &Actor, id: Uuid) -> Result<ListingBundle> {
        let current = self.listing_for_seller(actor, id).await?;
        let active_skus = sku::Entity::find()
            .filter(sku::Column::ListingId.eq(id))
            .filter(sku::Column::Active.eq(true))
            .count(&self.infra().db)
            .await?;
        let next = domain::submit(
            status_of(&current)?,
            usize::try_from(active_skus).unwrap_or(0),
        )?;
        let facts = ReviewedFacts {
            title: current.title.clone(),
            category_id: current.category_id,
            origin: origin_of(&current),
            origin_note: current.origin_note.clone(),
        };
        let txn = begin_write(&self.infra().db).await?;
        self.propose(&txn, &current, RevisionKind::New, &facts, actor)
            .await?;
        let mut active: listing::ActiveModel = current.into();
        active.status = Set(next.as_str().to_owned());
        active.status_reason = Set(None);
        active.updated_at = Set(self.now());
        active.update(&txn).await?;
        self.publish(&txn, id).await?;
        txn.commit().await?;
        self.infra().outbox.wake();
        self.bundle(id)
            .await?
            .ok_or(CatalogError::not_found("商品", "listing"))
    }

    // -----------------------------------------------------------------------------------------
    // The operator

    /// The review queue, oldest first.
    pub async fn review_queue(
        &self,
        actor: &Actor,
        status: RevisionStatus,
        page: Page,
    ) -> Result<Paged<(revision::Model, ListingBundle)>> {
        actor.require_platform(&[PlatformRole::Operator])?;
        let q = revision::Entity::find().filter(revision::Column::Status.eq(status.as_str()));
        let total = q.clone().count(&self.infra().db).await?;
        let q = if status == RevisionStatus::Pending {
            q.order_by_asc(revision::Column::SubmittedAt)
        } else {
            q.order_by_desc(revision::Column::DecidedAt)
        };
        let revisions = q
            .order_by_asc(revision::Column::Id)
            .offset(page.offset())
            .limit(page.limit())
            .all(&self.infra().db)
            .await?;
        let mut items = Vec::with_capacity(revisions.len());
        for r in revisions {
            if let Some(b) = self.bundle(r.listing_id).await? {
                items.push((r, b));
            }
        }
        Ok(Paged::new(items, total, page))
    }

    /// Approves or rejects a pending revision.
    pub async fn decide(
        &self,
        actor: &Actor,
        revision_id: Uuid,
        approve: bool,
        reason: Option<String>,
    ) -> Result<ListingBundle> {
        actor.require_platform(&[PlatformRole::Operator])?;
        let reason = match (approve, reason) {
            (false, Some(r)) => Some(
                farmgate_kernel::text::clean_text(&r, 2, 500, true)
                    .map_err(|e| CatalogError::field(e.at("reason")))?,
            ),
            (false, None) => {
                return Err(CatalogError::field(FieldError::new(
                    "reason",
                    "required",
                    "请填写驳回原因",
                    "give the reason",
                )));
            }
            (true, _) => None,
        };
        let txn = begin_write(&self.infra().db).await?;
        let rev = revision::Entity::find_by_id(revision_id)
            .one(&txn)
            .await?
            .ok_or(CatalogError::not_found("审核记录", "revision"))?;
        if rev.status != RevisionStatus::Pending.as_str() {
            return Err(CatalogError::conflict(
                "invalid_state",
                "该修改已审核过",
                "this revision was already decided",
            ));
        }
        let kind = RevisionKind::parse(&rev.kind).unwrap_or(RevisionKind::Change);
        let current = listing::Entity::find_by_id(rev.listing_id)
            .one(&txn)
            .await?
            .ok_or(CatalogError::not_found("商品", "listing"))?;
        let status = status_of(&current)?;
        let now = self.now();
        let next = domain::decide(status, kind, approve);
        let mut active: listing::ActiveModel = current.clone().into();
        active.status = Set(next.as_str().to_owned());
        active.updated_at = Set(now);
        if kind == RevisionKind::New {
            active.status_reason = Set(reason.clone());
        }
        if approve {
            set_facts(
                &mut active,
                &ReviewedFacts {
                    title: rev.title.clone(),
                    category_id: rev.category_id,
                    origin: origin_of_revision(&rev),
                    origin_note: rev.origin_note.clone(),
                },
            );
            if current.approved_at.is_none() {
                active.approved_at = Set(Some(now));
            }
        }
        active.update(&txn).await?;
        revision::Entity::update_many()
            .col_expr(
                revision::Column::Status,
                Expr::value(
                    if approve {
                        RevisionStatus::Approved
                    } else {
                        RevisionStatus::Rejected
                    }
                    .as_str(),
                ),
            )
            .col_expr(revision::Column::Reason, Expr::value(reason))
            .col_expr(
                revision::Column::DecidedBy,
                Expr::value(Some(actor.account_id.as_uuid())),
            )
            .col_expr(revision::Column::DecidedAt, Expr::value(Some(now)))
            .filter(revision::Column::Id.eq(rev.id))
            .exec(&txn)
            .await?;
        self.publish(&txn, rev.listing_id).await?;
        txn.commit().await?;
        self.infra().outbox.wake();
        tracing::info!(listing.id = %rev.listing_id, approve, "listing revision decided");
        self.bundle(rev.listing_id)
            .await?
            .ok_or(CatalogError::not_found("商品", "listing"))
    }

    /// Forced delisting (非正常下架) with a reason the seller reads.
    pub async fn force_delist(
        &self,
        actor: &Actor,
        id: Uuid,
        reason: &str,
    ) -> Result<ListingBundle> {
        actor.require_platform(&[PlatformRole::Operator])?;
        self.delist(id, reason).await
    }

    /// Takes a listing off sale because a batch of it is recalled: its stock is frozen until
    /// the operator puts it back. The recall has already checked who may order it.
    pub async fn freeze_for_recall(&self, id: Uuid, reason: &str) -> Result<ListingBundle> {
        self.delist(id, reason).await
    }

    async fn delist(&self, id: Uuid, reason: &str) -> Result<ListingBundle> {
        let reason = farmgate_kernel::text::clean_text(reason, 2, 500, true)
            .map_err(|e| CatalogError::field(e.at("reason")))?;
        let txn = begin_write(&self.infra().db).await?;
        let current = listing::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .ok_or(CatalogError::not_found("商品", "listing"))?;
        let next = domain::force_delist(status_of(&current)?)?;
        revision::Entity::delete_many()
            .filter(revision::Column::ListingId.eq(id))
            .filter(revision::Column::Status.eq(RevisionStatus::Pending.as_str()))
            .exec(&txn)
            .await?;
        let mut active: listing::ActiveModel = current.into();
        active.status = Set(next.as_str().to_owned());
        active.status_reason = Set(Some(reason));
        active.updated_at = Set(self.now());
        active.update(&txn).await?;
        self.publish(&txn, id).await?;
        txn.commit().await?;
        self.infra().outbox.wake();
        self.bundle(id)
            .await?
            .ok_or(CatalogError::not_found("商品", "listing"))
    }

    // -----------------------------------------------------------------------------------------
    // SKUs: prices and stock apply at once, and every change is logged

    pub async fn add_sku(
        &self,
        actor: &Actor,
        listing_id: Uuid,
        req: SkuRequest,
    ) -> Result<sku::Model> {
        let _ = self.listing_for_seller(actor, listing_id).await?;
        let mut errs = ValidationErrors::new();
        let parsed = SkuInput::parse("", &sku_fields(&req), &mut errs);
        errs.finish()?;
        let Some(parsed) = parsed else {
            return Err(CatalogError::Invalid(ValidationErrors::new()));
        };
        // Counted inside the write transaction with the listing row locked, so requests sent
        // together cannot all see room for one more.
        let txn = begin_write(&self.infra().db).await?;
        lock_listing(&txn, listing_id).await?;
        let count = sku::Entity::find()
            .filter(sku::Column::ListingId.eq(listing_id))
            .count(&txn)
            .await?;
        if count >= 20 {
            return Err(CatalogError::field(FieldError::new(
                "skus",
                "too_many",
                "每个商品最多 20 个规格",
                "at most 20 SKUs per listing",
            )));
        }
        let created = self
            .insert_sku(&txn, listing_id, &parsed, i32::try_from(count).unwrap_or(0))
            .await?;
        self.log(
            &txn,
            &created,
            "created",
            "",
            &format!(
                "{} ¥{}",
                created.name,
                farmgate_kernel::Money::from_fen(created.price_fen)
            ),
            actor,
        )
        .await?;
        self.publish(&txn, listing_id).await?;
        txn.commit().await?;
        self.infra().outbox.wake();
        Ok(created)
    }

    async fn log(
        &self,
        conn: &impl ConnectionTrait,
        s: &sku::Model,
        field: &str,
        old: &str,
        new: &str,
        actor: &Actor,
    ) -> Result<()> {
        sku_change::Entity::insert(sku_change::ActiveModel {
            id: Set(Uuid::now_v7()),
            sku_id: Set(s.id),
            listing_id: Set(s.listing_id),
            field: Set(field.to_owned()),
            old_value: Set(old.to_owned()),
            new_value: Set(new.to_owned()),
            actor_id: Set(Some(actor.account_id.as_uuid())),
            at: Set(self.now()),
        })
        .exec_without_returning(conn)
        .await?;
        Ok(())
    }

    pub async fn update_sku(
        &self,
        actor: &Actor,
        sku_id: Uuid,
        patch: SkuPatch,
    ) -> Result<sku::Model> {
        let current = sku::Entity::find_by_id(sku_id)
            .one(&self.infra().db)
            .await?
            .ok_or(CatalogError::not_found("规格", "SKU"))?;
        let _ = self.listing_for_seller(actor, current.listing_id).await?;
        let mut errs = ValidationErrors::new();
        let price = match patch.price {
            Some(p) => errs.check("price", domain::parse_price("price", p)),
            None => Some(farmgate_kernel::Money::from_fen(current.price_fen)),
        };
        let stock = match patch.stock {
            Some(n) => errs.check("stock", domain::parse_stock("stock", n)),
            None => Some(current.stock),
        };
        let name = match &patch.name {
            Some(n) => errs.check("name", farmgate_kernel::text::clean_text(n, 1, 30, false)),
            None => Some(current.name.clone()),
        };
        let weight = match patch.weight_grams {
            Some(w) => errs.check("weight_grams", domain::parse_weight("weight_grams", w)),
            None => Some(current.weight_grams),
        };
        let net = match patch.net_weight_grams {
            // 0 clears it.
            Some(0) => Some(None),
            Some(w) => errs
                .check(
                    "net_weight_grams",
                    domain::parse_weight("net_weight_grams", w),
                )
                .map(Some),
            None => Some(current.net_weight_grams),
        };
        let gtin = match patch.gtin.as_deref().map(str::trim) {
            Some("") => Some(None),
            Some(g) => errs.check("gtin", domain::parse_gtin(g)).map(Some),
            None => Some(current.gtin.clone()),
        };
        // Tiers are checked against the new retail price, so a price cut below a tier is caught.
        let old_tiers = tiers_of(&current);
        let tiers = match (&patch.tiers, price) {
            (Some(t), Some(p)) => errs.check("tiers", domain::parse_tiers(p, t)),
            (None, Some(p)) => errs.check("tiers", domain::parse_tiers(p, &old_tiers)),
            _ => None,
        };
        errs.finish()?;
        let (
            Some(price),
            Some(stock),
            Some(name),
            Some(weight),
            Some(net),
            Some(gtin),
            Some(tiers),
        ) = (price, stock, name, weight, net, gtin, tiers)
        else {
            return Err(CatalogError::Invalid(ValidationErrors::new()));
        };
        let txn = begin_write(&self.infra().db).await?;
        if price.fen() != current.price_fen {
            self.log(
                &txn,
                &current,
                "price",
                &current.price_fen.to_string(),
                &price.fen().to_string(),
                actor,
            )
            .await?;
        }
        if stock != current.stock {
            self.log(
                &txn,
                &current,
                "stock",
                &current.stock.to_string(),
                &stock.to_string(),
                actor,
            )
            .await?;
        }
        if tiers != old_tiers {
            let show = |t: &[Tier]| serde_json::to_string(t).unwrap_or_default();
            self.log(
                &txn,
                &current,
                "tiers",
                &show(&old_tiers),
                &show(&tiers),
                actor,
            )
            .await?;
        }
        if let Some(a) = patch.active
            && a != current.active
        {
            self.log(
                &txn,
                &current,
                "active",
                &current.active.to_string(),
                &a.to_string(),
                actor,
            )
            .await?;
        }
        let mut active: sku::ActiveModel = current.clone().into();
        active.name = Set(name);
        active.price_fen = Set(price.fen());
        active.stock = Set(stock);
        active.weight_grams = Set(weight);
        active.net_weight_grams = Set(net);
        active.gtin = Set(gtin);
        active.tiers = Set(serde_json::to_value(&tiers).unwrap_or_else(|_| json!([])));
        if let Some(a) = patch.active {
            active.active = Set(a);
        }
        active.updated_at = Set(self.now());
        let updated = active.update(&txn).await?;
        self.publish(&txn, current.listing_id).await?;
        txn.commit().await?;
        self.infra().outbox.wake();
        Ok(updated)
    }

    // -----------------------------------------------------------------------------------------
    // Images

    /// Stores a photo: the original privately, re-encoded copies publicly.
    pub async fn add_image(
        &self,
        actor: &Actor,
        listing_id: Uuid,
        bytes: bytes::Bytes,
    ) -> Result<image::Model> {
        let _ = self.listing_for_seller(actor, listing_id).await?;
        let count = image::Entity::find()
            .filter(image::Column::ListingId.eq(listing_id))
            .count(&self.infra().db)
            .await?;
        if usize::try_from(count).unwrap_or(usize::MAX) >= images::MAX_IMAGES_PER_LISTING {
            return Err(CatalogError::conflict(
                "too_many_images",
                "每个商品最多 9 张图片",
                "at most 9 photos per listing",
            ));
        }
        self.store_image(listing_id, bytes, actor.account_id.as_uuid())
            .await
    }

    /// Processes and stores a photo as the listing's next (also used by the demo seed). The
    /// limit is checked again inside the write transaction, with the listing row locked: of
    /// uploads sent together, only those that fit are kept (the others' files are removed).
    pub async fn store_image(
        &self,
        listing_id: Uuid,
        bytes: bytes::Bytes,
        uploaded_by: Uuid,
    ) -> Result<image::Model> {
        let input = bytes.clone();
        let processed = tokio::task::spawn_blocking(move || images::process(&input))
            .await
            .map_err(|e| CatalogError::Image(e.to_string()))??;
        let id = Uuid::now_v7();
        let key = |s: String| ObjectKey::parse(&s).map_err(CatalogError::from);
        let original = key(format!(
            "private/listings/{listing_id}/{id}/original.{}",
            processed.kind.extension()
        ))?;
        let display = key(format!("public/listings/{listing_id}/{id}/display.jpg"))?;
        let thumb = key(format!("public/listings/{listing_id}/{id}/thumb.jpg"))?;
        let objects = &self.infra().objects;
        let stored = objects
            .put(&original, bytes, processed.kind.content_type())
            .await?;
        objects
            .put(&display, processed.display.into(), "image/jpeg")
            .await?;
        objects
            .put(&thumb, processed.thumb.into(), "image/jpeg")
            .await?;
        let txn = begin_write(&self.infra().db).await?;
        lock_listing(&txn, listing_id).await?;
        let count = image::Entity::find()
            .filter(image::Column::ListingId.eq(listing_id))
            .count(&txn)
            .await?;
        if usize::try_from(count).unwrap_or(usize::MAX) >= images::MAX_IMAGES_PER_LISTING {
            drop(txn);
            for k in [&original, &display, &thumb] {
                let _ = objects.delete(k).await;
            }
            return Err(CatalogError::conflict(
                "too_many_images",
                "每个商品最多 9 张图片",
                "at most 9 photos per listing",
            ));
        }
        let model = image::Model {
            id,
            listing_id,
            position: i32::try_from(count).unwrap_or(0),
            original_key: original.to_string(),
            display_key: display.to_string(),
            thumb_key: thumb.to_string(),
            content_type: processed.kind.content_type().to_owned(),
            sha256: stored.sha256,
            size_bytes: i64::try_from(stored.size).unwrap_or(i64::MAX),
            width: i32::try_from(processed.width).unwrap_or(0),
            height: i32::try_from(processed.height).unwrap_or(0),
            uploaded_by,
            created_at: self.now(),
        };
        image::Entity::insert(image::ActiveModel::from(model.clone()))
            .exec_without_returning(&txn)
            .await?;
        self.publish(&txn, listing_id).await?;
        txn.commit().await?;
        self.infra().outbox.wake();
        Ok(model)
    }

    pub async fn delete_image(
        &self,
        actor: &Actor,
        listing_id: Uuid,
        image_id: Uuid,
    ) -> Result<()> {
        let _ = self.listing_for_seller(actor, listing_id).await?;
        let img = image::Entity::find_by_id(image_id)
            .filter(image::Column::ListingId.eq(listing_id))
            .one(&self.infra().db)
            .await?
            .ok_or(CatalogError::not_found("图片", "image"))?;
        let txn = begin_write(&self.infra().db).await?;
        image::Entity::delete_by_id(image_id).exec(&txn).await?;
        self.publish(&txn, listing_id).await?;
        txn.commit().await?;
        self.infra().outbox.wake();
        // Files go after the row: a failure here leaves an orphan file, never a broken page.
        for k in [&img.display_key, &img.thumb_key, &img.original_key] {
            if let Ok(key) = ObjectKey::parse(k)
                && let Err(e) = self.infra().objects.delete(&key).await
            {
                tracing::warn!(key = %k, error = %e, "could not delete an image file");
            }
        }
        Ok(())
    }

    /// Sold counts per listing will come from orders; the seed and tests set them directly.
    pub async fn set_sales(&self, listing_id: Uuid, sales: i64) -> Result<()> {
        let txn = begin_write(&self.infra().db).await?;
        listing::Entity::update_many()
            .col_expr(listing::Column::Sales, Expr::value(sales.max(0)))
            .filter(listing::Column::Id.eq(listing_id))
            .exec(&txn)
            .await?;
        self.publish(&txn, listing_id).await?;
        txn.commit().await?;
        self.infra().outbox.wake();
        Ok(())
    }

    /// Listings with a SKU carrying this GTIN (14 digits), for GS1 Digital Links.
    pub async fn listings_with_gtin(&self, gtin: &str) -> Result<Vec<Uuid>> {
        let ids: Vec<Uuid> = sku::Entity::find()
            .select_only()
            .column(sku::Column::ListingId)
            .filter(sku::Column::Gtin.eq(gtin))
            .into_tuple()
            .all(&self.infra().db)
            .await?;
        Ok(ids)
    }

    /// Organisation summaries for many sellers at once.
    pub(crate) async fn sellers(&self, ids: &[Uuid]) -> Result<HashMap<Uuid, OrgSummary>> {
        let ids: Vec<OrgId> = ids.iter().copied().map(OrgId).collect();
        Ok(self
            .identity()
            .org_summaries(&ids)
            .await?
            .into_iter()
            .map(|(k, v)| (k.as_uuid(), v))
            .collect())
    }
}

/// The facts a seller writes about a listing, parsed.
struct Facts {
    title: String,
    description: String,
    origin: Region,
    origin_note: Option<String>,
    season: Option<String>,
    storage: Option<String>,
    shelf: Option<i32>,
}

/// Raw facts: `Some` is a value to parse (`""` or `0` clears an optional fact), `None` keeps
/// the current value.
struct FactsInput<'a> {
    title: Option<&'a str>,
    description: Option<&'a str>,
    origin: Option<&'a RegionInput>,
    origin_note: Option<&'a str>,
    season: Option<&'a str>,
    storage: Option<&'a str>,
    shelf_life_days: Option<i64>,
}

/// Parses new facts over the current ones (none for a new listing), reporting every problem,
/// and checks the origin against the seller's county.
fn parse_facts(
    f: &FactsInput<'_>,
    current: Option<&listing::Model>,
    seller_region: &Region,
    errs: &mut ValidationErrors,
) -> Option<Facts> {
    let title = match f.title {
        Some(t) => errs.check("title", domain::parse_title(t)),
        None => current.map(|c| c.title.clone()),
    };
    let description = match f.description {
        Some(d) => errs.check("description", domain::parse_description(d)),
        None => Some(current.map(|c| c.description.clone()).unwrap_or_default()),
    };
    let origin = match f.origin {
        Some(o) => parse_region("origin", o, errs),
        None => current.map(origin_of),
    };
    let mut short = |field: &str, value: Option<&str>, max: usize, keep: Option<String>| match value
    {
        Some(v) => errs.check(field, domain::parse_short(field, Some(v), max)),
        None => Some(keep),
    };
    let origin_note = short(
        "origin_note",
        f.origin_note,
        200,
        current.and_then(|c| c.origin_note.clone()),
    );
    let season = short(
        "season",
        f.season,
        40,
        current.and_then(|c| c.season.clone()),
    );
    let storage = short(
        "storage",
        f.storage,
        60,
        current.and_then(|c| c.storage.clone()),
    );
    let shelf = match f.shelf_life_days {
        Some(0) => Some(None),
        Some(d) => errs.check("shelf_life_days", domain::parse_shelf_life(Some(d))),
        None => Some(current.and_then(|c| c.shelf_life_days)),
    };
    if let (Some(o), Some(n)) = (&origin, &origin_note) {
        Catalog::check_origin(seller_region, o, n.as_deref(), errs);
    }
    Some(Facts {
        title: title?,
        description: description?,
        origin: origin?,
        origin_note: origin_note?,
        season: season?,
        storage: storage?,
        shelf: shelf?,
    })
}

fn set_facts(active: &mut listing::ActiveModel, facts: &ReviewedFacts) {
    active.title = Set(facts.title.clone());
    active.category_id = Set(facts.category_id);
    active.province = Set(facts.origin.province.clone());
    active.city = Set(facts.origin.city.clone());
    active.county = Set(facts.origin.county.clone());
    active.township = Set(facts.origin.township.clone());
    active.village = Set(facts.origin.village.clone());
    active.origin_note = Set(facts.origin_note.clone());
}

/// Takes the listing's row lock for the rest of the transaction (a no-op update: PostgreSQL
/// locks the row; SQLite's write transaction already excludes other writers).
async fn lock_listing(conn: &impl ConnectionTrait, id: Uuid) -> Result<()> {
    listing::Entity::update_many()
        .col_expr(
            listing::Column::UpdatedAt,
            Expr::col(listing::Column::UpdatedAt),
        )
        .filter(listing::Column::Id.eq(id))
        .exec(conn)
        .await?;
    Ok(())
}
