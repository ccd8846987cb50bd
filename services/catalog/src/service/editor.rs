//! The editor's one save (#19). A phone on a slow network uploads each photo as soon as it is
//! chosen — before the listing exists — as a draft of the organisation: a failed photo is sent
//! again alone, the seller types while the photos travel, and the save itself is a small JSON
//! body that names them. The create (`POST /orgs/{id}/listings` with `photo_ids`) or the
//! whole-listing save (`PUT /listings/{id}`) attaches them in the one transaction that writes
//! the facts and the SKUs: anything refused leaves nothing written.
//!
//! A draft keeps its id when attached (the row moves from `listing_photo_drafts` to
//! `listing_images`), so a save sent again names the same photos and changes nothing. Drafts
//! never attached expire after [`DRAFT_PHOTO_HOURS`]: the removal of each, row and files, is
//! scheduled in the outbox at upload ([`DraftPhotoExpiryJob`]); an organisation holds at most
//! [`MAX_DRAFT_PHOTOS`] at once.

use super::skus::{SkuPlan, plan_sku};
use super::writing::{MAX_SKUS, too_many_skus};
use super::{ListingBundle, ListingPatch, ListingSave, SkuPatch, SkuSave};
use crate::Catalog;
use crate::domain::{ImageId, SkuChangeField, SkuFields, SkuInput};
use crate::error::{CatalogError, Result};
use crate::images;
use crate::store::queries::{drafts, images as image_rows, listings, skus};
use crate::store::{image, photo_draft, sku};
use farmgate_identity::{Actor, OrgKind};
use farmgate_infra::db::{begin_write, serialise};
use farmgate_infra::outbox::{BoxError, OutboxEvent, OutboxHandler};
use farmgate_kernel::id::{ListingId, OrgId, SkuId};
use farmgate_kernel::{FieldError, Money, ValidationErrors};
use sea_orm::ConnectionTrait;
use std::collections::{HashMap, HashSet};
use uuid::Uuid;

/// Photos an organisation may hold uploaded but not yet attached.
pub const MAX_DRAFT_PHOTOS: u64 = 30;
/// Hours an unattached photo is kept.
pub const DRAFT_PHOTO_HOURS: i64 = 24;

fn unavailable(i: usize) -> FieldError {
    FieldError::new(
        format!("photo_ids[{i}]"),
        "unavailable",
        "这张图片不存在、已过期或已用于其他商品，请重新上传",
        "this photo does not exist, expired or is on another listing: upload it again",
    )
}

impl Catalog {
    /// Stores a photo a seller's member chose before saving: processed and published like a
    /// listing photo, owned by the organisation until a save attaches it.
    #[tracing::instrument(skip_all, fields(org.id = %org, image.id = tracing::field::Empty))]
    pub async fn upload_draft_photo(
        &self,
        actor: &Actor,
        org: OrgId,
        bytes: bytes::Bytes,
    ) -> Result<photo_draft::Model> {
        let membership = actor.require_selling_member(org)?;
        if membership.org_kind == OrgKind::BusinessBuyer {
            return Err(CatalogError::Forbidden);
        }
        self.identity().ensure_can_sell(org).await?;
        let now = self.now();
        // A cheap early refusal before the picture is decoded; checked again below.
        if drafts::count_live(&self.infra().db, org, now).await? >= MAX_DRAFT_PHOTOS {
            return Err(CatalogError::TooManyDrafts);
        }
        let photo = self
            .store_processed(&format!("photos/{org}"), bytes)
            .await?;
        let model = photo_draft::Model {
            id: photo.id.as_uuid(),
            org_id: org.as_uuid(),
            original_key: photo.original.to_string(),
            display_key: photo.display.to_string(),
            thumb_key: photo.thumb.to_string(),
            content_type: photo.content_type.to_owned(),
            sha256: photo.sha256.clone(),
            size_bytes: photo.size_bytes,
            width: photo.width,
            height: photo.height,
            uploaded_by: actor.account_id.as_uuid(),
            created_at: now,
            expires_at: now + chrono::Duration::hours(DRAFT_PHOTO_HOURS),
        };
        match self.insert_draft(org, &model).await {
            Ok(()) => Ok(model),
            Err(e) => {
                // Refused (the cap) or failed: its files go, nothing is left behind.
                self.delete_files(&photo.keys()).await;
                Err(e)
            }
        }
    }

    /// The draft's row and its expiry, if the organisation has room: the count and the insert
    /// run with the organisation's drafts serialised (`db::serialise` — an advisory lock on
    /// PostgreSQL; SQLite's write transaction holds the database), so of uploads sent
    /// together exactly [`MAX_DRAFT_PHOTOS`] are kept.
    async fn insert_draft(&self, org: OrgId, model: &photo_draft::Model) -> Result<()> {
        let txn = begin_write(&self.infra().db).await?;
        serialise(&txn, "catalog.photo_drafts", org).await?;
        if drafts::count_live(&txn, org, model.created_at).await? >= MAX_DRAFT_PHOTOS {
            return Err(CatalogError::TooManyDrafts);
        }
        drafts::insert(&txn, model).await?;
        // The row and its expiry commit together: every draft has its removal scheduled in
        // the outbox table (it survives restarts; one worker runs it).
        self.infra()
            .outbox
            .enqueue_at(
                &txn,
                super::topics::PHOTO_DRAFT_EXPIRY,
                &serde_json::json!({ "draft_id": model.id }),
                model.expires_at,
            )
            .await?;
        txn.commit().await?;
        Ok(())
    }

    /// A draft's time is up (`catalog.photo_draft.expiry`): if it was never attached, its row
    /// goes, then its files; an attached one (the row moved to the listing) is left alone.
    /// Idempotent, and safe with two workers: only the delete that removed the row removes
    /// the files.
    pub async fn expire_draft_photo(&self, id: Uuid) -> Result<()> {
        let db = &self.infra().db;
        let Some(d) = drafts::by_id(db, id).await? else {
            return Ok(());
        };
        if d.expires_at > self.now() {
            return Ok(());
        }
        if drafts::take(db, d.id, OrgId(d.org_id)).await? {
            self.delete_files(&[&d.original_key, &d.display_key, &d.thumb_key])
                .await;
        }
        Ok(())
    }

    /// Makes `wanted` the listing's photos, in that order, in the caller's transaction (the
    /// listing row locked): each is the listing's own or an unexpired draft of `org`, which
    /// is taken. Returns the listing's photos left out (their files go after the commit).
    /// Problems go into `errs`; nothing is written unless all are well.
    pub(super) async fn attach_photos(
        &self,
        conn: &impl ConnectionTrait,
        org: OrgId,
        listing_id: ListingId,
        wanted: &[ImageId],
        errs: &mut ValidationErrors,
    ) -> Result<Vec<image::Model>> {
        if wanted.len() > images::MAX_IMAGES_PER_LISTING {
            return Err(CatalogError::TooManyImages);
        }
        let existing = image_rows::of_listing(conn, listing_id).await?;
        let ids: Vec<Uuid> = wanted.iter().map(|i| i.as_uuid()).collect();
        let found = drafts::live_of_org(conn, org, &ids, self.now()).await?;
        let draft_of: HashMap<Uuid, photo_draft::Model> =
            found.into_iter().map(|d| (d.id, d)).collect();
        let own: HashMap<Uuid, &image::Model> = existing.iter().map(|i| (i.id, i)).collect();
        let mut seen = HashSet::new();
        for (i, id) in ids.iter().enumerate() {
            if !seen.insert(*id) {
                errs.push(FieldError::new(
                    format!("photo_ids[{i}]"),
                    "duplicate",
                    "同一张图片只能用一次",
                    "the same photo is named twice",
                ));
            } else if !own.contains_key(id) && !draft_of.contains_key(id) {
                errs.push(unavailable(i));
            }
        }
        if !errs.is_empty() {
            return Ok(Vec::new());
        }
        let removed: Vec<image::Model> = existing
            .iter()
            .filter(|i| !seen.contains(&i.id))
            .cloned()
            .collect();
        for r in &removed {
            image_rows::delete(conn, ImageId(r.id)).await?;
        }
        for (i, id) in ids.iter().enumerate() {
            let position = i32::try_from(i).unwrap_or(0);
            if let Some(img) = own.get(id) {
                if img.position != position {
                    image_rows::set_position(conn, ImageId(*id), position).await?;
                }
                continue;
            }
            let Some(d) = draft_of.get(id) else {
                continue;
            };
            // Taken with a conditional delete: of two saves naming it at once, one wins.
            if !drafts::take(conn, *id, org).await? {
                errs.push(unavailable(i));
                return Ok(Vec::new());
            }
            image_rows::insert(
                conn,
                &image::Model {
                    id: d.id,
                    listing_id: listing_id.as_uuid(),
                    position,
                    original_key: d.original_key.clone(),
                    display_key: d.display_key.clone(),
                    thumb_key: d.thumb_key.clone(),
                    content_type: d.content_type.clone(),
                    sha256: d.sha256.clone(),
                    size_bytes: d.size_bytes,
                    width: d.width,
                    height: d.height,
                    uploaded_by: d.uploaded_by,
                    created_at: d.created_at,
                },
            )
            .await?;
        }
        Ok(removed)
    }

    /// The editor's one save of an existing listing: facts, SKUs and photos together, in one
    /// transaction. On a live listing a change of title, category or origin waits as a
    /// revision; prices, stock and the rest apply at once and are logged.
    #[tracing::instrument(skip_all, fields(listing.id = %id))]
    pub async fn save_listing(
        &self,
        actor: &Actor,
        id: ListingId,
        req: ListingSave,
    ) -> Result<ListingBundle> {
        let current = self.listing_for_seller(actor, id).await?;
        let org = OrgId(current.seller_org_id);
        let patch = ListingPatch {
            category_id: Some(req.category_id),
            title: Some(req.title.clone()),
            description: Some(req.description.clone()),
            origin: Some(req.origin.clone()),
            origin_note: Some(req.origin_note.clone().unwrap_or_default()),
            season: Some(req.season.clone().unwrap_or_default()),
            storage: Some(req.storage.clone().unwrap_or_default()),
            shelf_life_days: Some(req.shelf_life_days.unwrap_or(0)),
            producer_org_id: Some(req.producer_org_id.unwrap_or(OrgId(Uuid::nil()))),
        };
        let mut errs = ValidationErrors::new();
        let plan = self.plan_listing(&current, &patch, &mut errs).await?;

        let txn = begin_write(&self.infra().db).await?;
        listings::lock(&txn, id).await?;
        // Read again under the lock: a save sent twice at once runs one after the other.
        let current = listings::by_id(&txn, id)
            .await?
            .ok_or(CatalogError::NotFound(crate::error::Missing::Listing))?;
        let existing = skus::of_listing(&txn, id).await?;
        let sku_plans = plan_skus(&req.skus, &existing, &mut errs);
        let removed = self
            .attach_photos(&txn, org, id, &req.photo_ids, &mut errs)
            .await?;
        errs.finish()?;
        let (Some(plan), Some(sku_plans)) = (plan, sku_plans) else {
            return Err(CatalogError::Invalid(ValidationErrors::new()));
        };
        self.apply_listing(&txn, current, plan, actor).await?;
        for step in sku_plans {
            match step {
                SkuStep::Change(current, plan) => {
                    self.apply_sku(&txn, *current, *plan, actor).await?;
                }
                SkuStep::New(input, order, active) => {
                    let mut created = self.insert_sku(&txn, id, &input, order).await?;
                    let shown = format!("{} ¥{}", created.name, Money::from_fen(created.price_fen));
                    self.log(&txn, &created, SkuChangeField::Created, "", &shown, actor)
                        .await?;
                    if !active {
                        let off = SkuPatch {
                            active: Some(false),
                            ..SkuPatch::default()
                        };
                        let mut none = ValidationErrors::new();
                        if let Some(p) = plan_sku(None, &created, &off, &mut none) {
                            created = self.apply_sku(&txn, created, p, actor).await?;
                        }
                        let _ = created;
                    }
                }
            }
        }
        self.publish(&txn, id).await?;
        self.commit(txn).await?;
        for r in &removed {
            self.delete_files(&[&r.display_key, &r.thumb_key, &r.original_key])
                .await;
        }
        self.reload(id).await
    }
}

/// One SKU write of a whole-listing save.
enum SkuStep {
    Change(Box<sku::Model>, Box<SkuPlan>),
    New(SkuInput, i32, bool),
}

/// Checks the SKUs a save sends against the listing's: `None` when something is wrong (in
/// `errs`).
fn plan_skus(
    sent: &[SkuSave],
    existing: &[sku::Model],
    errs: &mut ValidationErrors,
) -> Option<Vec<SkuStep>> {
    let before = errs.errors().len();
    let new_count = sent.iter().filter(|s| s.id.is_none()).count();
    if existing.len() + new_count > usize::try_from(MAX_SKUS).unwrap_or(usize::MAX) {
        errs.push(too_many_skus());
        return None;
    }
    let by_id: HashMap<Uuid, &sku::Model> = existing.iter().map(|s| (s.id, s)).collect();
    let mut named = HashSet::new();
    let mut steps = Vec::new();
    for (i, s) in sent.iter().enumerate() {
        let prefix = format!("skus[{i}]");
        let order = i32::try_from(i).unwrap_or(0);
        match s.id {
            Some(SkuId(sid)) => {
                let Some(cur) = by_id.get(&sid) else {
                    errs.push(FieldError::new(
                        format!("{prefix}.id"),
                        "not_found",
                        "这个规格不属于本商品",
                        "this SKU is not one of this listing's",
                    ));
                    continue;
                };
                if !named.insert(sid) {
                    errs.push(FieldError::new(
                        format!("{prefix}.id"),
                        "duplicate",
                        "同一个规格只能出现一次",
                        "the same SKU is sent twice",
                    ));
                    continue;
                }
                if s.unit != cur.unit {
                    errs.push(FieldError::new(
                        format!("{prefix}.unit"),
                        "fixed",
                        "已有规格的单位不能修改，请新增一个规格",
                        "an existing SKU's unit cannot change: add a new SKU",
                    ));
                    continue;
                }
                let patch = SkuPatch {
                    name: Some(s.name.clone()),
                    price: Some(s.price),
                    stock: Some(s.stock),
                    weight_grams: Some(s.weight_grams),
                    net_weight_grams: Some(s.net_weight_grams.unwrap_or(0)),
                    catch_tolerance_permille: Some(s.catch_tolerance_permille.unwrap_or(0)),
                    gtin: Some(s.gtin.clone().unwrap_or_default()),
                    tiers: Some(s.tiers.clone()),
                    active: Some(s.active.unwrap_or(true)),
                };
                if let Some(mut plan) = plan_sku(Some(&prefix), cur, &patch, errs) {
                    plan.sort_order = Some(order);
                    steps.push(SkuStep::Change(Box::new((*cur).clone()), Box::new(plan)));
                }
            }
            None => {
                let fields = SkuFields {
                    name: &s.name,
                    unit: Some(s.unit),
                    price: s.price,
                    stock: s.stock,
                    weight_grams: s.weight_grams,
                    net_weight_grams: s.net_weight_grams,
                    catch_tolerance_permille: s.catch_tolerance_permille,
                    gtin: s.gtin.as_deref(),
                    tiers: &s.tiers,
                };
                if let Some(input) = SkuInput::parse(&prefix, &fields, errs) {
                    steps.push(SkuStep::New(input, order, s.active.unwrap_or(true)));
                }
            }
        }
    }
    // A SKU left out stops being sold; it stays for the orders that name it.
    let mut next = i32::try_from(sent.len()).unwrap_or(0);
    for cur in existing.iter().filter(|s| !named.contains(&s.id)) {
        let off = SkuPatch {
            active: Some(false),
            ..SkuPatch::default()
        };
        if let Some(mut plan) = plan_sku(None, cur, &off, errs) {
            plan.sort_order = Some(next);
            next += 1;
            steps.push(SkuStep::Change(Box::new(cur.clone()), Box::new(plan)));
        }
    }
    (errs.errors().len() == before).then_some(steps)
}

#[derive(serde::Deserialize)]
struct Expiry {
    draft_id: Uuid,
}

/// A draft photo's lifetime ran out (`catalog.photo_draft.expiry`, scheduled at upload):
/// removed if never attached.
pub struct DraftPhotoExpiryJob {
    catalog: Catalog,
}

impl DraftPhotoExpiryJob {
    pub fn new(catalog: Catalog) -> Self {
        Self { catalog }
    }
}

#[async_trait::async_trait]
impl OutboxHandler for DraftPhotoExpiryJob {
    fn name(&self) -> &'static str {
        "catalog-photo-draft-expiry"
    }

    fn handles(&self, topic: &str) -> bool {
        topic == super::topics::PHOTO_DRAFT_EXPIRY
    }

    async fn handle(&self, event: &OutboxEvent) -> std::result::Result<(), BoxError> {
        let e: Expiry = event.parse()?;
        self.catalog
            .expire_draft_photo(e.draft_id)
            .await
            .map_err(|e| Box::new(e) as BoxError)?;
        Ok(())
    }
}
