//! Orders' tables (sea-orm entities) and the queries over them. Every query function takes
//! `&impl ConnectionTrait`, so it runs on the pool or inside the use case's transaction.
//!
//! Aftersales still reads some of these tables directly; that is why the module is public for
//! now (statistics and the demo read through `crate::read`). Each entity stays reachable at
//! `crate::store::<entity>`.

mod credit;
mod delivery;
pub mod entities;
mod moderation;
pub mod queries;
mod reconciliation;
mod rfq_entities;
mod standing;

pub use credit::*;
pub use delivery::{delivery_booking, delivery_note, delivery_slot_load, delivery_window};
pub use entities::*;
pub use moderation::{review_moderation_event, review_report};
pub use reconciliation::{recon_difference, recon_run};
pub use rfq_entities::{rfq, rfq_invitation, rfq_quote};
pub use standing::{standing_order, standing_order_run};
