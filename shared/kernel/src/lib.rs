//! Domain primitives shared by every Farmgate service.
//!
//! Everything here is plain data with parsing constructors: a value of these types is valid by
//! construction, so handlers and stores cannot forget a check. Nothing here knows about HTTP or
//! the database.

pub mod clock;
pub mod enums;
pub mod error;
pub mod id;
pub mod money;
pub mod paging;
pub mod phone;
pub mod region;
pub mod stats;
pub mod text;
pub mod uscc;

pub use clock::Clock;
pub use error::{FieldError, Msg, ValidationErrors};
pub use money::Money;
pub use paging::{Limit, Offset, Page, Paged};
pub use phone::{Email, LoginId, Phone};
pub use region::Region;
pub use uscc::Uscc;
