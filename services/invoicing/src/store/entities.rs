//! Invoicing's tables. Status and kind columns are read into their domain enums here, once.

use crate::domain::{EventKind, InvoiceKind, InvoiceStatus};

farmgate_infra::stored_enum!(InvoiceKind, InvoiceStatus, EventKind);

pub mod invoice {
    use super::{InvoiceKind, InvoiceStatus};
    use sea_orm::entity::prelude::*;

    /// An invoice request for one sub-order and what was issued for it.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "invoices")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub order_id: Uuid,
        pub sub_order_id: Uuid,
        /// The sub-order while requested, being issued or issued; NULL once rejected (unique).
        pub active_sub_order_id: Option<Uuid>,
        pub sub_order_number: String,
        pub buyer_org_id: Uuid,
        pub seller_org_id: Uuid,
        pub requested_by: Uuid,
        pub kind: InvoiceKind,
        pub status: InvoiceStatus,
        pub title: String,
        pub tax_no: String,
        pub bank: Option<String>,
        pub bank_account: Option<String>,
        pub address: Option<String>,
        pub phone: Option<String>,
        pub email: Option<String>,
        pub number: Option<String>,
        pub amount_fen: Option<i64>,
        pub refunded_at_issue_fen: Option<i64>,
        pub issuer: Option<String>,
        pub external_ref: Option<String>,
        pub issued_by: Option<Uuid>,
        pub issued_at: Option<DateTimeUtc>,
        pub pdf_key: Option<String>,
        pub pdf_sha256: Option<String>,
        pub pdf_size: Option<i64>,
        pub reject_reason: Option<String>,
        pub red_needed_at: Option<DateTimeUtc>,
        /// Refunded after issue, as last seen (what the red reversal has to cover).
        pub refunded_after_issue_fen: Option<i64>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod event {
    use super::EventKind;
    use sea_orm::entity::prelude::*;

    /// Append-only: never updated, never deleted.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "invoice_events")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub invoice_id: Uuid,
        pub kind: EventKind,
        pub actor_id: Option<Uuid>,
        pub data: Json,
        pub at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
