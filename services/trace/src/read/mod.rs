//! Read models and narrow queries other rooms use; each says who uses it and why. They are the
//! only way another crate learns what is in trace's tables: plain structs with typed ids, from
//! functions taking `&impl ConnectionTrait` so the caller may run them inside its own
//! transaction.

pub mod aftersales;
