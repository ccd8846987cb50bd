//! Invoicing use cases, one file per use case. Each checks who may act (`access`), applies the
//! domain rules, and writes its change with its history event in one transaction. What
//! invoicing knows of orders and organisations it reads through their `read::invoicing`
//! modules, never their tables.

mod access;
mod download;
mod issue;
pub mod personal_data;
mod read;
mod red;
mod reject;
mod request;

pub use access::Side;
pub use download::InvoiceFile;
pub use read::{InvoiceRecord, OrderInvoices, TitleDefaults};
pub use reject::Rejection;

use crate::Invoicing;
use chrono::{DateTime, Utc};

impl Invoicing {
    fn now(&self) -> DateTime<Utc> {
        self.infra().clock.now()
    }
}
