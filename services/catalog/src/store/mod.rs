//! The catalogue's tables (sea-orm entities) and the queries over them. Every query function
//! takes `&impl ConnectionTrait`, so it runs on the pool or inside the use case's transaction.
//!
//! Still `pub` only because the load-test binaries (`tests/load/*_bench.rs`) read these tables;
//! once they use read models (`read/`), this becomes `pub(crate)`.

pub mod entities;
pub mod queries;

pub use entities::*;

use crate::domain::{
    CreditSignal, ListingStatus, RevisionKind, RevisionStatus, SkuChangeField, Unit, VocabularyKind,
};

// Status-like columns are read into their enums here, once.
farmgate_infra::stored_enum!(
    ListingStatus,
    RevisionKind,
    RevisionStatus,
    Unit,
    SkuChangeField,
    VocabularyKind,
    CreditSignal
);
