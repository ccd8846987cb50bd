//! Members of an organisation: who they are, their roles, leaving.

use crate::Identity;
use crate::auth::Actor;
use crate::domain::{AuditAction, AuditTarget, OrgRole};
use crate::error::{IdentityError, Missing, Result};
use crate::store::queries::{self, AuditEntry};
use crate::store::{account, membership};
use farmgate_infra::db::begin_write;
use farmgate_infra::http::RequestMeta;
use farmgate_kernel::id::{AccountId, OrgId};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde_json::json;

/// A member and their account.
#[derive(Clone, Debug)]
pub struct Member {
    pub membership: membership::Model,
    pub account: account::Model,
}

/// Refuses to take away an organisation's last owner: someone must be able to run it.
async fn keep_an_owner(
    conn: &impl ConnectionTrait,
    org: OrgId,
    member: &membership::Model,
) -> Result<()> {
    if member.role == OrgRole::Owner && queries::members::owner_count(conn, org).await? <= 1 {
        return Err(IdentityError::LastOwner);
    }
    Ok(())
}

impl Identity {
    /// An organisation's members, oldest first (its members and the operator).
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id, org.id = %org))]
    pub async fn members(&self, actor: &Actor, org: OrgId) -> Result<Vec<Member>> {
        self.org_for(actor, org).await?;
        let db = &self.infra().db;
        let ms = queries::members::of_org(db, org).await?;
        let accounts = queries::accounts::by_ids(db, ms.iter().map(|m| m.account_id)).await?;
        Ok(ms
            .into_iter()
            .filter_map(|m| {
                let a = accounts.iter().find(|a| a.id == m.account_id)?.clone();
                Some(Member {
                    membership: m,
                    account: a,
                })
            })
            .collect())
    }

    /// The owner changes a member's role. The last owner cannot step down.
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id, org.id = %org, member.id = %account_id))]
    pub async fn set_member_role(
        &self,
        actor: &Actor,
        org: OrgId,
        account_id: AccountId,
        role: OrgRole,
        meta: &RequestMeta,
    ) -> Result<Member> {
        actor.require_owner(org)?;
        let txn = begin_write(&self.infra().db).await?;
        let kind = queries::orgs::by_id(&txn, org)
            .await?
            .ok_or(IdentityError::NotFound(Missing::Organisation))?
            .kind;
        crate::domain::check_role_fits(role, kind).map_err(IdentityError::field)?;
        let m = queries::members::get(&txn, org, account_id)
            .await?
            .ok_or(IdentityError::NotFound(Missing::Member))?;
        if role != OrgRole::Owner {
            keep_an_owner(&txn, org, &m).await?;
        }
        let mut active: membership::ActiveModel = m.into();
        active.role = Set(role);
        let updated = active.update(&txn).await?;
        self.audit(
            &txn,
            meta,
            AuditEntry {
                actor_id: Some(actor.account_id),
                action: AuditAction::MemberRole,
                target_type: AuditTarget::Organisation,
                target_id: Some(org.to_string()),
                details: json!({ "account_id": account_id, "role": role }),
            },
        )
        .await?;
        let account = queries::accounts::by_id(&txn, account_id)
            .await?
            .ok_or(IdentityError::NotFound(Missing::Member))?;
        txn.commit().await?;
        Ok(Member {
            membership: updated,
            account,
        })
    }

    /// The owner removes a member, or a member leaves. The last owner cannot leave.
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id, org.id = %org, member.id = %account_id))]
    pub async fn remove_member(
        &self,
        actor: &Actor,
        org: OrgId,
        account_id: AccountId,
        meta: &RequestMeta,
    ) -> Result<()> {
        let leaving = actor.account_id == account_id;
        if !leaving {
            actor.require_owner(org)?;
        }
        let txn = begin_write(&self.infra().db).await?;
        let m = queries::members::get(&txn, org, account_id)
            .await?
            .ok_or(IdentityError::NotFound(Missing::Member))?;
        keep_an_owner(&txn, org, &m).await?;
        queries::members::delete(&txn, org, account_id).await?;
        self.audit(
            &txn,
            meta,
            AuditEntry {
                actor_id: Some(actor.account_id),
                action: if leaving {
                    AuditAction::MemberLeave
                } else {
                    AuditAction::MemberRemove
                },
                target_type: AuditTarget::Organisation,
                target_id: Some(org.to_string()),
                details: json!({ "account_id": account_id }),
            },
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }
}
