//! Standing orders' tables (issue #22): the standing order and one row per period it ran.

use crate::domain::PaymentMethod;
use crate::domain::standing::{RunOutcome, StandingStatus};

farmgate_infra::stored_enum!(StandingStatus, RunOutcome);

pub mod standing_order {
    use super::*;
    use sea_orm::entity::prelude::*;

    /// A business buyer's recurring order with one seller. `lines` is a JSON list of
    /// `{sku_id, quantity, title, sku_name, unit}` (titles as when set up); `next_period` is the
    /// delivery date the generation job waits for (moved on only by a conditional update).
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "standing_orders")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub buyer_org_id: Uuid,
        /// The orderer: generated orders are placed on this account, under its role then.
        pub created_by: Uuid,
        pub seller_org_id: Uuid,
        pub lines: Json,
        pub schedule_kind: String,
        pub weekdays: i32,
        pub every_days: i32,
        pub lead_days: i32,
        pub start_date: Date,
        pub end_date: Option<Date>,
        pub address_id: Uuid,
        pub payment_method: PaymentMethod,
        pub status: StandingStatus,
        pub next_period: Option<Date>,
        pub accepted_at: Option<DateTimeUtc>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}

pub mod standing_order_run {
    use super::*;
    use sea_orm::entity::prelude::*;

    /// What one period of a standing order came to; one row per (standing order, period).
    /// `shortages` is a JSON list of `{sku_id, title, wanted, ordered}`.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "standing_order_runs")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub standing_order_id: Uuid,
        pub period: Date,
        pub outcome: RunOutcome,
        pub order_id: Option<Uuid>,
        pub shortages: Json,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}
    impl ActiveModelBehavior for ActiveModel {}
}
