//! Text messages to mainland China mobile phones: one-time codes now, order notifications
//! later.
//!
//! | backend | what happens to a message |
//! | --- | --- |
//! | `outbox` (default) | stored in the `sms_outbox` table and never leaves the machine; the operator reads it on a page, tests read codes from it ([`outbox`]) |
//! | `aliyun` | Alibaba Cloud SMS `SendSms` (API 2017-05-25), signed with the V3 signature ([`aliyun`]) |
//! | `tencent` | Tencent Cloud SMS `SendSms` (API 2021-01-11), signed with TC3-HMAC-SHA256 ([`tencent`]) |
//!
//! Chinese providers send only templates the operator registered and had approved (with a
//! sign name, 签名, shown as 【农源直供】): we send a template id and its variables, never free
//! text. [`SmsTemplate`] names what we send and the variables each template has;
//! [`TemplateIds`] maps it to the provider's ids.
//!
//! Nothing here logs a full phone number or a parameter value (a code is a parameter): phones
//! are masked (`138****8000`), parameters never printed, and whatever a provider answers is
//! scrubbed of both before it reaches an error or a log line.

pub mod aliyun;
pub mod outbox;
pub mod tencent;
mod wire;

use async_trait::async_trait;
use farmgate_kernel::Phone;
use std::collections::HashMap;
use std::time::Duration;

pub use aliyun::{AliyunConfig, AliyunSms};
pub use outbox::{OutboxMessage, SmsOutbox};
pub use tencent::{TencentConfig, TencentSms};

farmgate_kernel::wire_enum!(
    /// What we send by text message. Each is one template the operator registers with the
    /// provider, with the variables [`SmsTemplate::variables`] names.
    SmsTemplate {
        /// A one-time code: registration, log-in by code, password reset, change of phone,
        /// accepting an invitation. One template serves them all (providers approve
        /// verification-code templates separately and allow them a single code variable).
        Otp => "otp",
        /// An order was paid (to the seller).
        OrderPaid => "order_paid",
        /// A parcel left (to the buyer).
        Shipped => "shipped",
        /// A damage claim moved (to the buyer or the seller).
        ClaimUpdate => "claim_update",
        /// A batch the buyer received was recalled.
        Recall => "recall",
        /// A paid part's ship-by deadline is near (to the seller; issue #18).
        ShipByNear => "ship_by_near",
        /// The buyer asks to cancel a paid, unshipped part (to the seller, who must answer).
        CancelRequested => "cancel_requested",
        /// The buyer's cancellation was accepted and the part refunded (to the buyer).
        OrderCancelled => "order_cancelled",
    }
);

crate::stored_enum!(SmsTemplate);

impl SmsTemplate {
    /// The template's variables, in order. Alibaba templates name them (`${code}`); Tencent
    /// templates number them (`{1}`, `{2}` …) and take the values in this order.
    /// The notification templates are placeholders until the notification work lands.
    pub fn variables(self) -> &'static [&'static str] {
        match self {
            Self::Otp => &["code"],
            Self::OrderPaid => &["order"],
            Self::Shipped => &["order", "tracking"],
            Self::ClaimUpdate => &["claim", "status"],
            Self::Recall => &["product", "batch"],
            Self::ShipByNear | Self::CancelRequested | Self::OrderCancelled => &["order"],
        }
    }
}

/// Longest variable value, in characters. Alibaba allows 35 per variable; Tencent allows 12 to
/// individual accounts and more to companies, so keep notification values short.
pub const MAX_VALUE_CHARS: usize = 35;

/// Why a message could not be built. Never carries a value: it may be a code.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum InvalidSms {
    #[error("template {template} takes the variables {expected:?}, given {given:?}")]
    WrongVariables {
        template: SmsTemplate,
        expected: &'static [&'static str],
        given: Vec<String>,
    },
    #[error("variable {name} is empty")]
    Empty { name: String },
    #[error("variable {name} is longer than {MAX_VALUE_CHARS} characters")]
    TooLong { name: String },
    #[error("variable {name} contains a control character or a link")]
    Forbidden { name: String },
    #[error("a one-time code is 4 to 6 digits")]
    NotACode,
}

/// One text message, valid by construction: a mainland number, a template, and exactly the
/// template's variables with short printable values.
#[derive(Clone, PartialEq, Eq)]
pub struct SmsMessage {
    to: Phone,
    template: SmsTemplate,
    params: Vec<(String, String)>,
}

impl SmsMessage {
    /// Checks `params` (name → value, in the template's order) against the template.
    pub fn new<N, V>(
        to: Phone,
        template: SmsTemplate,
        params: impl IntoIterator<Item = (N, V)>,
    ) -> Result<Self, InvalidSms>
    where
        N: Into<String>,
        V: Into<String>,
    {
        let params: Vec<(String, String)> = params
            .into_iter()
            .map(|(n, v)| (n.into(), v.into()))
            .collect();
        let names: Vec<&str> = params.iter().map(|(n, _)| n.as_str()).collect();
        if names != template.variables() {
            return Err(InvalidSms::WrongVariables {
                template,
                expected: template.variables(),
                given: names.into_iter().map(str::to_owned).collect(),
            });
        }
        for (name, value) in &params {
            check_value(name, value)?;
        }
        if template == SmsTemplate::Otp
            && !params
                .iter()
                .all(|(_, v)| (4..=6).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(InvalidSms::NotACode);
        }
        Ok(Self {
            to,
            template,
            params,
        })
    }

    /// A one-time code (4 to 6 digits; Tencent refuses longer ones in code templates).
    pub fn one_time_code(to: Phone, code: &str) -> Result<Self, InvalidSms> {
        Self::new(to, SmsTemplate::Otp, [("code", code)])
    }

    pub fn to(&self) -> &Phone {
        &self.to
    }

    pub fn template(&self) -> SmsTemplate {
        self.template
    }

    /// The variables, name → value, in the template's order.
    pub fn params(&self) -> &[(String, String)] {
        &self.params
    }

    /// One variable's value.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

fn check_value(name: &str, value: &str) -> Result<(), InvalidSms> {
    let name = || name.to_owned();
    if value.trim().is_empty() {
        return Err(InvalidSms::Empty { name: name() });
    }
    if value.chars().count() > MAX_VALUE_CHARS {
        return Err(InvalidSms::TooLong { name: name() });
    }
    // Control characters break the message; Tencent refuses links in variables, and a link
    // in a variable is how SMS templates are abused for phishing.
    if value.chars().any(char::is_control) || value.contains("://") {
        return Err(InvalidSms::Forbidden { name: name() });
    }
    Ok(())
}

impl std::fmt::Debug for SmsMessage {
    // The phone masked, the values hidden: a value may be a one-time code.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.params.iter().map(|(n, _)| n.as_str()).collect();
        f.debug_struct("SmsMessage")
            .field("to", &self.to.masked())
            .field("template", &self.template)
            .field("params", &names)
            .finish()
    }
}

/// The provider took the message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SmsReceipt {
    /// `"outbox"`, `"aliyun"` or `"tencent"`.
    pub backend: &'static str,
    /// The provider's id for the message (Alibaba `BizId`, Tencent `SerialNo`, the outbox
    /// row id), to look it up in the provider's console.
    pub id: String,
    /// The provider's id for the API call, for a support ticket.
    pub request_id: Option<String>,
}

/// What a provider answered, for the operator's log. Scrubbed of the phone number and the
/// parameter values; never shown to users.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderReply {
    /// `"aliyun"`, `"tencent"` or `"outbox"`.
    pub provider: &'static str,
    /// The provider's own error code (`isv.BUSINESS_LIMIT_CONTROL`,
    /// `AuthFailure.SignatureFailure` …), or ours for a failure on the way there
    /// (`http.timeout`, `http.connect`, `http.503`, `database`).
    pub code: String,
    pub message: String,
    pub request_id: Option<String>,
}

impl std::fmt::Display for ProviderReply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.provider, self.code, self.message)?;
        if let Some(id) = &self.request_id {
            write!(f, " (request {id})")?;
        }
        Ok(())
    }
}

/// Why a message was not sent, sorted by what to do about it.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SmsError {
    /// The provider's rate limit for this number or for our account: try again later (tell
    /// the person to wait `retry_after` when known).
    #[error("rate limited by {reply}")]
    RateLimited {
        reply: ProviderReply,
        retry_after: Option<Duration>,
    },
    /// The number cannot receive messages: not a valid number, not reachable, or on the
    /// provider's block list. Tell the person; retrying will not help.
    #[error("the number cannot receive text messages: {0}")]
    InvalidNumber(ProviderReply),
    /// The provider refused the content: unknown or unapproved template, sign name, wrong
    /// variables, forbidden words. Our misconfiguration: the operator must fix it.
    #[error("the provider refused the message (check the templates and sign name): {0}")]
    Refused(ProviderReply),
    /// The provider did not accept our credentials or signature (wrong key, wrong secret,
    /// our clock off). Our misconfiguration: the operator must fix it.
    #[error("the provider refused our credentials: {0}")]
    AuthFailed(ProviderReply),
    /// The provider will not send for our account: balance used up, service suspended or not
    /// enabled. The operator must act (top up, enable).
    #[error("the provider account cannot send: {0}")]
    Account(ProviderReply),
    /// The provider is down, slow or unreachable, or answered something we do not
    /// understand: transient, try again later.
    #[error("the provider is unavailable: {0}")]
    Unavailable(ProviderReply),
    /// No provider template id is configured for this template (`sms_template_*`).
    #[error("no {backend} template id is configured for {template}")]
    TemplateNotConfigured {
        backend: &'static str,
        template: SmsTemplate,
    },
}

impl SmsError {
    /// A stable name of the kind, for logs and metrics.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::RateLimited { .. } => "rate_limited",
            Self::InvalidNumber(_) => "invalid_number",
            Self::Refused(_) => "refused",
            Self::AuthFailed(_) => "auth_failed",
            Self::Account(_) => "account",
            Self::Unavailable(_) => "unavailable",
            Self::TemplateNotConfigured { .. } => "template_not_configured",
        }
    }

    /// What the provider said, when it said something.
    pub fn reply(&self) -> Option<&ProviderReply> {
        match self {
            Self::RateLimited { reply, .. } => Some(reply),
            Self::InvalidNumber(r)
            | Self::Refused(r)
            | Self::AuthFailed(r)
            | Self::Account(r)
            | Self::Unavailable(r) => Some(r),
            Self::TemplateNotConfigured { .. } => None,
        }
    }

    /// Worth trying again later, unchanged.
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::RateLimited { .. } | Self::Unavailable(_))
    }

    /// Only the operator can fix it (credentials, templates, account).
    pub fn needs_operator(&self) -> bool {
        matches!(
            self,
            Self::Refused(_)
                | Self::AuthFailed(_)
                | Self::Account(_)
                | Self::TemplateNotConfigured { .. }
        )
    }

    /// How long the provider asked us to wait, when it said.
    pub fn retry_after(&self) -> Option<Duration> {
        match self {
            Self::RateLimited { retry_after, .. } => *retry_after,
            _ => None,
        }
    }
}

/// The SMS contract: one message to one phone.
#[async_trait]
pub trait SmsSender: Send + Sync + 'static {
    /// `"outbox"`, `"aliyun"` or `"tencent"`, for the start-up log.
    fn backend(&self) -> &'static str;
    /// Hands the message to the provider (or the outbox). No retry inside: the caller knows
    /// whether a late code is still worth sending.
    async fn send(&self, message: &SmsMessage) -> Result<SmsReceipt, SmsError>;
}

/// The provider's template id for each of our templates (Alibaba `SMS_123456789`, Tencent
/// `1234567`). A template without an id cannot be sent with that provider.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TemplateIds(HashMap<SmsTemplate, String>);

impl TemplateIds {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds an id (a builder).
    pub fn with(mut self, template: SmsTemplate, id: impl Into<String>) -> Self {
        self.set(template, id);
        self
    }

    pub fn set(&mut self, template: SmsTemplate, id: impl Into<String>) {
        self.0.insert(template, id.into());
    }

    pub fn get(&self, template: SmsTemplate) -> Option<&str> {
        self.0.get(&template).map(String::as_str)
    }
}

/// A provider adapter that cannot be built from its settings.
#[derive(Debug, thiserror::Error)]
pub enum SmsConfigError {
    #[error("SMS endpoint {0:?} is not an http(s) URL with a host and no path")]
    Endpoint(String),
    #[error("SMS setting {0} is empty")]
    Missing(&'static str),
    #[error("building the HTTP client for SMS")]
    Client(#[source] reqwest::Error),
}

#[cfg(test)]
#[expect(clippy::expect_used, reason = "a failed setup is a failed test")]
mod tests {
    use super::*;

    fn phone() -> Phone {
        Phone::parse("13800138000").expect("phone")
    }

    #[test]
    fn a_one_time_code_is_four_to_six_digits() {
        assert!(SmsMessage::one_time_code(phone(), "012345").is_ok());
        assert!(SmsMessage::one_time_code(phone(), "1234").is_ok());
        for bad in ["123", "1234567", "12a456", "１２３４５６"] {
            assert_eq!(
                SmsMessage::one_time_code(phone(), bad),
                Err(InvalidSms::NotACode),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_message_has_exactly_its_templates_variables_in_order() {
        let ok = SmsMessage::new(
            phone(),
            SmsTemplate::Shipped,
            [("order", "FG20261128001"), ("tracking", "SF1234567890")],
        );
        assert!(ok.is_ok());
        let swapped = SmsMessage::new(
            phone(),
            SmsTemplate::Shipped,
            [("tracking", "SF1234567890"), ("order", "FG20261128001")],
        );
        assert!(matches!(swapped, Err(InvalidSms::WrongVariables { .. })));
        let missing = SmsMessage::new(phone(), SmsTemplate::Shipped, [("order", "FG1")]);
        assert!(matches!(missing, Err(InvalidSms::WrongVariables { .. })));
        let extra = SmsMessage::new(
            phone(),
            SmsTemplate::Otp,
            [("code", "123456"), ("minutes", "5")],
        );
        assert!(matches!(extra, Err(InvalidSms::WrongVariables { .. })));
    }

    #[test]
    fn values_are_short_printable_and_link_free() {
        let make = |v: &str| SmsMessage::new(phone(), SmsTemplate::OrderPaid, [("order", v)]);
        assert!(make("梅岭脐橙 5 斤装").is_ok());
        assert!(matches!(make(" "), Err(InvalidSms::Empty { .. })));
        assert!(matches!(
            make(&"橙".repeat(36)),
            Err(InvalidSms::TooLong { .. })
        ));
        assert!(make(&"橙".repeat(35)).is_ok());
        assert!(matches!(make("a\nb"), Err(InvalidSms::Forbidden { .. })));
        assert!(matches!(
            make("https://evil.example"),
            Err(InvalidSms::Forbidden { .. })
        ));
    }

    #[test]
    fn debug_output_masks_the_phone_and_hides_the_code() {
        let m = SmsMessage::one_time_code(phone(), "424242").expect("message");
        let text = format!("{m:?}");
        assert!(text.contains("138****8000"), "{text}");
        assert!(
            !text.contains("13800138000") && !text.contains("424242"),
            "{text}"
        );
    }

    #[test]
    fn errors_say_what_to_do() {
        let reply = ProviderReply {
            provider: "aliyun",
            code: "isv.BUSINESS_LIMIT_CONTROL".into(),
            message: "触发分钟级流控Permits:1".into(),
            request_id: None,
        };
        let limited = SmsError::RateLimited {
            reply: reply.clone(),
            retry_after: Some(Duration::from_secs(60)),
        };
        assert!(limited.is_transient() && !limited.needs_operator());
        assert_eq!(limited.retry_after(), Some(Duration::from_secs(60)));
        assert_eq!(limited.kind(), "rate_limited");
        let auth = SmsError::AuthFailed(reply.clone());
        assert!(!auth.is_transient() && auth.needs_operator());
        let number = SmsError::InvalidNumber(reply);
        assert!(!number.is_transient() && !number.needs_operator());
        assert!(
            SmsError::TemplateNotConfigured {
                backend: "tencent",
                template: SmsTemplate::Recall
            }
            .needs_operator()
        );
    }

    #[test]
    fn every_template_has_variables_and_a_stable_wire_name() {
        for t in SmsTemplate::ALL {
            assert!(!t.variables().is_empty());
            assert_eq!(SmsTemplate::parse(t.as_str()), Some(*t));
        }
    }
}
