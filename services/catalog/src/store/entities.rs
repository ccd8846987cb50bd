//! Entities for the catalogue's tables. Columns stay `Uuid` and plain SQL types; status-like
//! string columns are read into their domain enums here, once (see `stored_enum!` in
//! `store/mod.rs`), so nothing above the store compares them as text.

pub mod category {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "categories")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub parent_id: Option<Uuid>,
        pub name: String,
        pub name_en: String,
        pub slug: String,
        pub sort_order: i32,
        pub active: bool,
        pub claim_window_hours: i32,
        pub commission_bp: i32,
        pub created_at: DateTimeUtc,
        /// Hours from payment within which a part sold under this category must ship
        /// (12–240); `None`: the parent's, else the platform's default.
        pub ship_within_hours: Option<i32>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod listing {
    use crate::domain::ListingStatus;
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "listings")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub seller_org_id: Uuid,
        pub category_id: Uuid,
        pub title: String,
        pub description: String,
        pub province: String,
        pub city: String,
        pub county: String,
        pub township: Option<String>,
        pub village: Option<String>,
        pub origin_note: Option<String>,
        pub season: Option<String>,
        pub storage: Option<String>,
        pub shelf_life_days: Option<i32>,
        pub status: ListingStatus,
        pub status_reason: Option<String>,
        pub sales: i64,
        pub created_by: Uuid,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        pub approved_at: Option<DateTimeUtc>,
        /// Who grew or made it, when not the seller (a verified producer organisation).
        pub producer_org_id: Option<Uuid>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod revision {
    use crate::domain::{RevisionKind, RevisionStatus};
    use sea_orm::entity::prelude::*;

    /// A proposal of the reviewed facts (title, category, origin): a new listing's first
    /// submission, or a change to a live one. Append-only apart from the decision.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "listing_revisions")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub listing_id: Uuid,
        pub kind: RevisionKind,
        pub status: RevisionStatus,
        pub title: String,
        pub category_id: Uuid,
        pub province: String,
        pub city: String,
        pub county: String,
        pub township: Option<String>,
        pub village: Option<String>,
        pub origin_note: Option<String>,
        pub reason: Option<String>,
        pub submitted_by: Uuid,
        pub submitted_at: DateTimeUtc,
        pub decided_by: Option<Uuid>,
        pub decided_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod sku {
    use crate::domain::Unit;
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "skus")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub listing_id: Uuid,
        pub name: String,
        pub unit: Unit,
        pub price_fen: i64,
        pub stock: i64,
        pub weight_grams: i32,
        pub net_weight_grams: Option<i32>,
        /// Sold by catch weight (多退少补) within this tolerance, per mille; `None`: fixed weight.
        pub catch_tolerance_permille: Option<i32>,
        pub gtin: Option<String>,
        /// `[{"min_quantity": 10, "price": 3600}, ...]`, sorted by quantity.
        pub tiers: Json,
        pub active: bool,
        pub sort_order: i32,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod sku_change {
    use crate::domain::SkuChangeField;
    use sea_orm::entity::prelude::*;

    /// The price and stock change log (append-only).
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "sku_changes")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub sku_id: Uuid,
        pub listing_id: Uuid,
        pub field: SkuChangeField,
        pub old_value: String,
        pub new_value: String,
        pub actor_id: Option<Uuid>,
        pub at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod image {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "listing_images")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub listing_id: Uuid,
        pub position: i32,
        /// The upload as received (private: may carry EXIF location).
        pub original_key: String,
        /// Re-encoded public copies, without metadata.
        pub display_key: String,
        pub thumb_key: String,
        pub content_type: String,
        /// SHA-256 of the original upload.
        pub sha256: String,
        pub size_bytes: i64,
        pub width: i32,
        pub height: i32,
        pub uploaded_by: Uuid,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A photo uploaded before the save that attaches it (`listing_photo_drafts`, migration 47):
/// owned by the uploader's organisation, expiring unless a create or save names it.
pub mod photo_draft {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "listing_photo_drafts")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub org_id: Uuid,
        pub original_key: String,
        pub display_key: String,
        pub thumb_key: String,
        pub content_type: String,
        pub sha256: String,
        pub size_bytes: i64,
        pub width: i32,
        pub height: i32,
        pub uploaded_by: Uuid,
        pub created_at: DateTimeUtc,
        pub expires_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A create's `Idempotency-Key` (`listing_create_keys`, migration 47).
pub mod create_key {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "listing_create_keys")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub org_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub key: String,
        pub listing_id: Uuid,
        pub request_sha256: String,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A picture uploaded with an organisation's application, e.g. its business licence
/// (`org_documents`, migration 47). Both files are private: served only to the operator and
/// the organisation's members.
pub mod org_document {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "org_documents")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub org_id: Uuid,
        /// `business_licence` or `other`.
        pub kind: String,
        /// The upload as received (may carry EXIF location).
        pub original_key: String,
        /// Re-encoded JPEG, no metadata: what the operator sees.
        pub display_key: String,
        pub content_type: String,
        pub sha256: String,
        pub size_bytes: i64,
        pub width: i32,
        pub height: i32,
        pub uploaded_by: Uuid,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod vocabulary {
    use sea_orm::entity::prelude::*;

    /// A county's search vocabulary entry (`domain::VocabularyEntry`, canonical).
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "search_vocabulary")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub kind: crate::domain::VocabularyKind,
        pub entry: String,
        pub created_by: Uuid,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod vocabulary_change {
    use sea_orm::entity::prelude::*;

    /// Who added or removed which vocabulary entry, when (append-only).
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "search_vocabulary_changes")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// `added` or `removed`.
        pub action: String,
        pub entry_id: Uuid,
        pub kind: crate::domain::VocabularyKind,
        pub entry: String,
        pub actor_id: Uuid,
        pub at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod seller_signal {
    use sea_orm::entity::prelude::*;

    /// A seller's ranking signals as search uses them (migration 43): its shop credit level,
    /// copied from statistics by the server's credit job. No row: neutral.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "seller_ranking_signals")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub seller_org_id: Uuid,
        pub credit_level: crate::domain::CreditSignal,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
