//! Review moderation's tables: reports of a review and the operator's moderation history.

use sea_orm::entity::prelude::*;

pub mod review_report {
    use super::*;

    /// Someone reported a review (one row per review and reporter); resolved when the
    /// operator hides the review or keeps it.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "review_reports")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub review_id: Uuid,
        pub reporter_account_id: Uuid,
        pub reason: String,
        pub resolved_at: Option<DateTimeUtc>,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}

pub mod review_moderation_event {
    use super::*;

    /// What the operator did to a review: `hidden` (with a reason), `restored`, `kept`
    /// (reports dismissed). Appended, never changed.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "review_moderation_events")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub review_id: Uuid,
        pub action: String,
        pub reason: Option<String>,
        pub actor_id: Uuid,
        pub at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}
