//! Organisations: registering and editing them, and the facts other services read.

use super::topics;
use crate::Identity;
use crate::auth::Actor;
use crate::domain::{
    self, AuditAction, AuditTarget, OrgFacts, OrgFactsInput, OrgKind, OrgRole, OrgStatus, Review,
    ReviewAction,
};
use crate::error::{IdentityError, Missing, Result};
use crate::store::organisation;
use crate::store::queries::{self, AuditEntry};
use chrono::{DateTime, Utc};
use farmgate_infra::db::{begin_write, unique_violation};
use farmgate_infra::http::RequestMeta;
use farmgate_kernel::Region;
use farmgate_kernel::id::{AccountId, OrgId};
use farmgate_kernel::region::RegionInput;
use sea_orm::{ActiveModelTrait, ConnectionTrait, DbErr, Set};
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::collections::HashMap;

/// An organisation event on the outbox.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct OrgEvent {
    pub org_id: OrgId,
    pub kind: OrgKind,
    pub status: OrgStatus,
    pub at: DateTime<Utc>,
}

/// Changes an owner may make to an organisation; absent fields stay as they are.
#[derive(Clone, Debug, Default)]
pub struct OrgPatch {
    pub name: Option<String>,
    pub licence_no: Option<String>,
    pub region: Option<RegionInput>,
    pub address: Option<Option<String>>,
    pub contact_name: Option<String>,
    pub contact_phone: Option<String>,
    /// A testing body's accreditation number (a change sends it back to review).
    pub accreditation_no: Option<String>,
}

/// A testing body (检测机构) as the records it writes name it: public facts only.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TestingBody {
    pub id: OrgId,
    pub name: String,
    pub accreditation_no: String,
    pub status: OrgStatus,
}

/// The public facts of an organisation other services show (store name, kind, region).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrgSummary {
    pub id: OrgId,
    pub kind: OrgKind,
    pub name: String,
    pub status: OrgStatus,
    pub region: Region,
}

impl OrgSummary {
    fn of(o: &organisation::Model) -> Self {
        Self {
            id: OrgId(o.id),
            kind: o.kind,
            name: o.name.clone(),
            status: o.status,
            region: org_region(o),
        }
    }
}

/// The registered region of an organisation as a value.
pub fn org_region(o: &organisation::Model) -> Region {
    Region {
        province: o.province.clone(),
        city: o.city.clone(),
        county: o.county.clone(),
        township: o.township.clone(),
        village: o.village.clone(),
    }
}

fn region_input_of(o: &organisation::Model) -> RegionInput {
    RegionInput {
        province: o.province.clone(),
        city: o.city.clone(),
        county: o.county.clone(),
        township: o.township.clone(),
        village: o.village.clone(),
    }
}

/// Turns a unique-constraint failure on organisations into the field it is about.
fn org_conflict(e: DbErr) -> IdentityError {
    match unique_violation(&e).as_deref() {
        Some(c) if c.contains("licence_no") => IdentityError::LicenceTaken,
        _ => IdentityError::Db(e),
    }
}

impl Identity {
    /// Registers an organisation; its creator becomes the owner and it waits for review.
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id, org.id, org.kind = %kind))]
    pub async fn create_org(
        &self,
        actor: &Actor,
        kind: OrgKind,
        facts: OrgFacts,
        meta: &RequestMeta,
    ) -> Result<organisation::Model> {
        self.create_org_accredited(actor, kind, facts, None, meta)
            .await
    }

    /// Registers an organisation with its accreditation number, which a testing body must
    /// give and no other kind may (see [`domain::parse_accreditation`]).
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id, org.id, org.kind = %kind))]
    pub async fn create_org_accredited(
        &self,
        actor: &Actor,
        kind: OrgKind,
        facts: OrgFacts,
        accreditation_no: Option<&str>,
        meta: &RequestMeta,
    ) -> Result<organisation::Model> {
        if kind == OrgKind::PlatformStore && !actor.is_operator() {
            return Err(IdentityError::Forbidden);
        }
        let accreditation_no = domain::parse_accreditation(kind, accreditation_no)
            .map_err(|e| IdentityError::Invalid(e.into()))?;
        let now = self.now();
        let id = OrgId::new();
        tracing::Span::current().record("org.id", tracing::field::display(id));
        let model = organisation::Model {
            id: id.as_uuid(),
            kind,
            name: facts.name,
            licence_no: facts.licence_no.to_string(),
            province: facts.region.province,
            city: facts.region.city,
            county: facts.region.county,
            township: facts.region.township,
            village: facts.region.village,
            address: facts.address,
            contact_name: facts.contact_name,
            contact_phone: facts.contact_phone.to_string(),
            status: OrgStatus::Pending,
            status_reason: None,
            created_by: actor.account_id.as_uuid(),
            created_at: now,
            updated_at: now,
            verified_at: None,
            accreditation_no,
        };
        let txn = begin_write(&self.infra().db).await?;
        queries::orgs::insert(&txn, &model)
            .await
            .map_err(org_conflict)?;
        queries::members::insert(&txn, id, actor.account_id, OrgRole::Owner, now).await?;
        self.record_review(&txn, id, ReviewAction::Submitted, actor.account_id, None)
            .await?;
        self.audit(
            &txn,
            meta,
            AuditEntry {
                actor_id: Some(actor.account_id),
                action: AuditAction::OrgCreate,
                target_type: AuditTarget::Organisation,
                target_id: Some(id.to_string()),
                details: json!({ "kind": model.kind, "name": model.name }),
            },
        )
        .await?;
        self.publish_org(&txn, topics::ORG_SUBMITTED, &model)
            .await?;
        txn.commit().await?;
        self.infra().outbox.wake();
        Ok(model)
    }

    pub(super) async fn record_review(
        &self,
        conn: &impl ConnectionTrait,
        org: OrgId,
        action: ReviewAction,
        actor: AccountId,
        reason: Option<String>,
    ) -> Result<()> {
        queries::orgs::append_review(conn, org, action, actor, reason, self.now()).await?;
        Ok(())
    }

    pub(super) async fn publish_org(
        &self,
        conn: &impl ConnectionTrait,
        topic: &str,
        org: &organisation::Model,
    ) -> Result<()> {
        let event = OrgEvent {
            org_id: OrgId(org.id),
            kind: org.kind,
            status: org.status,
            at: self.now(),
        };
        self.infra().outbox.enqueue(conn, topic, &event).await?;
        Ok(())
    }

    /// Organisations the actor belongs to, with their role.
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id))]
    pub async fn my_orgs(&self, actor: &Actor) -> Result<Vec<(organisation::Model, OrgRole)>> {
        Ok(
            queries::members::of_account(&self.infra().db, actor.account_id)
                .await?
                .into_iter()
                .map(|(m, o)| (o, m.role))
                .collect(),
        )
    }

    /// One organisation, for its members and the operator.
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id, org.id = %id))]
    pub async fn org_for(&self, actor: &Actor, id: OrgId) -> Result<organisation::Model> {
        let org = queries::orgs::by_id(&self.infra().db, id)
            .await?
            .ok_or(IdentityError::NotFound(Missing::Organisation))?;
        actor.require_member_or_operator(id)?;
        Ok(org)
    }

    /// The public facts of an organisation, for other services (store pages, trace pages).
    pub async fn org_summary(&self, id: OrgId) -> Result<Option<OrgSummary>> {
        Ok(queries::orgs::by_id(&self.infra().db, id)
            .await?
            .as_ref()
            .map(OrgSummary::of))
    }

    /// Public facts of many organisations in one query (search indexing, result lists).
    pub async fn org_summaries(&self, ids: &[OrgId]) -> Result<HashMap<OrgId, OrgSummary>> {
        let orgs = queries::orgs::by_ids(&self.infra().db, ids.iter().map(OrgId::as_uuid)).await?;
        Ok(orgs
            .iter()
            .map(|o| (OrgId(o.id), OrgSummary::of(o)))
            .collect())
    }

    /// A testing body's public facts, for the records its staff write; `None` when the id is
    /// not a testing body's.
    pub async fn testing_body(&self, id: OrgId) -> Result<Option<TestingBody>> {
        Ok(queries::orgs::by_id(&self.infra().db, id)
            .await?
            .filter(|o| o.kind.is_testing_body())
            .map(|o| TestingBody {
                id: OrgId(o.id),
                name: o.name,
                accreditation_no: o.accreditation_no.unwrap_or_default(),
                status: o.status,
            }))
    }

    /// Whether an organisation may sell right now: verified and of a selling kind. The shared
    /// check later services call for anything that puts goods on sale.
    #[tracing::instrument(skip_all, fields(org.id = %id))]
    pub async fn ensure_can_sell(&self, id: OrgId) -> Result<OrgSummary> {
        let summary = self
            .org_summary(id)
            .await?
            .ok_or(IdentityError::NotFound(Missing::Organisation))?;
        if !summary.kind.is_seller() {
            return Err(IdentityError::Forbidden);
        }
        if summary.status != OrgStatus::Verified {
            return Err(IdentityError::OrgNotVerified);
        }
        Ok(summary)
    }

    /// The owner edits the organisation. Changing what the operator verified (name, licence,
    /// region), or editing a rejected organisation, sends it back to review.
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id, org.id = %id))]
    pub async fn update_org(
        &self,
        actor: &Actor,
        id: OrgId,
        patch: OrgPatch,
        meta: &RequestMeta,
    ) -> Result<organisation::Model> {
        actor.require_owner(id)?;
        let txn = begin_write(&self.infra().db).await?;
        let current = queries::orgs::by_id(&txn, id)
            .await?
            .ok_or(IdentityError::NotFound(Missing::Organisation))?;
        let region = patch
            .region
            .clone()
            .unwrap_or_else(|| region_input_of(&current));
        let address = match &patch.address {
            Some(a) => a.clone(),
            None => current.address.clone(),
        };
        let old_region = region_input_of(&current);
        let old = OrgFacts::parse(&OrgFactsInput {
            name: &current.name,
            licence_no: &current.licence_no,
            region: Some(&old_region),
            address: current.address.as_deref(),
            contact_name: &current.contact_name,
            contact_phone: &current.contact_phone,
        })?;
        let new = OrgFacts::parse(&OrgFactsInput {
            name: patch.name.as_deref().unwrap_or(&current.name),
            licence_no: patch.licence_no.as_deref().unwrap_or(&current.licence_no),
            region: Some(&region),
            address: address.as_deref(),
            contact_name: patch
                .contact_name
                .as_deref()
                .unwrap_or(&current.contact_name),
            contact_phone: patch
                .contact_phone
                .as_deref()
                .unwrap_or(&current.contact_phone),
        })?;
        let accreditation = match &patch.accreditation_no {
            Some(a) => domain::parse_accreditation(current.kind, Some(a))
                .map_err(|e| IdentityError::Invalid(e.into()))?,
            None => current.accreditation_no.clone(),
        };
        let status = current.status;
        let resubmit = old.needs_review_after(&new)
            || accreditation != current.accreditation_no
            || status == OrgStatus::Rejected;
        let now = self.now();
        let mut active: organisation::ActiveModel = current.into();
        active.name = Set(new.name.clone());
        active.licence_no = Set(new.licence_no.to_string());
        active.province = Set(new.region.province.clone());
        active.city = Set(new.region.city.clone());
        active.county = Set(new.region.county.clone());
        active.township = Set(new.region.township.clone());
        active.village = Set(new.region.village.clone());
        active.address = Set(new.address.clone());
        active.contact_name = Set(new.contact_name.clone());
        active.contact_phone = Set(new.contact_phone.to_string());
        active.accreditation_no = Set(accreditation);
        active.updated_at = Set(now);
        if resubmit {
            let (next, action) =
                domain::review(status, &Review::Resubmit).map_err(IdentityError::from)?;
            active.status = Set(next);
            active.status_reason = Set(None);
            active.verified_at = Set(None);
            self.record_review(&txn, id, action, actor.account_id, None)
                .await?;
        }
        let updated = active.update(&txn).await.map_err(org_conflict)?;
        self.audit(
            &txn,
            meta,
            AuditEntry {
                actor_id: Some(actor.account_id),
                action: AuditAction::OrgUpdate,
                target_type: AuditTarget::Organisation,
                target_id: Some(id.to_string()),
                details: json!({ "resubmitted": resubmit }),
            },
        )
        .await?;
        if resubmit {
            self.publish_org(&txn, topics::ORG_SUBMITTED, &updated)
                .await?;
        }
        txn.commit().await?;
        self.infra().outbox.wake();
        Ok(updated)
    }
}
