//! Desk tables (sea-orm entities). Status and kind columns are read into their domain enums
//! here, once: the columns stay strings, a value nobody declared fails the read loudly.

use crate::domain::{
    AuthorRole, CustomerRecordKind, FollowUpOutcome, LinkKind, TicketChannel, TicketEventKind,
    TicketKind, TicketStatus, TicketUrgency,
};

farmgate_infra::stored_enum!(
    TicketKind,
    TicketUrgency,
    TicketChannel,
    TicketStatus,
    LinkKind,
    AuthorRole,
    TicketEventKind,
    FollowUpOutcome,
    CustomerRecordKind
);

macro_rules! plain_entity {
    ($($t:tt)*) => {
        $($t)*
        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}
        impl ActiveModelBehavior for ActiveModel {}
    };
}

pub mod ticket {
    use super::{LinkKind, TicketChannel, TicketKind, TicketStatus, TicketUrgency};
    use sea_orm::entity::prelude::*;

    plain_entity! {
        /// A ticket. Status and times are projections of `desk_ticket_events`; `version` grows
        /// with every change, so two agents acting at once cannot both win.
        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "desk_tickets")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub id: Uuid,
            pub number: String,
            pub kind: TicketKind,
            pub urgency: TicketUrgency,
            pub channel: TicketChannel,
            pub status: TicketStatus,
            /// `None` for a hotline caller without an account.
            pub opener_account_id: Option<Uuid>,
            pub opener_name: String,
            /// Shown to agents only.
            pub contact_phone: Option<String>,
            pub subject: String,
            pub link_kind: Option<LinkKind>,
            pub link_id: Option<Uuid>,
            pub assignee_id: Option<Uuid>,
            pub assigned_at: Option<DateTimeUtc>,
            pub respond_by: DateTimeUtc,
            pub resolve_by: DateTimeUtc,
            pub next_due_at: Option<DateTimeUtc>,
            pub first_response_at: Option<DateTimeUtc>,
            pub closed_at: Option<DateTimeUtc>,
            pub first_closed_at: Option<DateTimeUtc>,
            pub response_overdue_at: Option<DateTimeUtc>,
            pub resolution_overdue_at: Option<DateTimeUtc>,
            pub reopen_count: i32,
            pub merged_into: Option<Uuid>,
            pub version: i64,
            pub created_at: DateTimeUtc,
            pub updated_at: DateTimeUtc,
            /// The opener's `Idempotency-Key`, unique per opener (`ux_desk_tickets_idempotency`).
            pub idempotency_key: Option<String>,
            /// SHA-256 of the request the key first came with: a retry must match it.
            pub request_hash: Option<String>,
        }
    }
}

pub mod message {
    use super::AuthorRole;
    use sea_orm::entity::prelude::*;

    plain_entity! {
        /// A reply on the ticket's conversation, or an internal note (agents only).
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "desk_messages")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub id: Uuid,
            pub ticket_id: Uuid,
            pub author_id: Option<Uuid>,
            pub author_role: AuthorRole,
            pub author_name: String,
            pub internal: bool,
            pub body: String,
            pub at: DateTimeUtc,
        }
    }
}

pub mod event {
    use super::TicketEventKind;
    use sea_orm::entity::prelude::*;

    plain_entity! {
        /// Append-only.
        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "desk_ticket_events")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub id: Uuid,
            pub ticket_id: Uuid,
            pub kind: TicketEventKind,
            pub actor_id: Option<Uuid>,
            pub data: Json,
            pub at: DateTimeUtc,
        }
    }
}

pub mod agent {
    use sea_orm::entity::prelude::*;

    plain_entity! {
        /// Platform staff who have come to the desk, with their on-duty flag.
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "desk_agents")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub account_id: Uuid,
            pub display_name: String,
            pub on_duty: bool,
            /// Round-robin gives the next ticket to the on-duty agent who waited longest.
            pub last_assigned_at: Option<DateTimeUtc>,
            pub updated_at: DateTimeUtc,
        }
    }
}

pub mod canned {
    use sea_orm::entity::prelude::*;

    plain_entity! {
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "desk_canned_replies")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub id: Uuid,
            pub title: String,
            pub body: String,
            pub active: bool,
            pub updated_by: Uuid,
            pub created_at: DateTimeUtc,
            pub updated_at: DateTimeUtc,
        }
    }
}

pub mod limit {
    use sea_orm::entity::prelude::*;

    plain_entity! {
        /// The operator's override of one kind × urgency limit.
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "desk_limits")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub kind: String,
            #[sea_orm(primary_key, auto_increment = false)]
            pub urgency: String,
            pub respond_minutes: i32,
            pub resolve_minutes: i32,
            pub updated_by: Uuid,
            pub updated_at: DateTimeUtc,
        }
    }
}

pub mod survey {
    use sea_orm::entity::prelude::*;

    plain_entity! {
        /// The customer's rating of a closed ticket: once per ticket (the primary key).
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "desk_surveys")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub ticket_id: Uuid,
            pub account_id: Uuid,
            pub speed: i16,
            pub attitude: i16,
            pub result: i16,
            pub comment: Option<String>,
            pub at: DateTimeUtc,
        }
    }
}

pub mod follow_up {
    use super::FollowUpOutcome;
    use sea_orm::entity::prelude::*;

    plain_entity! {
        /// A follow-up call (回访) owed after a ticket closed: one per closing (`round`).
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "desk_follow_ups")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub id: Uuid,
            pub ticket_id: Uuid,
            pub round: i32,
            pub agent_id: Option<Uuid>,
            pub created_at: DateTimeUtc,
            pub outcome: Option<FollowUpOutcome>,
            pub note: Option<String>,
            pub done_by: Option<Uuid>,
            pub done_at: Option<DateTimeUtc>,
        }
    }
}

pub mod customer_record {
    use super::CustomerRecordKind;
    use sea_orm::entity::prelude::*;

    plain_entity! {
        /// 劣质客户备案: withdrawn, never deleted.
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "desk_customer_records")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub id: Uuid,
            pub account_id: Uuid,
            pub kind: CustomerRecordKind,
            pub evidence: String,
            pub decision: String,
            pub recorded_by: Uuid,
            pub recorded_at: DateTimeUtc,
            pub withdrawn_by: Option<Uuid>,
            pub withdrawn_at: Option<DateTimeUtc>,
        }
    }
}
