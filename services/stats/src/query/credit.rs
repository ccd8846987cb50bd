//! Shop credit (信用, issue #20): every verified seller's record over the last 12 months,
//! recomputed from the records each time — orders and reviews (`farmgate_orders::read::credit`),
//! claims and recalls (`farmgate_aftersales::read::credit`), first responses to buyers
//! (`farmgate_desk::read::credit`), and the seller's verification
//! (`farmgate_identity::read::credit`) — judged by the published rule in
//! [`crate::domain::credit`]. Nothing is stored and nothing can be entered by hand.
//!
//! Unlike the county statistics, these figures are a business's own conduct, not people's: no
//! small-group suppression applies (a seller with two claims out of twelve parcels has a claim
//! rate of 17 %, and buyers deserve to know), and no buyer is ever named or counted by person.

use crate::Stats;
use crate::domain::credit::{Assessment, CreditFigures, assess};
use crate::error::{Result, StatsError};
use chrono::{DateTime, Datelike, Duration, Utc};
use farmgate_kernel::id::OrgId;
use serde::Serialize;
use utoipa::ToSchema;

/// The window credit is computed over.
pub const WINDOW_DAYS: i64 = 365;

/// One seller's credit.
#[derive(Clone, Debug, Serialize, ToSchema, PartialEq)]
pub struct SellerCredit {
    #[schema(value_type = String)]
    pub org_id: OrgId,
    pub name: String,
    /// cooperative, family_farm …
    pub kind: String,
    /// When the platform verified it.
    pub verified_at: DateTime<Utc>,
    pub figures: CreditFigures,
    /// Average stars × 100 (450 = 4.5); `null` without reviews.
    pub rating_x100: Option<i64>,
    /// Share of 4–5 star reviews, basis points.
    pub positive_bp: Option<i64>,
    /// Claims per parcel received, basis points.
    pub claim_rate_bp: Option<i64>,
    /// Shipped by the ship-by deadline, basis points.
    pub on_time_bp: Option<i64>,
    /// Average first response to buyers' messages, seconds.
    pub response_avg_secs: Option<i64>,
    pub assessment: Assessment,
}

/// Whole months from `from` to `to` (Shanghai calendar).
pub fn whole_months(from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    let tz = farmgate_kernel::clock::shanghai();
    let (a, b) = (from.with_timezone(&tz), to.with_timezone(&tz));
    let mut m = i64::from(b.year() - a.year()) * 12 + i64::from(b.month()) - i64::from(a.month());
    if b.day() < a.day() {
        m -= 1;
    }
    m.max(0)
}

impl Stats {
    /// Every verified seller's credit (`only`: one seller's), oldest seller first.
    #[tracing::instrument(skip_all)]
    pub async fn credits(&self, only: Option<OrgId>) -> Result<Vec<SellerCredit>> {
        let db = &self.infra().db;
        let now = self.infra().clock.now();
        let since = now - Duration::days(WINDOW_DAYS);
        let sellers = farmgate_identity::read::credit::sellers(db, only).await?;
        if sellers.is_empty() {
            return Ok(Vec::new());
        }
        let (records, claims, recalls, responses) = futures_util::try_join!(
            farmgate_orders::read::credit::records(db, since, only),
            farmgate_aftersales::read::credit::claims_filed(db, since, only),
            farmgate_aftersales::read::credit::recalls(db, since, only),
            farmgate_desk::read::credit::responses(db, since, only),
        )?;
        Ok(sellers
            .into_iter()
            .map(|s| {
                let r = records.get(&s.id).copied().unwrap_or_default();
                let talk = responses.get(&s.id).copied().unwrap_or_default();
                let figures = CreditFigures {
                    orders: r.paid,
                    received: r.received,
                    ratings: r.ratings,
                    rating_sum: r.rating_sum,
                    positive: r.positive,
                    claims: claims.get(&s.id).copied().unwrap_or(0),
                    shipped_with_deadline: r.shipped_with_deadline,
                    shipped_late: r.shipped_late,
                    conversations: talk.conversations,
                    answered: talk.answered,
                    response_seconds: talk.response_seconds,
                    months: whole_months(s.verified_at, now),
                    recalls: recalls.get(&s.id).copied().unwrap_or(0),
                };
                SellerCredit {
                    org_id: s.id,
                    name: s.name,
                    kind: s.kind.as_str().to_owned(),
                    verified_at: s.verified_at,
                    rating_x100: figures.rating_x100(),
                    positive_bp: figures.positive_bp(),
                    claim_rate_bp: figures.claim_rate_bp(),
                    on_time_bp: figures.on_time_bp(),
                    response_avg_secs: figures.response_avg_secs(),
                    assessment: assess(&figures),
                    figures,
                }
            })
            .collect())
    }

    /// One seller's credit; `NotFound` for anything but a verified seller.
    pub async fn seller_credit(&self, org: OrgId) -> Result<SellerCredit> {
        self.credits(Some(org))
            .await?
            .into_iter()
            .next()
            .ok_or(StatsError::NotFound)
    }
}

#[cfg(test)]
#[expect(clippy::unwrap_used, reason = "tests")]
mod tests {
    use super::*;

    fn t(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().to_utc()
    }

    #[test]
    fn months_count_whole_calendar_months_in_beijing() {
        assert_eq!(
            whole_months(t("2026-01-15T02:00:00Z"), t("2026-03-14T02:00:00Z")),
            1
        );
        assert_eq!(
            whole_months(t("2026-01-15T02:00:00Z"), t("2026-03-15T02:00:00Z")),
            2
        );
        // 2026-01-31 20:00 UTC is already 1 February in Beijing.
        assert_eq!(
            whole_months(t("2026-01-31T20:00:00Z"), t("2026-03-01T02:00:00Z")),
            1
        );
        assert_eq!(
            whole_months(t("2026-03-01T00:00:00Z"), t("2026-01-01T00:00:00Z")),
            0
        );
    }
}
