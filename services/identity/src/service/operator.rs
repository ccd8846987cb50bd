//! The operator's tools: the audit log, the account directory, platform roles, disabling an
//! account.

use crate::Identity;
use crate::auth::Actor;
use crate::domain::{AccountStatus, AuditAction, AuditTarget, PlatformRole};
use crate::error::{IdentityError, Missing, Result};
use crate::store::queries::{self, AuditEntry};
use crate::store::{account, audit};
use farmgate_infra::db::begin_write;
use farmgate_infra::http::RequestMeta;
use farmgate_infra::sms::OutboxMessage;
use farmgate_kernel::id::AccountId;
use farmgate_kernel::{Page, Paged};

/// A page of the SMS outbox and which backend sends for real.
#[derive(Clone, Debug)]
pub struct SmsOutboxPage {
    /// `"outbox"`, `"aliyun"` or `"tencent"`.
    pub backend: &'static str,
    pub messages: Paged<OutboxMessage>,
}
use sea_orm::{ActiveModelTrait, Set};
use serde_json::json;

impl Identity {
    /// The audit log, newest first (operator only).
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id))]
    pub async fn audit_log(
        &self,
        actor: &Actor,
        page: Page,
    ) -> Result<Paged<(audit::Model, Option<account::Model>)>> {
        actor.require_operator()?;
        let db = &self.infra().db;
        let (rows, total) = queries::audit::page(db, page).await?;
        let actors = queries::accounts::by_ids(db, rows.iter().filter_map(|r| r.actor_id)).await?;
        let items = rows
            .into_iter()
            .map(|r| {
                let a = r
                    .actor_id
                    .and_then(|id| actors.iter().find(|a| a.id == id).cloned());
                (r, a)
            })
            .collect();
        Ok(Paged::new(items, total, page))
    }

    /// Accounts, for the operator assigning platform roles or disabling abuse.
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id))]
    pub async fn admin_accounts(
        &self,
        actor: &Actor,
        q: Option<&str>,
        page: Page,
    ) -> Result<Paged<account::Model>> {
        actor.require_operator()?;
        let (items, total) = queries::accounts::search(&self.infra().db, q, page).await?;
        Ok(Paged::new(items, total, page))
    }

    /// The operator grants or removes a platform role.
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id, target.id = %target, role = ?role))]
    pub async fn set_platform_role(
        &self,
        actor: &Actor,
        target: AccountId,
        role: Option<PlatformRole>,
        meta: &RequestMeta,
    ) -> Result<account::Model> {
        actor.require_operator()?;
        if target == actor.account_id && role != Some(PlatformRole::Operator) {
            return Err(IdentityError::CannotDemoteSelf);
        }
        let txn = begin_write(&self.infra().db).await?;
        let current = queries::accounts::by_id(&txn, target)
            .await?
            .ok_or(IdentityError::NotFound(Missing::Account))?;
        let previous = current.platform_role;
        let mut active: account::ActiveModel = current.into();
        active.platform_role = Set(role);
        active.updated_at = Set(self.now());
        let updated = active.update(&txn).await?;
        self.audit(
            &txn,
            meta,
            AuditEntry {
                actor_id: Some(actor.account_id),
                action: AuditAction::AccountPlatformRole,
                target_type: AuditTarget::Account,
                target_id: Some(target.to_string()),
                details: json!({ "from": previous, "to": role }),
            },
        )
        .await?;
        txn.commit().await?;
        Ok(updated)
    }

    /// The operator disables an account; its sessions end at once.
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id, target.id = %target))]
    pub async fn disable_account(
        &self,
        actor: &Actor,
        target: AccountId,
        meta: &RequestMeta,
    ) -> Result<account::Model> {
        actor.require_operator()?;
        if target == actor.account_id {
            return Err(IdentityError::CannotDisableSelf);
        }
        let txn = begin_write(&self.infra().db).await?;
        let current = queries::accounts::by_id(&txn, target)
            .await?
            .ok_or(IdentityError::NotFound(Missing::Account))?;
        let mut active: account::ActiveModel = current.into();
        active.status = Set(AccountStatus::Disabled);
        active.updated_at = Set(self.now());
        let updated = active.update(&txn).await?;
        self.audit(
            &txn,
            meta,
            AuditEntry {
                actor_id: Some(actor.account_id),
                action: AuditAction::AccountDisable,
                target_type: AuditTarget::Account,
                target_id: Some(target.to_string()),
                details: json!({}),
            },
        )
        .await?;
        let revoked = queries::sessions::revoke_all_of(&txn, target, self.now()).await?;
        txn.commit().await?;
        self.forget_sessions(revoked).await;
        Ok(updated)
    }

    /// Recent text messages of the embedded SMS backend, newest first (operator only: they
    /// hold one-time codes). Empty with a real provider, which keeps no copy here.
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id))]
    pub async fn sms_outbox(&self, actor: &Actor, page: Page) -> Result<SmsOutboxPage> {
        actor.require_operator()?;
        let backend = self.infra().sms.backend();
        let messages = farmgate_infra::sms::outbox::recent(&self.infra().db, page).await?;
        Ok(SmsOutboxPage { backend, messages })
    }
}
