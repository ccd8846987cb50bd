//! Read models and narrow queries other rooms use; each says who uses it and why. They return
//! plain structs with typed ids, never the catalogue's entities, so its tables stay its own.

pub mod card;
pub mod console;
pub mod demo;
pub mod notify;
pub mod rfq;
pub mod stats;

pub use card::ListingCard;
