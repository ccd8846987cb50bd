//! Reusable queries, one file per family of tables.

pub mod attachments;
pub mod conversations;
pub mod people;
pub mod tickets;

/// Ids per `IN (…)` list, far below SQLite's limit of 32 766 bound parameters.
pub(crate) const CHUNK: usize = 1_000;
