//! Accounts: registering, the accounts the CLI creates, reading one.

use super::IssuedSession;
use super::topics;
use crate::Identity;
use crate::auth::{self, Actor};
use crate::domain::{AccountStatus, NewAccount, PlatformRole};
use crate::error::{IdentityError, Missing, Result};
use crate::store::queries;
use crate::store::{account, membership, organisation};
use farmgate_infra::db::{begin_write, unique_violation};
use farmgate_infra::http::RequestMeta;
use farmgate_kernel::id::AccountId;
use sea_orm::DbErr;
use serde_json::json;

/// Turns a unique-constraint failure on accounts into the field it is about.
fn account_conflict(e: DbErr) -> IdentityError {
    match unique_violation(&e).as_deref() {
        Some(c) if c.contains("phone") => IdentityError::PhoneTaken,
        Some(c) if c.contains("email") => IdentityError::EmailTaken,
        _ => IdentityError::Db(e),
    }
}

impl Identity {
    /// Registers an account and logs it in.
    #[tracing::instrument(skip_all, fields(account.id))]
    pub async fn register(
        &self,
        input: NewAccount,
        meta: &RequestMeta,
    ) -> Result<(account::Model, IssuedSession)> {
        let model = self.new_account(input, None).await?;
        tracing::Span::current().record("account.id", tracing::field::display(model.id));
        let now = model.created_at;
        let txn = begin_write(&self.infra().db).await?;
        queries::accounts::insert(&txn, &model)
            .await
            .map_err(account_conflict)?;
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

    /// Creates the account behind a demo or bootstrap user, with a platform role. Not exposed
    /// over HTTP: the CLI uses it.
    #[tracing::instrument(skip_all, fields(account.id, role = ?role))]
    pub async fn create_account_with_role(
        &self,
        input: NewAccount,
        role: Option<PlatformRole>,
    ) -> Result<account::Model> {
        let model = self.new_account(input, role).await?;
        tracing::Span::current().record("account.id", tracing::field::display(model.id));
        queries::accounts::insert(&self.infra().db, &model)
            .await
            .map_err(account_conflict)?;
        Ok(model)
    }

    /// An active account row for a registration, its password hashed (off the async threads).
    async fn new_account(
        &self,
        input: NewAccount,
        role: Option<PlatformRole>,
    ) -> Result<account::Model> {
        let hash = auth::hash_password(
            self.config().password_cost,
            input.password.expose().to_owned(),
        )
        .await?;
        let now = self.now();
        Ok(account::Model {
            id: AccountId::new().as_uuid(),
            phone: input.phone.as_ref().map(|p| p.as_str().to_owned()),
            email: input.email.as_ref().map(|e| e.as_str().to_owned()),
            display_name: input.display_name,
            password_hash: hash,
            platform_role: role,
            status: AccountStatus::Active,
            created_at: now,
            updated_at: now,
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
}
