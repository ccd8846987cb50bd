//! Sessions: logging in and out, the actor behind a token, one's own devices.

use crate::Identity;
use crate::auth::{self, Actor, Membership};
use crate::domain::{AccountStatus, SessionId};
use crate::error::{IdentityError, Missing, Result};
use crate::store::queries;
use crate::store::{account, session};
use chrono::{DateTime, Duration, Utc};
use farmgate_infra::db::begin_write;
use farmgate_infra::http::RequestMeta;
use farmgate_kernel::LoginId;
use farmgate_kernel::id::{AccountId, OrgId};
use sea_orm::ConnectionTrait;
use serde::{Deserialize, Serialize};
use std::time::Duration as StdDuration;
use uuid::Uuid;

/// A session just created: the token is shown once, to its owner.
#[derive(Clone, Debug)]
pub struct IssuedSession {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

/// What the cache keeps per session token, so most requests skip the sessions table.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct CachedSession {
    session_id: Uuid,
    account_id: Uuid,
    expires_at: DateTime<Utc>,
    last_seen_at: DateTime<Utc>,
}

const SESSION_CACHE_TTL: StdDuration = StdDuration::from_secs(60);
/// `last_seen_at` is refreshed at most this often, to keep reads from becoming writes.
const LAST_SEEN_GRANULARITY_MIN: i64 = 5;

fn session_cache_key(hash: &str) -> String {
    format!("sess:{hash}")
}

impl Identity {
    /// Logs in with a phone number or e-mail address. A wrong password and an unknown account
    /// give the same answer, in about the same time; repeated failures are rate limited per
    /// account and per address.
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
        let id_key = format!("login:fail:{}", login.as_str());
        if let Some(ip) = meta.ip {
            let c = cache
                .incr(&format!("login:ip:{ip}"), 1, limits.window)
                .await?;
            if c.value > i64::from(limits.per_ip_attempts) {
                self.infra().metrics.event("login_rate_limited");
                return Err(IdentityError::TooManyAttempts {
                    retry_after_secs: c.expires_in.as_secs().max(1),
                });
            }
        }
        // Peek at the failure counter without bumping it.
        let failures = cache.incr(&id_key, 0, limits.window).await?;
        if failures.value >= i64::from(limits.per_login_failures) {
            self.infra().metrics.event("login_rate_limited");
            return Err(IdentityError::TooManyAttempts {
                retry_after_secs: failures.expires_in.as_secs().max(1),
            });
        }

        let found = queries::accounts::by_login(&self.infra().db, &login).await?;
        let (hash, account) = match found {
            Some(a) => (a.password_hash.clone(), Some(a)),
            None => (self.dummy_hash().to_owned(), None),
        };
        let ok = auth::verify_password(hash, password.to_owned()).await?;
        let account = match account {
            Some(a) if ok => a,
            _ => {
                cache.incr(&id_key, 1, limits.window).await?;
                self.infra().metrics.event("login_failed");
                tracing::info!(login = %login.masked(), "login failed");
                return Err(IdentityError::InvalidCredentials);
            }
        };
        if account.status != AccountStatus::Active {
            return Err(IdentityError::AccountDisabled);
        }
        cache.delete(&id_key).await?;
        let txn = begin_write(&self.infra().db).await?;
        let issued = self
            .create_session(&txn, AccountId(account.id), meta)
            .await?;
        txn.commit().await?;
        tracing::info!(account.id = %account.id, "logged in");
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
                // The cache is an optimisation: fall back to the database.
                tracing::warn!(error = %e, "session cache unavailable");
                None
            }
        };
        let sess = match cached {
            Some(c) => c,
            None => {
                let Some(s) = queries::sessions::unrevoked_by_token_hash(db, &hash).await? else {
                    return Ok(None);
                };
                let c = CachedSession {
                    session_id: s.id,
                    account_id: s.account_id,
                    expires_at: s.expires_at,
                    last_seen_at: s.last_seen_at,
                };
                if let Ok(bytes) = serde_json::to_vec(&c) {
                    let _ = self
                        .infra()
                        .cache
                        .set(&key, &bytes, SESSION_CACHE_TTL)
                        .await;
                }
                c
            }
        };
        if sess.expires_at <= now {
            return Ok(None);
        }
        let account_id = AccountId(sess.account_id);
        let Some(account) = queries::accounts::by_id(db, account_id).await? else {
            return Ok(None);
        };
        if account.status != AccountStatus::Active {
            return Ok(None);
        }
        if now - sess.last_seen_at > Duration::minutes(LAST_SEEN_GRANULARITY_MIN) {
            queries::sessions::touch(db, SessionId(sess.session_id), now).await?;
            let _ = self.infra().cache.delete(&key).await;
        }
        let memberships = queries::members::of_account(db, account_id)
            .await?
            .into_iter()
            .map(|(m, o)| Membership {
                org_id: OrgId(o.id),
                role: m.role,
                org_kind: o.kind,
                org_status: o.status,
            })
            .collect();
        Ok(Some(Actor {
            account_id,
            session_id: sess.session_id,
            display_name: account.display_name,
            platform_role: account.platform_role,
            memberships,
        }))
    }

    /// Revokes the current session.
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id, session.id = %actor.session_id))]
    pub async fn logout(&self, actor: &Actor) -> Result<()> {
        let revoked = queries::sessions::revoke_one(
            &self.infra().db,
            SessionId(actor.session_id),
            self.now(),
        )
        .await?;
        self.forget_sessions(revoked).await
    }

    /// Drops revoked sessions from the cache, so they stop working at once.
    pub(super) async fn forget_sessions(&self, token_hashes: Vec<String>) -> Result<()> {
        for hash in token_hashes {
            self.infra().cache.delete(&session_cache_key(&hash)).await?;
        }
        Ok(())
    }

    /// The actor's live sessions, newest first.
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id))]
    pub async fn sessions(&self, actor: &Actor) -> Result<Vec<session::Model>> {
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
        let revoked = queries::sessions::revoke_one(db, id, self.now()).await?;
        self.forget_sessions(revoked).await
    }
}
