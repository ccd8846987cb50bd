//! Reusable queries, by family. Each takes `&impl ConnectionTrait`: the pool or the use case's
//! transaction. Conditional updates return whether they changed a row, so a use case can tell
//! "someone else moved it first" from success.

pub mod addresses;
pub mod approvals;
pub mod cart;
pub mod catch_weights;
pub mod credit;
pub mod deadlines;
pub mod delivery;
pub mod extra_charges;
pub mod favourites;
pub mod orders;
pub mod payments;
pub mod presales;
pub mod reconcile;
pub mod review_moderation;
pub mod reviews;
pub mod rfqs;
pub mod shipments;
pub mod standing;
