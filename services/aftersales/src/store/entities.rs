//! After-sales tables (sea-orm entities). Status and kind columns are read into their domain
//! enums here, once: the columns stay strings, a value nobody declared fails the read loudly.

use crate::domain::{
    ClaimKind, ClaimStatus, EventKind, NoticeStatus, RecallOrderedBy, RecourseStatus, Role,
};

farmgate_infra::stored_enum!(
    ClaimKind,
    ClaimStatus,
    EventKind,
    Role,
    RecourseStatus,
    RecallOrderedBy,
    NoticeStatus
);

macro_rules! plain_entity {
    ($($t:tt)*) => {
        $($t)*
        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}
        impl ActiveModelBehavior for ActiveModel {}
    };
}

pub mod claim {
    use super::{ClaimKind, ClaimStatus};
    use sea_orm::entity::prelude::*;

    plain_entity! {
        /// A damage claim on a received sub-order. Figures and status are projections of
        /// `claim_events`.
        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "claims")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub id: Uuid,
            pub number: String,
            pub order_id: Uuid,
            pub sub_order_id: Uuid,
            pub buyer_account_id: Uuid,
            pub seller_org_id: Uuid,
            pub kind: ClaimKind,
            pub description: String,
            pub contact_name: String,
            pub contact_phone: String,
            pub status: ClaimStatus,
            pub claimed_fen: i64,
            pub offered_fen: i64,
            pub refunded_fen: i64,
            pub respond_by: DateTimeUtc,
            pub first_response_at: Option<DateTimeUtc>,
            pub resolved_at: Option<DateTimeUtc>,
            pub escalated: bool,
            pub liability: Option<Json>,
            pub satisfaction: Option<i16>,
            pub satisfaction_comment: Option<String>,
            pub created_at: DateTimeUtc,
            /// The buyer's answer to a seller's offer is due by then (unanswered: accepted).
            pub answer_by: Option<DateTimeUtc>,
            /// The operator's decision on an escalated claim is due by then.
            pub arbitrate_by: Option<DateTimeUtc>,
        }
    }
}

pub mod claim_line {
    use sea_orm::entity::prelude::*;

    plain_entity! {
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "claim_lines")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub claim_id: Uuid,
            #[sea_orm(primary_key, auto_increment = false)]
            pub line_id: Uuid,
            pub quantity: i64,
            /// Quantity × the unit price paid.
            pub amount_fen: i64,
        }
    }
}

pub mod evidence {
    use sea_orm::entity::prelude::*;

    plain_entity! {
        /// A photo: the original kept privately with its SHA-256, a re-encoded copy (no EXIF)
        /// to show the parties.
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "claim_evidence")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub id: Uuid,
            pub account_id: Uuid,
            pub claim_id: Option<Uuid>,
            pub original_key: String,
            pub display_key: String,
            pub content_type: String,
            pub size_bytes: i64,
            pub sha256: String,
            pub uploaded_at: DateTimeUtc,
        }
    }
}

pub mod event {
    use super::{EventKind, Role};
    use sea_orm::entity::prelude::*;

    plain_entity! {
        /// Append-only.
        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "claim_events")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub id: Uuid,
            pub claim_id: Uuid,
            pub kind: EventKind,
            pub actor_id: Option<Uuid>,
                        pub actor_role: Role,
            pub data: Json,
            pub at: DateTimeUtc,
        }
    }
}

pub mod message {
    use super::Role;
    use sea_orm::entity::prelude::*;

    plain_entity! {
        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "claim_messages")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub id: Uuid,
            pub claim_id: Uuid,
            pub author_id: Uuid,
            pub author_role: Role,
            pub body: String,
            /// Evidence ids.
            pub attachments: Json,
            pub at: DateTimeUtc,
        }
    }
}

pub mod recourse {
    use super::RecourseStatus;
    use sea_orm::entity::prelude::*;

    plain_entity! {
        /// What the carrier owes for a claim it is liable for, from the waybill.
        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "carrier_recourse")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub id: Uuid,
            pub claim_id: Uuid,
            pub seller_org_id: Uuid,
            pub carrier: String,
            pub tracking_no: String,
            pub amount_fen: i64,
            /// `[{"id", "sha256"}]` of the claim's photos.
            pub evidence: Json,
                        pub status: RecourseStatus,
            pub created_at: DateTimeUtc,
            /// Collected so far ([`super::collection`] has each part).
            pub collected_fen: i64,
            /// What was outstanding when written off.
            pub written_off_fen: i64,
            pub write_off_reason: Option<String>,
            pub written_off_by: Option<Uuid>,
            /// When it was collected in full or written off.
            pub closed_at: Option<DateTimeUtc>,
        }
    }
}

pub mod collection {
    use sea_orm::entity::prelude::*;

    plain_entity! {
        /// One part of a recourse the carrier paid: the day the money arrived and its
        /// reference (one collection per reference and recourse).
        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "recourse_collections")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub id: Uuid,
            pub recourse_id: Uuid,
            pub amount_fen: i64,
            pub collected_on: Date,
            pub reference: String,
            pub actor_id: Uuid,
            pub created_at: DateTimeUtc,
        }
    }
}

pub mod recall {
    use super::RecallOrderedBy;
    use sea_orm::entity::prelude::*;

    plain_entity! {
        /// A recalled batch.
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "recalls")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub id: Uuid,
            pub batch_id: Uuid,
            pub code: String,
            pub lot: String,
            pub listing_id: Uuid,
            pub seller_org_id: Uuid,
            pub reason: String,
            pub ordered_by: Uuid,
                        pub ordered_role: RecallOrderedBy,
            pub created_at: DateTimeUtc,
        }
    }
}

pub mod notice {
    use super::NoticeStatus;
    use sea_orm::entity::prelude::*;

    plain_entity! {
        /// What a buyer of a recalled batch is told and offered.
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "recall_notices")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub id: Uuid,
            pub recall_id: Uuid,
            pub order_id: Uuid,
            pub sub_order_id: Uuid,
            pub buyer_account_id: Uuid,
            /// `[{"line_id", "title", "quantity", "unit", "amount_fen"}]` packed from the batch.
            pub lines: Json,
            pub offered_fen: i64,
            /// `offered` until the buyer takes the refund, then `refunded`; `nothing_due` when
            /// nothing was left to refund.
            pub status: NoticeStatus,
            pub refund_id: Option<Uuid>,
            pub created_at: DateTimeUtc,
            pub refunded_at: Option<DateTimeUtc>,
        }
    }
}
