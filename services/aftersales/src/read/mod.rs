//! Read models and narrow queries other rooms use; each says who uses it and why. They return
//! plain values, never after-sales' entities, so its tables stay its own.

pub mod console;
pub mod credit;
pub mod notify;
