//! Reusable queries, by family. Each takes `&impl ConnectionTrait`: the pool or the use case's
//! transaction. Conditional updates return whether they changed a row, so a use case can tell
//! "someone else moved it first" from success.

pub mod addresses;
pub mod cart;
pub mod catch_weights;
pub mod deadlines;
pub mod favourites;
pub mod orders;
pub mod payments;
pub mod reconcile;
pub mod review_moderation;
pub mod reviews;
pub mod shipments;
