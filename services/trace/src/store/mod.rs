//! Traceability's tables (sea-orm entities) and the queries over them. Every query function
//! takes `&impl ConnectionTrait`, so it runs on the pool or inside the use case's transaction.
//!
//! Still `pub` while other rooms read these tables directly (orders' shipping, after-sales'
//! recall, the server's demo and `verify`, the tests); they move to narrow `read` APIs.

pub mod commitments;
pub mod entities;
pub mod lab_checks;
pub mod log;
pub mod queries;

pub use entities::*;

farmgate_infra::stored_enum!(crate::domain::BatchStatus, crate::domain::EventKind);
