//! Orders' tables.

pub mod address {
    use sea_orm::entity::prelude::*;

    /// A buyer's saved delivery address. Orders copy it; editing it never changes an order.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "addresses")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub account_id: Uuid,
        pub name: String,
        pub phone: String,
        pub province: String,
        pub city: String,
        pub district: String,
        pub street: String,
        pub is_default: bool,
        pub deleted: bool,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod cart_item {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "cart_items")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub account_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub sku_id: Uuid,
        pub quantity: i64,
        pub price_seen_fen: i64,
        pub added_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod order {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "orders")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub number: String,
        pub buyer_account_id: Uuid,
        pub buyer_org_id: Option<Uuid>,
        pub wholesale: bool,
        /// The delivery address as it was at checkout.
        pub address: Json,
        pub goods_fen: i64,
        pub shipping_fen: i64,
        pub total_fen: i64,
        pub payment_method: String,
        /// A projection of the event log (`pending_payment`, `paid`, `cancelled`, `expired`).
        pub status: String,
        pub pay_by: DateTimeUtc,
        pub paid_at: Option<DateTimeUtc>,
        pub idempotency_key: Option<String>,
        pub request_hash: Option<String>,
        pub note: Option<String>,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod sub_order {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "sub_orders")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub order_id: Uuid,
        pub number: String,
        pub seller_org_id: Uuid,
        pub goods_fen: i64,
        pub shipping_fen: i64,
        pub total_fen: i64,
        pub commission_fen: i64,
        pub status: String,
        pub paid_at: Option<DateTimeUtc>,
        pub acknowledged_at: Option<DateTimeUtc>,
        pub shipped_at: Option<DateTimeUtc>,
        pub received_at: Option<DateTimeUtc>,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod line {
    use sea_orm::entity::prelude::*;

    /// What was bought, at what price: a snapshot, never updated.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "order_lines")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub order_id: Uuid,
        pub sub_order_id: Uuid,
        pub listing_id: Uuid,
        pub sku_id: Uuid,
        pub category_id: Uuid,
        pub title: String,
        pub sku_name: String,
        pub unit: String,
        pub quantity: i64,
        pub retail_price_fen: i64,
        pub unit_price_fen: i64,
        pub line_fen: i64,
        pub commission_bp: i32,
        pub commission_fen: i64,
        pub claim_window_hours: i32,
        pub weight_grams: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod event {
    use sea_orm::entity::prelude::*;

    /// Append-only: never updated, never deleted.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "order_events")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub order_id: Uuid,
        pub sub_order_id: Option<Uuid>,
        pub kind: String,
        pub actor_id: Option<Uuid>,
        pub data: Json,
        pub at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod payment {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "payments")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub order_id: Uuid,
        pub provider: String,
        pub amount_fen: i64,
        /// `succeeded` (later: `pending`, `failed` for gateways).
        pub status: String,
        pub reference: Option<String>,
        pub confirmed_by: Option<Uuid>,
        pub created_at: DateTimeUtc,
        pub settled_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
