//! What the notification endpoints answer with.

use crate::domain::templates::render;
use crate::domain::{Channel, KindChoice, NotificationKind};
use crate::service::centre::Notification;
use crate::service::preferences::Preferences;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// A text in both languages.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Texts {
    pub zh: String,
    pub en: String,
}

/// One notification in the centre.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct NotificationView {
    pub id: Uuid,
    pub kind: NotificationKind,
    /// Urgent (a recall): sent at once whatever the quiet hours.
    pub urgent: bool,
    pub title: Texts,
    pub body: Texts,
    /// The page it opens, relative to the site.
    pub link: Option<String>,
    pub created_at: DateTime<Utc>,
    /// When the person read it; `null` while unread.
    pub read_at: Option<DateTime<Utc>>,
}

impl NotificationView {
    pub fn of(n: &Notification) -> Self {
        let r = render(n.kind, &n.params);
        Self {
            id: n.id,
            kind: n.kind,
            urgent: n.urgent,
            title: Texts {
                zh: r.title_zh,
                en: r.title_en,
            },
            body: Texts {
                zh: r.body_zh,
                en: r.body_en,
            },
            link: n.link.clone(),
            created_at: n.created_at,
            read_at: n.read_at,
        }
    }
}

/// The unread count the shell polls.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct UnreadView {
    pub unread: u64,
}

/// How many were marked read.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct MarkedView {
    pub marked: u64,
}

/// One kind's channels.
#[derive(Clone, Debug, Serialize, Deserialize, ToSchema)]
pub struct KindPreference {
    pub kind: NotificationKind,
    /// By text message.
    pub sms: bool,
    /// By WeChat subscription message.
    pub wechat: bool,
}

/// One kind's channels as shown: the choice, and what the kind allows.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct KindPreferenceView {
    pub kind: NotificationKind,
    pub label: Texts,
    pub sms: bool,
    pub wechat: bool,
    /// The kind may go by text message.
    pub sms_available: bool,
    /// The kind may go by WeChat.
    pub wechat_available: bool,
    /// Urgent: its outside channels cannot be turned off, and it ignores quiet hours.
    pub urgent: bool,
}

/// A person's notification preferences.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct PreferencesView {
    /// Quiet hours in Beijing time, `HH:MM-HH:MM` (may run over midnight); `null`: none.
    pub quiet_hours: Option<String>,
    pub kinds: Vec<KindPreferenceView>,
    /// The outside channels the platform has configured (`sms`, `wechat`).
    pub channels: Vec<Channel>,
}

impl PreferencesView {
    pub fn of(p: &Preferences) -> Self {
        Self {
            quiet_hours: p.quiet_hours.map(|q| q.to_string()),
            kinds: p
                .kinds
                .iter()
                .map(|(kind, choice)| {
                    let spec = kind.spec();
                    KindPreferenceView {
                        kind: *kind,
                        label: Texts {
                            zh: kind.label_zh().to_owned(),
                            en: kind.label_en().to_owned(),
                        },
                        sms: choice.allows(*kind, Channel::Sms),
                        wechat: choice.allows(*kind, Channel::Wechat),
                        sms_available: spec.sms.is_some(),
                        wechat_available: spec.wechat,
                        urgent: spec.urgent,
                    }
                })
                .collect(),
            channels: p.channels.clone(),
        }
    }
}

/// A change of preferences. Kinds not named keep their choice.
#[derive(Clone, Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreferencesInput {
    /// Quiet hours in Beijing time, `HH:MM-HH:MM` (`22:00-08:00`); `null` or absent: none.
    #[serde(default)]
    pub quiet_hours: Option<String>,
    #[serde(default)]
    pub kinds: Vec<KindPreference>,
}

impl KindPreference {
    pub fn choice(&self) -> KindChoice {
        KindChoice {
            sms: self.sms,
            wechat: self.wechat,
        }
    }
}
