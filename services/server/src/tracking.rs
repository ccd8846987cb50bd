//! The carrier-tracking aggregator, built from settings (issue #19): `tracking_provider =
//! "kuaidi100"` with `kuaidi100_key`, pushes to `{tracking_callback_base_url or
//! public_url}/api/v1/logistics/kuaidi100`, each waybill's salt derived from
//! `tracking_secret`. Unset: no aggregator, sellers enter logistics by hand.

use crate::settings::Settings;
use anyhow::Context;
use farmgate_infra::tracking::kuaidi100::{Kuaidi100, Kuaidi100Config, POLL_URL};
use farmgate_orders::TrackingConfig;
use std::sync::Arc;
use std::time::Duration;

/// The path 快递100 pushes to.
pub const KUAIDI100_PUSH_PATH: &str = "/api/v1/logistics/kuaidi100";

fn set(v: &Option<String>) -> bool {
    v.as_deref().is_some_and(|v| !v.trim().is_empty())
}

fn callback_base(s: &Settings) -> Option<String> {
    s.tracking_callback_base_url
        .clone()
        .or_else(|| s.public_url.clone())
        .map(|u| u.trim().trim_end_matches('/').to_owned())
        .filter(|u| !u.is_empty())
}

/// Every inconsistent tracking setting, each naming its setting.
pub fn check(s: &Settings) -> Vec<String> {
    let mut problems = Vec::new();
    match s.tracking_provider.as_deref().map(str::trim) {
        None | Some("") => {
            if set(&s.kuaidi100_key) {
                problems.push(
                    "kuaidi100_key is set but tracking_provider is not (set it to kuaidi100)"
                        .to_owned(),
                );
            }
        }
        Some("kuaidi100") => {
            if !set(&s.kuaidi100_key) {
                problems.push("tracking_provider kuaidi100 needs kuaidi100_key".to_owned());
            }
            match callback_base(s) {
                Some(b) if b.starts_with("https://") || b.starts_with("http://") => {}
                Some(_) => problems.push(
                    "tracking_callback_base_url (or public_url) must be an http(s) URL".to_owned(),
                ),
                None => problems.push(
                    "tracking_provider needs tracking_callback_base_url or public_url (where pushes arrive)"
                        .to_owned(),
                ),
            }
        }
        Some(other) => problems.push(format!(
            "tracking_provider must be kuaidi100 or unset, not {other:?}"
        )),
    }
    problems
}

/// The aggregator the orders service is given, when one is configured.
pub fn build(s: &Settings) -> anyhow::Result<Option<TrackingConfig>> {
    if !set(&s.tracking_provider) {
        return Ok(None);
    }
    let key = s
        .kuaidi100_key
        .clone()
        .context("kuaidi100_key is not set")?;
    let provider = Kuaidi100::new(Kuaidi100Config {
        key,
        poll_url: s
            .kuaidi100_poll_url
            .clone()
            .unwrap_or_else(|| POLL_URL.to_owned()),
        timeout: Duration::from_secs(10),
    })
    .context("building the 快递100 adapter")?;
    let base = callback_base(s).context("tracking_callback_base_url or public_url is not set")?;
    let secret = match &s.tracking_secret {
        Some(secret) => secret.clone(),
        None => {
            tracing::warn!(
                "tracking_secret not set: using a random one for this process (pushes for parcels subscribed before a restart will fail their signature)"
            );
            let mut bytes = [0u8; 32];
            rand::RngCore::fill_bytes(&mut rand::rng(), &mut bytes);
            hex::encode(bytes)
        }
    };
    Ok(Some(TrackingConfig {
        provider: Arc::new(provider),
        callback_url: format!("{base}{KUAIDI100_PUSH_PATH}"),
        secret,
    }))
}
