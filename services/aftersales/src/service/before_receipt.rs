//! Claims before receipt: whether a parcel that has not come may be claimed now ("not
//! received" once tracking stalled or the parcel is overdue, "lost" on the carrier's word),
//! what the claim form may offer, and the reminders before a party's deadline.

use super::{Role, topics};
use crate::Aftersales;
use crate::domain::ClaimKind;
use crate::domain::deadlines::{self, BeforeReceiptRefused, Transit};
use crate::error::{AftersalesError, Missing, Result};
use chrono::{DateTime, Utc};
use farmgate_identity::Actor;
use farmgate_kernel::id::{ClaimId, SubOrderId};
use farmgate_orders::read::aftersales as orders_read;
use sea_orm::ConnectionTrait;
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

/// What the buyer may claim on a sub-order now (the claim form's choices).
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ClaimOptions {
    /// The parcel was received: the damage kinds, inside the window.
    pub received: bool,
    /// When the after-sales window of a received parcel closes.
    pub window_closes_at: Option<DateTime<Utc>>,
    /// Kinds that may be filed now: the damage kinds once received and inside the window;
    /// `not_received` / `lost` before receipt when the rule allows.
    pub kinds: Vec<ClaimKind>,
    /// Before receipt: from when `not_received` may be filed (tracking stalled or overdue).
    pub not_received_from: Option<DateTime<Utc>>,
}

impl Aftersales {
    async fn transit(&self, sub: SubOrderId) -> Result<Option<Transit>> {
        Ok(orders_read::parcel_progress(&self.infra().db, sub)
            .await?
            .map(|p| Transit {
                in_transit: p.in_transit,
                shipped_at: p.shipped_at,
                last_moved_at: p.last_moved_at,
                carrier_reported_lost: p.carrier_reported_lost,
            }))
    }

    /// Refuses a "not received" or "lost" claim the rule does not allow now.
    pub(super) async fn check_before_receipt(
        &self,
        sub: SubOrderId,
        kind: ClaimKind,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let transit = self.transit(sub).await?;
        deadlines::may_claim_before_receipt(kind, transit, self.config().transit, now).map_err(
            |e| match e {
                BeforeReceiptRefused::NotShipped => AftersalesError::NotShipped,
                BeforeReceiptRefused::Received => AftersalesError::AlreadyReceived,
                BeforeReceiptRefused::TooEarly { from } => AftersalesError::TooEarly { from },
                BeforeReceiptRefused::NotReportedLost => AftersalesError::NotReportedLost,
            },
        )
    }

    /// What the buyer may claim on their sub-order now.
    #[tracing::instrument(skip_all, fields(sub_order.id = %sub_id))]
    pub async fn claim_options(&self, actor: &Actor, sub_id: SubOrderId) -> Result<ClaimOptions> {
        let sub = orders_read::claimable_sub_order(&self.infra().db, sub_id)
            .await?
            .filter(|s| s.buyer == actor.account_id)
            .ok_or(AftersalesError::NotFound(Missing::SubOrder))?;
        let now = self.now();
        if sub.received {
            let open = sub.window_closes_at.is_some_and(|t| now <= t);
            let kinds = if open {
                ClaimKind::ALL
                    .iter()
                    .copied()
                    .filter(|k| !k.before_receipt())
                    .collect()
            } else {
                Vec::new()
            };
            return Ok(ClaimOptions {
                received: true,
                window_closes_at: sub.window_closes_at,
                kinds,
                not_received_from: None,
            });
        }
        let transit = self.transit(sub_id).await?;
        let policy = self.config().transit;
        Ok(ClaimOptions {
            received: false,
            window_closes_at: None,
            kinds: deadlines::kinds_before_receipt(transit, policy, now),
            not_received_from: transit
                .filter(|t| t.in_transit)
                .map(|t| deadlines::not_received_from(t, policy)),
        })
    }

    /// Schedules the reminder of `party`'s deadline `due` (the seller's answer, the buyer's
    /// answer to an offer), inside the caller's transaction; none when it would be now.
    pub(super) async fn remind(
        &self,
        conn: &impl ConnectionTrait,
        id: ClaimId,
        party: Role,
        due: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        if let Some(at) = deadlines::reminder_at(due, self.config().remind_before, now) {
            self.infra()
                .outbox
                .enqueue_at(
                    conn,
                    topics::DEADLINE_NEAR,
                    &json!({"claim_id": id, "party": party, "due": due}),
                    at,
                )
                .await?;
        }
        Ok(())
    }
}
