//! Delivery windows, their dated loads, bookings and signed notes (issue #22).

use crate::domain::delivery::{NoteStatus, SignedVia};

farmgate_infra::stored_enum!(NoteStatus, SignedVia);

pub mod delivery_window {
    use sea_orm::entity::prelude::*;

    /// A seller's weekly window for an area (minutes of the day, Asia/Shanghai).
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "delivery_windows")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub seller_org_id: Uuid,
        pub region_code: String,
        pub weekday: i32,
        pub start_minute: i32,
        pub end_minute: i32,
        pub capacity: i32,
        pub cutoff_hours: i32,
        pub deleted: bool,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}

pub mod delivery_slot_load {
    use sea_orm::entity::prelude::*;

    /// Places taken in a window on one date (moved only by conditional updates).
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "delivery_slot_loads")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub window_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub day: Date,
        pub booked: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}

pub mod delivery_booking {
    use sea_orm::entity::prelude::*;

    /// The dated window a sub-order is delivered in (one per sub-order).
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "delivery_bookings")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub sub_order_id: Uuid,
        pub window_id: Uuid,
        pub day: Date,
        pub seller_org_id: Uuid,
        pub starts_at: DateTimeUtc,
        pub ends_at: DateTimeUtc,
        pub booked_by: Uuid,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}

pub mod delivery_note {
    use super::{NoteStatus, SignedVia};
    use sea_orm::entity::prelude::*;

    /// A sub-order's delivery note: the code, the goods' photo, the signature.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "delivery_notes")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub sub_order_id: Uuid,
        pub seller_org_id: Uuid,
        pub code: String,
        pub code_failures: i32,
        pub status: NoteStatus,
        pub photo_original_key: Option<String>,
        pub photo_display_key: Option<String>,
        pub photo_content_type: Option<String>,
        pub photo_sha256: Option<String>,
        pub opened_by: Option<Uuid>,
        pub photo_at: Option<DateTimeUtc>,
        pub signer_name: Option<String>,
        pub signed_by: Option<Uuid>,
        pub signed_via: Option<SignedVia>,
        pub remarks: Option<String>,
        pub lines: Option<Json>,
        pub signed_at: Option<DateTimeUtc>,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}
