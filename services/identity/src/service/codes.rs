//! Phone one-time codes: sending one (within the limits) and proving a phone with one.
//!
//! Sending never looks at accounts: the answer, its timing and the text message are the same
//! whether or not the phone has an account, so the endpoint tells a stranger nothing. What the
//! phone's holder learns afterwards ("this phone already has an account") they learn only after
//! proving the phone with the code.

use crate::Identity;
use crate::auth::Actor;
use crate::domain::{self, AccountStatus, CodePurpose};
use crate::error::{IdentityError, Result};
use crate::store::{account, phone_code, queries};
use farmgate_infra::cache::Counter;
use farmgate_infra::http::RequestMeta;
use farmgate_infra::sms::{SmsError, SmsMessage};
use farmgate_kernel::Phone;
use std::time::Duration;
use uuid::Uuid;

const HOUR: Duration = Duration::from_secs(3600);
const DAY: Duration = Duration::from_secs(24 * 3600);

/// A code is on its way.
#[derive(Clone, Debug)]
pub struct CodeSent {
    /// The phone, masked (`138****8000`), for "we sent a code to …".
    pub phone_masked: String,
    pub expires_in_secs: u64,
    /// When another code may be asked for.
    pub resend_after_secs: u64,
}

fn code_key_name(id: Uuid) -> String {
    format!("otp:key:{id}")
}

/// Refuses when a counter went past its limit.
fn within(c: Counter, limit: u32, err: impl FnOnce(u64) -> IdentityError) -> Result<()> {
    if c.value > i64::from(limit) {
        Err(err(c.expires_in.as_secs().max(1)))
    } else {
        Ok(())
    }
}

fn too_many(retry_after_secs: u64) -> IdentityError {
    IdentityError::TooManyCodes { retry_after_secs }
}

impl Identity {
    /// Sends a code for `purpose` to `phone`, within the limits: one per phone and purpose per
    /// `resend_after`, so many per phone per hour and per day, per client address per hour,
    /// and for the whole platform per day. Changing the phone and accepting an invitation need
    /// a session (`actor`).
    #[tracing::instrument(skip_all, fields(purpose = %purpose))]
    pub async fn send_code(
        &self,
        phone: &str,
        purpose: CodePurpose,
        actor: Option<&Actor>,
        meta: &RequestMeta,
    ) -> Result<CodeSent> {
        let phone = Phone::parse(phone).map_err(|e| IdentityError::field(e.at("phone")))?;
        if purpose.needs_session() && actor.is_none() {
            return Err(IdentityError::Unauthenticated);
        }
        // A code for accepting an invitation or changing a bank account only ever proves
        // one's own phone: sending it to another number would only let a logged-in account
        // text strangers.
        if let (true, Some(actor)) = (purpose.own_phone_only(), actor) {
            let me = self.account(actor.account_id).await?;
            if me.phone.as_deref() != Some(phone.as_str()) {
                return Err(IdentityError::Forbidden);
            }
        }
        let limits = self.config().code_limits;
        let cache = &self.infra().cache;
        // Counted before anything is sent, each checked as it is bumped (atomic in the cache),
        // cheapest refusal first; a refused request bumps nothing after its refusal.
        if let Some(ip) = meta.ip {
            let c = cache.incr(&format!("otp:ip:{ip}"), 1, HOUR).await?;
            within(c, limits.per_address_per_hour, too_many)?;
        }
        let p = phone.as_str();
        // The wait before another code is per purpose: registering and then, a moment later,
        // accepting an invitation are two codes a real person needs in a row.
        let cool_key = format!("otp:cool:{p}:{purpose}");
        let cool = cache.incr(&cool_key, 1, limits.resend_after).await?;
        within(cool, 1, |retry_after_secs| IdentityError::ResendTooSoon {
            retry_after_secs,
        })?;
        let hour = cache.incr(&format!("otp:hour:{p}"), 1, HOUR).await?;
        within(hour, limits.per_phone_per_hour, too_many)?;
        let day = cache.incr(&format!("otp:day:{p}"), 1, DAY).await?;
        within(day, limits.per_phone_per_day, too_many)?;
        let all = cache.incr("otp:platform:day", 1, DAY).await?;
        if all.value > i64::from(limits.per_day) {
            tracing::error!(
                limit = limits.per_day,
                "the platform's daily text-message limit is reached: no more codes today"
            );
            self.infra().metrics.event("otp_daily_limit");
            return Err(too_many(all.expires_in.as_secs().max(1)));
        }

        let code = domain::new_code();
        let key = domain::new_code_key();
        let id = Uuid::now_v7();
        let now = self.now();
        // The key lives a little longer than the code, so a try at the last second still has it.
        cache
            .set(
                &code_key_name(id),
                &key,
                limits.ttl + Duration::from_secs(60),
            )
            .await?;
        let ttl = chrono::Duration::from_std(limits.ttl).unwrap_or(chrono::Duration::minutes(5));
        queries::codes::insert(
            &self.infra().db,
            phone_code::Model {
                id,
                phone: p.to_owned(),
                purpose,
                code_hash: domain::code_digest(&key, purpose, &phone, &code),
                attempts: 0,
                created_at: now,
                expires_at: now + ttl,
                consumed_at: None,
                ip: meta.ip_string(),
            },
        )
        .await?;
        let message = SmsMessage::one_time_code(phone.clone(), &code)
            .map_err(|e| IdentityError::SmsUnavailable(e.to_string()))?;
        if let Err(e) = self.infra().sms.send(&message).await {
            // Nothing arrived: let them ask again at once.
            let _ = cache.delete(&cool_key).await;
            return Err(self.sms_failure(e));
        }
        self.infra().metrics.event("otp_sent");
        tracing::info!(phone = %phone.masked(), "code sent");
        Ok(CodeSent {
            phone_masked: phone.masked(),
            expires_in_secs: limits.ttl.as_secs(),
            resend_after_secs: limits.resend_after.as_secs(),
        })
    }

    fn sms_failure(&self, e: SmsError) -> IdentityError {
        self.infra().metrics.event("otp_send_failed");
        if e.needs_operator() {
            tracing::error!(error = %e, kind = e.kind(), "text message refused: the operator must fix the SMS settings");
        } else {
            tracing::warn!(error = %e, kind = e.kind(), "text message not sent");
        }
        match e {
            SmsError::InvalidNumber(_) => IdentityError::SmsUndeliverable,
            SmsError::RateLimited { retry_after, .. } => IdentityError::TooManyCodes {
                retry_after_secs: retry_after.map_or(60, |d| d.as_secs().max(1)),
            },
            other => IdentityError::SmsUnavailable(other.kind().to_owned()),
        }
    }

    /// Proves the actor's own phone with a code just sent to it for `purpose` (one of the
    /// [`CodePurpose::own_phone_only`] purposes): how another room asks for a phone code
    /// before a sensitive change (finance: changing the settlement bank account). An account
    /// without a phone cannot be proven (`code_expired`, as for any code that is not there).
    pub async fn prove_own_phone(
        &self,
        actor: &Actor,
        purpose: CodePurpose,
        code: &str,
    ) -> Result<()> {
        if !purpose.own_phone_only() {
            return Err(IdentityError::Forbidden);
        }
        let me = self.account(actor.account_id).await?;
        let Some(phone) = me.phone.as_deref().and_then(|p| Phone::parse(p).ok()) else {
            return Err(IdentityError::CodeExpired);
        };
        self.prove_phone(&phone, purpose, code).await
    }

    /// The active account of `phone`, once the phone is proven with a code sent for `purpose`
    /// (the try counts first): `no_account` when none has the phone, `account_disabled` when
    /// it is not active. Names the account in the current span.
    pub(crate) async fn active_account_proven(
        &self,
        phone: &Phone,
        purpose: CodePurpose,
        code: &str,
    ) -> Result<account::Model> {
        self.prove_phone(phone, purpose, code).await?;
        let account = queries::accounts::by_phone(&self.infra().db, phone)
            .await?
            .ok_or(IdentityError::NoAccount)?;
        tracing::Span::current().record("account.id", tracing::field::display(account.id));
        if account.status != AccountStatus::Active {
            return Err(IdentityError::AccountDisabled);
        }
        Ok(account)
    }

    /// Proves `phone` with a code sent for `purpose`: takes one try (refused when none is
    /// left), compares, and uses the code up. Runs on its own, outside the caller's
    /// transaction, so a try counts even when the use case fails afterwards.
    pub(crate) async fn prove_phone(
        &self,
        phone: &Phone,
        purpose: CodePurpose,
        code: &str,
    ) -> Result<()> {
        let code = domain::parse_code(code).map_err(IdentityError::field)?;
        let db = &self.infra().db;
        let now = self.now();
        let Some(row) = queries::codes::newest(db, phone.as_str(), purpose).await? else {
            return Err(IdentityError::CodeExpired);
        };
        let max = self.config().code_limits.max_attempts;
        if !queries::codes::take_try(db, row.id, max, now).await? {
            return Err(IdentityError::CodeExpired);
        }
        let Some(key) = self.infra().cache.get(&code_key_name(row.id)).await? else {
            // The cache lost the key (restart of the in-process cache, eviction).
            return Err(IdentityError::CodeExpired);
        };
        let typed = domain::code_digest(&key, purpose, phone, &code);
        if !domain::digests_match(&row.code_hash, &typed) {
            self.infra().metrics.event("otp_wrong");
            return Err(
                if row.attempts + 1 >= i32::try_from(max).unwrap_or(i32::MAX) {
                    IdentityError::CodeExpired
                } else {
                    IdentityError::InvalidCode
                },
            );
        }
        if !queries::codes::consume(db, row.id, now).await? {
            return Err(IdentityError::CodeExpired);
        }
        let _ = self.infra().cache.delete(&code_key_name(row.id)).await;
        Ok(())
    }
}
