//! Sessions: logging in and out, the actor behind a token, one's own devices.

use crate::Identity;
use crate::auth::{self, Actor, Membership};
use crate::domain::{AccountStatus, CodePurpose, SessionId};
use crate::error::{IdentityError, Missing, Result};
use crate::store::queries;
use crate::store::queries::sessions::LiveSession;
use crate::store::{account, session};
use chrono::{DateTime, Duration, Utc};
use farmgate_infra::db::begin_write;
use farmgate_infra::http::RequestMeta;
use farmgate_kernel::id::{AccountId, OrgId};
use farmgate_kernel::{LoginId, Phone};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde::{Deserialize, Serialize};
use std::time::Duration as StdDuration;
use uuid::Uuid;

/// A session just created: the token is shown once, to its owner.
#[derive(Clone, Debug)]
pub struct IssuedSession {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// What the cache keeps per session token, so most requests skip the sessions table. It is
/// only trusted while its account's revocation counter (read from the database on every
/// request anyway, with the account) still has the value it was cached with.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct CachedSession {
    session_id: Uuid,
    account_id: Uuid,
    expires_at: DateTime<Utc>,
    last_seen_at: DateTime<Utc>,
    revocation_seq: i64,
}

impl From<LiveSession> for CachedSession {
    fn from(s: LiveSession) -> Self {
        Self {
            session_id: s.id,
            account_id: s.account_id,
            expires_at: s.expires_at,
            last_seen_at: s.last_seen_at,
            revocation_seq: s.revocation_seq,
        }
    }
}

const SESSION_CACHE_TTL: StdDuration = StdDuration::from_secs(60);
/// `last_seen_at` is refreshed at most this often, to keep reads from becoming writes.
const LAST_SEEN_GRANULARITY_MIN: i64 = 5;

fn session_cache_key(hash: &str) -> String {
    format!("sess:{hash}")
}

/// The cache keys of the log-in counters (see [`crate::LoginLimits`]).
fn address_key(meta: &RequestMeta) -> Option<String> {
    meta.ip.map(|ip| format!("login:ip:{ip}"))
}

fn pair_key(login: &str, meta: &RequestMeta) -> String {
    let ip = meta.ip_string().unwrap_or_else(|| "-".to_owned());
    format!("login:pair:{login}:{ip}")
}

pub(super) fn account_key(login: &str) -> String {
    format!("login:acct:{login}")
}

impl Identity {
    /// Logs in with a phone number or e-mail address and password. A wrong password and an
    /// unknown account give the same answer, in about the same time. Each attempt is counted
    /// before the password is checked (see [`crate::LoginLimits`]).
    #[tracing::instrument(skip_all)]
    pub async fn login(
        &self,
        login: &str,
        password: &str,
        meta: &RequestMeta,
    ) -> Result<(account::Model, IssuedSession)> {
        let login = LoginId::parse(login).map_err(|e| IdentityError::field(e.at("login")))?;
        let limits = self.config().login_limits;
        let cache = &self.infra().cache;
        let refused = |c: farmgate_infra::cache::Counter| {
            self.infra().metrics.event("login_rate_limited");
            c.expires_in.as_secs().max(1)
        };
        if let Some(key) = address_key(meta) {
            let c = cache.incr(&key, 1, limits.window).await?;
            if c.value > i64::from(limits.per_ip_attempts) {
                return Err(IdentityError::TooManyAttempts {
                    retry_after_secs: refused(c),
                });
            }
        }
        // Reserve this attempt on both counters first, then check: parallel guesses each take
        // a number, and only the first `limit` of them get to try a password.
        let pair = pair_key(login.as_str(), meta);
        let c = cache.incr(&pair, 1, limits.window).await?;
        if c.value > i64::from(limits.per_login_address_failures) {
            return Err(IdentityError::TooManyAttempts {
                retry_after_secs: refused(c),
            });
        }
        let acct = account_key(login.as_str());
        let c = cache.incr(&acct, 1, limits.window).await?;
        if c.value > i64::from(limits.per_login_failures) {
            return Err(IdentityError::PasswordLoginPaused {
                retry_after_secs: refused(c),
            });
        }

        let found = queries::accounts::by_login(&self.infra().db, &login).await?;
        let (hash, account) = match found {
            Some(a) if auth::is_usable_hash(&a.password_hash) => (a.password_hash.clone(), Some(a)),
            _ => (self.dummy_hash().to_owned(), None),
        };
        let ok = self.hashing().verify(hash, password.to_owned()).await?;
        let account = match account {
            Some(a) if ok => a,
            _ => {
                self.infra().metrics.event("login_failed");
                tracing::info!(login = %login.masked(), "login failed");
                return Err(IdentityError::InvalidCredentials);
            }
        };
        if account.status != AccountStatus::Active {
            return Err(IdentityError::AccountDisabled);
        }
        // A success clears this address's count and gives back this attempt's reservation on
        // the account (other addresses' failures stay counted). Best effort: with the cache
        // unavailable the counts stay a little high, which errs on the safe side, and the
        // person is logged in all the same.
        if let Err(e) = cache.delete(&pair).await {
            tracing::warn!(error = %e, "could not clear the login count of this address");
        }
        if let Err(e) = cache.incr(&acct, -1, limits.window).await {
            tracing::warn!(error = %e, "could not give back the login attempt's reservation");
        }
        let txn = begin_write(&self.infra().db).await?;
        let issued = self
            .create_session(&txn, AccountId(account.id), meta)
            .await?;
        txn.commit().await?;
        tracing::info!(account.id = %account.id, "logged in");
        Ok((account, issued))
    }

    /// Logs in with a code sent to the phone. Works while password log-in is paused for the
    /// account (and lifts the pause: whoever holds the phone is its owner), and verifies the
    /// phone of an account made before codes existed.
    #[tracing::instrument(skip_all)]
    pub async fn login_with_code(
        &self,
        phone: &str,
        code: &str,
        wechat_ticket: Option<&str>,
        meta: &RequestMeta,
    ) -> Result<(account::Model, IssuedSession)> {
        let phone = Phone::parse(phone).map_err(|e| IdentityError::field(e.at("phone")))?;
        let account = self
            .active_account_proven(&phone, CodePurpose::Login, code)
            .await?;
        let db = &self.infra().db;
        let now = self.now();
        let txn = begin_write(db).await?;
        let account = if account.phone_verified_at.is_none() {
            let mut active: account::ActiveModel = account.into();
            active.phone_verified_at = Set(Some(now));
            active.update(&txn).await?
        } else {
            account
        };
        if let Some(ticket) = wechat_ticket {
            self.bind_wechat_in(&txn, AccountId(account.id), ticket, meta)
                .await?;
        }
        let issued = self
            .create_session(&txn, AccountId(account.id), meta)
            .await?;
        txn.commit().await?;
        let _ = self
            .infra()
            .cache
            .delete(&account_key(phone.as_str()))
            .await;
        tracing::info!(account.id = %account.id, "logged in with a code");
        Ok((account, issued))
    }

    pub(super) async fn create_session(
        &self,
        conn: &impl ConnectionTrait,
        account_id: AccountId,
        meta: &RequestMeta,
    ) -> Result<IssuedSession> {
        let token = auth::new_token();
        let now = self.now();
        let expires_at = now + self.config().session_ttl;
        queries::sessions::insert(
            conn,
            session::Model {
                id: SessionId::new().as_uuid(),
                token_hash: auth::token_hash(&token),
                account_id: account_id.as_uuid(),
                created_at: now,
                expires_at,
                last_seen_at: now,
                revoked_at: None,
                user_agent: meta.user_agent.clone(),
                ip: meta.ip_string(),
            },
        )
        .await?;
        Ok(IssuedSession { token, expires_at })
    }

    /// The actor behind a session token, or `None` when the token is unknown, expired or
    /// revoked.
    ///
    /// The cache only saves the sessions query: the account row is read from the database on
    /// every request, and a cached session whose revocation counter differs from the account's
    /// is stale and checked in the database again. So a revocation holds even when the cache
    /// could not be told (Redis down during logout) or when a request that read the session
    /// just before the logout writes it back afterwards.
    pub async fn actor_for_token(&self, token: &str) -> Result<Option<Actor>> {
        if token.len() > 128 {
            return Ok(None);
        }
        let db = &self.infra().db;
        let hash = auth::token_hash(token);
        let key = session_cache_key(&hash);
        let now = self.now();
        let cached = match self.infra().cache.get(&key).await {
            Ok(v) => v.and_then(|b| serde_json::from_slice::<CachedSession>(&b).ok()),
            Err(e) => {
                // The cache is an optimisation: fall back to the database. (An open circuit
                // was logged once when it opened.)
                if matches!(e, farmgate_infra::cache::CacheError::CircuitOpen { .. }) {
                    tracing::debug!(error = %e, "session cache unavailable");
                } else {
                    tracing::warn!(error = %e, "session cache unavailable");
                }
                None
            }
        };
        let mut sess = match cached {
            Some(c) => c,
            None => {
                let Some(s) = queries::sessions::unrevoked_by_token_hash(db, &hash).await? else {
                    return Ok(None);
                };
                let c = CachedSession::from(s);
                self.cache_session(&key, &c).await;
                c
            }
        };
        let account_id = AccountId(sess.account_id);
        let Some(account) = queries::accounts::by_id(db, account_id).await? else {
            return Ok(None);
        };
        if account.revocation_seq != sess.revocation_seq {
            // Something of this account was revoked since this copy was read: ask the database.
            let _ = self.infra().cache.delete(&key).await;
            let Some(s) = queries::sessions::unrevoked_by_token_hash(db, &hash).await? else {
                return Ok(None);
            };
            if s.revocation_seq != account.revocation_seq || s.account_id != account.id {
                // Revoked again in between: the next request sorts it out.
                return Ok(None);
            }
            sess = CachedSession::from(s);
            self.cache_session(&key, &sess).await;
        }
        if sess.expires_at <= now || account.status != AccountStatus::Active {
            return Ok(None);
        }
        if now - sess.last_seen_at > Duration::minutes(LAST_SEEN_GRANULARITY_MIN) {
            queries::sessions::touch(db, SessionId(sess.session_id), now).await?;
            let _ = self.infra().cache.delete(&key).await;
        }
        let memberships = memberships_of(db, account_id).await?;
        Ok(Some(Actor {
            account_id,
            session_id: sess.session_id,
            display_name: account.display_name,
            platform_role: account.platform_role,
            memberships,
        }))
    }

    /// The actor an account is now, without a session: for work done on its behalf later by
    /// the worker (a standing order's generated orders, issue #22), with its memberships and
    /// roles as the database has them at that moment. `None` when the account is gone or not
    /// active. The session id is nil: nothing may log it out or revoke it.
    pub async fn acting_as(&self, account_id: AccountId) -> Result<Option<Actor>> {
        let db = &self.infra().db;
        let Some(account) = queries::accounts::by_id(db, account_id).await? else {
            return Ok(None);
        };
        if account.status != AccountStatus::Active {
            return Ok(None);
        }
        Ok(Some(Actor {
            account_id,
            session_id: Uuid::nil(),
            display_name: account.display_name,
            platform_role: account.platform_role,
            memberships: memberships_of(db, account_id).await?,
        }))
    }

    async fn cache_session(&self, key: &str, c: &CachedSession) {
        if let Ok(bytes) = serde_json::to_vec(c) {
            let _ = self.infra().cache.set(key, &bytes, SESSION_CACHE_TTL).await;
        }
    }

    /// Revokes the current session. The revocation is in the database (with the account's
    /// revocation counter) before the cache is told; if the cache cannot be told, the logout
    /// still holds.
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id, session.id = %actor.session_id))]
    pub async fn logout(&self, actor: &Actor) -> Result<()> {
        let txn = begin_write(&self.infra().db).await?;
        let revoked =
            queries::sessions::revoke_one(&txn, SessionId(actor.session_id), self.now()).await?;
        txn.commit().await?;
        self.forget_sessions(revoked).await;
        Ok(())
    }

    /// Drops revoked sessions from the cache so the next request skips the stale copy. Best
    /// effort: correctness does not depend on it (see [`Identity::actor_for_token`]).
    pub(super) async fn forget_sessions(&self, token_hashes: Vec<String>) {
        for hash in token_hashes {
            if let Err(e) = self.infra().cache.delete(&session_cache_key(&hash)).await {
                tracing::warn!(error = %e, "could not drop a revoked session from the cache; its revocation holds anyway");
            }
        }
    }

    /// The actor's live sessions, newest first.
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id))]
    pub(crate) async fn sessions(&self, actor: &Actor) -> Result<Vec<session::Model>> {
        Ok(queries::sessions::live_of(&self.infra().db, actor.account_id, self.now()).await?)
    }

    /// Revokes one of the actor's own sessions (e.g. a lost phone).
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id, session.id = %id))]
    pub async fn revoke_session(&self, actor: &Actor, id: SessionId) -> Result<()> {
        let db = &self.infra().db;
        if queries::sessions::owned_by(db, id, actor.account_id)
            .await?
            .is_none()
        {
            return Err(IdentityError::NotFound(Missing::Session));
        }
        let txn = begin_write(db).await?;
        let revoked = queries::sessions::revoke_one(&txn, id, self.now()).await?;
        txn.commit().await?;
        self.forget_sessions(revoked).await;
        Ok(())
    }
}

/// An account's organisations with its role in each, as the database has them now.
async fn memberships_of(
    db: &impl ConnectionTrait,
    account_id: AccountId,
) -> Result<Vec<Membership>> {
    Ok(queries::members::of_account(db, account_id)
        .await?
        .into_iter()
        .map(|(m, o)| Membership {
            org_id: OrgId(o.id),
            role: m.role,
            org_kind: o.kind,
            org_status: o.status,
        })
        .collect())
}
