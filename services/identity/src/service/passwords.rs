//! Passwords: changing one (with the old one), resetting one (with a code sent to the phone),
//! and setting the first one through a one-time link (the first operator, made on the command
//! line). A change ends every other session; a reset and a setup end them all.

use super::IssuedSession;
use super::sessions::account_key;
use crate::Identity;
use crate::auth::{self, Actor};
use crate::domain::{
    AccountStatus, AuditAction, AuditTarget, CodePurpose, NewPassword, PlatformRole, SessionId,
    parse_display_name,
};
use crate::error::{IdentityError, Missing, Result};
use crate::store::queries::{self, AuditEntry};
use crate::store::{account, setup_link};
use farmgate_infra::db::begin_write;
use farmgate_infra::http::RequestMeta;
use farmgate_kernel::Phone;
use farmgate_kernel::id::AccountId;
use sea_orm::{ActiveModelTrait, Set};
use serde_json::json;
use uuid::Uuid;

/// What `farmgate admin create-operator` made.
#[derive(Clone, Debug)]
pub struct OperatorCreated {
    pub account_id: AccountId,
    /// Whether an existing account was given the operator role.
    pub promoted: bool,
    /// The one-time token of the setup link, when no password was given.
    pub setup_token: Option<String>,
}

impl Identity {
    /// Checks the actor's current password, counting a wrong one like a failed log-in (so the
    /// change form is no way around the log-in limits).
    pub(super) async fn check_current_password(
        &self,
        account: &account::Model,
        password: &str,
    ) -> Result<()> {
        let login = account
            .phone
            .clone()
            .unwrap_or_else(|| account.id.to_string());
        let limits = self.config().login_limits;
        let key = account_key(&login);
        let c = self.infra().cache.incr(&key, 1, limits.window).await?;
        if c.value > i64::from(limits.per_login_failures) {
            return Err(IdentityError::PasswordLoginPaused {
                retry_after_secs: c.expires_in.as_secs().max(1),
            });
        }
        let usable = auth::is_usable_hash(&account.password_hash);
        let hash = if usable {
            account.password_hash.clone()
        } else {
            self.dummy_hash().to_owned()
        };
        let ok = self.hashing().verify(hash, password.to_owned()).await? && usable;
        if !ok {
            return Err(IdentityError::WrongPassword);
        }
        self.infra().cache.incr(&key, -1, limits.window).await?;
        Ok(())
    }

    /// Changes the actor's password; every other session ends.
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id))]
    pub async fn change_password(
        &self,
        actor: &Actor,
        current: &str,
        new: &str,
        meta: &RequestMeta,
    ) -> Result<()> {
        let me = self.account(actor.account_id).await?;
        let phone = me.phone.as_deref().and_then(|p| Phone::parse(p).ok());
        let new = NewPassword::parse(new, phone.as_ref()).map_err(IdentityError::field)?;
        self.check_current_password(&me, current).await?;
        let hash = self.hashing().hash(new.expose().to_owned()).await?;
        let now = self.now();
        let txn = begin_write(&self.infra().db).await?;
        let mut active: account::ActiveModel = me.into();
        active.password_hash = Set(hash);
        active.demo_password = Set(false);
        active.updated_at = Set(now);
        active.update(&txn).await?;
        let revoked = queries::sessions::revoke_all_but(
            &txn,
            actor.account_id,
            SessionId(actor.session_id),
            now,
        )
        .await?;
        self.audit(
            &txn,
            meta,
            AuditEntry {
                actor_id: Some(actor.account_id),
                action: AuditAction::PasswordChange,
                target_type: AuditTarget::Account,
                target_id: Some(actor.account_id.to_string()),
                details: json!({ "sessions_ended": revoked.len() }),
            },
        )
        .await?;
        txn.commit().await?;
        self.forget_sessions(revoked).await;
        Ok(())
    }

    /// Sets a new password for the account of a phone proven by a reset code. Every session
    /// ends (whoever knew the old password is out), a new one starts, and the password log-in
    /// pause of the account lifts.
    #[tracing::instrument(skip_all, fields(account.id))]
    pub async fn reset_password(
        &self,
        phone: &str,
        code: &str,
        new: &str,
        meta: &RequestMeta,
    ) -> Result<(account::Model, IssuedSession)> {
        let phone = Phone::parse(phone).map_err(|e| IdentityError::field(e.at("phone")))?;
        let new = NewPassword::parse(new, Some(&phone)).map_err(IdentityError::field)?;
        let me = self
            .active_account_proven(&phone, CodePurpose::ResetPassword, code)
            .await?;
        let db = &self.infra().db;
        let hash = self.hashing().hash(new.expose().to_owned()).await?;
        let now = self.now();
        let id = AccountId(me.id);
        let txn = begin_write(db).await?;
        let mut active: account::ActiveModel = me.clone().into();
        active.password_hash = Set(hash);
        active.demo_password = Set(false);
        active.phone_verified_at = Set(Some(me.phone_verified_at.unwrap_or(now)));
        active.updated_at = Set(now);
        let updated = active.update(&txn).await?;
        let revoked = queries::sessions::revoke_all_of(&txn, id, now).await?;
        let issued = self.create_session(&txn, id, meta).await?;
        self.audit(
            &txn,
            meta,
            AuditEntry {
                actor_id: Some(id),
                action: AuditAction::PasswordReset,
                target_type: AuditTarget::Account,
                target_id: Some(id.to_string()),
                details: json!({ "sessions_ended": revoked.len() }),
            },
        )
        .await?;
        txn.commit().await?;
        self.forget_sessions(revoked).await;
        let _ = self
            .infra()
            .cache
            .delete(&account_key(phone.as_str()))
            .await;
        Ok((updated, issued))
    }

    /// `farmgate admin create-operator`: the first operator (or another), from the command
    /// line, never from demo data. With a password (typed at a terminal) the account is ready;
    /// without one it gets a one-time setup link instead. An existing account is only made
    /// operator when `promote_existing` says so.
    #[tracing::instrument(skip_all)]
    pub async fn create_operator(
        &self,
        display_name: &str,
        phone: &str,
        password: Option<&str>,
        promote_existing: bool,
    ) -> Result<OperatorCreated> {
        let phone = Phone::parse(phone).map_err(|e| IdentityError::field(e.at("phone")))?;
        let meta = RequestMeta {
            user_agent: Some("farmgate admin create-operator".to_owned()),
            ..RequestMeta::default()
        };
        let db = &self.infra().db;
        let now = self.now();
        if let Some(existing) = queries::accounts::by_phone(db, &phone).await? {
            if !promote_existing {
                return Err(IdentityError::PhoneTaken);
            }
            let id = AccountId(existing.id);
            let previous = existing.platform_role;
            let txn = begin_write(db).await?;
            let mut active: account::ActiveModel = existing.into();
            active.platform_role = Set(Some(PlatformRole::Operator));
            active.updated_at = Set(now);
            active.update(&txn).await?;
            self.audit_operator(&txn, &meta, id, json!({ "promoted_from": previous }))
                .await?;
            txn.commit().await?;
            return Ok(OperatorCreated {
                account_id: id,
                promoted: true,
                setup_token: None,
            });
        }
        let display_name = parse_display_name(display_name).map_err(IdentityError::field)?;
        let hash = match password {
            Some(p) => {
                let p = NewPassword::parse(p, Some(&phone)).map_err(IdentityError::field)?;
                self.hashing().hash(p.expose().to_owned()).await?
            }
            None => auth::NO_PASSWORD.to_owned(),
        };
        let id = AccountId::new();
        let model = account::Model {
            id: id.as_uuid(),
            phone: Some(phone.as_str().to_owned()),
            email: None,
            display_name,
            password_hash: hash,
            platform_role: Some(PlatformRole::Operator),
            status: AccountStatus::Active,
            created_at: now,
            updated_at: now,
            phone_verified_at: None,
            revocation_seq: 0,
            demo_password: false,
            erased_at: None,
        };
        let txn = begin_write(db).await?;
        queries::accounts::insert(&txn, &model)
            .await
            .map_err(super::accounts::account_conflict)?;
        let setup_token = match password {
            Some(_) => None,
            None => {
                let token = auth::new_token();
                queries::setup_links::insert(
                    &txn,
                    setup_link::Model {
                        id: Uuid::now_v7(),
                        account_id: id.as_uuid(),
                        token_hash: auth::token_hash(&token),
                        created_at: now,
                        expires_at: now + self.config().setup_link_ttl,
                        used_at: None,
                    },
                )
                .await?;
                Some(token)
            }
        };
        self.audit_operator(
            &txn,
            &meta,
            id,
            json!({ "setup_link": setup_token.is_some() }),
        )
        .await?;
        txn.commit().await?;
        Ok(OperatorCreated {
            account_id: id,
            promoted: false,
            setup_token,
        })
    }

    async fn audit_operator(
        &self,
        conn: &impl sea_orm::ConnectionTrait,
        meta: &RequestMeta,
        id: AccountId,
        details: serde_json::Value,
    ) -> Result<()> {
        self.audit(
            conn,
            meta,
            AuditEntry {
                actor_id: None,
                action: AuditAction::OperatorCreate,
                target_type: AuditTarget::Account,
                target_id: Some(id.to_string()),
                details,
            },
        )
        .await
    }

    /// Sets the password of the account a one-time setup link was made for, once; every
    /// session of it ends and a new one starts.
    #[tracing::instrument(skip_all, fields(account.id))]
    pub async fn use_setup_link(
        &self,
        token: &str,
        password: &str,
        meta: &RequestMeta,
    ) -> Result<(account::Model, IssuedSession)> {
        let db = &self.infra().db;
        let now = self.now();
        let invalid = || IdentityError::NotFound(Missing::SetupLink);
        if token.len() > 128 {
            return Err(invalid());
        }
        let link = queries::setup_links::live(db, &auth::token_hash(token), now)
            .await?
            .ok_or_else(invalid)?;
        let me = queries::accounts::by_id(db, AccountId(link.account_id))
            .await?
            .ok_or_else(invalid)?;
        let phone = me.phone.as_deref().and_then(|p| Phone::parse(p).ok());
        let new = NewPassword::parse(password, phone.as_ref()).map_err(IdentityError::field)?;
        let hash = self.hashing().hash(new.expose().to_owned()).await?;
        let id = AccountId(me.id);
        tracing::Span::current().record("account.id", tracing::field::display(id));
        let txn = begin_write(db).await?;
        if !queries::setup_links::use_once(&txn, link.id, now).await? {
            return Err(invalid());
        }
        let mut active: account::ActiveModel = me.into();
        active.password_hash = Set(hash);
        active.demo_password = Set(false);
        active.updated_at = Set(now);
        let updated = active.update(&txn).await?;
        let revoked = queries::sessions::revoke_all_of(&txn, id, now).await?;
        let issued = self.create_session(&txn, id, meta).await?;
        self.audit(
            &txn,
            meta,
            AuditEntry {
                actor_id: Some(id),
                action: AuditAction::PasswordSetup,
                target_type: AuditTarget::Account,
                target_id: Some(id.to_string()),
                details: json!({}),
            },
        )
        .await?;
        txn.commit().await?;
        self.forget_sessions(revoked).await;
        Ok((updated, issued))
    }
}
