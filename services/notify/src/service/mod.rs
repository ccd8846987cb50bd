//! Notifications' use cases, one file each: turning an event into notifications ([`plan`],
//! [`record`]), sending an outside one ([`deliver`]), the paid-order reminder ([`remind`]),
//! the centre ([`centre`]) and preferences ([`preferences`]).

pub mod centre;
pub mod deliver;
pub mod plan;
pub mod preferences;
pub mod record;
pub mod remind;

use crate::Notify;
use crate::domain::NotificationKind;
use chrono::{DateTime, Utc};
use farmgate_kernel::id::AccountId;
use uuid::Uuid;

/// The outbox topics this room writes (its own jobs).
pub mod topics {
    /// Send one outside notification (`{"notification_id"}`), at its due time.
    pub const DELIVER: &str = "notify.deliver";
    /// A paid sub-order's reminder is due (`{"event_id", "sub_order_id"}`).
    pub const PAID_REMINDER: &str = "notify.paid_reminder";
}

/// One notification to make: for whom, what, about what, opening which page.
#[derive(Clone, Debug, PartialEq)]
pub struct Planned {
    pub recipient: AccountId,
    pub kind: NotificationKind,
    /// The sub-order, claim, recall or organisation it is about.
    pub subject: Option<Uuid>,
    /// The template parameters.
    pub params: serde_json::Value,
    pub link: Option<String>,
}

impl Notify {
    pub(crate) fn now(&self) -> DateTime<Utc> {
        self.infra().clock.now()
    }
}

/// The id a reminder's notifications are keyed by: derived from the paid event's id, so a
/// reminder handled twice writes nothing new, and distinct from it, so the reminder is not
/// taken for the first notice.
pub fn reminder_event_id(paid_event: Uuid) -> Uuid {
    const REMINDER: u128 = 0x6e6f_7469_6679_2d72_656d_696e_6465_7231;
    Uuid::from_u128(paid_event.as_u128() ^ REMINDER)
}
