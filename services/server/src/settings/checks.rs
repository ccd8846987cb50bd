//! What the settings must agree on before anything starts: one error naming every
//! inconsistency, the SMS provider's needs, and what production mode refuses.

use super::{Settings, SettingsError, SmsProvider};

/// A setting production mode refuses, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// The setting's name (its file key), or `--demo`.
    pub setting: &'static str,
    pub why: String,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.setting, self.why)
    }
}

impl Settings {
    /// Every inconsistency at once, so one start names them all.
    pub(super) fn check(&self) -> Result<(), SettingsError> {
        let mut problems = Vec::new();
        if self.s3_bucket.is_some()
            && (self.s3_access_key.is_none() || self.s3_secret_key.is_none())
        {
            problems.push("s3_bucket is set but s3_access_key / s3_secret_key are not".to_owned());
        }
        if self.meili_url.is_some() != self.meili_key.is_some() {
            problems.push("meili_url and meili_key go together".to_owned());
        }
        if let Some(url) = &self.database_url
            && !(url.starts_with("postgres://")
                || url.starts_with("postgresql://")
                || url.starts_with("sqlite:"))
        {
            problems.push("database_url must start with postgres:// or sqlite:".to_owned());
        }
        if !(50..=60_000).contains(&self.database_acquire_timeout_ms) {
            problems.push("database_acquire_timeout_ms must be between 50 and 60000".to_owned());
        }
        if !(10..=10_000).contains(&self.redis_timeout_ms) {
            problems.push("redis_timeout_ms must be between 10 and 10000".to_owned());
        }
        if self.redis_breaker_failures == 0 || self.redis_breaker_open_secs == 0 {
            problems.push(
                "redis_breaker_failures and redis_breaker_open_secs must be at least 1".to_owned(),
            );
        }
        if self.body_limit_bytes < 1024 {
            problems.push("body_limit_bytes must be at least 1024".to_owned());
        }
        for (name, secret) in [
            ("payment_webhook_secret", &self.payment_webhook_secret),
            ("carrier_callback_secret", &self.carrier_callback_secret),
            ("tracking_secret", &self.tracking_secret),
        ] {
            if secret.as_ref().is_some_and(|s| s.len() < 16) {
                problems.push(format!("{name} must be at least 16 characters"));
            }
        }
        if self.login_attempts_per_address < 1 {
            problems.push("login_attempts_per_address must be at least 1".to_owned());
        }
        if self.registrations_per_address_per_hour < 1 || self.codes_per_address_per_hour < 1 {
            return Err(SettingsError::Inconsistent(
                "registrations_per_address_per_hour and codes_per_address_per_hour must be at least 1"
                    .to_owned(),
            ));
        }
        if !(1..=3600).contains(&self.code_resend_secs) {
            return Err(SettingsError::Inconsistent(
                "code_resend_secs must be from 1 to 3600".to_owned(),
            ));
        }
        if !(1..=720).contains(&self.setup_link_hours) {
            return Err(SettingsError::Inconsistent(
                "setup_link_hours must be from 1 to 720".to_owned(),
            ));
        }
        if !(1..=60).contains(&self.trace_checkpoint_minutes) {
            problems.push("trace_checkpoint_minutes must be from 1 to 60".to_owned());
        }
        if self.wechat_js_per_address_per_minute < 1 {
            problems.push("wechat_js_per_address_per_minute must be at least 1".to_owned());
        }
        if self.trace_verify_per_address_per_minute < 1 {
            problems.push("trace_verify_per_address_per_minute must be at least 1".to_owned());
        }
        if !(1..=2).contains(&self.trace_chain_version) {
            problems.push("trace_chain_version must be 1 or 2".to_owned());
        }
        if !(1..=168).contains(&self.claim_response_hours) {
            problems.push("claim_response_hours must be from 1 to 168".to_owned());
        }
        if !(1..=336).contains(&self.claim_answer_hours) {
            problems.push("claim_answer_hours must be from 1 to 336".to_owned());
        }
        if !(1..=336).contains(&self.claim_arbitration_hours) {
            problems.push("claim_arbitration_hours must be from 1 to 336".to_owned());
        }
        if self.claim_remind_hours > 72 {
            problems.push("claim_remind_hours must be from 0 to 72".to_owned());
        }
        if !(1..=30).contains(&self.parcel_stalled_days) {
            problems.push("parcel_stalled_days must be from 1 to 30".to_owned());
        }
        if !(1..=60).contains(&self.parcel_overdue_days) {
            problems.push("parcel_overdue_days must be from 1 to 60".to_owned());
        }
        {
            use farmgate_notify::domain::hours::DayWindow;
            if !(1..=1440).contains(&self.notify_remind_minutes) {
                problems.push("notify_remind_minutes must be from 1 to 1440".to_owned());
            }
            if DayWindow::parse(&self.notify_business_hours).is_err() {
                problems.push(
                    "notify_business_hours must be HH:MM-HH:MM with different start and end"
                        .to_owned(),
                );
            }
            if self.notify_wechat_app_id.is_some() != self.notify_wechat_app_secret.is_some() {
                problems.push(
                    "notify_wechat_app_id and notify_wechat_app_secret go together".to_owned(),
                );
            }
            if let Err(e) =
                farmgate_notify::channels::wechat::parse_templates(&self.notify_wechat_templates)
            {
                problems.push(format!("notify_wechat_templates: {e}"));
            }
            if !["formal", "trial", "developer"].contains(&self.notify_wechat_state.as_str()) {
                problems.push("notify_wechat_state must be formal, trial or developer".to_owned());
            }
            if !self.notify_quiet_hours.trim().is_empty()
                && DayWindow::parse(&self.notify_quiet_hours).is_err()
            {
                problems.push(
                    "notify_quiet_hours must be empty or HH:MM-HH:MM with different start and end"
                        .to_owned(),
                );
            }
        }
        if self.claim_auto_approve_fen < 0 {
            problems.push("claim_auto_approve_fen cannot be negative".to_owned());
        }
        if !(1..=60).contains(&self.auto_receive_days) {
            problems.push("auto_receive_days must be from 1 to 60".to_owned());
        }
        if !(1..=720).contains(&self.ship_within_hours) {
            problems.push("ship_within_hours must be from 1 to 720".to_owned());
        }
        if !(1..=168).contains(&self.ship_by_remind_hours) {
            problems.push("ship_by_remind_hours must be from 1 to 168".to_owned());
        }
        if !(1..=720).contains(&self.ship_by_grace_hours) {
            problems.push("ship_by_grace_hours must be from 1 to 720".to_owned());
        }
        if !(1..=168).contains(&self.cancel_answer_hours) {
            problems.push("cancel_answer_hours must be from 1 to 168".to_owned());
        }
        if !(1..=168).contains(&self.extra_charge_answer_hours) {
            problems.push("extra_charge_answer_hours must be from 1 to 168".to_owned());
        }
        if !(1..=720).contains(&self.presale_balance_pay_hours) {
            problems.push("presale_balance_pay_hours must be from 1 to 720".to_owned());
        }
        if let Err(e) = self.trusted_proxies() {
            problems.push(format!("trusted_proxies: {e}"));
        }
        if let Some(addr) = &self.metrics_addr
            && addr.parse::<std::net::SocketAddr>().is_err()
        {
            problems.push(format!(
                "metrics_addr {addr:?} is not an address and port (127.0.0.1:9100)"
            ));
        }
        if self
            .metrics_token
            .as_ref()
            .is_some_and(|t| t.trim().chars().count() < 32)
        {
            problems.push("metrics_token must be at least 32 characters".to_owned());
        }
        if let Err(e) = self.check_sms() {
            problems.push(e);
        }
        problems.extend(crate::payments::check(self));
        problems.extend(crate::tracking::check(self));
        if problems.is_empty() {
            Ok(())
        } else {
            Err(SettingsError::Inconsistent(problems.join("; ")))
        }
    }

    /// What the server must refuse to start with in production mode, each naming its setting
    /// (empty outside production, and when all is well). `demo` is a run that creates demo
    /// data (`serve --demo`, `seed-demo`, `demo-history`). A pure function: the start-up check
    /// adds what only the running services can tell (a demo password still in use).
    pub fn production_refusals(&self, demo: bool) -> Vec<Refusal> {
        if !self.production {
            return Vec::new();
        }
        let mut refusals = Vec::new();
        let mut refuse = |setting: &'static str, why: String| {
            refusals.push(Refusal { setting, why });
        };
        if demo {
            refuse(
                "--demo",
                "demo data (accounts with published passwords, sample orders) is never created \
                 in production: run `farmgate serve` without --demo"
                    .to_owned(),
            );
        }
        if self.payment_sandbox {
            refuse(
                "payment_sandbox",
                "the sandbox gateway lets a buyer mark their own order paid: set \
                 payment_sandbox = false"
                    .to_owned(),
            );
        }
        if self.demo_clock {
            refuse(
                "demo_clock",
                "the demo clock lets a request move the platform's time and pass every \
                 deadline: set demo_clock = false"
                    .to_owned(),
            );
        }
        if self.sms_provider == SmsProvider::Outbox {
            refuse(
                "sms_provider",
                "the outbox stores phone codes readable in the database and sends nothing: \
                 choose aliyun or tencent"
                    .to_owned(),
            );
        }
        match self.public_url.as_deref().map(str::trim) {
            Some(url) if url.starts_with("https://") && url.len() > "https://".len() => {}
            Some(url) => refuse(
                "public_url",
                format!(
                    "{url:?} is not https://: links on labels, QR codes and messages must not \
                     send people to plain HTTP"
                ),
            ),
            None => refuse(
                "public_url",
                "unset: set the https:// address people reach the marketplace at".to_owned(),
            ),
        }
        if self.trace_log_key_file.is_none() {
            refuse(
                "trace_log_key_file",
                "unset: the trace log's signing key must be a file you back up and keep \
                 (`farmgate keygen --name <origin> --out <file>`), not one made in data_dir"
                    .to_owned(),
            );
        }
        // A secret left unset is invented by each process at start, so a value signed by one
        // replica (a WeChat authorisation state, a carrier callback, a waybill's push salt)
        // fails on every other replica and after every restart.
        let unset = |value: &Option<String>| value.as_deref().is_none_or(|v| v.trim().is_empty());
        if unset(&self.payment_webhook_secret) {
            refuse(
                "payment_webhook_secret",
                "unset: it signs the WeChat authorisation round trip; each replica would invent \
                 its own, and a buyer sent back to another replica could not pay"
                    .to_owned(),
            );
        }
        if unset(&self.carrier_callback_secret) {
            refuse(
                "carrier_callback_secret",
                "unset: carrier callbacks signed for one replica would fail on the others"
                    .to_owned(),
            );
        }
        if self.tracking_provider.is_some() && unset(&self.tracking_secret) {
            refuse(
                "tracking_secret",
                "unset: 快递100's pushes are signed with a salt derived from it; each replica \
                 would invent its own and refuse the others' pushes"
                    .to_owned(),
            );
        }
        if self.metrics_addr.as_deref() == Some(self.addr.as_str()) {
            refuse(
                "metrics_addr",
                "is the public address: give /metrics its own, internal, address".to_owned(),
            );
        }
        refusals
    }

    /// A provider needs its credentials, a sign name and the code template; the outbox needs
    /// nothing.
    fn check_sms(&self) -> Result<(), String> {
        if !(1..=60).contains(&self.sms_timeout_secs) {
            return Err("sms_timeout_secs must be from 1 to 60".to_owned());
        }
        if let Some(url) = &self.sms_endpoint
            && !(url.starts_with("https://") || url.starts_with("http://"))
        {
            return Err("sms_endpoint must start with https:// or http://".to_owned());
        }
        let mut required = match self.sms_provider {
            SmsProvider::Outbox => return Ok(()),
            SmsProvider::Aliyun => vec![],
            SmsProvider::Tencent => vec![("sms_sdk_app_id", &self.sms_sdk_app_id)],
        };
        required.extend([
            ("sms_access_key_id", &self.sms_access_key_id),
            ("sms_access_key_secret", &self.sms_access_key_secret),
            ("sms_sign_name", &self.sms_sign_name),
            ("sms_template_otp", &self.sms_template_otp),
        ]);
        let missing: Vec<&str> = required
            .iter()
            .filter(|(_, value)| value.as_ref().is_none_or(|v| v.trim().is_empty()))
            .map(|(name, _)| *name)
            .collect();
        if !missing.is_empty() {
            return Err(format!(
                "sms_provider = \"{}\" needs {}",
                self.sms_provider.as_str(),
                missing.join(", ")
            ));
        }
        Ok(())
    }
}
