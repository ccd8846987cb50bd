//! A seller writes listings: creates a draft with its SKUs, edits it, submits it for review.
//! On a live listing, a change of the reviewed facts waits as a revision.

use super::facts::{Facts, FactsInput, parse_facts, reviewed_facts_of, set_facts};
use super::{ListingBundle, ListingPatch, NewListingRequest, SkuRequest};
use crate::Catalog;
use crate::domain::{
    self, ListingStatus, ReviewMove, ReviewedFacts, RevisionKind, SkuFields, SkuInput,
};
use crate::error::{CatalogError, Result};
use crate::store::listing;
use crate::store::queries::{drafts, revisions, skus};
use farmgate_identity::{Actor, OrgKind, OrgStatus};
use farmgate_infra::db::begin_write;
use farmgate_kernel::id::{CategoryId, ListingId, OrgId};
use farmgate_kernel::{FieldError, ValidationErrors};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};

/// A listing holds at most this many SKUs.
pub(super) const MAX_SKUS: u64 = 20;

/// A checked change of a listing's facts ([`Catalog::plan_listing`]).
pub(super) struct ListingPlan {
    description: String,
    season: Option<String>,
    storage: Option<String>,
    shelf: Option<i32>,
    /// `Some(None)` clears the producer; `None` leaves it.
    producer: Option<Option<OrgId>>,
    new: ReviewedFacts,
}

pub(super) fn too_many_skus() -> FieldError {
    FieldError::new(
        "skus",
        "too_many",
        "每个商品最多 20 个规格",
        "at most 20 SKUs per listing",
    )
}

pub(super) fn sku_fields(r: &SkuRequest) -> SkuFields<'_> {
    SkuFields {
        name: &r.name,
        unit: Some(r.unit),
        price: r.price,
        stock: r.stock,
        weight_grams: r.weight_grams,
        net_weight_grams: r.net_weight_grams,
        catch_tolerance_permille: r.catch_tolerance_permille,
        gtin: r.gtin.as_deref(),
        tiers: &r.tiers,
    }
}

fn parse_skus(skus: &[SkuRequest], errs: &mut ValidationErrors) -> Vec<SkuInput> {
    if skus.len() > MAX_SKUS as usize {
        errs.push(too_many_skus());
        return Vec::new();
    }
    skus.iter()
        .enumerate()
        .filter_map(|(i, r)| SkuInput::parse(&format!("skus[{i}]"), &sku_fields(r), errs))
        .collect()
}

impl Catalog {
    /// Creates a draft listing with its SKUs (seller members of a verified selling
    /// organisation).
    pub async fn create_listing(
        &self,
        actor: &Actor,
        org: OrgId,
        req: NewListingRequest,
    ) -> Result<ListingBundle> {
        self.create_listing_once(actor, org, req, None).await
    }

    /// As [`Catalog::create_listing`], once per `Idempotency-Key`: the same key with the same
    /// request answers the listing made the first time (also when both arrive together); with
    /// a different request, `idempotency_key_reused`.
    #[tracing::instrument(skip_all, fields(org.id = %org, listing.id = tracing::field::Empty))]
    pub async fn create_listing_once(
        &self,
        actor: &Actor,
        org: OrgId,
        req: NewListingRequest,
        key: Option<&str>,
    ) -> Result<ListingBundle> {
        let membership = actor.require_selling_member(org)?;
        if membership.org_kind == OrgKind::BusinessBuyer {
            return Err(CatalogError::Forbidden);
        }
        let seller = self.identity().ensure_can_sell(org).await?;
        let key = match key.map(str::trim) {
            None => None,
            Some(k)
                if !k.is_empty() && k.len() <= 80 && k.chars().all(|c| c.is_ascii_graphic()) =>
            {
                Some(k)
            }
            Some(_) => {
                return Err(CatalogError::field(FieldError::new(
                    "Idempotency-Key",
                    "invalid",
                    "Idempotency-Key 须为 1–80 个字符",
                    "Idempotency-Key is 1 to 80 characters",
                )));
            }
        };
        // The request as parsed, for telling a retry from another listing under the same key.
        let fingerprint = farmgate_infra::objects::sha256_hex(format!("{req:?}").as_bytes());
        if let Some(k) = key
            && let Some(done) = self.created_before(org, k, &fingerprint).await?
        {
            return Ok(done);
        }
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
        let skus = parse_skus(&req.skus, &mut errs);
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
        let id = ListingId::new();
        tracing::Span::current().record("listing.id", tracing::field::display(id));
        let txn = begin_write(&self.infra().db).await?;
        if let Some(k) = key
            && let Err(e) = drafts::insert_key(&txn, org, k, id, &fingerprint, now).await
        {
            // The same key at the same moment: the other request made it.
            drop(txn);
            return match self.created_before(org, k, &fingerprint).await? {
                Some(done) => Ok(done),
                None => Err(e.into()),
            };
        }
        listing::Entity::insert(listing::ActiveModel {
            id: Set(id.as_uuid()),
            seller_org_id: Set(org.as_uuid()),
            category_id: Set(req.category_id.as_uuid()),
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
            status: Set(ListingStatus::Draft),
            status_reason: Set(None),
            sales: Set(0),
            created_by: Set(actor.account_id.as_uuid()),
            created_at: Set(now),
            updated_at: Set(now),
            approved_at: Set(None),
            producer_org_id: Set(producer.map(|p| p.as_uuid())),
        })
        .exec_without_returning(&txn)
        .await?;
        for (i, s) in skus.iter().enumerate() {
            self.insert_sku(&txn, id, s, i32::try_from(i).unwrap_or(0))
                .await?;
        }
        let mut errs = ValidationErrors::new();
        self.attach_photos(&txn, org, id, &req.photo_ids, &mut errs)
            .await?;
        errs.finish()?;
        self.publish(&txn, id).await?;
        self.commit(txn).await?;
        self.reload(id).await
    }

    /// The listing an earlier create with this key made, when the request was the same.
    async fn created_before(
        &self,
        org: OrgId,
        key: &str,
        fingerprint: &str,
    ) -> Result<Option<ListingBundle>> {
        match drafts::key(&self.infra().db, org, key).await? {
            None => Ok(None),
            Some(k) if k.request_sha256 == fingerprint => {
                Ok(Some(self.reload(ListingId(k.listing_id)).await?))
            }
            Some(_) => Err(CatalogError::KeyReused),
        }
    }

    /// Edits a listing. While it is not live, everything is edited in place. Once live, a
    /// change of title, category or origin becomes a pending revision (the live listing keeps
    /// its approved facts until the operator decides); other fields apply at once.
    #[tracing::instrument(skip_all, fields(listing.id = %id))]
    pub async fn update_listing(
        &self,
        actor: &Actor,
        id: ListingId,
        patch: ListingPatch,
    ) -> Result<ListingBundle> {
        let current = self.listing_for_seller(actor, id).await?;
        let mut errs = ValidationErrors::new();
        let plan = self.plan_listing(&current, &patch, &mut errs).await?;
        errs.finish()?;
        let Some(plan) = plan else {
            return Err(CatalogError::Invalid(ValidationErrors::new()));
        };
        let txn = begin_write(&self.infra().db).await?;
        self.apply_listing(&txn, current, plan, actor).await?;
        self.publish(&txn, id).await?;
        self.commit(txn).await?;
        self.reload(id).await
    }

    /// Checks a change of a listing's facts over `current` (its seller must still be able to
    /// sell); problems go into `errs`.
    pub(super) async fn plan_listing(
        &self,
        current: &listing::Model,
        patch: &ListingPatch,
        errs: &mut ValidationErrors,
    ) -> Result<Option<ListingPlan>> {
        let seller_id = OrgId(current.seller_org_id);
        let seller = self.identity().ensure_can_sell(seller_id).await?;
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
            Some(current),
            &seller.region,
            errs,
        );
        let category_id = patch.category_id.unwrap_or(CategoryId(current.category_id));
        if patch.category_id.is_some() {
            self.check_category(category_id, errs).await?;
        }
        let producer = match patch.producer_org_id {
            Some(p) => Some(self.check_producer(seller_id, Some(p), errs).await?),
            None => None,
        };
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
            return Ok(None);
        };
        Ok(Some(ListingPlan {
            description,
            season,
            storage,
            shelf,
            producer,
            new: ReviewedFacts {
                title,
                category_id,
                origin,
                origin_note,
            },
        }))
    }

    /// Writes a checked change of a listing's facts in the caller's transaction. While it is
    /// not live, everything is edited in place; once live, a change of title, category or
    /// origin becomes a pending revision.
    pub(super) async fn apply_listing(
        &self,
        conn: &impl ConnectionTrait,
        current: listing::Model,
        plan: ListingPlan,
        actor: &Actor,
    ) -> Result<()> {
        let id = ListingId(current.id);
        let status = current.status;
        let old = reviewed_facts_of(&current);
        let new = plan.new;
        let now = self.now();
        let mut active: listing::ActiveModel = current.into();
        active.description = Set(plan.description);
        active.season = Set(plan.season);
        active.storage = Set(plan.storage);
        active.shelf_life_days = Set(plan.shelf);
        active.updated_at = Set(now);
        if let Some(p) = plan.producer {
            active.producer_org_id = Set(p.map(|p| p.as_uuid()));
        }
        let reviewed_change = domain::needs_review(&old, &new);
        if status == ListingStatus::Approved {
            if reviewed_change {
                self.propose(conn, id, RevisionKind::Change, &new, actor)
                    .await?;
            }
        } else {
            set_facts(&mut active, &new);
            if status == ListingStatus::Pending && reviewed_change {
                // Keep the waiting proposal in step with what the seller now says.
                self.propose(conn, id, RevisionKind::New, &new, actor)
                    .await?;
            }
        }
        active.update(conn).await?;
        Ok(())
    }

    /// Submits a draft, rejected or delisted listing for review.
    #[tracing::instrument(skip_all, fields(listing.id = %id))]
    pub async fn submit(&self, actor: &Actor, id: ListingId) -> Result<ListingBundle> {
        let current = self.listing_for_seller(actor, id).await?;
        let active_skus = skus::count_active(&self.infra().db, id).await?;
        let next = domain::review(
            current.status,
            ReviewMove::Submit {
                active_skus: usize::try_from(active_skus).unwrap_or(0),
            },
        )?;
        let facts = reviewed_facts_of(&current);
        let txn = begin_write(&self.infra().db).await?;
        self.propose(&txn, id, RevisionKind::New, &facts, actor)
            .await?;
        let mut active: listing::ActiveModel = current.into();
        active.status = Set(next);
        active.status_reason = Set(None);
        active.updated_at = Set(self.now());
        active.update(&txn).await?;
        self.publish(&txn, id).await?;
        self.commit(txn).await?;
        self.reload(id).await
    }

    /// Records a proposal, replacing a pending one of the same listing.
    async fn propose(
        &self,
        conn: &impl ConnectionTrait,
        listing: ListingId,
        kind: RevisionKind,
        facts: &ReviewedFacts,
        actor: &Actor,
    ) -> Result<()> {
        revisions::delete_pending(conn, listing).await?;
        revisions::insert_pending(conn, listing, kind, facts, actor.account_id, self.now()).await?;
        Ok(())
    }

    /// A listing goes into an active category. Errors go into `errs`.
    async fn check_category(&self, id: CategoryId, errs: &mut ValidationErrors) -> Result<()> {
        let all = self.categories().await?;
        match all.iter().find(|c| c.id == id.as_uuid()) {
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

    /// The producer a listing may name: none (the seller itself), or a verified organisation
    /// that grows or makes produce. Errors go into `errs`.
    async fn check_producer(
        &self,
        seller: OrgId,
        producer: Option<OrgId>,
        errs: &mut ValidationErrors,
    ) -> Result<Option<OrgId>> {
        let Some(p) = producer.filter(|p| !p.as_uuid().is_nil() && *p != seller) else {
            return Ok(None);
        };
        let ok = self.identity().org_summary(p).await?.is_some_and(|o| {
            o.status == OrgStatus::Verified
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
}
