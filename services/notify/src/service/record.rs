//! Writing an event's notifications: for each planned one, the in-app row, and a row per
//! outside channel the person's preferences allow (due when their quiet hours end, unless the
//! kind is urgent) with its delivery job — all in one transaction, each row under the unique
//! (event, recipient, channel) key, so a second run of the same event writes and schedules
//! nothing. A new paid-order notice also schedules its reminder.

use super::{Planned, topics};
use crate::Notify;
use crate::domain::hours::{DayWindow, business_deadline, release_at};
use crate::domain::{Channel, DeliveryStatus, KindChoice, NotificationKind};
use crate::error::Result;
use crate::store::{notification, queries};
use chrono::{DateTime, Utc};
use farmgate_kernel::id::AccountId;
use sea_orm::{ConnectionTrait, TransactionTrait};
use serde_json::json;
use std::collections::BTreeSet;
use uuid::Uuid;

/// What recording wrote: how many rows, and for which subjects a new paid-order notice.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Recorded {
    pub written: usize,
}

impl Notify {
    /// A person's choices: channels for `kind`, and quiet hours.
    pub(crate) async fn choice_of(
        &self,
        conn: &impl ConnectionTrait,
        who: AccountId,
        kind: NotificationKind,
    ) -> Result<(KindChoice, Option<DayWindow>)> {
        let choice = queries::prefs(conn, who.0)
            .await?
            .into_iter()
            .find(|p| p.kind == kind.as_str())
            .map_or_else(
                || KindChoice::default_for(kind),
                |p| KindChoice {
                    sms: p.sms,
                    wechat: p.wechat,
                },
            );
        let quiet = match queries::setting(conn, who.0).await? {
            None => self.config().default_quiet_hours,
            Some(s) => match (s.quiet_start_minute, s.quiet_end_minute) {
                (Some(a), Some(b)) => {
                    DayWindow::new(u16::try_from(a).unwrap_or(0), u16::try_from(b).unwrap_or(0))
                }
                _ => None,
            },
        };
        Ok((choice, quiet))
    }

    /// Writes the notifications `planned` for the event `event_id` (created at `event_at`);
    /// `remind`: schedule the paid-order reminder of each subject that got a new notice.
    pub async fn record(
        &self,
        event_id: Uuid,
        event_at: DateTime<Utc>,
        planned: &[Planned],
        remind: bool,
    ) -> Result<Recorded> {
        let now = self.now();
        let txn = self.infra().db.begin().await?;
        let mut written = 0;
        let mut fresh_subjects: BTreeSet<Uuid> = BTreeSet::new();
        for p in planned {
            let urgent = p.kind.spec().urgent;
            let row = |channel: Channel, status: DeliveryStatus, due: DateTime<Utc>| {
                notification::Model {
                    id: Uuid::now_v7(),
                    event_id,
                    recipient_id: p.recipient.0,
                    channel,
                    kind: p.kind,
                    urgent,
                    subject_id: p.subject,
                    params: p.params.clone(),
                    link: p.link.clone(),
                    status,
                    due_at: due,
                    claimed_until: None,
                    attempts: 0,
                    last_error: None,
                    sent_at: None,
                    read_at: None,
                    created_at: now,
                }
            };
            if queries::insert_if_new(&txn, row(Channel::InApp, DeliveryStatus::Delivered, now))
                .await?
            {
                written += 1;
                if let Some(s) = p.subject {
                    fresh_subjects.insert(s);
                }
            }
            let (choice, quiet) = self.choice_of(&txn, p.recipient, p.kind).await?;
            for channel in p.kind.channels() {
                if self.adapter(channel).is_none() || !choice.allows(p.kind, channel) {
                    continue;
                }
                let due = release_at(now, quiet, urgent);
                let r = row(channel, DeliveryStatus::Pending, due);
                let id = r.id;
                if queries::insert_if_new(&txn, r).await? {
                    written += 1;
                    self.infra()
                        .outbox
                        .enqueue_at(
                            &txn,
                            topics::DELIVER,
                            &json!({ "notification_id": id }),
                            due,
                        )
                        .await?;
                }
            }
        }
        if remind {
            let at = business_deadline(
                event_at,
                self.config().remind_after,
                self.config().business_hours,
            );
            for subject in fresh_subjects {
                self.infra()
                    .outbox
                    .enqueue_at(
                        &txn,
                        topics::PAID_REMINDER,
                        &json!({ "event_id": event_id, "sub_order_id": subject }),
                        at.max(now),
                    )
                    .await?;
            }
        }
        txn.commit().await?;
        if written > 0 {
            self.infra().outbox.wake();
        }
        Ok(Recorded { written })
    }
}
