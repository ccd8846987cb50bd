//! Read models and narrow queries other rooms use; each says who uses it and why. They return
//! plain structs with typed ids, never identity's entities, so identity's tables stay its own.

pub mod console;
pub mod credit;
pub mod demo;
pub mod invoicing;
pub mod notify;
pub mod purchasing;
pub mod restrictions;
pub mod stats;
pub mod wechat;
