//! The outside channels behind one trait: text messages through the platform's `SmsSender`
//! ([`sms`]) and WeChat subscription messages ([`wechat`]). Each adapter takes one [`Outgoing`] message and says whether it went, will
//! never go, or may go on a later try.

pub mod sms;
pub mod wechat;

use crate::domain::templates::Rendered;
use crate::domain::{Channel, NotificationKind};
use async_trait::async_trait;
use farmgate_kernel::Phone;
use farmgate_kernel::id::AccountId;

/// One notification leaving by an outside channel.
#[derive(Clone, Debug)]
pub struct Outgoing {
    pub recipient: AccountId,
    pub kind: NotificationKind,
    /// The recipient's phone, when the account has one.
    pub phone: Option<Phone>,
    /// The recipient's WeChat openid for the configured app, when they have one.
    pub openid: Option<String>,
    /// The template parameters, `{name: value}`.
    pub params: serde_json::Value,
    pub texts: Rendered,
    /// The page it opens, relative to the site.
    pub link: Option<String>,
}

/// Why a message did not go.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SendError {
    /// Not for this person or channel (no phone, no WeChat binding, the person refused the
    /// channel's subscription): recorded as skipped, never retried.
    #[error("skipped: {0}")]
    Skip(String),
    /// Refused for good (bad number, template not configured, content refused): recorded as
    /// failed for the operator, never retried.
    #[error("refused: {0}")]
    Permanent(String),
    /// Down, slow or rate limited: tried again later.
    #[error("unavailable: {0}")]
    Transient(String),
}

/// A channel adapter.
#[async_trait]
pub trait ChannelAdapter: Send + Sync + 'static {
    fn channel(&self) -> Channel;
    /// The WeChat app whose openid the channel sends to (`None`: it needs none).
    fn app_id(&self) -> Option<&str> {
        None
    }
    /// Sends one message; the receipt id on success.
    async fn send(&self, message: &Outgoing) -> Result<String, SendError>;
}
