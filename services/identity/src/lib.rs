//! Identity: accounts, organisations, members, roles, sessions, authorisation and the audit log.
//!
//! Other services use it through [`AuthUser`] (who is asking, refusing anonymous requests),
//! [`Actor`] (what they may do: `require_owner`, `require_selling_member`, `is_platform_staff`,
//! `is_official` ...), and [`Identity::ensure_can_sell`] / [`Identity::org_summary`] for
//! organisation facts. Identity itself calls only the shared crates (kernel, infra).
//!
//! - `domain` — roles, kinds, statuses, the verification and invitation state machines, the
//!   parsing of what people type in. No axum, no sea-orm.
//! - `auth` — tokens, password hashing, [`Actor`] and the extractors.
//! - `service/` — the use cases, one file per family.
//! - `store/` — entities and queries (still `pub` while the demo generator and statistics read
//!   identity's tables; they move to `read` models).
//! - `http/` — handlers, views and the router.
//! - `error` — [`IdentityError`], one variant per code.

pub mod auth;
pub mod domain;
pub mod error;
pub mod http;
pub mod read;
pub mod service;
pub(crate) mod store;

pub use auth::{Actor, AuthUser, MaybeAuthUser, Membership, PasswordCost};
pub use domain::{InvitationId, OrgKind, OrgRole, OrgStatus, PlatformRole, SessionId};
pub use error::{IdentityError, Missing};
pub use service::{OrgSummary, topics};

use farmgate_infra::Infra;
use std::sync::Arc;
use std::time::Duration;

/// Limits on guessing passwords.
#[derive(Clone, Copy, Debug)]
pub struct LoginLimits {
    /// Failed attempts per login (phone/e-mail) per window before it is locked for the rest
    /// of the window.
    pub per_login_failures: u32,
    /// Attempts of any outcome per client address per window.
    pub per_ip_attempts: u32,
    pub window: Duration,
}

impl Default for LoginLimits {
    fn default() -> Self {
        Self {
            per_login_failures: 5,
            per_ip_attempts: 30,
            window: Duration::from_secs(15 * 60),
        }
    }
}

/// Identity's settings.
#[derive(Clone, Debug)]
pub struct IdentityConfig {
    pub session_ttl: chrono::Duration,
    /// Mark the session cookie `Secure` (behind HTTPS).
    pub cookie_secure: bool,
    pub password_cost: PasswordCost,
    pub login_limits: LoginLimits,
}

impl Default for IdentityConfig {
    fn default() -> Self {
        Self {
            session_ttl: chrono::Duration::days(14),
            cookie_secure: false,
            password_cost: PasswordCost::default(),
            login_limits: LoginLimits::default(),
        }
    }
}

struct Inner {
    infra: Infra,
    config: IdentityConfig,
    /// A real hash of a random password: verified against when the account does not exist, so
    /// "no such account" takes as long as "wrong password".
    dummy_hash: String,
}

/// The identity service. Cheap to clone.
#[derive(Clone)]
pub struct Identity {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Identity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Identity")
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

impl Identity {
    pub async fn new(infra: Infra, config: IdentityConfig) -> Result<Self, IdentityError> {
        let dummy_hash = auth::hash_password(config.password_cost, auth::new_token()).await?;
        Ok(Self {
            inner: Arc::new(Inner {
                infra,
                config,
                dummy_hash,
            }),
        })
    }

    pub fn infra(&self) -> &Infra {
        &self.inner.infra
    }

    pub fn config(&self) -> &IdentityConfig {
        &self.inner.config
    }

    fn dummy_hash(&self) -> &str {
        &self.inner.dummy_hash
    }
}
