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
use crate::store::queries::{revisions, skus};
use farmgate_identity::{Actor, OrgKind, OrgStatus};
use farmgate_infra::db::begin_write;
use farmgate_kernel::id::{CategoryId, ListingId, OrgId};
use farmgate_kernel::{FieldError, ValidationErrors};
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, Set};

/// A listing holds at most this many SKUs.
pub(super) const MAX_SKUS: u64 = 20;

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
    #[tracing::instrument(skip_all, fields(org.id = %org, listing.id = tracing::field::Empty))]
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
        txn.commit().await?;
        self.reload(id).await
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
        let seller_id = OrgId(current.seller_org_id);
        let seller = self.identity().ensure_can_sell(seller_id).await?;
        let status = current.status;
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
        let category_id = patch.category_id.unwrap_or(CategoryId(current.category_id));
        if patch.category_id.is_some() {
            self.check_category(category_id, &mut errs).await?;
        }
        let producer = match patch.producer_org_id {
            Some(p) => Some(self.check_producer(seller_id, Some(p), &mut errs).await?),
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
        let old = reviewed_facts_of(&current);
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
            active.producer_org_id = Set(p.map(|p| p.as_uuid()));
        }
        let reviewed_change = domain::needs_review(&old, &new);
        if status == ListingStatus::Approved {
            if reviewed_change {
                self.propose(&txn, id, RevisionKind::Change, &new, actor)
                    .await?;
            }
        } else {
            set_facts(&mut active, &new);
            if status == ListingStatus::Pending && reviewed_change {
                // Keep the waiting proposal in step with what the seller now says.
                self.propose(&txn, id, RevisionKind::New, &new, actor)
                    .await?;
            }
        }
        active.update(&txn).await?;
        self.publish(&txn, id).await?;
        self.commit(txn).await?;
        self.reload(id).await
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
