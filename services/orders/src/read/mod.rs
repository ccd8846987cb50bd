//! Read models and narrow queries other rooms use; each says who uses it and why. They are the
//! only way another crate learns what is in orders' tables: named for the rule they answer
//! ("the claimable part of a received sub-order"), returning plain structs with typed ids, and
//! taking `&impl ConnectionTrait` so the caller may run them inside its own transaction.

pub mod aftersales;
