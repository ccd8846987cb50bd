//! Who is asking: session tokens, password hashes, the `Actor` and the `AuthUser` extractor
//! that every handler uses. Authorisation questions are answered here, in one place.

use crate::Identity;
use crate::domain::{OrgKind, OrgRole, OrgStatus, PlatformRole};
use crate::error::{IdentityError, Result};
use argon2::{PasswordHash, PasswordHasher, PasswordVerifier};
use axum::extract::{FromRef, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{Method, header};
use base64::Engine;
use farmgate_infra::http::ApiError;
use farmgate_kernel::id::{AccountId, OrgId};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use uuid::Uuid;

pub const SESSION_COOKIE: &str = "fg_session";
const TOKEN_PREFIX: &str = "fg_";

/// A fresh opaque session token: 256 random bits, URL-safe.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    format!(
        "{TOKEN_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    )
}

/// What the database keeps of a token.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Argon2id cost. The defaults follow current OWASP guidance; tests use the cheapest
/// parameters the algorithm allows.
#[derive(Clone, Copy, Debug)]
pub struct PasswordCost {
    pub memory_kib: u32,
    pub iterations: u32,
}

impl Default for PasswordCost {
    fn default() -> Self {
        Self {
            memory_kib: 19 * 1024,
            iterations: 2,
        }
    }
}

impl PasswordCost {
    pub const FAST_FOR_TESTS: PasswordCost = PasswordCost {
        memory_kib: 8,
        iterations: 1,
    };

    fn hasher(self) -> Result<argon2::Argon2<'static>> {
        let params = argon2::Params::new(self.memory_kib.max(8), self.iterations.max(1), 1, None)
            .map_err(|e| IdentityError::Hashing(e.to_string()))?;
        Ok(argon2::Argon2::new(
            argon2::Algorithm::Argon2id,
            argon2::Version::V0x13,
            params,
        ))
    }
}

fn hash_blocking(cost: PasswordCost, password: &str) -> Result<String> {
    let hasher = cost.hasher()?;
    let hash: PasswordHash = hasher
        .hash_password(password.as_bytes())
        .map_err(|e| IdentityError::Hashing(e.to_string()))?;
    Ok(hash.to_string())
}

/// Checks a password against a stored PHC hash. The cost is read from the hash itself, so
/// raising the cost later does not lock anyone out. A hash that is not a PHC string (an
/// account whose password was never set) matches nothing.
fn verify_blocking(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        argon2::Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// Whether a stored hash is a real one (not the marker of a password never set).
pub fn is_usable_hash(hash: &str) -> bool {
    PasswordHash::new(hash).is_ok()
}

/// What the database keeps for an account whose password is not set yet (the first operator
/// before they open their setup link, an erased account): no password matches it.
pub const NO_PASSWORD: &str = "!";

/// How busy password hashing has been (for tests and metrics).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct HashStats {
    /// The most hashes that ran at once.
    pub peak_concurrent: usize,
    /// Requests answered 503 because the queue was full or the wait too long.
    pub refused: u64,
}

/// Password hashing with bounded memory: argon2id runs off the async threads, at most
/// `concurrent` at once; up to `queue` more wait (each at most `wait`); anyone beyond that is
/// told at once to come back later (`IdentityError::Busy`, 503 with Retry-After). Without it,
/// 200 concurrent registrations took 4 GB.
#[derive(Clone)]
pub struct HashPool {
    cost: PasswordCost,
    limits: crate::HashLimits,
    permits: Arc<Semaphore>,
    waiting: Arc<AtomicUsize>,
    running: Arc<AtomicUsize>,
    peak: Arc<AtomicUsize>,
    refused: Arc<AtomicU64>,
}

impl std::fmt::Debug for HashPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HashPool")
            .field("cost", &self.cost)
            .field("limits", &self.limits)
            .finish_non_exhaustive()
    }
}

/// Counts a waiter for as long as it lives.
struct Waiting(Arc<AtomicUsize>);

impl Drop for Waiting {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

impl HashPool {
    pub fn new(cost: PasswordCost, limits: crate::HashLimits) -> Self {
        Self {
            cost,
            limits,
            permits: Arc::new(Semaphore::new(limits.concurrent.max(1))),
            waiting: Arc::new(AtomicUsize::new(0)),
            running: Arc::new(AtomicUsize::new(0)),
            peak: Arc::new(AtomicUsize::new(0)),
            refused: Arc::new(AtomicU64::new(0)),
        }
    }

    pub fn stats(&self) -> HashStats {
        HashStats {
            peak_concurrent: self.peak.load(Ordering::SeqCst),
            refused: self.refused.load(Ordering::SeqCst),
        }
    }

    fn busy(&self) -> IdentityError {
        self.refused.fetch_add(1, Ordering::SeqCst);
        IdentityError::Busy {
            retry_after_secs: self.limits.wait.as_secs().clamp(1, 30),
        }
    }

    async fn permit(&self) -> Result<OwnedSemaphorePermit> {
        if let Ok(p) = self.permits.clone().try_acquire_owned() {
            return Ok(p);
        }
        let _waiting = Waiting(self.waiting.clone());
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= self.limits.queue {
            return Err(self.busy());
        }
        match tokio::time::timeout(self.limits.wait, self.permits.clone().acquire_owned()).await {
            Ok(Ok(p)) => Ok(p),
            _ => Err(self.busy()),
        }
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce(PasswordCost) -> T + Send + 'static,
    ) -> Result<T> {
        let permit = self.permit().await?;
        let (running, peak, cost) = (self.running.clone(), self.peak.clone(), self.cost);
        tokio::task::spawn_blocking(move || {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            peak.fetch_max(now, Ordering::SeqCst);
            let out = work(cost);
            running.fetch_sub(1, Ordering::SeqCst);
            drop(permit);
            out
        })
        .await
        .map_err(|e| IdentityError::Hashing(e.to_string()))
    }

    /// Hashes a new password.
    pub async fn hash(&self, password: String) -> Result<String> {
        self.run(move |cost| hash_blocking(cost, &password)).await?
    }

    /// Checks a password against a stored hash.
    pub async fn verify(&self, hash: String, password: String) -> Result<bool> {
        self.run(move |_| verify_blocking(&hash, &password)).await
    }
}

/// One organisation the actor belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Membership {
    pub org_id: OrgId,
    pub role: OrgRole,
    pub org_kind: OrgKind,
    pub org_status: OrgStatus,
}

/// The authenticated person behind a request, with what they may do.
#[derive(Clone, Debug)]
pub struct Actor {
    pub account_id: AccountId,
    pub session_id: Uuid,
    pub display_name: String,
    pub platform_role: Option<PlatformRole>,
    pub memberships: Vec<Membership>,
}

/// Platform roles, asked by name. Other rooms use these rather than comparing roles, so who
/// counts as "staff" is said here once.
impl Actor {
    pub fn is(&self, role: PlatformRole) -> bool {
        self.platform_role == Some(role)
    }

    /// The platform operator, who oversees every organisation.
    pub fn is_operator(&self) -> bool {
        self.is(PlatformRole::Operator)
    }

    /// An after-sales agent (售后客服).
    pub fn is_after_sales_agent(&self) -> bool {
        self.is(PlatformRole::AfterSalesAgent)
    }

    /// Platform finance (平台财务): confirms offline payments.
    pub fn is_finance(&self) -> bool {
        self.is(PlatformRole::Finance)
    }

    /// A county official (县级主管部门): reads across sellers, never writes (but for recalls).
    pub fn is_official(&self) -> bool {
        self.is(PlatformRole::Official)
    }

    /// Works for the platform on orders and after-sales: the operator or an after-sales agent.
    /// County officials are not platform staff.
    pub fn is_platform_staff(&self) -> bool {
        self.is_operator() || self.is_after_sales_agent()
    }

    /// Platform staff or a county official: anyone with a platform role, who may look across
    /// every seller.
    pub fn is_staff_or_official(&self) -> bool {
        self.platform_role.is_some()
    }

    /// Refuses everyone but the operator.
    pub fn require_operator(&self) -> Result<()> {
        self.require(self.is_operator())
    }

    /// Refuses everyone but platform staff (the operator, after-sales agents).
    pub fn require_platform_staff(&self) -> Result<()> {
        self.require(self.is_platform_staff())
    }

    /// Refuses everyone but county officials.
    pub fn require_official(&self) -> Result<()> {
        self.require(self.is_official())
    }

    /// Refuses everyone without a platform role.
    pub fn require_staff_or_official(&self) -> Result<()> {
        self.require(self.is_staff_or_official())
    }

    fn require(&self, allowed: bool) -> Result<()> {
        if allowed {
            Ok(())
        } else {
            Err(IdentityError::Forbidden)
        }
    }
}

/// Organisations: membership and what it allows.
impl Actor {
    /// The verified business buyer this person buys for, if any: wholesale tier prices apply.
    pub fn wholesale_buyer_org(&self) -> Option<OrgId> {
        self.memberships
            .iter()
            .find(|m| m.org_kind == OrgKind::BusinessBuyer && m.org_status == OrgStatus::Verified)
            .map(|m| m.org_id)
    }

    /// One of these platform roles: refuses everyone else. Prefer the named checks
    /// ([`Actor::require_operator`], [`Actor::require_platform_staff`] …).
    pub fn require_platform(&self, roles: &[PlatformRole]) -> Result<()> {
        match self.platform_role {
            Some(r) if roles.contains(&r) => Ok(()),
            _ => Err(IdentityError::Forbidden),
        }
    }

    pub fn membership(&self, org: OrgId) -> Option<&Membership> {
        self.memberships.iter().find(|m| m.org_id == org)
    }

    /// A member of `org` (any role), or the operator, who oversees every organisation.
    pub fn require_member_or_operator(&self, org: OrgId) -> Result<()> {
        if self.is_operator() || self.membership(org).is_some() {
            Ok(())
        } else {
            Err(IdentityError::Forbidden)
        }
    }

    /// An owner of `org`. Staff and outsiders are refused.
    pub fn require_owner(&self, org: OrgId) -> Result<()> {
        match self.membership(org) {
            Some(m) if m.role == OrgRole::Owner => Ok(()),
            _ => Err(IdentityError::Forbidden),
        }
    }

    /// A member acting for a seller that may sell: verified and of a selling kind. This is the
    /// one check later services (catalogue, orders) use before letting an organisation sell.
    pub fn require_selling_member(&self, org: OrgId) -> Result<&Membership> {
        let m = self.membership(org).ok_or(IdentityError::Forbidden)?;
        if !m.org_kind.is_seller() {
            return Err(IdentityError::Forbidden);
        }
        if m.org_status != OrgStatus::Verified {
            return Err(IdentityError::OrgNotVerified);
        }
        Ok(m)
    }

    /// A member acting for a verified testing body (检测机构): the one check before a lab's
    /// staff record a third-party test. A testing body not (or no longer) verified records
    /// nothing.
    pub fn require_testing_member(&self, org: OrgId) -> Result<&Membership> {
        let m = self.membership(org).ok_or(IdentityError::Forbidden)?;
        if !m.org_kind.is_testing_body() {
            return Err(IdentityError::Forbidden);
        }
        if m.org_status != OrgStatus::Verified {
            return Err(IdentityError::OrgNotVerified);
        }
        Ok(m)
    }
}

/// Extracts the [`Actor`] from the session cookie or a Bearer token, or refuses with 401.
///
/// It also enforces two rules for every handler at once: county officials never write, and a
/// cookie-authenticated write must come from our own pages (Origin check), so another site
/// cannot ride a logged-in browser.
#[derive(Clone, Debug)]
pub struct AuthUser(pub Actor);

/// Like [`AuthUser`] but anonymous requests get `None` instead of 401.
#[derive(Clone, Debug)]
pub struct MaybeAuthUser(pub Option<Actor>);

/// Where the token came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenSource {
    Cookie,
    Bearer,
}

/// A cookie's value from the request (its exact name; the value trimmed).
pub(crate) fn cookie(headers: &http::HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim().to_owned())
}

/// The session token of a request, if it carries one.
pub fn token_from_parts(parts: &Parts) -> Option<(String, TokenSource)> {
    if let Some(v) = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        && let Some(t) = v
            .strip_prefix("Bearer ")
            .or_else(|| v.strip_prefix("bearer "))
    {
        return Some((t.trim().to_owned(), TokenSource::Bearer));
    }
    cookie(&parts.headers, SESSION_COOKIE).map(|v| (v, TokenSource::Cookie))
}

fn is_write(method: &Method) -> bool {
    !matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// A cookie-authenticated write must come from our own origin. Browsers send `Origin` on
/// cross-origin writes; when it names another host, refuse. `Sec-Fetch-Site: cross-site` too.
fn same_origin(parts: &Parts) -> bool {
    if parts
        .headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == "cross-site")
    {
        return false;
    }
    let Some(origin) = parts
        .headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
    else {
        return true;
    };
    let host = parts
        .headers
        .get("x-forwarded-host")
        .or_else(|| parts.headers.get(header::HOST))
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let origin_host = origin.split_once("://").map(|(_, h)| h).unwrap_or(origin);
    !host.is_empty() && origin_host.eq_ignore_ascii_case(host)
}

/// Paths an official may still write to: their own session and account (password, phone,
/// profile), ordering a batch recall (召回 — the one act the county takes on the
/// marketplace), and writing news notices (资讯: the news room checks every move itself —
/// an official drafts, edits, submits and withdraws their own articles, never reviews).
fn allowed_for_read_only(path: &str) -> bool {
    path == "/api/v1/auth/logout"
        || path.starts_with("/api/v1/auth/sessions/")
        || matches!(
            path,
            "/api/v1/auth/codes"
                | "/api/v1/me/password"
                | "/api/v1/me/phone"
                | "/api/v1/me/account"
        )
        || (path.starts_with("/api/v1/batches/") && path.ends_with("/recall"))
        || path.starts_with("/api/v1/news/")
}

async fn authenticate(parts: &Parts, identity: &Identity) -> Result<Option<Actor>> {
    let Some((token, source)) = token_from_parts(parts) else {
        return Ok(None);
    };
    let actor = identity.actor_for_token(&token).await?;
    let Some(actor) = actor else {
        return Err(IdentityError::Unauthenticated);
    };
    if is_write(&parts.method) {
        if source == TokenSource::Cookie && !same_origin(parts) {
            return Err(IdentityError::CrossSite);
        }
        if actor.is_official() && !allowed_for_read_only(parts.uri.path()) {
            return Err(IdentityError::ReadOnly);
        }
    }
    Ok(Some(actor))
}

impl<S> FromRequestParts<S> for AuthUser
where
    S: Send + Sync,
    Identity: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let identity = Identity::from_ref(state);
        match authenticate(parts, &identity).await? {
            Some(actor) => Ok(AuthUser(actor)),
            None => Err(IdentityError::Unauthenticated.into()),
        }
    }
}

impl<S> FromRequestParts<S> for MaybeAuthUser
where
    S: Send + Sync,
    Identity: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let identity = Identity::from_ref(state);
        match authenticate(parts, &identity).await {
            Ok(actor) => Ok(MaybeAuthUser(actor)),
            // A stale cookie on a public page is not an error: treat the visitor as anonymous.
            Err(IdentityError::Unauthenticated) => Ok(MaybeAuthUser(None)),
            Err(e) => Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(concurrent: usize, queue: usize, wait_ms: u64) -> HashPool {
        HashPool::new(
            PasswordCost::FAST_FOR_TESTS,
            crate::HashLimits {
                concurrent,
                queue,
                wait: std::time::Duration::from_millis(wait_ms),
            },
        )
    }

    #[tokio::test]
    async fn a_hashed_password_verifies_and_a_wrong_one_does_not() {
        let pool = pool(2, 2, 1000);
        let hash = pool.hash("梅岭脐橙2026".into()).await.unwrap_or_default();
        assert!(hash.starts_with("$argon2id$"), "{hash}");
        assert!(matches!(
            pool.verify(hash.clone(), "梅岭脐橙2026".into()).await,
            Ok(true)
        ));
        assert!(matches!(
            pool.verify(hash, "梅岭脐橙2025".into()).await,
            Ok(false)
        ));
        assert!(matches!(
            pool.verify(NO_PASSWORD.into(), "".into()).await,
            Ok(false)
        ));
        assert!(!is_usable_hash(NO_PASSWORD));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn hashing_runs_at_most_n_at_once_and_refuses_beyond_the_queue_at_once() {
        let pool = pool(1, 1, 5_000);
        // Hold the only permit, as a slow hash would.
        let held = pool.permits.clone().try_acquire_owned();
        assert!(held.is_ok());
        let waiter = {
            let pool = pool.clone();
            tokio::spawn(async move { pool.hash("one-in-the-queue".into()).await })
        };
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        let started = std::time::Instant::now();
        let refused = pool.hash("one-too-many".into()).await;
        assert!(
            matches!(refused, Err(IdentityError::Busy { retry_after_secs }) if retry_after_secs >= 1),
            "{refused:?}"
        );
        assert!(
            started.elapsed() < std::time::Duration::from_millis(500),
            "refused quickly"
        );
        drop(held);
        assert!(
            matches!(waiter.await, Ok(Ok(_))),
            "the queued one runs when a permit frees"
        );
        assert_eq!(pool.stats().peak_concurrent, 1);
        assert_eq!(pool.stats().refused, 1);
    }

    #[tokio::test]
    async fn a_waiter_gives_up_after_the_wait() {
        let pool = pool(1, 4, 50);
        let _held = pool.permits.clone().try_acquire_owned();
        let r = pool.hash("waits-too-long".into()).await;
        assert!(matches!(r, Err(IdentityError::Busy { .. })), "{r:?}");
    }

    #[test]
    fn tokens_are_unique_and_only_their_hash_is_kept() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert!(a.starts_with("fg_") && a.len() == 46, "{a}");
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), token_hash(&b));
    }

    fn parts(method: Method, headers: &[(&str, &str)]) -> Parts {
        let mut req = axum::http::Request::builder()
            .method(method)
            .uri("/api/v1/orgs");
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        let (parts, ()) = req.body(()).unwrap_or_default().into_parts();
        parts
    }

    #[test]
    fn the_token_is_read_from_bearer_first_then_the_cookie() {
        let p = parts(
            Method::GET,
            &[
                ("cookie", "a=1; fg_session=fg_c"),
                ("authorization", "Bearer fg_b"),
            ],
        );
        assert_eq!(
            token_from_parts(&p),
            Some(("fg_b".into(), TokenSource::Bearer))
        );
        let p = parts(Method::GET, &[("cookie", "a=1; fg_session=fg_c")]);
        assert_eq!(
            token_from_parts(&p),
            Some(("fg_c".into(), TokenSource::Cookie))
        );
        assert_eq!(token_from_parts(&parts(Method::GET, &[])), None);
    }

    #[test]
    fn a_write_from_another_site_is_not_same_origin() {
        let ok = parts(
            Method::POST,
            &[
                ("host", "farm.example:8080"),
                ("origin", "https://farm.example:8080"),
            ],
        );
        assert!(same_origin(&ok));
        let evil = parts(
            Method::POST,
            &[("host", "farm.example"), ("origin", "https://evil.example")],
        );
        assert!(!same_origin(&evil));
        let fetch_meta = parts(
            Method::POST,
            &[("host", "farm.example"), ("sec-fetch-site", "cross-site")],
        );
        assert!(!same_origin(&fetch_meta));
        assert!(
            same_origin(&parts(Method::POST, &[("host", "farm.example")])),
            "non-browser clients send no Origin"
        );
    }

    fn actor(memberships: Vec<Membership>, role: Option<PlatformRole>) -> Actor {
        Actor {
            account_id: AccountId::new(),
            session_id: Uuid::now_v7(),
            display_name: "测试".into(),
            platform_role: role,
            memberships,
        }
    }

    #[test]
    fn staff_act_only_inside_their_own_organisation() {
        let (mine, other) = (OrgId::new(), OrgId::new());
        let staff = actor(
            vec![Membership {
                org_id: mine,
                role: OrgRole::Staff,
                org_kind: OrgKind::Cooperative,
                org_status: OrgStatus::Verified,
            }],
            None,
        );
        assert!(staff.require_member_or_operator(mine).is_ok());
        assert!(staff.require_member_or_operator(other).is_err());
        assert!(staff.require_owner(mine).is_err(), "staff are not owners");
        assert!(staff.require_selling_member(mine).is_ok());
        assert!(staff.require_selling_member(other).is_err());
    }

    #[test]
    fn an_unverified_seller_or_a_buyer_cannot_sell() {
        let org = OrgId::new();
        let pending = actor(
            vec![Membership {
                org_id: org,
                role: OrgRole::Owner,
                org_kind: OrgKind::FamilyFarm,
                org_status: OrgStatus::Pending,
            }],
            None,
        );
        assert!(matches!(
            pending.require_selling_member(org),
            Err(IdentityError::OrgNotVerified)
        ));
        let buyer = actor(
            vec![Membership {
                org_id: org,
                role: OrgRole::Owner,
                org_kind: OrgKind::BusinessBuyer,
                org_status: OrgStatus::Verified,
            }],
            None,
        );
        assert!(matches!(
            buyer.require_selling_member(org),
            Err(IdentityError::Forbidden)
        ));
    }

    #[test]
    fn platform_staff_are_the_operator_and_agents_and_officials_are_apart() {
        let op = actor(vec![], Some(PlatformRole::Operator));
        let agent = actor(vec![], Some(PlatformRole::AfterSalesAgent));
        let official = actor(vec![], Some(PlatformRole::Official));
        let seller = actor(vec![], None);
        assert!(op.is_platform_staff() && agent.is_platform_staff());
        assert!(!official.is_platform_staff() && !seller.is_platform_staff());
        assert!(op.is_staff_or_official() && agent.is_staff_or_official());
        assert!(official.is_staff_or_official() && !seller.is_staff_or_official());
        assert!(official.is_official() && !op.is_official());
        assert!(agent.is_after_sales_agent() && !op.is_after_sales_agent());
        assert!(op.require_operator().is_ok() && agent.require_operator().is_err());
        assert!(agent.require_platform_staff().is_ok());
        assert!(official.require_platform_staff().is_err());
        assert!(official.require_official().is_ok() && op.require_official().is_err());
        assert!(official.require_staff_or_official().is_ok());
        assert!(seller.require_staff_or_official().is_err());
    }

    #[test]
    fn the_operator_oversees_every_organisation_but_does_not_own_it() {
        let op = actor(vec![], Some(PlatformRole::Operator));
        let org = OrgId::new();
        assert!(op.require_member_or_operator(org).is_ok());
        assert!(op.require_owner(org).is_err());
        assert!(op.require_platform(&[PlatformRole::Operator]).is_ok());
        assert!(
            actor(vec![], Some(PlatformRole::Official))
                .require_platform(&[PlatformRole::Operator])
                .is_err()
        );
    }
}
