//! What other rooms read of the desk, each module named for its reader.

pub mod console;
pub mod credit;
pub mod notify;
