//! Credit terms' tables (issue #22): credit lines, their change history, the buyer's ledger,
//! monthly statements and payments against them. Queries in `queries::credit`.

farmgate_infra::stored_enum!(
    crate::domain::credit::CreditStatus,
    crate::domain::credit::EntryKind,
);

macro_rules! credit_entity {
    ($($t:tt)*) => {
        $($t)*
        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}
        impl ActiveModelBehavior for ActiveModel {}
    };
}

pub mod credit_line {
    use crate::domain::credit::CreditStatus;
    use sea_orm::entity::prelude::*;

    credit_entity! {
        /// A business buyer's credit line: one per organisation. `outstanding_fen` is what it
        /// owes now; it moves only by conditional updates.
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "credit_lines")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub org_id: Uuid,
            pub limit_fen: i64,
            pub terms_days: i32,
            pub status: CreditStatus,
            pub outstanding_fen: i64,
            pub updated_by: Uuid,
            pub created_at: DateTimeUtc,
            pub updated_at: DateTimeUtc,
        }
    }
}

pub mod credit_line_change {
    use crate::domain::credit::CreditStatus;
    use sea_orm::entity::prelude::*;

    credit_entity! {
        /// Who set a line to what, when (the audit of grants, raises and suspensions).
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "credit_line_changes")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub id: Uuid,
            pub org_id: Uuid,
            pub limit_fen: i64,
            pub terms_days: i32,
            pub status: CreditStatus,
            pub changed_by: Uuid,
            pub changed_at: DateTimeUtc,
        }
    }
}

pub mod credit_entry {
    use crate::domain::credit::EntryKind;
    use sea_orm::entity::prelude::*;

    credit_entity! {
        /// One movement of what a buyer owes (always a positive amount; the kind says which
        /// way).
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "credit_entries")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub id: Uuid,
            pub org_id: Uuid,
            pub kind: EntryKind,
            pub amount_fen: i64,
            pub order_id: Option<Uuid>,
            pub refund_id: Option<Uuid>,
            /// The statement that billed it (charges and refunds), or that it paid.
            pub statement_id: Option<Uuid>,
            pub actor_id: Option<Uuid>,
            pub created_at: DateTimeUtc,
        }
    }
}

pub mod credit_statement {
    use sea_orm::entity::prelude::*;

    credit_entity! {
        /// A buyer's monthly statement: one per organisation and month.
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "credit_statements")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub id: Uuid,
            pub org_id: Uuid,
            /// `2026-12` (Shanghai).
            pub month: String,
            /// The first moment after the month (Shanghai midnight, in UTC): entries before it
            /// and not billed before are its lines.
            pub period_end: DateTimeUtc,
            pub charges_fen: i64,
            pub refunds_fen: i64,
            /// `charges_fen - refunds_fen`.
            pub total_fen: i64,
            pub paid_fen: i64,
            pub due_date: Date,
            pub overdue_notified_at: Option<DateTimeUtc>,
            /// When its members were told it falls due within three days (migration 59).
            pub due_soon_notified_at: Option<DateTimeUtc>,
            pub created_at: DateTimeUtc,
        }
    }
}

pub mod credit_statement_payment {
    use sea_orm::entity::prelude::*;

    credit_entity! {
        /// A payment against a statement: a bank transfer finance recorded, or a gateway's.
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "credit_statement_payments")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub id: Uuid,
            pub statement_id: Uuid,
            pub org_id: Uuid,
            pub amount_fen: i64,
            /// `bank_transfer`, or the gateway's name.
            pub channel: String,
            /// The bank's or the gateway's reference: one payment per reference.
            pub reference: String,
            pub recorded_by: Option<Uuid>,
            pub created_at: DateTimeUtc,
        }
    }
}
