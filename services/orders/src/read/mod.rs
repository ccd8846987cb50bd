//! Read models and narrow queries other rooms use; each says who uses it and why. They return
//! plain values, never the orders' entities, so its tables stay its own.

pub mod aftersales;
pub mod console;
pub mod credit;
pub mod demo;
pub mod invoicing;
pub mod notify;
pub mod payouts;
pub mod personal_data;
pub mod presold;
pub mod rfq;
pub mod stats;
