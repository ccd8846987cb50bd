//! Identity's tables (sea-orm entities) and the queries over them. Every query function takes
//! `&impl ConnectionTrait`, so it runs on the pool or inside the use case's transaction.

pub mod entities;
pub mod queries;

pub use entities::*;
