//! Sending one outside notification: claimed by a compare-and-set (pending, or a dead worker's
//! claim that ran out), handed to the channel's adapter, and recorded as sent, skipped or
//! failed; a transient failure puts it back and the outbox retries it with backoff. A row
//! already sent is never sent again, however often its job runs.

use crate::Notify;
use crate::channels::{Outgoing, SendError};
use crate::domain::templates::render;
use crate::domain::{DeliveryStatus, NotificationId};
use crate::error::{NotifyError, Result};
use crate::store::queries;
use farmgate_identity::read::notify as people;
use farmgate_kernel::id::AccountId;

/// How a delivery ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Delivered {
    Sent,
    Skipped(String),
    Failed(String),
    /// Nothing to do: sent already, in another worker's hands, or not an outside row.
    Nothing,
}

/// How long a worker's claim on a send lasts (longer than any provider's timeout).
const CLAIM: chrono::Duration = chrono::Duration::minutes(2);

impl Notify {
    /// Sends notification `id` by its channel. `Err` only for a transient failure (to retry).
    pub async fn deliver(&self, id: NotificationId) -> Result<Delivered> {
        let db = &self.infra().db;
        let Some(row) = queries::find(db, id.0).await? else {
            return Ok(Delivered::Nothing);
        };
        let Some(adapter) = self.adapter(row.channel) else {
            return Ok(Delivered::Nothing);
        };
        let now = self.now();
        if !queries::claim_delivery(db, row.id, now, now + CLAIM).await? {
            return Ok(Delivered::Nothing);
        }
        let reach = people::reach(db, AccountId(row.recipient_id)).await?;
        let outcome = match reach {
            Some(r) if r.active => {
                let openid = match adapter.app_id() {
                    Some(app) => {
                        farmgate_orders::read::notify::wechat_openid(db, r.id, app).await?
                    }
                    None => None,
                };
                let message = Outgoing {
                    recipient: r.id,
                    kind: row.kind,
                    phone: r.phone,
                    openid,
                    texts: render(row.kind, &row.params),
                    params: row.params.clone(),
                    link: row.link.clone(),
                };
                adapter.send(&message).await
            }
            _ => Err(SendError::Skip(
                "the account is gone or disabled".to_owned(),
            )),
        };
        let (status, error, result) = match outcome {
            Ok(_) => (DeliveryStatus::Sent, None, Delivered::Sent),
            Err(SendError::Skip(why)) => (
                DeliveryStatus::Skipped,
                Some(why.clone()),
                Delivered::Skipped(why),
            ),
            Err(SendError::Permanent(why)) => {
                tracing::warn!(notification.id = %row.id, channel = %row.channel, error = %why, "notification refused by its channel");
                (
                    DeliveryStatus::Failed,
                    Some(why.clone()),
                    Delivered::Failed(why),
                )
            }
            Err(SendError::Transient(why)) => {
                queries::finish_delivery(
                    db,
                    row.id,
                    DeliveryStatus::Pending,
                    Some(why.clone()),
                    None,
                )
                .await?;
                return Err(NotifyError::Internal(format!(
                    "{} notification {}: {why}",
                    row.channel, row.id
                )));
            }
        };
        let sent_at = (status == DeliveryStatus::Sent).then_some(self.now());
        queries::finish_delivery(db, row.id, status, error, sent_at).await?;
        Ok(result)
    }
}
