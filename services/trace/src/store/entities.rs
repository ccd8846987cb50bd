//! Traceability's tables (sea-orm entities). Statuses and kinds are read into their enums here.

pub mod batch {
    use crate::domain::BatchStatus;
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "batches")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub code: String,
        pub listing_id: Uuid,
        pub seller_org_id: Uuid,
        pub lot: String,
        pub started_on: Date,
        /// Derived from the records by `domain::advance` (open, blocked, recalled).
        pub status: BatchStatus,
        /// Hash of the latest event (a convenience; verification never trusts it).
        pub head_hash: String,
        pub event_count: i32,
        pub last_event_at: DateTimeUtc,
        pub scans: i64,
        pub units_issued: i32,
        pub created_by: Uuid,
        pub created_at: DateTimeUtc,
        /// The chain format of every event of the batch (1 or 2, CHAIN.md §13): fixed when the
        /// batch is created, never changed.
        pub chain_version: i16,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod event {
    use crate::domain::EventKind;
    use sea_orm::entity::prelude::*;

    /// Append-only: never updated, never deleted.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "batch_events")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub batch_id: Uuid,
        pub seq: i32,
        pub kind: EventKind,
        pub occurred_at: DateTimeUtc,
        pub recorded_at: DateTimeUtc,
        pub actor_id: Uuid,
        /// Exactly what was hashed.
        pub body: Json,
        pub prev_hash: String,
        pub hash: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod attachment {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "trace_attachments")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub batch_id: Uuid,
        pub object_key: String,
        pub name: String,
        pub content_type: String,
        pub size_bytes: i64,
        pub sha256: String,
        pub uploaded_by: Uuid,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod unit {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "trace_units")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub batch_id: Uuid,
        pub n: i32,
        pub serial: String,
        pub scans: i64,
        pub first_scanned_at: Option<DateTimeUtc>,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod scan {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "trace_scans")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub batch_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub day: Date,
        pub scans: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod digest {
    use sea_orm::entity::prelude::*;

    /// The published log: each entry chains to the one before.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "trace_digests")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub seq: i64,
        pub day: String,
        /// Events recorded up to this instant are covered.
        pub cutoff: DateTimeUtc,
        pub root: String,
        pub batch_count: i64,
        pub prev_hash: String,
        pub hash: String,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod object_audit {
    use sea_orm::entity::prelude::*;

    /// What the object store audit last found for one stored attachment (issue #17).
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "trace_object_audits")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub object_key: String,
        pub batch_id: Uuid,
        /// What the chain records (or, for a file not yet cited, what the upload hashed to).
        pub expected_sha256: String,
        /// The hash of the bytes stored now; `None` when the object is gone.
        pub found_sha256: Option<String>,
        pub ok: bool,
        pub checked_at: DateTimeUtc,
        /// When a mismatch was first seen (kept while it lasts).
        pub first_failed_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod commitment {
    use sea_orm::entity::prelude::*;

    /// The private opening of one salted commitment in a v2 event's body (CHAIN.md §13): read
    /// only by this service, for the batch's seller and the operator. Inserted with its event,
    /// never updated, never deleted.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "trace_commitments")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub event_id: Uuid,
        /// A JSON pointer into the body: `/actor`, `/data/certificate/contact_phone`.
        #[sea_orm(primary_key, auto_increment = false)]
        pub path: String,
        pub batch_id: Uuid,
        pub seq: i32,
        /// 32 bytes, hex.
        pub salt: String,
        pub value: String,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
