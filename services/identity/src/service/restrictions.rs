//! Restrictions on problem customers (劣质客户): the operator applies one to an account
//! (claims only with a waybill photo, no offline payment) and lifts it, each with a reason and
//! an audit entry; platform staff read them (the desk shows them on the person's tickets). The
//! rooms concerned ask `read::restrictions` where it matters: after-sales when a claim is
//! filed, orders at checkout. Restrictions are lifted, never deleted.

use crate::Identity;
use crate::auth::Actor;
use crate::domain::{self, AuditAction, AuditTarget, RestrictionKind};
use crate::error::{IdentityError, Missing, Result};
use crate::store::queries::{self, AuditEntry, restrictions as q};
use crate::store::restriction;
use farmgate_infra::db::{begin_write, violates};
use farmgate_infra::http::RequestMeta;
use farmgate_kernel::id::AccountId;
use farmgate_kernel::{Page, Paged};
use serde_json::json;
use std::collections::HashMap;
use uuid::Uuid;

/// A restriction with the names the operator's page shows: the account's (and its phone, for
/// the operator only) and those of who applied and lifted it.
#[derive(Clone, Debug)]
pub struct RestrictionRecord {
    pub restriction: restriction::Model,
    pub account_name: Option<String>,
    /// Full, for the operator; `None` for anyone else.
    pub account_phone: Option<String>,
    pub applied_by_name: Option<String>,
    pub lifted_by_name: Option<String>,
}

impl Identity {
    /// An account's restrictions, active and lifted, newest first (platform staff).
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id, target.id = %target))]
    pub async fn account_restrictions(
        &self,
        actor: &Actor,
        target: AccountId,
    ) -> Result<Vec<RestrictionRecord>> {
        actor.require_platform_staff()?;
        let db = &self.infra().db;
        queries::accounts::by_id(db, target)
            .await?
            .ok_or(IdentityError::NotFound(Missing::Account))?;
        let rows = q::of_account(db, target).await?;
        self.restriction_records(actor, rows).await
    }

    /// Every account's restrictions, those in force only (`active_only`) or all, newest
    /// first (the operator's list).
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id))]
    pub async fn restrictions(
        &self,
        actor: &Actor,
        active_only: bool,
        page: Page,
    ) -> Result<Paged<RestrictionRecord>> {
        actor.require_operator()?;
        let (rows, total) =
            q::page(&self.infra().db, active_only, page.offset(), page.limit()).await?;
        let items = self.restriction_records(actor, rows).await?;
        Ok(Paged::new(items, total, page))
    }

    /// One restriction with its names (for the answer to applying or lifting it).
    pub async fn restriction_record(
        &self,
        actor: &Actor,
        r: restriction::Model,
    ) -> Result<RestrictionRecord> {
        let mut v = self.restriction_records(actor, vec![r.clone()]).await?;
        Ok(v.pop().unwrap_or(RestrictionRecord {
            restriction: r,
            account_name: None,
            account_phone: None,
            applied_by_name: None,
            lifted_by_name: None,
        }))
    }

    /// Puts the names on restrictions, in one query.
    async fn restriction_records(
        &self,
        actor: &Actor,
        rows: Vec<restriction::Model>,
    ) -> Result<Vec<RestrictionRecord>> {
        let ids = rows
            .iter()
            .flat_map(|r| [Some(r.account_id), Some(r.applied_by), r.lifted_by])
            .flatten()
            .collect::<Vec<_>>();
        let people: HashMap<Uuid, _> = queries::accounts::by_ids(&self.infra().db, ids)
            .await?
            .into_iter()
            .map(|a| (a.id, a))
            .collect();
        let name = |id: Option<Uuid>| {
            id.and_then(|id| people.get(&id))
                .map(|a| a.display_name.clone())
        };
        let operator = actor.is_operator();
        Ok(rows
            .into_iter()
            .map(|r| RestrictionRecord {
                account_name: name(Some(r.account_id)),
                account_phone: if operator {
                    people.get(&r.account_id).and_then(|a| a.phone.clone())
                } else {
                    None
                },
                applied_by_name: name(Some(r.applied_by)),
                lifted_by_name: name(r.lifted_by),
                restriction: r,
            })
            .collect())
    }

    /// The operator restricts an account. Applying a restriction that is active already
    /// changes nothing and answers with it (`false`: nothing new).
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id, target.id = %target, kind = %kind))]
    pub async fn apply_restriction(
        &self,
        actor: &Actor,
        target: AccountId,
        kind: RestrictionKind,
        reason: &str,
        meta: &RequestMeta,
    ) -> Result<(restriction::Model, bool)> {
        actor.require_operator()?;
        let reason = domain::parse_reason(reason).map_err(IdentityError::field)?;
        let db = &self.infra().db;
        let txn = begin_write(db).await?;
        queries::accounts::by_id(&txn, target)
            .await?
            .ok_or(IdentityError::NotFound(Missing::Account))?;
        if let Some(active) = q::active(&txn, target, kind).await? {
            return Ok((active, false));
        }
        let m = restriction::Model {
            id: Uuid::now_v7(),
            account_id: target.as_uuid(),
            kind,
            active_kind: Some(kind),
            reason: reason.clone(),
            applied_by: actor.account_id.as_uuid(),
            applied_at: self.now(),
            lifted_by: None,
            lift_reason: None,
            lifted_at: None,
        };
        match q::insert(&txn, m.clone()).await {
            Ok(()) => {}
            Err(e) if violates(&e, &q::ACTIVE) => {
                // Applied by another request a moment ago (PostgreSQL): answer with that one.
                drop(txn);
                let active = q::active(db, target, kind)
                    .await?
                    // …unless lifted again in between: then there is none to show.
                    .ok_or(IdentityError::NotFound(Missing::Restriction))?;
                return Ok((active, false));
            }
            Err(e) => return Err(e.into()),
        }
        self.audit(
            &txn,
            meta,
            AuditEntry {
                actor_id: Some(actor.account_id),
                action: AuditAction::RestrictionApply,
                target_type: AuditTarget::Account,
                target_id: Some(target.to_string()),
                details: json!({ "kind": kind, "reason": reason, "restriction_id": m.id }),
            },
        )
        .await?;
        txn.commit().await?;
        tracing::info!("account restricted");
        Ok((m, true))
    }

    /// The operator lifts an active restriction, with a reason.
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id, target.id = %target, kind = %kind))]
    pub async fn lift_restriction(
        &self,
        actor: &Actor,
        target: AccountId,
        kind: RestrictionKind,
        reason: &str,
        meta: &RequestMeta,
    ) -> Result<restriction::Model> {
        actor.require_operator()?;
        let reason = domain::parse_reason(reason).map_err(IdentityError::field)?;
        let txn = begin_write(&self.infra().db).await?;
        let active = q::active(&txn, target, kind)
            .await?
            .ok_or(IdentityError::NotFound(Missing::Restriction))?;
        let now = self.now();
        if !q::lift(&txn, active.id, actor.account_id, &reason, now).await? {
            return Err(IdentityError::NotFound(Missing::Restriction));
        }
        self.audit(
            &txn,
            meta,
            AuditEntry {
                actor_id: Some(actor.account_id),
                action: AuditAction::RestrictionLift,
                target_type: AuditTarget::Account,
                target_id: Some(target.to_string()),
                details: json!({ "kind": kind, "reason": reason, "restriction_id": active.id }),
            },
        )
        .await?;
        txn.commit().await?;
        tracing::info!("account restriction lifted");
        Ok(restriction::Model {
            active_kind: None,
            lifted_by: Some(actor.account_id.as_uuid()),
            lift_reason: Some(reason),
            lifted_at: Some(now),
            ..active
        })
    }
}
