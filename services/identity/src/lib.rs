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

pub use auth::{Actor, AuthUser, HashPool, HashStats, MaybeAuthUser, Membership, PasswordCost};
pub use domain::{
    CodePurpose, DEMO_PASSWORD, InvitationId, OrgKind, OrgRole, OrgStatus, PlatformRole, SessionId,
};
pub use error::{IdentityError, Missing};
pub use service::{OrgSummary, TestingBody, WechatJsConfig, WechatLoginConfig, topics};

use farmgate_infra::Infra;
use std::sync::Arc;
use std::time::Duration;

/// Limits on guessing passwords. Every attempt is counted before the password is checked
/// (count, then compare, atomically in the cache), so parallel guesses cannot slip past a
/// limit, and the limits are keyed so a stranger cannot lock the owner out:
///
/// - per (login, client address): `per_login_address_failures` failed attempts, then that
///   address may not try that login until the window ends;
/// - per login, from any address: `per_login_failures` failed attempts, then password log-in
///   to that account is paused for everyone — the owner still logs in by a code sent to the
///   phone (which also clears the pause);
/// - per client address: `per_ip_attempts` attempts of any outcome (one address guessing
///   many accounts).
#[derive(Clone, Copy, Debug)]
pub struct LoginLimits {
    pub per_login_address_failures: u32,
    pub per_login_failures: u32,
    pub per_ip_attempts: u32,
    pub window: Duration,
}

impl Default for LoginLimits {
    fn default() -> Self {
        Self {
            per_login_address_failures: 5,
            per_login_failures: 20,
            per_ip_attempts: 30,
            window: Duration::from_secs(15 * 60),
        }
    }
}

/// Limits on phone codes: how long one lives and how often they may be sent. Counted in the
/// cache (shared by every replica when it is Redis).
#[derive(Clone, Copy, Debug)]
pub struct CodeLimits {
    /// How long a code is valid.
    pub ttl: Duration,
    /// Wrong tries before a code is dead.
    pub max_attempts: u32,
    /// The wait before another code to the same phone.
    pub resend_after: Duration,
    pub per_phone_per_hour: u32,
    pub per_phone_per_day: u32,
    /// Codes one client address may ask for per hour (raise behind a shared NAT).
    pub per_address_per_hour: u32,
    /// Codes the whole platform sends per day: a ceiling on the SMS bill if someone pumps
    /// messages to premium numbers.
    pub per_day: u32,
}

impl Default for CodeLimits {
    fn default() -> Self {
        Self {
            ttl: Duration::from_secs(5 * 60),
            max_attempts: 5,
            resend_after: Duration::from_secs(60),
            per_phone_per_hour: 5,
            per_phone_per_day: 10,
            per_address_per_hour: 30,
            per_day: 20_000,
        }
    }
}

/// Bounds on password hashing (argon2id takes `password_cost.memory_kib` of memory each):
/// at most `concurrent` hashes at once, at most `queue` requests waiting for one, each waiting
/// at most `wait`; beyond that the answer is 503 with Retry-After, at once.
#[derive(Clone, Copy, Debug)]
pub struct HashLimits {
    pub concurrent: usize,
    pub queue: usize,
    pub wait: Duration,
}

impl Default for HashLimits {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let concurrent = cores.clamp(1, 8);
        Self {
            concurrent,
            queue: concurrent * 8,
            wait: Duration::from_secs(5),
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
    pub code_limits: CodeLimits,
    pub hash_limits: HashLimits,
    /// Accounts one client address may register per hour.
    pub registrations_per_address_per_hour: u32,
    /// How long the first operator's setup link works.
    pub setup_link_ttl: chrono::Duration,
    /// Log in with WeChat (official-account web authorisation); `None`: not offered.
    pub wechat_login: Option<service::WechatLoginConfig>,
    /// The WeChat JS-SDK for the site's pages (share cards, address import); `None`: not
    /// offered.
    pub wechat_js: Option<service::WechatJsConfig>,
}

impl Default for IdentityConfig {
    fn default() -> Self {
        Self {
            session_ttl: chrono::Duration::days(14),
            cookie_secure: false,
            password_cost: PasswordCost::default(),
            login_limits: LoginLimits::default(),
            code_limits: CodeLimits::default(),
            hash_limits: HashLimits::default(),
            registrations_per_address_per_hour: 10,
            setup_link_ttl: chrono::Duration::hours(24),
            wechat_login: None,
            wechat_js: None,
        }
    }
}

struct Inner {
    infra: Infra,
    config: IdentityConfig,
    hashing: auth::HashPool,
    /// A real hash of a random password: verified against when the account does not exist, so
    /// "no such account" takes as long as "wrong password".
    dummy_hash: String,
    /// The other rooms' parts of "download my data", registered at start.
    personal_data: std::sync::RwLock<Vec<Arc<dyn service::PersonalDataPart>>>,
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
        let hashing = auth::HashPool::new(config.password_cost, config.hash_limits);
        let dummy_hash = hashing.hash(auth::new_token()).await?;
        Ok(Self {
            inner: Arc::new(Inner {
                infra,
                config,
                hashing,
                dummy_hash,
                personal_data: std::sync::RwLock::new(Vec::new()),
            }),
        })
    }

    pub fn infra(&self) -> &Infra {
        &self.inner.infra
    }

    pub fn config(&self) -> &IdentityConfig {
        &self.inner.config
    }

    /// Adds another room's part to "download my data" (the server does, at start). A second
    /// part under a name already taken replaces the first.
    pub fn add_personal_data_part(&self, part: Arc<dyn service::PersonalDataPart>) {
        if let Ok(mut parts) = self.inner.personal_data.write() {
            parts.retain(|p| p.name() != part.name());
            parts.push(part);
        }
    }

    fn dummy_hash(&self) -> &str {
        &self.inner.dummy_hash
    }

    /// The bounded pool every password hash and check goes through.
    pub fn hashing(&self) -> &auth::HashPool {
        &self.inner.hashing
    }
}
