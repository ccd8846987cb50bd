//! Reconciliation's tables: a run per provider and bill day, and the differences it found.

use crate::domain::reconcile::{DifferenceKind, RunStatus};

farmgate_infra::stored_enum!(DifferenceKind, RunStatus);

pub mod recon_run {
    use crate::domain::reconcile::RunStatus;
    use sea_orm::entity::prelude::*;

    /// One provider's bill of one day compared with the ledger.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "reconciliation_runs")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub provider: String,
        pub bill_date: Date,
        pub status: RunStatus,
        pub bill_entries: i64,
        pub matched: i64,
        pub differences: i64,
        pub error: Option<String>,
        pub triggered_by: Option<Uuid>,
        pub started_at: DateTimeUtc,
        pub finished_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod recon_difference {
    use crate::domain::reconcile::DifferenceKind;
    use sea_orm::entity::prelude::*;

    /// A line of a bill and the ledger that disagree, until someone resolves it with a note.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "reconciliation_differences")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub run_id: Uuid,
        pub provider: String,
        pub bill_date: Date,
        pub kind: DifferenceKind,
        pub out_trade_no: Option<String>,
        pub out_refund_no: Option<String>,
        pub transaction_id: Option<String>,
        pub ours_fen: Option<i64>,
        pub theirs_fen: Option<i64>,
        pub resolved: bool,
        pub resolution: Option<String>,
        /// `None` on a resolved difference: a later bill carried it (a timing difference).
        pub resolved_by: Option<Uuid>,
        pub resolved_at: Option<DateTimeUtc>,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
