//! Tracking that fills itself in (issue #19). A parcel shipped with a carrier of the list is
//! subscribed with the tracking aggregator through the outbox (`orders.tracking_subscribe`):
//! asked once — the job does nothing for a subscription that is no longer `pending`, and an
//! answer is written only over `pending` — retried while the aggregator cannot be reached,
//! and a refusal is kept with its code and words for the seller, who enters the logistics by
//! hand as before.
//!
//! The aggregator pushes the parcel's whole track each time it changes. A push is trusted
//! only when signed with the waybill's salt (an HMAC of carrier code and waybill under our
//! secret, so it is never stored and one waybill's salt signs nothing else), and only for a
//! parcel we subscribed with that carrier. Each track line becomes a carrier-sourced logistics
//! event through the same path the signed carrier callback takes (`record_logistics`): its
//! external id is a digest of its time and words, so a line pushed again, or overlapping an
//! earlier push, records nothing new; 签收 is `delivered`, 派件 `out_for_delivery` (telling
//! the buyer the first time), as the seller would have entered them.

use crate::Orders;
use crate::domain::LogisticsSource;
use crate::domain::tracking::{LineState, SubscriptionStatus, kind_of_line};
use crate::error::{OrdersError, Result};
use crate::service::logistics::Logged;
use crate::service::topics;
use crate::store::queries::{orders as q, shipments};
use crate::store::{shipment, tracking_subscription};
use chrono::{DateTime, Utc};
use farmgate_infra::tracking::{Subscribed, Subscription, TrackLine, TrackingError};
use hmac::{Hmac, KeyInit, Mac};
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde_json::json;
use sha2::{Digest, Sha256};
use uuid::Uuid;

/// The largest push we read: a long journey's whole track is a few dozen lines.
pub const MAX_PUSH_BYTES: usize = 256 * 1024;

/// The most track lines one push may carry.
const MAX_PUSH_LINES: usize = 500;

/// What became of a push, answered in the aggregator's words.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PushOutcome {
    /// Verified and read: `recorded` lines were new.
    Accepted { recorded: usize },
    /// Not in the aggregator's format, or too large.
    Malformed,
    /// Unsigned, or not signed with the waybill's salt.
    BadSignature,
    /// No parcel of ours was subscribed with this carrier and waybill.
    UnknownWaybill,
    /// No aggregator is configured.
    NotConfigured,
}

/// What the job learnt.
#[derive(Debug)]
pub enum SubscribeOutcome {
    /// Nothing to do (already answered, never queued, or tracking switched off since).
    Nothing,
    Subscribed,
    Refused,
}

type HmacSha256 = Hmac<Sha256>;

impl Orders {
    /// The salt a waybill's pushes are signed with: 32 hex digits of
    /// HMAC-SHA256(secret, "{provider}\n{carrier code}\n{waybill}").
    pub fn tracking_salt(&self, carrier_code: &str, tracking_no: &str) -> Option<String> {
        let t = self.config().tracking.as_ref()?;
        let mut mac = <HmacSha256 as KeyInit>::new_from_slice(t.secret.as_bytes()).ok()?;
        mac.update(
            format!(
                "{}\n{}\n{}",
                t.provider.name(),
                carrier_code,
                tracking_no.to_ascii_uppercase()
            )
            .as_bytes(),
        );
        let full = hex::encode(mac.finalize().into_bytes());
        Some(full[..32].to_owned())
    }

    /// Inside the shipment's transaction: the parcel waits for the aggregator (nothing when
    /// none is configured).
    pub(crate) async fn queue_tracking(
        &self,
        txn: &impl ConnectionTrait,
        shipment_id: Uuid,
        carrier_code: &str,
        tracking_no: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let Some(t) = self.config().tracking.as_ref() else {
            return Ok(());
        };
        tracking_subscription::ActiveModel {
            shipment_id: Set(shipment_id),
            provider: Set(t.provider.name().to_owned()),
            carrier_code: Set(carrier_code.to_owned()),
            tracking_no: Set(tracking_no.to_owned()),
            status: Set(SubscriptionStatus::Pending),
            attempts: Set(0),
            return_code: Set(None),
            message: Set(None),
            created_at: Set(now),
            updated_at: Set(now),
            last_push_at: Set(None),
        }
        .insert(txn)
        .await?;
        self.infra()
            .outbox
            .enqueue(
                txn,
                topics::TRACKING_SUBSCRIBE,
                &json!({ "shipment_id": shipment_id }),
            )
            .await?;
        Ok(())
    }

    /// The outbox job: asks the aggregator to track a parcel, once. A transport failure is
    /// returned (`Err(TrackingError)` inside `Ok`) so the job is retried; a refusal is kept.
    #[tracing::instrument(skip_all, fields(shipment.id = %shipment_id))]
    pub async fn subscribe_tracking(
        &self,
        shipment_id: Uuid,
    ) -> Result<std::result::Result<SubscribeOutcome, TrackingError>> {
        let db = &self.infra().db;
        let Some(t) = self.config().tracking.as_ref() else {
            return Ok(Ok(SubscribeOutcome::Nothing));
        };
        let Some(sub) = shipments::subscription(db, shipment_id).await? else {
            return Ok(Ok(SubscribeOutcome::Nothing));
        };
        if sub.status != SubscriptionStatus::Pending {
            return Ok(Ok(SubscribeOutcome::Nothing));
        }
        let ship = shipments::shipment(db, shipment_id)
            .await?
            .ok_or_else(|| OrdersError::Internal("a subscription without its parcel".into()))?;
        // 顺丰 answers only with the receiver's phone; its last four digits are enough, and
        // no other carrier is sent any of it.
        let phone_tail = if sub.carrier_code == "shunfeng" {
            q::order(db, ship.order_id).await?.and_then(|o| {
                let digits: String = o
                    .address
                    .get("phone")
                    .and_then(|p| p.as_str())
                    .unwrap_or_default()
                    .chars()
                    .filter(char::is_ascii_digit)
                    .collect();
                (digits.len() >= 4).then(|| digits[digits.len() - 4..].to_owned())
            })
        } else {
            None
        };
        let salt = self
            .tracking_salt(&sub.carrier_code, &sub.tracking_no)
            .ok_or_else(|| OrdersError::Internal("no tracking salt".into()))?;
        let asked = t
            .provider
            .subscribe(&Subscription {
                carrier_code: &sub.carrier_code,
                tracking_no: &sub.tracking_no,
                phone: phone_tail.as_deref(),
                callback_url: &t.callback_url,
                salt: &salt,
            })
            .await;
        let now = self.now();
        match asked {
            Ok(how) => {
                let code = match how {
                    Subscribed::New => "200",
                    Subscribed::AlreadyTracked => "501",
                };
                shipments::settle_subscription(
                    db,
                    shipment_id,
                    (&sub.carrier_code, &sub.tracking_no),
                    SubscriptionStatus::Subscribed,
                    Some(code),
                    None,
                    now,
                )
                .await?;
                Ok(Ok(SubscribeOutcome::Subscribed))
            }
            Err(TrackingError::Refused { code, message, .. }) => {
                tracing::warn!(code = %code, "the tracking aggregator refused a waybill");
                shipments::settle_subscription(
                    db,
                    shipment_id,
                    (&sub.carrier_code, &sub.tracking_no),
                    SubscriptionStatus::Refused,
                    Some(&code),
                    Some(&message),
                    now,
                )
                .await?;
                Ok(Ok(SubscribeOutcome::Refused))
            }
            Err(e) => Ok(Err(e)),
        }
    }

    /// A push from the aggregator (its form body as received).
    #[tracing::instrument(skip_all)]
    pub async fn tracking_push(&self, body: &[u8]) -> Result<PushOutcome> {
        let Some(t) = self.config().tracking.as_ref() else {
            return Ok(PushOutcome::NotConfigured);
        };
        if body.len() > MAX_PUSH_BYTES {
            return Ok(PushOutcome::Malformed);
        }
        let Ok(push) = t.provider.read_push(body) else {
            return Ok(PushOutcome::Malformed);
        };
        if push.lines.len() > MAX_PUSH_LINES {
            return Ok(PushOutcome::Malformed);
        }
        // The signature first: nothing about our parcels is looked at for a forged push.
        let Some(salt) = self.tracking_salt(&push.carrier_code, &push.tracking_no) else {
            return Ok(PushOutcome::NotConfigured);
        };
        if !t.provider.verify_push(&push, &salt) {
            tracing::warn!("a tracking push with a wrong or missing signature; refused");
            return Ok(PushOutcome::BadSignature);
        }
        let db = &self.infra().db;
        let tracking_no = push.tracking_no.to_ascii_uppercase();
        let mut ships = Vec::new();
        for s in shipments::shipments_by_coded_waybill(db, &push.carrier_code, &tracking_no).await?
        {
            if shipments::subscription(db, s.id).await?.is_some() {
                ships.push(s);
            }
        }
        if ships.is_empty() {
            return Ok(PushOutcome::UnknownWaybill);
        }
        let stopped = (push.monitor == "abort").then_some(push.message.as_str());
        let mut recorded = 0;
        for ship in &ships {
            recorded += self.record_track(ship, &push.lines, &push.state).await?;
            shipments::note_push(db, ship.id, stopped, self.now()).await?;
        }
        Ok(PushOutcome::Accepted { recorded })
    }

    /// Records a parcel's track lines, oldest first; the number that were new.
    async fn record_track(
        &self,
        ship: &shipment::Model,
        lines: &[TrackLine],
        parcel_state: &str,
    ) -> Result<usize> {
        let mut recorded = 0;
        // The aggregator sends the newest line first.
        for (i, line) in lines.iter().enumerate().rev() {
            let state = LineState {
                code: line.status_code.as_deref(),
                name: line.status.as_deref(),
            };
            let Some(kind) = kind_of_line(state, i == 0, parcel_state) else {
                continue;
            };
            let now = self.now();
            // A line from before the parcel was shipped here (picked up before the seller
            // pressed "ship") or from the future is not an event of this record.
            if line.at < ship.shipped_at - chrono::Duration::minutes(5)
                || line.at > now + chrono::Duration::minutes(5)
            {
                continue;
            }
            let external = line_id(line);
            let note: String = line.context.trim().chars().take(200).collect();
            let location: Option<String> = line
                .area
                .as_deref()
                .map(|a| a.trim().chars().take(60).collect());
            let logged = Logged {
                kind,
                at: line.at,
                location: location.as_deref(),
                note: (!note.is_empty()).then_some(note.as_str()),
                source: LogisticsSource::Carrier,
                external_id: Some(&external),
                actor: None,
            };
            match self.record_logistics(ship, logged).await {
                Ok(true) => recorded += 1,
                Ok(false) => {}
                // The same line mapped differently before (a state the aggregator added
                // later): the first record stands.
                Err(OrdersError::NotificationMismatch) => {}
                // A line our rules refuse (control characters in its words …): skipped, the
                // rest of the track still counts.
                Err(OrdersError::Invalid(e)) => {
                    tracing::warn!(shipment.id = %ship.id, error = %e, "a track line was skipped");
                }
                Err(e) => return Err(e),
            }
        }
        Ok(recorded)
    }
}

/// A track line's identity: its time and words (the aggregator has no id for a line).
fn line_id(line: &TrackLine) -> String {
    let mut h = Sha256::new();
    h.update(line.at.timestamp().to_string().as_bytes());
    h.update(b"\n");
    h.update(line.context.trim().as_bytes());
    format!("trk:{}", &hex::encode(h.finalize())[..40])
}
