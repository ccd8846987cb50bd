//! A seller's response figure for conversations: over the conversations whose buyer first
//! wrote in a period of Asia/Shanghai days, how many the seller answered, and the first
//! response time p50/p90 (minutes). For its members and platform staff.

use crate::Desk;
use crate::domain::conversation::ResponseClock;
use crate::domain::figures::{percentile, share};
use crate::error::{DeskError, Result};
use crate::store::queries::conversations as q;
use chrono::{Duration, NaiveDate, TimeZone};
use farmgate_identity::Actor;
use farmgate_kernel::FieldError;
use farmgate_kernel::id::OrgId;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

#[derive(Clone, Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ConversationFiguresQuery {
    /// First day (Asia/Shanghai), `YYYY-MM-DD`.
    pub from: NaiveDate,
    /// Last day, inclusive; at most 366 days after `from`.
    pub to: NaiveDate,
}

#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct ConversationFigures {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Conversations whose buyer first wrote in the period.
    pub conversations: usize,
    /// Of those, the ones the seller answered.
    pub answered: usize,
    pub answered_share: Option<f64>,
    pub first_response_p50_minutes: Option<i64>,
    pub first_response_p90_minutes: Option<i64>,
}

impl Desk {
    pub async fn conversation_figures(
        &self,
        actor: &Actor,
        org: OrgId,
        q_: &ConversationFiguresQuery,
    ) -> Result<ConversationFigures> {
        if actor.membership(org).is_none() && !actor.is_platform_staff() {
            return Err(DeskError::Forbidden);
        }
        if q_.to < q_.from || (q_.to - q_.from).num_days() > 366 {
            return Err(FieldError::new(
                "to",
                "out_of_range",
                "结束日期须不早于开始日期，且跨度不超过 366 天",
                "the last day must not precede the first, at most 366 days later",
            )
            .into());
        }
        let tz = farmgate_kernel::clock::shanghai();
        let start = |d: NaiveDate| {
            tz.from_local_datetime(&d.and_time(chrono::NaiveTime::MIN))
                .single()
                .map(|t| t.to_utc())
        };
        let (Some(from), Some(to)) = (start(q_.from), start(q_.to + Duration::days(1))) else {
            return Err(DeskError::Internal("a day without a midnight".to_owned()));
        };
        let clocks = q::clocks_of_seller(&self.infra().db, org.0, from, to).await?;
        let minutes: Vec<i64> = clocks
            .iter()
            .filter_map(|(a, b)| {
                ResponseClock {
                    first_buyer_message_at: *a,
                    first_seller_reply_at: *b,
                }
                .response_seconds()
            })
            .map(|s| s / 60)
            .collect();
        Ok(ConversationFigures {
            from: q_.from,
            to: q_.to,
            conversations: clocks.len(),
            answered: minutes.len(),
            answered_share: share(minutes.len(), clocks.len()),
            first_response_p50_minutes: percentile(&minutes, 50),
            first_response_p90_minutes: percentile(&minutes, 90),
        })
    }
}
