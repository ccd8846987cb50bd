//! The seller (or platform finance, for the platform's own store) refuses a requested invoice
//! with a reason; the buyer may ask again.

use super::access::{may_issue, require_side};
use crate::Invoicing;
use crate::domain::{EventKind, InvoiceId, InvoiceStatus, parse_reason};
use crate::error::{InvoicingError, Missing, Result};
use crate::service::InvoiceRecord;
use crate::store::queries;
use farmgate_identity::Actor;
use farmgate_identity::read::invoicing::invoice_party;
use farmgate_infra::db::begin_write;
use farmgate_kernel::id::OrgId;
use serde::Deserialize;
use serde_json::json;
use utoipa::ToSchema;

/// Why the invoice is refused.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Rejection {
    /// 2–500 characters, shown to the buyer.
    pub reason: String,
}

impl Invoicing {
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id, invoice.id = %id))]
    pub async fn reject_invoice(
        &self,
        actor: &Actor,
        id: InvoiceId,
        req: &Rejection,
    ) -> Result<InvoiceRecord> {
        let db = &self.infra().db;
        let inv = queries::by_id(db, id)
            .await?
            .ok_or(InvoicingError::NotFound(Missing::Invoice))?;
        require_side(actor, &inv)?;
        let seller = invoice_party(db, OrgId(inv.seller_org_id))
            .await?
            .ok_or(InvoicingError::NotFound(Missing::Organisation))?;
        if !may_issue(actor, &inv, seller.is_platform_store()) {
            return Err(InvoicingError::Forbidden);
        }
        let reason = parse_reason(&req.reason)?;
        if inv.status != InvoiceStatus::Requested {
            return Err(InvoicingError::NotRequested(inv.status));
        }
        let now = self.now();
        let txn = begin_write(db).await?;
        if !queries::reject(&txn, id, &reason, now).await? {
            let status = queries::by_id(&txn, id)
                .await?
                .map_or(InvoiceStatus::Rejected, |i| i.status);
            return Err(InvoicingError::NotRequested(status));
        }
        queries::add_event(
            &txn,
            id,
            EventKind::Rejected,
            Some(actor.account_id),
            json!({"reason": reason}),
            now,
        )
        .await?;
        txn.commit().await?;
        self.invoice(actor, id).await
    }
}
