//! Problem-customer records (劣质客户备案): the operator notes an account (kind, evidence,
//! decision); agents see the notes on that person's tickets. Records are withdrawn, never
//! deleted, and say who recorded and who withdrew them (the audit).

use super::{MAX_TEXT, require_agent};
use crate::Desk;
use crate::domain::{CustomerRecordId, CustomerRecordKind};
use crate::error::{DeskError, Missing, Result};
use crate::store::customer_record;
use crate::store::queries::people;
use farmgate_identity::{Actor, IdentityError};
use farmgate_kernel::id::AccountId;
use farmgate_kernel::text::clean_text;
use farmgate_kernel::{FieldError, ValidationErrors};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewCustomerRecord {
    pub account_id: Uuid,
    pub kind: CustomerRecordKind,
    /// What happened and where it is recorded, 1–2000 characters.
    pub evidence: String,
    /// What the platform decided, 1–1000 characters.
    pub decision: String,
}

impl Desk {
    /// The operator records a note on an account.
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id))]
    pub async fn record_customer(
        &self,
        actor: &Actor,
        r: &NewCustomerRecord,
    ) -> Result<customer_record::Model> {
        actor.require_operator()?;
        let mut errs = ValidationErrors::new();
        let evidence = errs.check("evidence", clean_text(&r.evidence, 1, MAX_TEXT, true));
        let decision = errs.check("decision", clean_text(&r.decision, 1, 1000, true));
        match self.inner.identity.account(AccountId(r.account_id)).await {
            Ok(_) => {}
            Err(IdentityError::NotFound(_)) => errs.push(FieldError::new(
                "account_id",
                "not_found",
                "账号不存在",
                "no such account",
            )),
            Err(e) => return Err(e.into()),
        }
        errs.finish()?;
        let (Some(evidence), Some(decision)) = (evidence, decision) else {
            return Err(DeskError::Invalid(ValidationErrors::new()));
        };
        let m = customer_record::Model {
            id: CustomerRecordId::new().0,
            account_id: r.account_id,
            kind: r.kind,
            evidence,
            decision,
            recorded_by: actor.account_id.as_uuid(),
            recorded_at: self.now(),
            withdrawn_by: None,
            withdrawn_at: None,
        };
        people::insert_record(&self.infra().db, m.clone()).await?;
        tracing::info!(record.id = %m.id, subject.id = %m.account_id, kind = %m.kind, "problem-customer record made");
        Ok(m)
    }

    /// An account's records, withdrawn ones too (agents).
    pub async fn customer_records(
        &self,
        actor: &Actor,
        account: Uuid,
    ) -> Result<Vec<customer_record::Model>> {
        require_agent(actor)?;
        Ok(people::records_of(&self.infra().db, account).await?)
    }

    /// The operator withdraws a record (kept, marked withdrawn, once).
    #[tracing::instrument(skip_all, fields(record.id = %id.0))]
    pub async fn withdraw_customer_record(
        &self,
        actor: &Actor,
        id: CustomerRecordId,
    ) -> Result<customer_record::Model> {
        actor.require_operator()?;
        let db = &self.infra().db;
        people::withdraw_record(db, id.0, actor.account_id.as_uuid(), self.now()).await?;
        let r = people::record(db, id.0)
            .await?
            .ok_or(DeskError::NotFound(Missing::CustomerRecord))?;
        tracing::info!(subject.id = %r.account_id, "problem-customer record withdrawn");
        Ok(r)
    }
}
