//! The catalogue's tables and queries.

pub mod entities;

pub use entities::*;
