//! Catalogue rules as plain types and functions (no axum, no sea-orm): units and the SKU
//! facts a seller types, listing states and when a listing is on sale, the review workflow,
//! and wholesale tiers.
//!
//! - [`units`] — units of sale, prices, stock, weights, GTINs, and a SKU as submitted.
//! - [`listing`] — where a listing stands, when buyers see it, its text facts.
//! - [`review`] — the review machine: submit, decide, force off sale.
//! - [`tiers`] — wholesale tiers and the unit price a buyer pays.
//! - [`vocabulary`] — a county's search words, synonym groups and English names.
//! - [`ranking`] — the per-seller signals search ranks by (shop credit), bounded.
//! - [`shipping`] — the handling time (ship-within) a category promises, inherited down the tree.
//!
//! Everything is re-exported here, so callers write `domain::Unit`, `domain::review` ….

pub mod listing;
pub mod ranking;
pub mod review;
pub mod shipping;
pub mod tiers;
pub mod units;
pub mod vocabulary;

pub use listing::*;
pub use ranking::*;
pub use review::*;
pub use shipping::*;
pub use tiers::*;
pub use units::*;
pub use vocabulary::*;

farmgate_kernel::define_id!(
    /// A listing revision (a proposal the operator decides). Only the catalogue uses it.
    RevisionId
);
farmgate_kernel::define_id!(
    /// A listing photo. Only the catalogue uses it.
    ImageId
);
