//! Read models and narrow queries other rooms use; each says who uses it and why. They return
//! plain values with typed ids, never trace's entities, so its tables stay its own.

pub mod aftersales;
pub mod demo;
pub mod orders;
pub mod server;
pub mod stats;
