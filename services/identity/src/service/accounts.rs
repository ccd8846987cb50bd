//! Accounts: registering with a phone code, the accounts the CLI and the demo create, reading
//! one.

use super::IssuedSession;
use super::topics;
use crate::Identity;
use crate::auth::{self, Actor};
use crate::domain::{AccountStatus, CodePurpose, NewAccount, PlatformRole};
use crate::error::{IdentityError, Missing, Result};
use crate::store::queries;
use crate::store::{account, membership, organisation};
use chrono::{DateTime, Utc};
use farmgate_infra::db::{begin_write, unique_violation};
use farmgate_infra::http::RequestMeta;
use farmgate_kernel::id::AccountId;
use sea_orm::DbErr;
use serde_json::json;
use std::time::Duration;

/// Turns a unique-constraint failure on accounts into the field it is about.
pub(super) fn account_conflict(e: DbErr) -> IdentityError {
    match unique_violation(&e).as_deref() {
        Some(c) if c.contains("phone") => IdentityError::PhoneTaken,
        Some(c) if c.contains("email") => IdentityError::EmailTaken,
        _ => IdentityError::Db(e),
    }
}

/// How an account row comes to be.
struct Origin {
    role: Option<PlatformRole>,
    phone_verified_at: Option<DateTime<Utc>>,
    demo_password: bool,
}

impl Identity {
    /// Registers an account and logs it in. The phone is proven by a code sent for
    /// registration; a phone that already has an account is answered `phone_registered` — but
    /// only to whoever just proved they hold it, so registration tells a stranger nothing.
    ///
    /// Limited per client address (counted before anything else), and the password hash goes
    /// through the bounded hashing pool.
    #[tracing::instrument(skip_all, fields(account.id))]
    pub async fn register(
        &self,
        input: NewAccount,
        code: &str,
        wechat_ticket: Option<&str>,
        meta: &RequestMeta,
    ) -> Result<(account::Model, IssuedSession)> {
        if let Some(ip) = meta.ip {
            let c = self
                .infra()
                .cache
                .incr(&format!("register:ip:{ip}"), 1, Duration::from_secs(3600))
                .await?;
            if c.value > i64::from(self.config().registrations_per_address_per_hour) {
                self.infra().metrics.event("register_rate_limited");
                return Err(IdentityError::TooManyAttempts {
                    retry_after_secs: c.expires_in.as_secs().max(1),
                });
            }
        }
        self.prove_phone(&input.phone, CodePurpose::Register, code)
            .await?;
        let db = &self.infra().db;
        if queries::accounts::by_phone(db, &input.phone)
            .await?
            .is_some()
        {
            return Err(IdentityError::PhoneRegistered);
        }
        let now = self.now();
        let model = self
            .new_account(
                input,
                Origin {
                    role: None,
                    phone_verified_at: Some(now),
                    demo_password: false,
                },
            )
            .await?;
        tracing::Span::current().record("account.id", tracing::field::display(model.id));
        let txn = begin_write(db).await?;
        queries::accounts::insert(&txn, &model)
            .await
            .map_err(|e| match account_conflict(e) {
                // Registered by a racing request a moment ago: the holder proved the phone.
                IdentityError::PhoneTaken => IdentityError::PhoneRegistered,
                other => other,
            })?;
        if let Some(ticket) = wechat_ticket {
            self.bind_wechat_in(&txn, AccountId(model.id), ticket, meta)
                .await?;
        }
        let issued = self.create_session(&txn, AccountId(model.id), meta).await?;
        self.infra()
            .outbox
            .enqueue(
                &txn,
                topics::ACCOUNT_REGISTERED,
                &json!({ "account_id": model.id, "at": now }),
            )
            .await?;
        txn.commit().await?;
        self.infra().outbox.wake();
        Ok((model, issued))
    }

    /// Creates an account with a platform role (or none) without a code: for the command line
    /// and the test harness, never over HTTP. The phone stays unverified until its holder
    /// proves it.
    #[tracing::instrument(skip_all, fields(account.id, role = ?role))]
    pub async fn create_account_with_role(
        &self,
        input: NewAccount,
        role: Option<PlatformRole>,
    ) -> Result<account::Model> {
        self.insert_account(
            input,
            Origin {
                role,
                phone_verified_at: None,
                demo_password: false,
            },
        )
        .await
    }

    /// Creates a demo person (`farmgate serve --demo`, `seed-demo`): the demo password, the
    /// phone counted as verified (the demo's numbers are made up), and the account marked, so
    /// production mode refuses to start while it exists.
    #[tracing::instrument(skip_all, fields(account.id, role = ?role))]
    pub async fn create_demo_account(
        &self,
        input: NewAccount,
        role: Option<PlatformRole>,
    ) -> Result<account::Model> {
        let now = self.now();
        self.insert_account(
            input,
            Origin {
                role,
                phone_verified_at: Some(now),
                demo_password: true,
            },
        )
        .await
    }

    async fn insert_account(&self, input: NewAccount, origin: Origin) -> Result<account::Model> {
        let model = self.new_account(input, origin).await?;
        tracing::Span::current().record("account.id", tracing::field::display(model.id));
        queries::accounts::insert(&self.infra().db, &model)
            .await
            .map_err(account_conflict)?;
        Ok(model)
    }

    /// An active account row, its password hashed in the bounded pool.
    async fn new_account(&self, input: NewAccount, origin: Origin) -> Result<account::Model> {
        let hash = self
            .hashing()
            .hash(input.password.expose().to_owned())
            .await?;
        let now = self.now();
        Ok(account::Model {
            id: AccountId::new().as_uuid(),
            phone: Some(input.phone.as_str().to_owned()),
            email: None,
            display_name: input.display_name,
            password_hash: hash,
            platform_role: origin.role,
            status: AccountStatus::Active,
            created_at: now,
            updated_at: now,
            phone_verified_at: origin.phone_verified_at,
            revocation_seq: 0,
            demo_password: origin.demo_password,
            erased_at: None,
        })
    }

    pub async fn account(&self, id: AccountId) -> Result<account::Model> {
        queries::accounts::by_id(&self.infra().db, id)
            .await?
            .ok_or(IdentityError::NotFound(Missing::Account))
    }

    /// The actor's memberships with their organisations.
    pub async fn memberships(
        &self,
        actor: &Actor,
    ) -> Result<Vec<(membership::Model, organisation::Model)>> {
        Ok(queries::members::of_account(&self.infra().db, actor.account_id).await?)
    }

    /// Whether any account still logs in with the demo password: a demo account, an
    /// order-history buyer, or platform staff whose password is the demo password. Production
    /// mode refuses to start while this is true.
    pub async fn demo_password_in_use(&self) -> Result<bool> {
        let db = &self.infra().db;
        if queries::accounts::any_demo_password(db).await? {
            return Ok(true);
        }
        // Accounts made before the mark existed: staff are few, so check their hashes.
        for hash in queries::accounts::staff_password_hashes(db).await? {
            if auth::is_usable_hash(&hash)
                && self
                    .hashing()
                    .verify(hash, crate::DEMO_PASSWORD.to_owned())
                    .await?
            {
                return Ok(true);
            }
        }
        Ok(false)
    }
}
