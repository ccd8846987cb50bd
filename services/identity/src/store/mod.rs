//! Identity's tables (sea-orm entities) and the queries over them. Every query function takes
//! `&impl ConnectionTrait`, so it runs on the pool or inside the use case's transaction.
//!
//! Still `pub` because the demo generator and statistics read these tables directly; their
//! owners are replacing that with `read` models, after which this becomes `pub(crate)`.

pub mod entities;
pub mod queries;

pub use entities::*;

use crate::domain::{
    AccountStatus, BuyerKind, CodePurpose, InvitationStatus, OrgKind, OrgRole, OrgStatus,
    PlatformRole, RestrictionKind, ReviewAction,
};

// Status and role columns are read into their enums here, once.
farmgate_infra::stored_enum!(
    AccountStatus,
    PlatformRole,
    OrgKind,
    OrgStatus,
    OrgRole,
    InvitationStatus,
    ReviewAction,
    CodePurpose,
    RestrictionKind,
    BuyerKind,
);
