//! Notifications' tables. Kind, channel and status columns are read into their domain enums
//! here, once.

use crate::domain::{Channel, DeliveryStatus, NotificationKind};

farmgate_infra::stored_enum!(Channel, DeliveryStatus, NotificationKind);

pub mod notification {
    use super::{Channel, DeliveryStatus, NotificationKind};
    use sea_orm::entity::prelude::*;

    /// One notification to one person by one channel. `(event_id, recipient_id, channel)` is
    /// unique: the same event never makes two.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "notifications")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// The outbox event it came from (or a reminder's id derived from it).
        pub event_id: Uuid,
        pub recipient_id: Uuid,
        pub channel: Channel,
        pub kind: NotificationKind,
        pub urgent: bool,
        /// The sub-order, claim, recall or organisation it is about.
        pub subject_id: Option<Uuid>,
        /// The template parameters, `{name: value}`.
        pub params: Json,
        /// The page it opens.
        pub link: Option<String>,
        pub status: DeliveryStatus,
        /// When an outside message may go (quiet hours).
        pub due_at: DateTimeUtc,
        /// A worker's claim on sending it runs until then.
        pub claimed_until: Option<DateTimeUtc>,
        pub attempts: i32,
        pub last_error: Option<String>,
        pub sent_at: Option<DateTimeUtc>,
        pub read_at: Option<DateTimeUtc>,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod pref {
    use sea_orm::entity::prelude::*;

    /// A person's choice of outside channels for one kind (absent: the kind's default).
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "notification_prefs")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub account_id: Uuid,
        /// A `NotificationKind`'s stored name (a key column stays plain text).
        #[sea_orm(primary_key, auto_increment = false)]
        pub kind: String,
        pub sms: bool,
        pub wechat: bool,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod setting {
    use sea_orm::entity::prelude::*;

    /// A person's quiet hours (absent row: the platform's default; both minutes NULL: none).
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "notification_settings")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub account_id: Uuid,
        pub quiet_start_minute: Option<i16>,
        pub quiet_end_minute: Option<i16>,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
