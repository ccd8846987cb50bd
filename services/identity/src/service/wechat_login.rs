//! Log in with WeChat inside WeChat's browser: official-account web authorisation
//! (`snsapi_base`, silent), bound to an account once after a phone code.
//!
//! 1. `GET /api/v1/auth/wechat/start?next=` sends the browser to WeChat with a random `state`
//!    that is also set as a short-lived HttpOnly cookie (so a code obtained in another browser
//!    cannot be replayed into this one: login CSRF).
//! 2. WeChat returns to `GET /api/v1/auth/wechat/return?code=&state=`; the code is exchanged at
//!    WeChat's API for the openid ([`Identity::wechat_returned`]).
//!    - A bound openid of an active account: a session starts, nothing typed.
//!    - Not bound: a single-use, ten-minute ticket goes into an HttpOnly cookie and the person
//!      logs in (or registers) with a phone code on the log-in page; that log-in, asked with
//!      `bind_wechat: true`, redeems the ticket in its own transaction and binds the two
//!      ([`Identity::bind_wechat_in`]). Only a phone code binds, never a password: whoever
//!      binds a WeChat to an account has just proven they hold its phone.
//!    - WeChat's "snapshot page" virtual user (`is_snapshotuser`): nothing is bound or signed in.
//!
//! One account per (app, openid) and one openid per (account, app), under unique indexes, so
//! two racing bindings of one WeChat leave exactly one.

use crate::Identity;
use crate::auth;
use crate::domain::{AccountStatus, AuditAction, AuditTarget};
use crate::error::{IdentityError, Result};
use crate::service::IssuedSession;
use crate::store::queries::{self, AuditEntry};
use crate::store::{account, wechat_login, wechat_ticket};
use chrono::Duration;
use farmgate_infra::db::{begin_write, unique_violation_of};
use farmgate_infra::http::RequestMeta;
use farmgate_infra::pay::wechat::oauth::WechatOauthClient;
use farmgate_kernel::id::AccountId;
use sea_orm::ConnectionTrait;
use serde_json::json;
use uuid::Uuid;

/// How long a WeChat user has to prove a phone after coming back unbound.
pub const TICKET_MINUTES: i64 = 10;

/// WeChat log-in's settings: the official account's web authorisation and where WeChat
/// returns (`{public_url}/api/v1/auth/wechat/return`, registered as the account's
/// web-authorisation domain).
#[derive(Clone, Debug)]
pub struct WechatLoginConfig {
    pub client: WechatOauthClient,
    pub redirect_uri: String,
}

/// What coming back from WeChat led to.
#[derive(Debug)]
pub enum WechatReturn {
    /// A bound WeChat of an active account: logged in.
    SignedIn {
        account: Box<account::Model>,
        issued: IssuedSession,
    },
    /// Not bound yet: the ticket (for the cookie) a phone-code log-in redeems.
    NeedsBinding { ticket: String },
    /// WeChat's snapshot-page virtual user: the person must open the page in full first.
    Snapshot,
}

impl Identity {
    fn wechat(&self) -> Result<&WechatLoginConfig> {
        self.config()
            .wechat_login
            .as_ref()
            .ok_or(IdentityError::WechatLoginUnavailable)
    }

    /// Whether log-in with WeChat is configured.
    pub fn wechat_login_enabled(&self) -> bool {
        self.config().wechat_login.is_some()
    }

    /// Where to send the browser: WeChat's authorisation page, returning with `state`.
    pub fn wechat_authorize_url(&self, state: &str) -> Result<String> {
        let w = self.wechat()?;
        Ok(w.client.authorize_url(&w.redirect_uri, state))
    }

    /// WeChat sent the browser back with a code (the `state` is checked by the caller against
    /// its cookie): sign in the bound account, or issue a ticket to bind one.
    #[tracing::instrument(skip_all)]
    pub async fn wechat_returned(&self, code: &str, meta: &RequestMeta) -> Result<WechatReturn> {
        let w = self.wechat()?;
        let user = w.client.user(code).await.map_err(|e| {
            if e.is_transient() {
                IdentityError::WechatUnavailable(e.to_string())
            } else {
                tracing::info!(error = %e, "WeChat refused the authorisation code");
                IdentityError::WechatRefused
            }
        })?;
        if user.snapshot {
            return Ok(WechatReturn::Snapshot);
        }
        let app = w.client.app_id();
        let db = &self.infra().db;
        let now = self.now();
        if let Some(bound) = queries::wechat::binding(db, app, &user.openid).await? {
            let account = queries::accounts::by_id(db, AccountId(bound.account_id))
                .await?
                .ok_or(IdentityError::NotFound(crate::error::Missing::Account))?;
            if account.status != AccountStatus::Active || account.erased_at.is_some() {
                return Err(IdentityError::AccountDisabled);
            }
            let txn = begin_write(db).await?;
            let issued = self
                .create_session(&txn, AccountId(account.id), meta)
                .await?;
            queries::wechat::touch(&txn, app, &user.openid, now).await?;
            txn.commit().await?;
            tracing::info!(account.id = %account.id, "logged in with WeChat");
            return Ok(WechatReturn::SignedIn {
                account: Box::new(account),
                issued,
            });
        }
        let ticket = auth::new_token();
        let txn = begin_write(db).await?;
        // Expired tickets go as new ones come (a day's grace for reading the log).
        queries::wechat::sweep_tickets(&txn, now - Duration::days(1)).await?;
        queries::wechat::insert_ticket(
            &txn,
            wechat_ticket::Model {
                id: Uuid::now_v7(),
                token_hash: auth::token_hash(&ticket),
                app_id: app.to_owned(),
                openid: user.openid,
                unionid: user.unionid,
                created_at: now,
                expires_at: now + Duration::minutes(TICKET_MINUTES),
                used_at: None,
            },
        )
        .await?;
        txn.commit().await?;
        Ok(WechatReturn::NeedsBinding { ticket })
    }

    /// Inside a phone-code log-in's or registration's transaction: redeems the ticket and
    /// binds its WeChat to `account`. Refused, with nothing bound, when the ticket is unknown,
    /// used or expired, when that WeChat is bound to another account, or when the account
    /// already has another WeChat of the app (unbind it first).
    pub(crate) async fn bind_wechat_in(
        &self,
        txn: &impl ConnectionTrait,
        account: AccountId,
        ticket: &str,
        meta: &RequestMeta,
    ) -> Result<()> {
        let now = self.now();
        if ticket.is_empty() || ticket.len() > 128 {
            return Err(IdentityError::WechatBindExpired);
        }
        let t = queries::wechat::redeem_ticket(txn, &auth::token_hash(ticket), now)
            .await?
            .ok_or(IdentityError::WechatBindExpired)?;
        if let Some(b) = queries::wechat::binding(txn, &t.app_id, &t.openid).await? {
            if b.account_id == account.as_uuid() {
                return Ok(());
            }
            return Err(IdentityError::WechatAlreadyBound);
        }
        if queries::wechat::of_account(txn, account.as_uuid(), &t.app_id)
            .await?
            .is_some()
        {
            return Err(IdentityError::AccountHasWechat);
        }
        queries::wechat::bind(
            txn,
            wechat_login::Model {
                app_id: t.app_id.clone(),
                openid: t.openid,
                account_id: account.as_uuid(),
                unionid: t.unionid,
                bound_at: now,
                last_login_at: Some(now),
            },
        )
        .await
        .map_err(|e| match unique_violation_of(&e) {
            // A racing binding of the same WeChat, or of another to this account, won.
            Some(_) => IdentityError::WechatAlreadyBound,
            None => IdentityError::Db(e),
        })?;
        self.audit(
            txn,
            meta,
            AuditEntry {
                actor_id: Some(account),
                action: AuditAction::WechatBind,
                target_type: AuditTarget::Account,
                target_id: Some(account.to_string()),
                details: json!({ "app_id": t.app_id }),
            },
        )
        .await?;
        tracing::info!(account.id = %account, "WeChat bound");
        Ok(())
    }

    /// The account's WeChat binding under the configured app, if any.
    pub async fn wechat_binding(&self, account: AccountId) -> Result<Option<wechat_login::Model>> {
        let Some(w) = self.config().wechat_login.as_ref() else {
            return Ok(None);
        };
        Ok(
            queries::wechat::of_account(&self.infra().db, account.as_uuid(), w.client.app_id())
                .await?,
        )
    }

    /// Unbinds the account's WeChat: the next WeChat log-in asks for a phone code again.
    #[tracing::instrument(skip_all, fields(account.id = %account))]
    pub async fn unbind_wechat(&self, account: AccountId, meta: &RequestMeta) -> Result<()> {
        let txn = begin_write(&self.infra().db).await?;
        let n = queries::wechat::unbind_all(&txn, account.as_uuid()).await?;
        if n == 0 {
            return Err(IdentityError::NotFound(
                crate::error::Missing::WechatBinding,
            ));
        }
        self.audit(
            &txn,
            meta,
            AuditEntry {
                actor_id: Some(account),
                action: AuditAction::WechatUnbind,
                target_type: AuditTarget::Account,
                target_id: Some(account.to_string()),
                details: json!({}),
            },
        )
        .await?;
        txn.commit().await?;
        Ok(())
    }
}
