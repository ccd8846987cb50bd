//! Read models and narrow queries other rooms use; each says who uses it and why. They read
//! this crate's tables so that no other crate has to: the other room gets plain structs with
//! typed ids, never our entities.

pub mod stats;
