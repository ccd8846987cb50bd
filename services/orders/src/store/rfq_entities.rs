//! The tables of requests for quotation (issue #22, migration 55): `rfqs`, `rfq_invitations`,
//! `rfq_quotes`. Status columns are read into their domain enums here, once.

farmgate_infra::stored_enum!(
    crate::domain::rfq::RfqStatus,
    crate::domain::rfq::QuoteStatus,
);

pub mod rfq {
    use crate::domain::rfq::RfqStatus;
    use sea_orm::entity::prelude::*;

    /// A business buyer's request for quotation.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "rfqs")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// `XJ` + Beijing date + 8 digits.
        pub number: String,
        pub buyer_org_id: Uuid,
        /// The member who posted it.
        pub created_by: Uuid,
        pub category_id: Uuid,
        /// A listing the buyer has in mind (a hint to sellers, nothing more).
        pub listing_id: Option<Uuid>,
        pub title: String,
        pub quantity: i64,
        pub unit: String,
        pub quality: Option<String>,
        pub deliver_from: Date,
        pub deliver_to: Date,
        /// The poster's address it names, and a copy of it (editing the address changes no RFQ).
        pub address_id: Uuid,
        pub address: Json,
        /// When quoting ends.
        pub closes_at: DateTimeUtc,
        /// Sent to every seller with a listing in the category (else to the chosen ones).
        pub whole_category: bool,
        pub status: RfqStatus,
        pub created_at: DateTimeUtc,
        pub closed_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod rfq_invitation {
    use sea_orm::entity::prelude::*;

    /// A seller an RFQ was sent to: only these see it and may quote.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "rfq_invitations")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub rfq_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub seller_org_id: Uuid,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod rfq_quote {
    use crate::domain::rfq::QuoteStatus;
    use sea_orm::entity::prelude::*;

    /// A seller's quote on an RFQ: one of its SKUs at a unit price, for a quantity, until
    /// `expires_at`. Moves only by conditional updates on `(status, version)`.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "rfq_quotes")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub rfq_id: Uuid,
        pub seller_org_id: Uuid,
        pub created_by: Uuid,
        pub sku_id: Uuid,
        /// The listing's title and SKU name, and the SKU's unit, when quoted.
        pub title: String,
        pub unit: String,
        pub unit_price_fen: i64,
        pub quantity: i64,
        pub expires_at: DateTimeUtc,
        pub note: Option<String>,
        pub status: QuoteStatus,
        /// Bumped by each revision: an acceptance names the version it saw.
        pub version: i32,
        /// The order its acceptance made.
        pub order_id: Option<Uuid>,
        pub accepted_by: Option<Uuid>,
        pub accepted_at: Option<DateTimeUtc>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
