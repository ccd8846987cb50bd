//! The catalogue.

pub mod domain;
pub mod store;
