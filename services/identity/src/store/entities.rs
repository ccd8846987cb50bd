//! Entities for identity's tables. Enum-valued columns are stored as their snake_case names so
//! a person reading the database with `psql` or `sqlite3` understands it, and are read into
//! their domain enums here, once (`farmgate_infra::stored_enum!` in `store/mod.rs`): a value
//! nobody declared fails the read instead of being compared as text later.

pub mod account {
    use crate::domain::{AccountStatus, PlatformRole};
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "accounts")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub phone: Option<String>,
        pub email: Option<String>,
        pub display_name: String,
        pub password_hash: String,
        pub platform_role: Option<PlatformRole>,
        pub status: AccountStatus,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        /// When the phone was last proven by a code; `None` for accounts made before codes
        /// existed (they verify before they may accept an invitation).
        pub phone_verified_at: Option<DateTimeUtc>,
        /// Bumped in the transaction that revokes any of the account's sessions; every cached
        /// session carries the value it was read with, and a different one sends the request
        /// to the database.
        pub revocation_seq: i64,
        /// The password is the demo password (a demo account): production mode refuses to start.
        pub demo_password: bool,
        /// When the account was erased on its owner's request.
        pub erased_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod session {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "sessions")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// SHA-256 of the token; the token itself is never stored.
        pub token_hash: String,
        pub account_id: Uuid,
        pub created_at: DateTimeUtc,
        pub expires_at: DateTimeUtc,
        pub last_seen_at: DateTimeUtc,
        pub revoked_at: Option<DateTimeUtc>,
        pub user_agent: Option<String>,
        pub ip: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod organisation {
    use crate::domain::{OrgKind, OrgStatus};
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "organisations")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub kind: OrgKind,
        pub name: String,
        pub licence_no: String,
        pub province: String,
        pub city: String,
        pub county: String,
        pub township: Option<String>,
        pub village: Option<String>,
        pub address: Option<String>,
        pub contact_name: String,
        pub contact_phone: String,
        pub status: OrgStatus,
        pub status_reason: Option<String>,
        pub created_by: Uuid,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        pub verified_at: Option<DateTimeUtc>,
        /// A testing body's CMA / CNAS number (`None` for every other kind).
        pub accreditation_no: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod membership {
    use crate::domain::OrgRole;
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "memberships")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub org_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub account_id: Uuid,
        pub role: OrgRole,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod invitation {
    use crate::domain::{InvitationStatus, OrgRole};
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "invitations")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub org_id: Uuid,
        /// Normalised phone or e-mail of the invitee.
        pub login: String,
        pub role: OrgRole,
        pub status: InvitationStatus,
        pub invited_by: Uuid,
        pub created_at: DateTimeUtc,
        pub responded_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod org_review {
    use crate::domain::ReviewAction;
    use sea_orm::entity::prelude::*;

    /// Append-only verification history.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "org_reviews")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub org_id: Uuid,
        pub action: ReviewAction,
        pub actor_id: Uuid,
        pub reason: Option<String>,
        pub at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod audit {
    use sea_orm::entity::prelude::*;

    /// Append-only record of privileged actions: who, what, when, from where.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "audit_log")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub at: DateTimeUtc,
        pub actor_id: Option<Uuid>,
        pub action: String,
        pub target_type: String,
        pub target_id: Option<String>,
        pub ip: Option<String>,
        pub request_id: Option<String>,
        pub details: Json,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod phone_code {
    use crate::domain::CodePurpose;
    use sea_orm::entity::prelude::*;

    /// A one-time code sent to a phone. Only a keyed hash of the code is stored.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "phone_codes")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub phone: String,
        pub purpose: CodePurpose,
        pub code_hash: String,
        pub attempts: i32,
        pub created_at: DateTimeUtc,
        pub expires_at: DateTimeUtc,
        pub consumed_at: Option<DateTimeUtc>,
        pub ip: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod setup_link {
    use sea_orm::entity::prelude::*;

    /// A one-time link that sets an account's first password (the first operator's, made by
    /// `farmgate admin create-operator` when no terminal can prompt). Only its hash is stored.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "setup_links")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub account_id: Uuid,
        pub token_hash: String,
        pub created_at: DateTimeUtc,
        pub expires_at: DateTimeUtc,
        pub used_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod buyer_profile {
    use crate::domain::BuyerKind;
    use sea_orm::entity::prelude::*;

    /// A business buyer's purchasing settings (issue #22): its kind and the limit above which
    /// a purchaser's order waits for a manager. No row: no kind told, no limit.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "buyer_profiles")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub org_id: Uuid,
        pub buyer_kind: Option<BuyerKind>,
        pub approval_limit_fen: Option<i64>,
        pub updated_by: Uuid,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod restriction {
    use crate::domain::RestrictionKind;
    use sea_orm::entity::prelude::*;

    /// A restriction on an account, applied and (maybe) lifted; kept after lifting.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "account_restrictions")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub account_id: Uuid,
        pub kind: RestrictionKind,
        /// The kind while the restriction is active, `None` once lifted: unique with the
        /// account, so an account has one active restriction of a kind at most.
        pub active_kind: Option<RestrictionKind>,
        pub reason: String,
        pub applied_by: Uuid,
        pub applied_at: DateTimeUtc,
        pub lifted_by: Option<Uuid>,
        pub lift_reason: Option<String>,
        pub lifted_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod wechat_login {
    use sea_orm::entity::prelude::*;

    /// An account's WeChat identity under one official account: web authorisation's openid
    /// (and unionid when told) signs the person in to this account.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "wechat_logins")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub app_id: String,
        #[sea_orm(primary_key, auto_increment = false)]
        pub openid: String,
        pub account_id: Uuid,
        pub unionid: Option<String>,
        pub bound_at: DateTimeUtc,
        pub last_login_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

pub mod wechat_ticket {
    use sea_orm::entity::prelude::*;

    /// A WeChat user back from web authorisation with no bound account: redeemed once, within
    /// ten minutes, by a phone-code log-in or registration in the same browser. Only the
    /// token's SHA-256 is kept.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "wechat_login_tickets")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub token_hash: String,
        pub app_id: String,
        pub openid: String,
        pub unionid: Option<String>,
        pub created_at: DateTimeUtc,
        pub expires_at: DateTimeUtc,
        pub used_at: Option<DateTimeUtc>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
