//! News's tables (sea-orm entities) and the queries over them. Every query function takes
//! `&impl ConnectionTrait`, so it runs on the pool or inside the use case's transaction. Only
//! this crate reads these tables; other rooms use the service's API.

pub mod entities;
pub mod queries;

pub use entities::*;
