//! A seller's owner registers or changes the settlement account; who may read it.
//!
//! The first account is registered as it is and waits for finance. A change to a registered
//! account needs a code just sent to the owner's own phone (purpose `bank_account`), and makes
//! the account pending again: until finance verifies it anew the seller is held out of every
//! payout batch. A payout already made keeps the account it was made for.

use super::{AccountChange, AccountRecord, require_reader};
use crate::Finance;
use crate::domain::{AccountAction, AccountStatus, BankAccount, BankAccountInput};
use crate::error::{FinanceError, Result};
use crate::store::queries::accounts as q;
use crate::store::{account_change, bank_account};
use farmgate_identity::{Actor, CodePurpose};
use farmgate_infra::db::{begin_write, serialise, violates};
use farmgate_kernel::id::OrgId;
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

/// The account as the owner submits it, and the phone code a change needs.
#[derive(Clone, Debug, Deserialize, ToSchema)]
pub struct AccountInput {
    /// 账户名称: the holder as the bank knows it (usually the organisation's name), 2–60.
    pub account_name: String,
    /// 账号: 8–32 digits; spaces and dashes are ignored.
    pub account_no: String,
    /// 开户银行, 2–40.
    pub bank_name: String,
    /// 开户行 (branch), 2–60.
    pub branch: String,
    /// 联行号 (CNAPS), 12 digits, optional.
    #[serde(default)]
    pub cnaps: Option<String>,
    /// The code sent to the owner's phone for `bank_account` (`POST /api/v1/auth/codes`):
    /// required to change an account already registered.
    #[serde(default)]
    pub code: Option<String>,
}

/// How many history lines an account shows.
const HISTORY: u64 = 100;

fn details(a: &BankAccount) -> serde_json::Value {
    json!({
        "account_name": a.account_name,
        "account_no": a.account_no,
        "bank_name": a.bank_name,
        "branch": a.branch,
        "cnaps": a.cnaps,
    })
}

fn same(m: &bank_account::Model, a: &BankAccount) -> bool {
    m.account_name == a.account_name
        && m.account_no == a.account_no
        && m.bank_name == a.bank_name
        && m.branch == a.branch
        && m.cnaps == a.cnaps
}

impl Finance {
    /// Registers or changes `org`'s settlement account: its owner, for a selling organisation.
    #[tracing::instrument(skip_all, fields(org.id = %org))]
    pub async fn submit_account(
        &self,
        actor: &Actor,
        org: OrgId,
        input: &AccountInput,
    ) -> Result<AccountRecord> {
        actor
            .require_owner(org)
            .map_err(|_| FinanceError::Forbidden)?;
        if !actor
            .membership(org)
            .is_some_and(|m| m.org_kind.is_seller())
        {
            return Err(FinanceError::NotASeller);
        }
        let account = BankAccount::parse(&BankAccountInput {
            account_name: input.account_name.clone(),
            account_no: input.account_no.clone(),
            bank_name: input.bank_name.clone(),
            branch: input.branch.clone(),
            cnaps: input.cnaps.clone(),
        })?;
        let db = &self.infra().db;
        let existing = q::by_org(db, org.as_uuid()).await?;
        if let Some(m) = &existing {
            if same(m, &account) && m.status != AccountStatus::Rejected {
                return Ok(m.clone().into());
            }
            // A change: the owner's phone, proven by a code sent to it for this purpose (the
            // try counts even when what follows fails).
            let code = input
                .code
                .as_deref()
                .filter(|c| !c.trim().is_empty())
                .ok_or(FinanceError::CodeRequired)?;
            self.identity()
                .prove_own_phone(actor, CodePurpose::BankAccount, code)
                .await?;
        }
        let now = self.now();
        let txn = begin_write(db).await?;
        serialise(&txn, "bank_account", org).await?;
        let current = q::by_org(&txn, org.as_uuid()).await?;
        // A first registration needs no code; an account that appeared meanwhile does.
        if current.is_some() && existing.is_none() {
            return Err(FinanceError::AccountChanged);
        }
        let (model, action) = match current {
            None => (
                bank_account::Model {
                    id: Uuid::now_v7(),
                    org_id: org.as_uuid(),
                    account_name: account.account_name.clone(),
                    account_no: account.account_no.clone(),
                    bank_name: account.bank_name.clone(),
                    branch: account.branch.clone(),
                    cnaps: account.cnaps.clone(),
                    status: AccountStatus::Pending,
                    reject_reason: None,
                    version: 1,
                    submitted_by: actor.account_id.as_uuid(),
                    submitted_at: now,
                    reviewed_by: None,
                    reviewed_at: None,
                    created_at: now,
                },
                AccountAction::Submitted,
            ),
            Some(cur) => {
                if existing.as_ref().map(|e| e.version) != Some(cur.version) {
                    return Err(FinanceError::AccountChanged);
                }
                (
                    bank_account::Model {
                        account_name: account.account_name.clone(),
                        account_no: account.account_no.clone(),
                        bank_name: account.bank_name.clone(),
                        branch: account.branch.clone(),
                        cnaps: account.cnaps.clone(),
                        status: AccountStatus::Pending,
                        reject_reason: None,
                        version: cur.version + 1,
                        submitted_by: actor.account_id.as_uuid(),
                        submitted_at: now,
                        reviewed_by: None,
                        reviewed_at: None,
                        ..cur
                    },
                    AccountAction::Changed,
                )
            }
        };
        match action {
            AccountAction::Submitted => {
                q::insert(&txn, model.clone()).await.map_err(|e| {
                    if violates(&e, &q::ACCOUNT_ORG) {
                        FinanceError::AccountChanged
                    } else {
                        e.into()
                    }
                })?;
            }
            _ => {
                if !q::replace(&txn, &model, model.version - 1).await? {
                    return Err(FinanceError::AccountChanged);
                }
            }
        }
        q::add_change(
            &txn,
            account_change::Model {
                id: Uuid::now_v7(),
                account_id: model.id,
                org_id: model.org_id,
                action,
                version: model.version,
                actor_account_id: actor.account_id.as_uuid(),
                details: details(&account),
                created_at: now,
            },
        )
        .await?;
        txn.commit().await?;
        tracing::info!(version = model.version, action = %action, "settlement account submitted");
        Ok(model.into())
    }

    /// `org`'s settlement account, if any: its members, finance and the operator.
    pub async fn account_of(&self, actor: &Actor, org: OrgId) -> Result<Option<AccountRecord>> {
        require_reader(actor, org)?;
        Ok(q::by_org(&self.infra().db, org.as_uuid())
            .await?
            .map(Into::into))
    }

    /// `org`'s account history, newest first: its members, finance and the operator.
    pub async fn account_history(&self, actor: &Actor, org: OrgId) -> Result<Vec<AccountChange>> {
        require_reader(actor, org)?;
        Ok(q::changes(&self.infra().db, org.as_uuid(), HISTORY)
            .await?
            .into_iter()
            .map(Into::into)
            .collect())
    }
}
