//! Finance's tables. Status columns are read into their domain enums here, once.

use crate::domain::{AccountAction, AccountStatus, AdjustmentKind, PayoutStatus};

farmgate_infra::stored_enum!(AccountStatus, AccountAction, PayoutStatus, AdjustmentKind);

macro_rules! plain_entity {
    ($($t:tt)*) => {
        $($t)*
        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}
        impl ActiveModelBehavior for ActiveModel {}
    };
}

pub mod bank_account {
    use super::AccountStatus;
    use sea_orm::entity::prelude::*;

    plain_entity! {
        /// A seller's settlement account: one per organisation, replaced in place by a change
        /// (`version` counts the submissions; the history is `seller_bank_account_changes`).
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "seller_bank_accounts")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub id: Uuid,
            pub org_id: Uuid,
            pub account_name: String,
            pub account_no: String,
            pub bank_name: String,
            pub branch: String,
            pub cnaps: Option<String>,
            pub status: AccountStatus,
            pub reject_reason: Option<String>,
            pub version: i32,
            pub submitted_by: Uuid,
            pub submitted_at: DateTimeUtc,
            pub reviewed_by: Option<Uuid>,
            pub reviewed_at: Option<DateTimeUtc>,
            pub created_at: DateTimeUtc,
        }
    }
}

pub mod account_change {
    use super::AccountAction;
    use sea_orm::entity::prelude::*;

    plain_entity! {
        /// One line of an account's history: submitted, changed, verified, rejected.
        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "seller_bank_account_changes")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub id: Uuid,
            pub account_id: Uuid,
            pub org_id: Uuid,
            pub action: AccountAction,
            pub version: i32,
            pub actor_account_id: Uuid,
            /// What the account said at this step (number included: finance reads it whole).
            pub details: Json,
            pub created_at: DateTimeUtc,
        }
    }
}

pub mod batch {
    use sea_orm::entity::prelude::*;

    plain_entity! {
        #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
        #[sea_orm(table_name = "payout_batches")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub id: Uuid,
            pub number: String,
            pub period_end: Date,
            /// Sub-orders whose window closed by this instant were paid.
            pub cutoff: DateTimeUtc,
            pub payouts: i32,
            pub total_fen: i64,
            /// The sellers held back (no verified account): `[HeldSeller]`.
            pub held: Json,
            pub created_by: Uuid,
            pub created_at: DateTimeUtc,
        }
    }
}

pub mod payout {
    use super::PayoutStatus;
    use sea_orm::entity::prelude::*;

    plain_entity! {
        /// One seller's payout in a batch, with the account it is paid to as it was verified
        /// when the batch was made.
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "payouts")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub id: Uuid,
            pub batch_id: Uuid,
            /// 序号 in the bank file.
            pub seq: i32,
            pub org_id: Uuid,
            pub org_name: String,
            pub bank_account_id: Uuid,
            pub bank_account_version: i32,
            pub account_name: String,
            pub account_no: String,
            pub bank_name: String,
            pub branch: String,
            pub cnaps: Option<String>,
            pub amount_fen: i64,
            pub sub_orders: i32,
            pub status: PayoutStatus,
            pub bank_reference: Option<String>,
            pub failure_reason: Option<String>,
            pub settled_by: Option<Uuid>,
            pub settled_at: Option<DateTimeUtc>,
            pub created_at: DateTimeUtc,
        }
    }
}

pub mod payout_line {
    use sea_orm::entity::prelude::*;

    plain_entity! {
        /// A sub-order a payout pays. `active_sub_order_id` is the sub-order's id while the
        /// payout is pending or paid and NULL once it failed: its unique index keeps a
        /// sub-order in one active payout at most.
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "payout_lines")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub payout_id: Uuid,
            #[sea_orm(primary_key, auto_increment = false)]
            pub sub_order_id: Uuid,
            pub active_sub_order_id: Option<Uuid>,
            pub number: String,
            pub total_fen: i64,
            pub refunded_fen: i64,
            pub commission_fen: i64,
            pub payable_fen: i64,
        }
    }
}

pub mod payout_adjustment {
    use super::AdjustmentKind;
    use sea_orm::entity::prelude::*;

    plain_entity! {
        /// Money taken back from (or given back by) a seller's next payout: a refund charged
        /// to it after the sub-order was paid out (`refund`, negative fen), or that refund given
        /// back because the payout holding the sub-order failed after the refund had been netted
        /// elsewhere (`reversal`, positive fen). `payout_id` is the payout that netted it; NULL
        /// while open, and again once that payout failed.
        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "payout_adjustments")]
        pub struct Model {
            #[sea_orm(primary_key, auto_increment = false)]
            pub id: Uuid,
            pub org_id: Uuid,
            pub sub_order_id: Uuid,
            pub refund_id: Uuid,
            pub kind: AdjustmentKind,
            pub amount_fen: i64,
            pub payout_id: Option<Uuid>,
            /// A reversal: the payout whose failure made it.
            pub failed_payout_id: Option<Uuid>,
            pub created_at: DateTimeUtc,
        }
    }
}
