//! Read models and narrow queries other rooms use; each says who uses it and why. Another
//! crate asks these functions instead of reading trace's tables.

pub mod orders;
