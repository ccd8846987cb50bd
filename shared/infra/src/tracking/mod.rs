//! Carrier tracking through an aggregator: a parcel's waybill is subscribed once with its
//! carrier's code, and the aggregator pushes the parcel's track to our callback, signed, each
//! time it changes. [`TrackingProvider`] is what the orders service needs of one;
//! [`kuaidi100::Kuaidi100`] implements it against 快递100's published subscription API
//! (`poll`, the push to `callbackurl`, `sign = MD5(param + salt)` upper-case hex).
//!
//! The tests run it against a simulator that checks the same wire format
//! (`tests/src/track_sim.rs`).

pub mod kuaidi100;

use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// A waybill to subscribe.
#[derive(Clone, Debug)]
pub struct Subscription<'a> {
    /// The aggregator's company code (`shunfeng`, `zhongtong` …).
    pub carrier_code: &'a str,
    pub tracking_no: &'a str,
    /// The receiver's phone, or its last four digits: some carriers (顺丰) answer only with it.
    pub phone: Option<&'a str>,
    /// Where the pushes go.
    pub callback_url: &'a str,
    /// The per-waybill secret the pushes are signed with.
    pub salt: &'a str,
}

/// The aggregator took the subscription.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Subscribed {
    /// Tracked from now on.
    New,
    /// It was tracking this waybill already (a retry after an answer that got lost).
    AlreadyTracked,
}

/// Why a subscription did not happen.
#[derive(Debug, thiserror::Error)]
pub enum TrackingError {
    /// The aggregator said no, in its own code and words (an unknown carrier, a bad key …):
    /// asking again will not help.
    #[error("{provider} refused the subscription ({code}): {message}")]
    Refused {
        provider: &'static str,
        code: String,
        message: String,
    },
    /// No usable answer (unreachable, a timeout, a server error): worth trying again.
    #[error("{provider} could not be asked: {detail}")]
    Transport {
        provider: &'static str,
        detail: String,
    },
}

impl TrackingError {
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Transport { .. })
    }
}

/// A setting that makes the adapter impossible to build (names the setting, never a value).
#[derive(Debug, thiserror::Error)]
pub enum TrackingConfigError {
    #[error("tracking setting {0} is missing")]
    Missing(&'static str),
    #[error("tracking setting {name} is invalid: {why}")]
    Invalid { name: &'static str, why: String },
    #[error("could not build the HTTP client")]
    Client(#[source] reqwest::Error),
}

/// One line of a parcel's track.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TrackLine {
    pub at: DateTime<Utc>,
    /// What happened, in the carrier's words.
    pub context: String,
    /// Where (the aggregator's area name), when it says.
    pub area: Option<String>,
    /// The line's state in words (`在途`, `签收` …), when it says.
    pub status: Option<String>,
    /// The line's state code (`0`, `301`, `1002` …), when it says.
    pub status_code: Option<String>,
}

/// A push, read but not yet trusted: [`TrackingProvider::verify_push`] says whether its
/// signature is right for the waybill's salt.
#[derive(Clone, Debug)]
pub struct Push {
    pub carrier_code: String,
    pub tracking_no: String,
    /// The aggregator's monitoring state (`polling`, `shutdown`, `abort`, `updateall`).
    pub monitor: String,
    pub message: String,
    /// The parcel's state code (`lastResult.state`).
    pub state: String,
    /// Newest first, as the aggregator sends them.
    pub lines: Vec<TrackLine>,
    /// What was signed and its signature, exactly as received.
    pub signed: String,
    pub signature: Option<String>,
}

/// Why a push was not read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PushRefused {
    /// Not the aggregator's format.
    Malformed,
}

/// What the orders service needs of a tracking aggregator.
#[async_trait]
pub trait TrackingProvider: Send + Sync + 'static {
    /// Its name in settings and records (`kuaidi100`).
    fn name(&self) -> &'static str;
    /// Asks it to track a waybill and push to `callback_url`.
    async fn subscribe(&self, s: &Subscription<'_>) -> Result<Subscribed, TrackingError>;
    /// Reads a push body (not yet trusted).
    fn read_push(&self, body: &[u8]) -> Result<Push, PushRefused>;
    /// Whether the push was signed with `salt`.
    fn verify_push(&self, push: &Push, salt: &str) -> bool;
}
