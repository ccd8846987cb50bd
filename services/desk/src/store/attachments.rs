//! Photos on desk items (`desk_attachments`) and the follow-up calls owed after a claim
//! (`desk_claim_follow_ups`).

use crate::domain::FollowUpOutcome;

pub mod attachment {
    use sea_orm::entity::prelude::*;

    /// A photo: uploaded by `account_id` (all links empty: not yet sent), then tied once to a
    /// ticket message (`ticket_id`, `message_id`) or a conversation message
    /// (`conversation_id`, `conversation_message_id`). The original is kept privately with its
    /// SHA-256; `display_key` is the copy re-encoded without EXIF that people see.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "desk_attachments")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub account_id: Uuid,
        pub ticket_id: Option<Uuid>,
        pub message_id: Option<Uuid>,
        pub conversation_id: Option<Uuid>,
        pub conversation_message_id: Option<Uuid>,
        pub original_key: String,
        pub display_key: String,
        pub content_type: String,
        pub size_bytes: i64,
        pub sha256: String,
        pub uploaded_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}

pub mod claim_follow_up {
    use super::FollowUpOutcome;
    use sea_orm::entity::prelude::*;

    /// The follow-up call (回访) owed after a claim was resolved: one per claim.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "desk_claim_follow_ups")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub claim_id: Uuid,
        pub claim_number: String,
        pub buyer_account_id: Uuid,
        pub seller_org_id: Uuid,
        pub agent_id: Option<Uuid>,
        pub created_at: DateTimeUtc,
        pub outcome: Option<FollowUpOutcome>,
        pub note: Option<String>,
        pub done_by: Option<Uuid>,
        pub done_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}
