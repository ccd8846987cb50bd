//! Invitations: an owner invites someone by phone number; they accept — logged in to the
//! account with that phone *and* with a fresh code sent to it — or decline; the owner may
//! withdraw it while it waits. Which answers are legal is [`domain::answer_invitation`]'s to
//! say.
//!
//! The code is what makes an invitation safe: the account's phone field is only a claim (an
//! account made before codes existed may carry someone else's number), the code proves the
//! person holds the phone now. Invitations to e-mail addresses are no longer made: nothing
//! proves who holds an address.

use crate::Identity;
use crate::auth::Actor;
use crate::domain::{
    self, AuditAction, AuditTarget, CodePurpose, InvitationId, InvitationMove, InvitationStatus,
    OrgRole,
};
use crate::error::{IdentityError, Missing, Result};
use crate::service::topics;
use crate::store::queries::{self, AuditEntry};
use crate::store::{account, invitation, organisation};
use farmgate_infra::db::begin_write;
use farmgate_infra::http::RequestMeta;
use farmgate_kernel::id::{AccountId, OrgId};
use farmgate_kernel::{FieldError, LoginId, Phone};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde_json::json;

/// An invitation with its organisation and inviter.
#[derive(Clone, Debug)]
pub struct InvitationDetail {
    pub invitation: invitation::Model,
    pub org: organisation::Model,
    pub invited_by: Option<account::Model>,
}

/// The logins an account can be invited by: its phone.
fn logins_of(account: &account::Model) -> Vec<String> {
    account.phone.iter().cloned().collect()
}

fn phone_only() -> IdentityError {
    IdentityError::field(FieldError::new(
        "login",
        "phone_required",
        "请填写对方的手机号：对方需用短信验证码确认后才能加入",
        "enter their phone number: they confirm with a text-message code to join",
    ))
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
        if !matches!(login, LoginId::Phone(_)) {
            return Err(phone_only());
        }
        let txn = begin_write(&self.infra().db).await?;
        let org_model = queries::orgs::by_id(&txn, org)
            .await?
            .ok_or(IdentityError::NotFound(Missing::Organisation))?;
        crate::domain::check_role_fits(role, org_model.kind).map_err(IdentityError::field)?;
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
        // The invited person hears of it in their notification centre when they already have
        // an account (`read::notify::invitation`); nobody else is told anything.
        self.infra()
            .outbox
            .enqueue(
                &txn,
                topics::INVITATION_SENT,
                &json!({ "invitation_id": id }),
            )
            .await?;
        let inviter = queries::accounts::by_id(&txn, actor.account_id).await?;
        txn.commit().await?;
        self.infra().outbox.wake();
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

    /// Pending invitations addressed to the actor's phone — once the phone is verified: an
    /// account that only claims a number does not learn who invited it.
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id))]
    pub async fn my_invitations(&self, actor: &Actor) -> Result<Vec<InvitationDetail>> {
        let me = self.account(actor.account_id).await?;
        if me.phone_verified_at.is_none() {
            return Ok(Vec::new());
        }
        let list = queries::invitations::pending_for(&self.infra().db, logins_of(&me)).await?;
        self.invitation_details(list).await
    }

    /// Accepts an invitation addressed to the actor's phone, with a code just sent to that
    /// phone for accepting: they join the organisation in the role offered (unless they already
    /// belong to it), and their phone counts as verified.
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id, invitation.id = %id))]
    pub async fn accept_invitation(
        &self,
        actor: &Actor,
        id: InvitationId,
        code: &str,
        meta: &RequestMeta,
    ) -> Result<(organisation::Model, OrgRole)> {
        let me = self.account(actor.account_id).await?;
        let db = &self.infra().db;
        // Only a pending invitation to this phone is worth a try of the code: anything else
        // is "no such invitation", before the code is looked at.
        let (Some(phone), true) = (
            me.phone.as_deref().and_then(|p| Phone::parse(p).ok()),
            queries::invitations::addressed_to(db, id, logins_of(&me))
                .await?
                .is_some_and(|inv| inv.status == InvitationStatus::Pending),
        ) else {
            return Err(IdentityError::NotFound(Missing::PendingInvitation));
        };
        self.prove_phone(&phone, CodePurpose::AcceptInvitation, code)
            .await?;
        let txn = begin_write(db).await?;
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
        if me.phone_verified_at.is_none() {
            let mut active: account::ActiveModel = me.into();
            active.phone_verified_at = Set(Some(now));
            active.update(&txn).await?;
        }
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
        if me.phone_verified_at.is_none() {
            return Err(IdentityError::PhoneNotVerified);
        }
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
