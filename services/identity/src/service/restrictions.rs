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
use serde_json::json;
use uuid::Uuid;

impl Identity {
    /// An account's restrictions, active and lifted, newest first (platform staff).
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id, target.id = %target))]
    pub async fn account_restrictions(
        &self,
        actor: &Actor,
        target: AccountId,
    ) -> Result<Vec<restriction::Model>> {
        actor.require_platform_staff()?;
        let db = &self.infra().db;
        queries::accounts::by_id(db, target)
            .await?
            .ok_or(IdentityError::NotFound(Missing::Account))?;
        Ok(q::of_account(db, target).await?)
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
