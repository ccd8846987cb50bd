//! One's own account under the personal-information law (个人信息保护法): edit the profile,
//! change or verify the phone, download everything identity holds about oneself, erase the
//! account. Each is audited.
//!
//! Erasing keeps the row (orders, claims and the audit log refer to it, and the law requires
//! trade records to be kept) but blanks every personal field — name, phone, e-mail, password —
//! ends every session, forgets the devices' addresses, deletes the phone's codes, and publishes
//! `identity.account.erased` so the other rooms erase their copies (the delivery addresses on
//! orders, review names …) once their own retention rules allow. Orders still open are not a
//! reason to refuse: they are delivered and refunded as usual (they carry their own copy of the
//! address); the page says so before the person confirms.

use super::topics;
use crate::Identity;
use crate::auth::{self, Actor};
use crate::domain::{
    AccountStatus, AuditAction, AuditTarget, CodePurpose, OrgRole, parse_display_name,
};
use crate::error::{IdentityError, Result};
use crate::store::queries::{self, AuditEntry};
use crate::store::{account, session};
use farmgate_infra::db::begin_write;
use farmgate_infra::http::RequestMeta;
use farmgate_kernel::id::OrgId;
use farmgate_kernel::{Email, Phone, ValidationErrors};
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, Set};
use serde_json::{Value, json};

/// What an erased account is called wherever its name still shows.
pub const ERASED_NAME: &str = "已注销用户";

/// Changes to one's profile; absent fields stay as they are.
#[derive(Clone, Debug, Default)]
pub struct ProfilePatch {
    pub display_name: Option<String>,
    /// `Some("")` removes the e-mail address.
    pub email: Option<String>,
}

impl Identity {
    /// Edits the actor's name and contact e-mail. The e-mail is contact information only:
    /// nothing proves it, so it never receives an invitation.
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id))]
    pub async fn update_profile(
        &self,
        actor: &Actor,
        patch: ProfilePatch,
        meta: &RequestMeta,
    ) -> Result<account::Model> {
        let mut errs = ValidationErrors::new();
        let name = match patch.display_name.as_deref() {
            Some(n) => errs.check("display_name", parse_display_name(n)),
            None => None,
        };
        let email: Option<Option<String>> = match patch.email.as_deref().map(str::trim) {
            Some("") => Some(None),
            Some(e) => errs
                .check("email", Email::parse(e))
                .map(|e| Some(e.as_str().to_owned())),
            None => None,
        };
        if !errs.is_empty() {
            return Err(errs.into());
        }
        let txn = begin_write(&self.infra().db).await?;
        let me = queries::accounts::by_id(&txn, actor.account_id)
            .await?
            .ok_or(IdentityError::Unauthenticated)?;
        let mut changed = Vec::new();
        let mut active: account::ActiveModel = me.into();
        if let Some(name) = name {
            active.display_name = Set(name);
            changed.push("display_name");
        }
        if let Some(email) = email {
            active.email = Set(email);
            changed.push("email");
        }
        active.updated_at = Set(self.now());
        let updated = active
            .update(&txn)
            .await
            .map_err(super::accounts::account_conflict)?;
        self.audit(
            &txn,
            meta,
            AuditEntry {
                actor_id: Some(actor.account_id),
                action: AuditAction::AccountProfile,
                target_type: AuditTarget::Account,
                target_id: Some(actor.account_id.to_string()),
                details: json!({ "changed": changed }),
            },
        )
        .await?;
        txn.commit().await?;
        Ok(updated)
    }

    /// Moves the account to a new phone proven by a code (confirmed with the current
    /// password); every other session ends. Giving the current phone just verifies it (an
    /// account made before codes existed does this before it may accept an invitation).
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id))]
    pub async fn change_phone(
        &self,
        actor: &Actor,
        phone: &str,
        code: &str,
        current_password: &str,
        meta: &RequestMeta,
    ) -> Result<account::Model> {
        let phone = Phone::parse(phone).map_err(|e| IdentityError::field(e.at("phone")))?;
        let me = self.account(actor.account_id).await?;
        self.check_current_password(&me, current_password).await?;
        self.prove_phone(&phone, CodePurpose::ChangePhone, code)
            .await?;
        let now = self.now();
        let same = me.phone.as_deref() == Some(phone.as_str());
        let db = &self.infra().db;
        if !same && queries::accounts::by_phone(db, &phone).await?.is_some() {
            return Err(IdentityError::PhoneRegistered);
        }
        let old = me.phone.as_deref().and_then(Phone::mask);
        let txn = begin_write(db).await?;
        let mut active: account::ActiveModel = me.into();
        active.phone = Set(Some(phone.as_str().to_owned()));
        active.phone_verified_at = Set(Some(now));
        active.updated_at = Set(now);
        let updated =
            active
                .update(&txn)
                .await
                .map_err(|e| match super::accounts::account_conflict(e) {
                    IdentityError::PhoneTaken => IdentityError::PhoneRegistered,
                    other => other,
                })?;
        let revoked = if same {
            Vec::new()
        } else {
            queries::sessions::revoke_all_but(
                &txn,
                actor.account_id,
                crate::SessionId(actor.session_id),
                now,
            )
            .await?
        };
        self.audit(
            &txn,
            meta,
            AuditEntry {
                actor_id: Some(actor.account_id),
                action: if same {
                    AuditAction::PhoneVerify
                } else {
                    AuditAction::PhoneChange
                },
                target_type: AuditTarget::Account,
                target_id: Some(actor.account_id.to_string()),
                details: json!({ "from": old, "to": phone.masked(), "sessions_ended": revoked.len() }),
            },
        )
        .await?;
        txn.commit().await?;
        self.forget_sessions(revoked).await;
        Ok(updated)
    }

    /// Everything identity holds about the actor, as JSON: the account, sessions (devices and
    /// addresses), memberships, invitations to their phone, codes sent to it (when and why,
    /// never the codes) and the audit entries they made or that concern their account; then
    /// each other room's part under its name ([`PersonalDataPart`](super::PersonalDataPart): orders, addresses and
    /// reviews; claims). A part that fails fails the export: a copy with a part missing would
    /// read as "we hold nothing more".
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id))]
    pub async fn export_my_data(&self, actor: &Actor, meta: &RequestMeta) -> Result<Value> {
        let db = &self.infra().db;
        let me = self.account(actor.account_id).await?;
        let sessions = session::Entity::find()
            .filter(session::Column::AccountId.eq(me.id))
            .all(db)
            .await?;
        let memberships = queries::members::of_account(db, actor.account_id).await?;
        let (invitations, codes) = match me.phone.as_deref() {
            Some(p) => (
                queries::invitations::pending_for(db, vec![p.to_owned()]).await?,
                queries::codes::of_phone(db, p).await?,
            ),
            None => (Vec::new(), Vec::new()),
        };
        let audit = queries::audit::about_account(db, actor.account_id).await?;
        let mut out = json!({
            "format": "farmgate.my-data.v1",
            "generated_at": self.now(),
            "account": {
                "id": me.id,
                "display_name": me.display_name,
                "phone": me.phone,
                "phone_verified_at": me.phone_verified_at,
                "email": me.email,
                "platform_role": me.platform_role,
                "status": me.status,
                "created_at": me.created_at,
                "updated_at": me.updated_at,
            },
            "sessions": sessions.iter().map(|s| json!({
                "id": s.id, "created_at": s.created_at, "last_seen_at": s.last_seen_at,
                "expires_at": s.expires_at, "revoked_at": s.revoked_at,
                "user_agent": s.user_agent, "ip": s.ip,
            })).collect::<Vec<_>>(),
            "memberships": memberships.iter().map(|(m, o)| json!({
                "org_id": o.id, "org_name": o.name, "role": m.role, "since": m.created_at,
            })).collect::<Vec<_>>(),
            "pending_invitations": invitations.iter().map(|i| json!({
                "id": i.id, "org_id": i.org_id, "role": i.role, "created_at": i.created_at,
            })).collect::<Vec<_>>(),
            "codes_sent": codes.iter().map(|c| json!({
                "purpose": c.purpose, "sent_at": c.created_at, "used_at": c.consumed_at,
                "tries": c.attempts, "ip": c.ip,
            })).collect::<Vec<_>>(),
            "audit_log": audit.iter().map(|a| json!({
                "at": a.at, "action": a.action, "target_type": a.target_type,
                "target_id": a.target_id, "ip": a.ip, "details": a.details,
            })).collect::<Vec<_>>(),
        });
        let parts: Vec<_> = self
            .inner
            .personal_data
            .read()
            .map(|p| p.clone())
            .unwrap_or_default();
        for part in parts {
            let value = part
                .export(actor)
                .await
                .map_err(|e| IdentityError::ExportPart {
                    part: part.name(),
                    message: e.to_string(),
                })?;
            out[part.name()] = value;
        }
        let txn = begin_write(db).await?;
        self.audit(
            &txn,
            meta,
            AuditEntry {
                actor_id: Some(actor.account_id),
                action: AuditAction::DataExport,
                target_type: AuditTarget::Account,
                target_id: Some(actor.account_id.to_string()),
                details: json!({}),
            },
        )
        .await?;
        txn.commit().await?;
        Ok(out)
    }

    /// Erases the actor's account (confirmed with the password): see the module comment.
    /// Refused for platform staff (another operator removes the role first) and for the last
    /// owner of an organisation (hand it over first).
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id))]
    pub async fn erase_account(
        &self,
        actor: &Actor,
        current_password: &str,
        meta: &RequestMeta,
    ) -> Result<()> {
        if actor.platform_role.is_some() {
            return Err(IdentityError::StaffCannotErase);
        }
        let me = self.account(actor.account_id).await?;
        self.check_current_password(&me, current_password).await?;
        let now = self.now();
        let db = &self.infra().db;
        let txn = begin_write(db).await?;
        for (m, _) in queries::members::of_account(&txn, actor.account_id).await? {
            let org = OrgId(m.org_id);
            if m.role == OrgRole::Owner && queries::members::owner_count(&txn, org).await? <= 1 {
                return Err(IdentityError::LastOwner);
            }
            queries::members::delete(&txn, org, actor.account_id).await?;
        }
        if let Some(p) = me.phone.as_deref() {
            queries::codes::delete_of_phone(&txn, p).await?;
        }
        let mut active: account::ActiveModel = me.into();
        active.display_name = Set(ERASED_NAME.to_owned());
        active.phone = Set(None);
        active.email = Set(None);
        active.password_hash = Set(auth::NO_PASSWORD.to_owned());
        active.phone_verified_at = Set(None);
        active.demo_password = Set(false);
        active.status = Set(AccountStatus::Erased);
        active.erased_at = Set(Some(now));
        active.updated_at = Set(now);
        active.update(&txn).await?;
        let revoked = queries::sessions::revoke_all_of(&txn, actor.account_id, now).await?;
        // A WeChat identity is personal data, and must not sign anyone in to an erased account.
        queries::wechat::unbind_all(&txn, actor.account_id.as_uuid()).await?;
        // The devices' addresses are personal data too.
        session::Entity::update_many()
            .col_expr(session::Column::Ip, Expr::value(Option::<String>::None))
            .col_expr(
                session::Column::UserAgent,
                Expr::value(Option::<String>::None),
            )
            .filter(session::Column::AccountId.eq(actor.account_id.as_uuid()))
            .exec(&txn)
            .await?;
        self.audit(
            &txn,
            meta,
            AuditEntry {
                actor_id: Some(actor.account_id),
                action: AuditAction::AccountErase,
                target_type: AuditTarget::Account,
                target_id: Some(actor.account_id.to_string()),
                details: json!({}),
            },
        )
        .await?;
        self.infra()
            .outbox
            .enqueue(
                &txn,
                topics::ACCOUNT_ERASED,
                &json!({ "account_id": actor.account_id, "at": now }),
            )
            .await?;
        txn.commit().await?;
        self.infra().outbox.wake();
        self.forget_sessions(revoked).await;
        tracing::info!("account erased");
        Ok(())
    }
}
