//! Reusable queries, one file per family of tables.

pub mod claims;
pub mod evidence;
pub mod recalls;
pub mod recourse;

/// Ids per `IN (…)` list, far below SQLite's limit of 32 766 bound parameters.
pub(crate) const CHUNK: usize = 1_000;
