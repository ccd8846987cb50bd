//! The notification centre: a person's in-app notifications (only their own: another
//! person's is "not found"), the unread count the shell polls, marking read.

use crate::Notify;
use crate::domain::{NotificationId, NotificationKind};
use crate::error::{Missing, NotifyError, Result};
use crate::store::{notification, queries};
use farmgate_identity::Actor;
use farmgate_kernel::{Page, Paged};

/// One notification as its recipient sees it.
pub type Notification = notification::Model;

impl Notify {
    /// The caller's notifications, newest first.
    pub async fn my_notifications(
        &self,
        actor: &Actor,
        unread_only: bool,
        kind: Option<NotificationKind>,
        page: Page,
    ) -> Result<Paged<Notification>> {
        Ok(queries::centre(
            &self.infra().db,
            actor.account_id.0,
            unread_only,
            kind,
            page,
        )
        .await?)
    }

    /// How many of the caller's notifications are unread.
    pub async fn unread_count(&self, actor: &Actor) -> Result<u64> {
        Ok(queries::unread_count(&self.infra().db, actor.account_id.0).await?)
    }

    /// Marks one of the caller's notifications read (a paid-order notice read counts as
    /// acknowledged for its reminder).
    pub async fn mark_read(&self, actor: &Actor, id: NotificationId) -> Result<Notification> {
        queries::mark_read(&self.infra().db, id.0, actor.account_id.0, self.now())
            .await?
            .ok_or(NotifyError::NotFound(Missing::Notification))
    }

    /// Marks every unread notification of the caller read; how many.
    pub async fn mark_all_read(&self, actor: &Actor) -> Result<u64> {
        Ok(queries::mark_all_read(&self.infra().db, actor.account_id.0, self.now()).await?)
    }
}
