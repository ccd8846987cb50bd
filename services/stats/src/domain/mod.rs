//! The statistics' rules as plain types and functions (no axum, no sea-orm): the groups a sale
//! counts in and what it adds to them ([`facts`]), days and buckets ([`time`]), the periods a
//! question may ask about ([`period`]) and what officials may see of a group ([`figures`]:
//! the small-group rule).

pub mod analytics;
pub mod board;
pub mod credit;
pub mod external;
pub mod facts;
pub mod figures;
pub mod groups;
pub mod period;
pub mod platform;
pub mod time;

pub use board::{
    BoardPrice, JinPrice, Position, board_price, per_jin, position, shown, shown_parts,
};
pub use facts::{
    Delivery, Delta, Sale, SaleLine, Sums, price_point, refund_delta, sale_delta, shipment_delta,
    split,
};
pub use figures::{Figures, Row, hide_complement, price_summary, share};
pub use groups::{BuyerKind, Dim, Group, UNITS};
pub use period::period;
pub use time::{
    Grain, MAX_DAYS, MAX_DAYS_BY_DAY, day_number, from_day_number, shanghai_day, whole_months,
};

/// Groups with fewer buyers than this are not shown on their own.
pub const MIN_BUYERS: i64 = 5;
