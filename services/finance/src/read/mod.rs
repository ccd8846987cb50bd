//! What other rooms read of finance, each module named for its reader.

pub mod console;
pub mod notify;
