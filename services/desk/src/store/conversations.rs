//! Conversation tables (sea-orm entities): conversations, their messages, reports of abusive
//! messages and the operator's audited readings.

use crate::domain::conversation::{ConversationSubject, ReportOutcome, Side};

farmgate_infra::stored_enum!(ConversationSubject, Side, ReportOutcome);

pub mod conversation {
    use super::ConversationSubject;
    use sea_orm::entity::prelude::*;

    /// One buyer ↔ seller conversation about a listing or an order (unique per buyer,
    /// subject and seller). Unread counts, notice flags and the response clock are
    /// projections of the messages, kept for the inbox and the figures.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "desk_conversations")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub buyer_account_id: Uuid,
        /// The buyer's display name (never a phone or an address).
        pub buyer_name: String,
        pub seller_org_id: Uuid,
        pub seller_name: String,
        pub subject_kind: ConversationSubject,
        pub subject_id: Uuid,
        /// The listing's title or the order's number.
        pub title: String,
        pub buyer_unread: i32,
        pub seller_unread: i32,
        pub buyer_noticed: bool,
        pub seller_noticed: bool,
        pub last_message_id: Option<Uuid>,
        pub last_message_at: Option<DateTimeUtc>,
        pub first_buyer_message_at: Option<DateTimeUtc>,
        pub first_seller_reply_at: Option<DateTimeUtc>,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}

pub mod conversation_message {
    use super::Side;
    use sea_orm::entity::prelude::*;

    /// A message; hidden by the operator with a reason, never deleted.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "desk_conversation_messages")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub conversation_id: Uuid,
        pub author_account_id: Uuid,
        pub author_side: Side,
        pub author_name: String,
        pub body: String,
        pub hidden_at: Option<DateTimeUtc>,
        pub hidden_reason: Option<String>,
        pub hidden_by: Option<Uuid>,
        pub at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}

pub mod conversation_report {
    use super::ReportOutcome;
    use sea_orm::entity::prelude::*;

    /// A party reported a message as abusive (once per message and reporter).
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "desk_conversation_reports")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub message_id: Uuid,
        pub conversation_id: Uuid,
        pub reporter_account_id: Uuid,
        pub reason: String,
        pub outcome: Option<ReportOutcome>,
        pub resolved_by: Option<Uuid>,
        pub resolved_at: Option<DateTimeUtc>,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}

pub mod conversation_read {
    use sea_orm::entity::prelude::*;

    /// Platform staff read a conversation they are no party to (arbitration): who, when, why.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "desk_conversation_reads")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub conversation_id: Uuid,
        pub account_id: Uuid,
        pub reason: String,
        pub at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}
