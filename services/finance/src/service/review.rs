//! Finance's review of settlement accounts: the queue, verify, reject (with a reason).
//!
//! Finance reviews the version it read (`version`): an owner's change between reading and
//! verifying is never verified unseen (`account_changed`).

use super::{AccountRecord, require_finance};
use crate::Finance;
use crate::domain::{AccountAction, AccountStatus, BankAccountId, Review, parse_reason, review};
use crate::error::{FinanceError, Missing, Result};
use crate::store::account_change;
use crate::store::queries::accounts as q;
use farmgate_identity::Actor;
use farmgate_infra::db::begin_write;
use farmgate_kernel::{Page, Paged};
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

/// Verify or reject the version of the account finance read.
#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct ReviewInput {
    /// The account's `version` as read.
    pub version: i32,
    /// Why it is rejected (2–200 characters): required to reject.
    #[serde(default)]
    pub reason: Option<String>,
}

impl Finance {
    /// Settlement accounts for finance, oldest submission first (`status`: all when `None`).
    pub async fn accounts(
        &self,
        actor: &Actor,
        status: Option<AccountStatus>,
        page: Page,
    ) -> Result<Paged<AccountRecord>> {
        require_finance(actor)?;
        let (rows, total) = q::list(&self.infra().db, status, page.limit(), page.offset()).await?;
        Ok(Paged::new(
            rows.into_iter().map(Into::into).collect(),
            total,
            page,
        ))
    }

    /// Finance verifies or rejects a pending account.
    #[tracing::instrument(skip_all, fields(account.id = %id))]
    pub async fn review_account(
        &self,
        actor: &Actor,
        id: BankAccountId,
        action: Review,
        input: &ReviewInput,
    ) -> Result<AccountRecord> {
        require_finance(actor)?;
        let reason = match action {
            Review::Verify => None,
            Review::Reject => Some(parse_reason(input.reason.as_deref().unwrap_or(""))?),
        };
        let db = &self.infra().db;
        let txn = begin_write(db).await?;
        let current = q::by_id(&txn, id.as_uuid())
            .await?
            .ok_or(FinanceError::NotFound(Missing::BankAccount))?;
        if current.version != input.version {
            return Err(FinanceError::AccountChanged);
        }
        let to = review(current.status, action)?;
        let now = self.now();
        if !q::review(
            &txn,
            current.id,
            current.version,
            to,
            reason.clone(),
            actor.account_id.as_uuid(),
            now,
        )
        .await?
        {
            return Err(FinanceError::NotPending);
        }
        q::add_change(
            &txn,
            account_change::Model {
                id: Uuid::now_v7(),
                account_id: current.id,
                org_id: current.org_id,
                action: match action {
                    Review::Verify => AccountAction::Verified,
                    Review::Reject => AccountAction::Rejected,
                },
                version: current.version,
                actor_account_id: actor.account_id.as_uuid(),
                details: json!({ "reason": reason, "account_no": current.account_no }),
                created_at: now,
            },
        )
        .await?;
        let updated = q::by_id(&txn, current.id)
            .await?
            .ok_or(FinanceError::NotFound(Missing::BankAccount))?;
        txn.commit().await?;
        tracing::info!(status = %to, "settlement account reviewed");
        Ok(updated.into())
    }
}
