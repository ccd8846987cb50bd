//! Orders' tables (sea-orm entities) and the queries over them. Every query function takes
//! `&impl ConnectionTrait`, so it runs on the pool or inside the use case's transaction.
//!
//! Other crates still read some of these tables directly (aftersales, stats, the demo); that is
//! why the module is public for now. Each entity stays reachable at `crate::store::<entity>`.

pub mod entities;
pub mod queries;

pub use entities::*;
