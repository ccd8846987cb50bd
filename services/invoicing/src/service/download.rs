//! The issued PDF, for the invoice's parties — checked against the SHA-256 recorded at issue
//! before a byte leaves: a file altered in the store is refused (and the refusal recorded),
//! never served as if it were the invoice.

use super::access::require_side;
use crate::Invoicing;
use crate::domain::{EventKind, InvoiceId, InvoiceStatus};
use crate::error::{InvoicingError, Missing, Result};
use crate::store::queries;
use bytes::Bytes;
use farmgate_identity::Actor;
use farmgate_infra::objects::{ObjectKey, sha256_hex};
use serde_json::json;

/// An issued invoice's file.
#[derive(Clone, Debug)]
pub struct InvoiceFile {
    pub bytes: Bytes,
    pub number: String,
    pub sha256: String,
}

impl Invoicing {
    #[tracing::instrument(skip_all, fields(account.id = %actor.account_id, invoice.id = %id))]
    pub async fn invoice_pdf(&self, actor: &Actor, id: InvoiceId) -> Result<InvoiceFile> {
        let db = &self.infra().db;
        let inv = queries::by_id(db, id)
            .await?
            .ok_or(InvoicingError::NotFound(Missing::Invoice))?;
        require_side(actor, &inv)?;
        let (Some(key), Some(expected), Some(number)) =
            (&inv.pdf_key, &inv.pdf_sha256, &inv.number)
        else {
            return Err(InvoicingError::NotFound(Missing::Invoice));
        };
        if inv.status != InvoiceStatus::Issued {
            return Err(InvoicingError::NotFound(Missing::Invoice));
        }
        let key = ObjectKey::parse(key)?;
        let object = self.infra().objects.get(&key).await?;
        let actual = object.as_ref().map(|o| sha256_hex(&o.bytes));
        match object {
            Some(o) if actual.as_deref() == Some(expected.as_str()) => Ok(InvoiceFile {
                bytes: o.bytes,
                number: number.clone(),
                sha256: expected.clone(),
            }),
            _ => {
                tracing::error!(
                    invoice.number = %number,
                    expected = %expected,
                    actual = actual.as_deref().unwrap_or("missing"),
                    "the stored invoice file does not match its SHA-256; refused"
                );
                queries::add_event(
                    db,
                    id,
                    EventKind::TamperDetected,
                    Some(actor.account_id),
                    json!({"expected": expected, "actual": actual}),
                    self.now(),
                )
                .await?;
                Err(InvoicingError::FileAltered)
            }
        }
    }
}
