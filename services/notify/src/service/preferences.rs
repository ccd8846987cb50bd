//! A person's preferences: per kind, text message and WeChat on or off (in-app is always on;
//! an urgent kind's outside channels cannot be turned off), and quiet hours in Beijing time
//! (none, or a window such as 22:00-08:00) during which outside messages wait.

use crate::Notify;
use crate::domain::hours::DayWindow;
use crate::domain::{Channel, KindChoice, NotificationKind};
use crate::error::Result;
use crate::store::{pref, queries};
use farmgate_identity::Actor;
use farmgate_kernel::{FieldError, ValidationErrors};
use sea_orm::TransactionTrait;

/// What a person chose, kind by kind, with what each kind allows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Preferences {
    pub quiet_hours: Option<DayWindow>,
    pub kinds: Vec<(NotificationKind, KindChoice)>,
    /// Outside channels the platform has configured.
    pub channels: Vec<Channel>,
}

/// A change: the quiet hours (`None`: none) and the kinds named (others stay as they are).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreferencesChange {
    pub quiet_hours: Option<DayWindow>,
    pub kinds: Vec<(NotificationKind, KindChoice)>,
}

impl Notify {
    pub async fn preferences(&self, actor: &Actor) -> Result<Preferences> {
        let db = &self.infra().db;
        let mut kinds = Vec::new();
        let mut quiet = None;
        for kind in NotificationKind::ALL {
            let (choice, q) = self.choice_of(db, actor.account_id, *kind).await?;
            quiet = q;
            kinds.push((*kind, choice));
        }
        Ok(Preferences {
            quiet_hours: quiet,
            kinds,
            channels: [Channel::Sms, Channel::Wechat]
                .into_iter()
                .filter(|c| self.adapter(*c).is_some())
                .collect(),
        })
    }

    pub async fn set_preferences(
        &self,
        actor: &Actor,
        change: PreferencesChange,
    ) -> Result<Preferences> {
        let mut errors = ValidationErrors::default();
        for (i, (kind, choice)) in change.kinds.iter().enumerate() {
            if change.kinds[..i].iter().any(|(k, _)| k == kind) {
                errors.push(FieldError::new(
                    format!("kinds[{i}].kind"),
                    "duplicate",
                    "同一类通知只能设置一次",
                    "each kind may appear once",
                ));
            }
            let spec = kind.spec();
            if choice.sms && spec.sms.is_none() {
                errors.push(FieldError::new(
                    format!("kinds[{i}].sms"),
                    "not_available",
                    "这类通知不发短信",
                    "this kind is not sent by text message",
                ));
            }
            if choice.wechat && !spec.wechat {
                errors.push(FieldError::new(
                    format!("kinds[{i}].wechat"),
                    "not_available",
                    "这类通知不发微信消息",
                    "this kind is not sent by WeChat",
                ));
            }
            if spec.urgent && (!choice.sms && spec.sms.is_some()) {
                errors.push(FieldError::new(
                    format!("kinds[{i}].sms"),
                    "urgent",
                    "紧急通知（如召回）总会发送短信，不能关闭",
                    "urgent notices (such as recalls) always go by text message",
                ));
            }
        }
        if !errors.is_empty() {
            return Err(errors.into());
        }
        let now = self.now();
        let txn = self.infra().db.begin().await?;
        queries::upsert_setting(
            &txn,
            actor.account_id.0,
            change.quiet_hours.map(|q| {
                (
                    i16::try_from(q.start_minute()).unwrap_or(0),
                    i16::try_from(q.end_minute()).unwrap_or(0),
                )
            }),
            now,
        )
        .await?;
        for (kind, choice) in &change.kinds {
            queries::upsert_pref(
                &txn,
                pref::Model {
                    account_id: actor.account_id.0,
                    kind: kind.as_str().to_owned(),
                    sms: choice.sms,
                    wechat: choice.wechat,
                    updated_at: now,
                },
            )
            .await?;
        }
        txn.commit().await?;
        self.preferences(actor).await
    }
}
