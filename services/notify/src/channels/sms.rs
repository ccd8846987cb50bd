//! Text messages: the kind's approved provider template (`SmsTemplate`), filled with the
//! notification's parameters of the same names, through whichever `SmsSender` the platform
//! runs (the outbox table, Alibaba Cloud or Tencent Cloud).

use super::{ChannelAdapter, Outgoing, SendError};
use crate::domain::Channel;
use async_trait::async_trait;
use farmgate_infra::sms::{MAX_VALUE_CHARS, SmsMessage, SmsSender};
use std::sync::Arc;

/// The SMS channel.
pub struct SmsChannel {
    sender: Arc<dyn SmsSender>,
}

impl SmsChannel {
    pub fn new(sender: Arc<dyn SmsSender>) -> Self {
        Self { sender }
    }
}

/// A parameter as a provider takes it: printable, at most [`MAX_VALUE_CHARS`] characters.
fn short(value: &str) -> String {
    let clean: String = value.chars().filter(|c| !c.is_control()).collect();
    let clean = clean.replace("://", " ");
    if clean.chars().count() <= MAX_VALUE_CHARS {
        clean
    } else {
        let mut s: String = clean.chars().take(MAX_VALUE_CHARS - 1).collect();
        s.push('…');
        s
    }
}

/// The text message for `m`, or why there is none.
pub fn message_for(m: &Outgoing) -> Result<SmsMessage, SendError> {
    let Some(template) = m.kind.spec().sms else {
        return Err(SendError::Skip(format!("{} has no text template", m.kind)));
    };
    let Some(phone) = m.phone.clone() else {
        return Err(SendError::Skip("the account has no phone".to_owned()));
    };
    let params: Vec<(String, String)> = template
        .variables()
        .iter()
        .map(|name| {
            let v = m
                .params
                .get(*name)
                .and_then(|v| v.as_str())
                .filter(|s| !s.trim().is_empty())
                .unwrap_or("-");
            ((*name).to_owned(), short(v))
        })
        .collect();
    SmsMessage::new(phone, template, params).map_err(|e| SendError::Permanent(e.to_string()))
}

#[async_trait]
impl ChannelAdapter for SmsChannel {
    fn channel(&self) -> Channel {
        Channel::Sms
    }

    async fn send(&self, m: &Outgoing) -> Result<String, SendError> {
        let message = message_for(m)?;
        match self.sender.send(&message).await {
            Ok(receipt) => Ok(format!("{}:{}", receipt.backend, receipt.id)),
            Err(e) if e.is_transient() => Err(SendError::Transient(e.to_string())),
            Err(e) => Err(SendError::Permanent(e.to_string())),
        }
    }
}

#[cfg(test)]
#[expect(clippy::expect_used, reason = "a failed setup is a failed test")]
mod tests {
    use super::*;
    use crate::domain::NotificationKind;
    use crate::domain::templates::render;
    use farmgate_kernel::Phone;
    use farmgate_kernel::id::AccountId;
    use serde_json::json;

    fn outgoing(kind: NotificationKind, params: serde_json::Value, phone: bool) -> Outgoing {
        Outgoing {
            recipient: AccountId::new(),
            kind,
            phone: phone.then(|| Phone::parse("13800138000").expect("phone")),
            openid: None,
            texts: render(kind, &params),
            params,
            link: None,
        }
    }

    #[test]
    fn a_recall_fills_the_recall_template_with_short_values() {
        let m = message_for(&outgoing(
            NotificationKind::Recall,
            json!({"product": "梅岭脐橙".repeat(20), "batch": "L2026-1"}),
            true,
        ))
        .expect("a message");
        assert_eq!(m.param("batch"), Some("L2026-1"));
        assert_eq!(
            m.param("product").map(|p| p.chars().count()),
            Some(MAX_VALUE_CHARS)
        );
    }

    #[test]
    fn no_phone_or_no_template_skips() {
        assert!(matches!(
            message_for(&outgoing(NotificationKind::Recall, json!({}), false)),
            Err(SendError::Skip(_))
        ));
        assert!(matches!(
            message_for(&outgoing(NotificationKind::OrgVerified, json!({}), true)),
            Err(SendError::Skip(_))
        ));
    }
}
