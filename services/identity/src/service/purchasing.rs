//! A business buyer's purchasing settings (issue #22): what kind of buyer it is and the limit
//! above which a purchaser's order waits for a manager's approval. The owner writes them; every
//! member (and the operator) reads them. Orders asks [`crate::read::purchasing`] at checkout.

use crate::Identity;
use crate::auth::Actor;
use crate::domain::{AuditAction, AuditTarget, BuyerKind, OrgKind, parse_approval_limit};
use crate::error::{IdentityError, Result};
use crate::store::buyer_profile;
use crate::store::queries::{self, AuditEntry};
use chrono::{DateTime, Utc};
use farmgate_infra::db::begin_write;
use farmgate_infra::http::RequestMeta;
use farmgate_kernel::id::OrgId;
use serde_json::json;

/// What a business buyer's settings say; `None` where the owner said nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Purchasing {
    pub org_id: OrgId,
    pub buyer_kind: Option<BuyerKind>,
    pub approval_limit_fen: Option<i64>,
    pub updated_at: Option<DateTime<Utc>>,
}

impl Purchasing {
    fn of(org: OrgId, row: Option<buyer_profile::Model>) -> Self {
        match row {
            Some(r) => Self {
                org_id: org,
                buyer_kind: r.buyer_kind,
                approval_limit_fen: r.approval_limit_fen,
                updated_at: Some(r.updated_at),
            },
            None => Self {
                org_id: org,
                buyer_kind: None,
                approval_limit_fen: None,
                updated_at: None,
            },
        }
    }
}

impl Identity {
    /// The settings of a business buyer, for its members and the operator. Other kinds of
    /// organisation have none (`forbidden`).
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id, org.id = %org))]
    pub async fn purchasing(&self, actor: &Actor, org: OrgId) -> Result<Purchasing> {
        let model = self.org_for(actor, org).await?;
        if model.kind != OrgKind::BusinessBuyer {
            return Err(IdentityError::Forbidden);
        }
        let row = queries::buyer_profiles::get(&self.infra().db, org).await?;
        Ok(Purchasing::of(org, row))
    }

    /// The owner sets the buyer's kind and approval limit (both replaced: `None` clears).
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id, org.id = %org))]
    pub async fn set_purchasing(
        &self,
        actor: &Actor,
        org: OrgId,
        buyer_kind: Option<BuyerKind>,
        approval_limit_fen: Option<i64>,
        meta: &RequestMeta,
    ) -> Result<Purchasing> {
        let model = self.org_for(actor, org).await?;
        actor.require_owner(org)?;
        if model.kind != OrgKind::BusinessBuyer {
            return Err(IdentityError::Forbidden);
        }
        let limit = parse_approval_limit(approval_limit_fen).map_err(IdentityError::field)?;
        let now = self.now();
        let row = buyer_profile::Model {
            org_id: org.as_uuid(),
            buyer_kind,
            approval_limit_fen: limit,
            updated_by: actor.account_id.as_uuid(),
            updated_at: now,
        };
        let txn = begin_write(&self.infra().db).await?;
        queries::buyer_profiles::put(&txn, row.clone()).await?;
        self.audit(
            &txn,
            meta,
            AuditEntry {
                actor_id: Some(actor.account_id),
                action: AuditAction::OrgPurchasing,
                target_type: AuditTarget::Organisation,
                target_id: Some(org.to_string()),
                details: json!({ "buyer_kind": buyer_kind, "approval_limit_fen": limit }),
            },
        )
        .await?;
        txn.commit().await?;
        Ok(Purchasing::of(org, Some(row)))
    }
}
