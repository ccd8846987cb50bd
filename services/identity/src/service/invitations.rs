//! Invitations: an owner invites someone by phone or e-mail; they accept or decline after
//! logging in with it; the owner may withdraw it while it waits. Which answers are legal is
//! [`domain::answer_invitation`]'s to say.

use crate::Identity;
use crate::auth::Actor;
use crate::domain::{
    self, AuditAction, AuditTarget, InvitationId, InvitationMove, InvitationStatus, OrgRole,
};
use crate::error::{IdentityError, Missing, Result};
use crate::store::queries::{self, AuditEntry};
use crate::store::{account, invitation, organisation};
use farmgate_infra::db::begin_write;
use farmgate_infra::http::RequestMeta;
use farmgate_kernel::LoginId;
use farmgate_kernel::id::{AccountId, OrgId};
use sea_orm::ConnectionTrait;
use serde_json::json;

/// An invitation with its organisation and inviter.
#[derive(Clone, Debug)]
pub struct InvitationDetail {
    pub invitation: invitation::Model,
    pub org: organisation::Model,
    pub invited_by: Option<account::Model>,
}

/// The logins an account can be invited by: its phone and its e-mail.
fn logins_of(account: &account::Model) -> Vec<String> {
    account
        .phone
        .iter()
        .chain(account.email.iter())
        .cloned()
        .collect()
}

/// Applies a move to an invitation already read, refusing (as "no pending invitation") what
/// the machine refuses or what another answer got to first.
async fn answer(
    conn: &impl ConnectionTrait,
    inv: &invitation::Model,
    action: InvitationMove,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<()> {
    let not_pending = || IdentityError::NotFound(Missing::PendingInvitation);
    let next = domain::answer_invitation(inv.status, action).map_err(|_| not_pending())?;
    if !queries::invitations::set_status(conn, InvitationId(inv.id), inv.status, next, at).await? {
        return Err(not_pending());
    }
    Ok(())
}

impl Identity {
    /// The owner invites someone by phone or e-mail. They accept after logging in with that
    /// phone or e-mail (registering first if they have to).
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id, org.id = %org, invitation.id))]
    pub async fn invite(
        &self,
        actor: &Actor,
        org: OrgId,
        login: &str,
        role: OrgRole,
        meta: &RequestMeta,
    ) -> Result<InvitationDetail> {
        actor.require_owner(org)?;
        let login = LoginId::parse(login).map_err(|e| IdentityError::field(e.at("login")))?;
        let txn = begin_write(&self.infra().db).await?;
        let org_model = queries::orgs::by_id(&txn, org)
            .await?
            .ok_or(IdentityError::NotFound(Missing::Organisation))?;
        if let Some(existing) = queries::accounts::by_login(&txn, &login).await?
            && queries::members::get(&txn, org, AccountId(existing.id))
                .await?
                .is_some()
        {
            return Err(IdentityError::AlreadyMember);
        }
        if queries::invitations::pending_to(&txn, org, login.as_str())
            .await?
            .is_some()
        {
            return Err(IdentityError::AlreadyInvited);
        }
        let id = InvitationId::new();
        tracing::Span::current().record("invitation.id", tracing::field::display(id));
        let model = invitation::Model {
            id: id.as_uuid(),
            org_id: org.as_uuid(),
            login: login.as_str().to_owned(),
            role,
            status: InvitationStatus::Pending,
            invited_by: actor.account_id.as_uuid(),
            created_at: self.now(),
            responded_at: None,
        };
        queries::invitations::insert(&txn, &model).await?;
        self.audit(
            &txn,
            meta,
            AuditEntry {
                actor_id: Some(actor.account_id),
                action: AuditAction::Invite,
                target_type: AuditTarget::Organisation,
                target_id: Some(org.to_string()),
                details: json!({ "login": login.masked(), "role": role }),
            },
        )
        .await?;
        let inviter = queries::accounts::by_id(&txn, actor.account_id).await?;
        txn.commit().await?;
        Ok(InvitationDetail {
            invitation: model,
            org: org_model,
            invited_by: inviter,
        })
    }

    /// Puts organisations and inviters on a list of invitations.
    async fn invitation_details(
        &self,
        list: Vec<invitation::Model>,
    ) -> Result<Vec<InvitationDetail>> {
        let db = &self.infra().db;
        let orgs = queries::orgs::by_ids(db, list.iter().map(|i| i.org_id)).await?;
        let inviters = queries::accounts::by_ids(db, list.iter().map(|i| i.invited_by)).await?;
        Ok(list
            .into_iter()
            .filter_map(|i| {
                let org = orgs.iter().find(|o| o.id == i.org_id)?.clone();
                let invited_by = inviters.iter().find(|a| a.id == i.invited_by).cloned();
                Some(InvitationDetail {
                    invitation: i,
                    org,
                    invited_by,
                })
            })
            .collect())
    }

    /// The invitations an organisation sent, newest first (owner).
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id, org.id = %org))]
    pub async fn org_invitations(
        &self,
        actor: &Actor,
        org: OrgId,
    ) -> Result<Vec<InvitationDetail>> {
        actor.require_owner(org)?;
        let list = queries::invitations::of_org(&self.infra().db, org).await?;
        self.invitation_details(list).await
    }

    /// The owner withdraws an invitation that still waits.
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id, org.id = %org, invitation.id = %id))]
    pub async fn revoke_invitation(
        &self,
        actor: &Actor,
        org: OrgId,
        id: InvitationId,
        meta: &RequestMeta,
    ) -> Result<()> {
        actor.require_owner(org)?;
        let txn = begin_write(&self.infra().db).await?;
        let inv = queries::invitations::sent_by(&txn, id, org)
            .await?
            .ok_or(IdentityError::NotFound(Missing::PendingInvitation))?;
        answer(&txn, &inv, InvitationMove::Revoke, self.now()).await?;
        self.audit(
            &txn,
            meta,
            AuditEntry {
                actor_id: Some(actor.account_id),
                action: AuditAction::InviteRevoke,
                target_type: AuditTarget::Organisation,
                target_id: Some(org.to_string()),
                details: json!({ "invitation_id": id }),
            },
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }

    /// Pending invitations addressed to the actor's phone or e-mail.
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id))]
    pub async fn my_invitations(&self, actor: &Actor) -> Result<Vec<InvitationDetail>> {
        let me = self.account(actor.account_id).await?;
        let list = queries::invitations::pending_for(&self.infra().db, logins_of(&me)).await?;
        self.invitation_details(list).await
    }

    /// Accepts an invitation addressed to the actor: they join the organisation in the role
    /// offered (unless they already belong to it).
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id, invitation.id = %id))]
    pub async fn accept_invitation(
        &self,
        actor: &Actor,
        id: InvitationId,
        meta: &RequestMeta,
    ) -> Result<(organisation::Model, OrgRole)> {
        let me = self.account(actor.account_id).await?;
        let txn = begin_write(&self.infra().db).await?;
        let inv = queries::invitations::addressed_to(&txn, id, logins_of(&me))
            .await?
            .ok_or(IdentityError::NotFound(Missing::PendingInvitation))?;
        let now = self.now();
        answer(&txn, &inv, InvitationMove::Accept, now).await?;
        let org = OrgId(inv.org_id);
        if queries::members::get(&txn, org, actor.account_id)
            .await?
            .is_none()
        {
            queries::members::insert(&txn, org, actor.account_id, inv.role, now).await?;
        }
        let org_model = queries::orgs::by_id(&txn, org)
            .await?
            .ok_or(IdentityError::NotFound(Missing::Organisation))?;
        self.audit_answer(&txn, meta, actor, &inv, AuditAction::InviteAccept)
            .await?;
        txn.commit().await?;
        Ok((org_model, inv.role))
    }

    /// Declines an invitation addressed to the actor.
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id, invitation.id = %id))]
    pub async fn decline_invitation(
        &self,
        actor: &Actor,
        id: InvitationId,
        meta: &RequestMeta,
    ) -> Result<()> {
        let me = self.account(actor.account_id).await?;
        let txn = begin_write(&self.infra().db).await?;
        let inv = queries::invitations::addressed_to(&txn, id, logins_of(&me))
            .await?
            .ok_or(IdentityError::NotFound(Missing::PendingInvitation))?;
        answer(&txn, &inv, InvitationMove::Decline, self.now()).await?;
        self.audit_answer(&txn, meta, actor, &inv, AuditAction::InviteDecline)
            .await?;
        txn.commit().await?;
        Ok(())
    }

    async fn audit_answer(
        &self,
        conn: &impl ConnectionTrait,
        meta: &RequestMeta,
        actor: &Actor,
        inv: &invitation::Model,
        action: AuditAction,
    ) -> Result<()> {
        self.audit(
            conn,
            meta,
            AuditEntry {
                actor_id: Some(actor.account_id),
                action,
                target_type: AuditTarget::Organisation,
                target_id: Some(inv.org_id.to_string()),
                details: json!({ "invitation_id": inv.id }),
            },
        )
        .await
    }
}
