//! Invoicing's part of "download my data": every invoice the person requested for their
//! organisation (title, tax number, the bank and contact details they gave, amount, status and
//! its history), as they see it on the order.

use crate::Invoicing;
use crate::http::views::InvoiceView;
use crate::store::queries;
use async_trait::async_trait;
use farmgate_identity::Actor;
use farmgate_identity::service::{PartError, PersonalDataPart};
use serde_json::{Value, json};

/// Registered with identity at start (`Identity::add_personal_data_part`).
#[derive(Clone, Debug)]
pub struct InvoicingPersonalData(pub Invoicing);

#[async_trait]
impl PersonalDataPart for InvoicingPersonalData {
    fn name(&self) -> &'static str {
        "invoicing"
    }

    async fn export(&self, actor: &Actor) -> Result<Value, PartError> {
        let rows = queries::requested_by(&self.0.infra().db, actor.account_id.as_uuid()).await?;
        let mut invoices = Vec::with_capacity(rows.len());
        for inv in rows {
            let record = self.0.record(inv).await?;
            invoices.push(InvoiceView::of(&record, actor));
        }
        Ok(json!({ "invoices_requested": invoices }))
    }
}
