//! Notifications (站内信 and messages): every role's notification centre, each person's
//! preferences (which outside channels per kind, quiet hours in Beijing time), and delivery.
//!
//! Rooms already write outbox events for what happens (`orders.paid`, `aftersales.recalled`
//! …). [`jobs::NotifyJob`] turns each into notifications by the table in [`domain::rules`]:
//! one row per (event, recipient, channel) under a unique key, so a retried or duplicated
//! event, or two workers, never make (and so never send) one twice. The in-app row is the
//! centre's; each outside row (text message, WeChat) is sent by [`jobs::DeliverJob`] through
//! a [`channels::ChannelAdapter`], at once or when the person's quiet hours end (urgent kinds
//! do not wait). A paid order nobody at the seller has acknowledged or read within 10 business
//! minutes is re-sent to the seller's members and raised to the operators
//! ([`jobs::PaidReminderJob`], scheduled in the outbox table, not in memory).
//!
//! It owns the tables `notifications`, `notification_prefs` and `notification_settings`
//! (`store`, private). Recipients are found through the rooms that own them:
//! `farmgate_identity::read::notify` (members, operators, phones),
//! `farmgate_orders::read::notify` (orders' buyers and sellers) and
//! `farmgate_aftersales::read::notify` (claims' parties, recalls' buyers).

pub mod channels;
pub mod domain;
pub mod error;
pub mod http;
pub mod jobs;
pub mod service;
mod store;

pub use error::NotifyError;
pub use jobs::{DeliverJob, NotifyJob, PaidReminderJob};

use channels::ChannelAdapter;
use domain::Channel;
use domain::hours::DayWindow;
use farmgate_identity::Identity;
use farmgate_infra::Infra;
use std::sync::Arc;

/// How notifications behave (server settings `notify_*`).
#[derive(Clone, Debug)]
pub struct NotifyConfig {
    /// A paid order not acknowledged within this much business time is re-sent and raised to
    /// the operators (the platform rule's 10 minutes).
    pub remind_after: chrono::Duration,
    /// Business hours, Beijing time, in which that time counts.
    pub business_hours: DayWindow,
    /// Quiet hours of a person who chose none.
    pub default_quiet_hours: Option<DayWindow>,
}

impl Default for NotifyConfig {
    fn default() -> Self {
        Self {
            remind_after: chrono::Duration::minutes(10),
            business_hours: domain::hours::DEFAULT_BUSINESS_HOURS,
            default_quiet_hours: Some(domain::hours::DEFAULT_QUIET_HOURS),
        }
    }
}

struct Inner {
    infra: Infra,
    identity: Identity,
    config: NotifyConfig,
    adapters: Vec<Arc<dyn ChannelAdapter>>,
}

/// The notification service. Cheap to clone.
#[derive(Clone)]
pub struct Notify {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Notify {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let channels: Vec<Channel> = self.inner.adapters.iter().map(|a| a.channel()).collect();
        f.debug_struct("Notify")
            .field("config", &self.inner.config)
            .field("channels", &channels)
            .finish_non_exhaustive()
    }
}

impl Notify {
    /// Notifications delivered through `adapters` (one per outside channel; a channel without
    /// an adapter is not offered).
    pub fn new(
        infra: Infra,
        identity: Identity,
        config: NotifyConfig,
        adapters: Vec<Arc<dyn ChannelAdapter>>,
    ) -> Self {
        Self {
            inner: Arc::new(Inner {
                infra,
                identity,
                config,
                adapters,
            }),
        }
    }

    pub fn infra(&self) -> &Infra {
        &self.inner.infra
    }

    pub fn identity(&self) -> &Identity {
        &self.inner.identity
    }

    pub fn config(&self) -> &NotifyConfig {
        &self.inner.config
    }

    /// The adapter of an outside channel, when one is configured.
    pub fn adapter(&self, channel: Channel) -> Option<&Arc<dyn ChannelAdapter>> {
        self.inner.adapters.iter().find(|a| a.channel() == channel)
    }
}
