//! A seller's record as its shop credit (信用, issue #20) reads it.
//!
//! Who: `farmgate-stats` (the credit figures on a seller's page and listing, the operator's
//! seller list and the search ranking's credit signal). Why: credit is recomputed from the
//! records, for one seller or every seller at once, with two grouped queries; the use-case API
//! (one order, one listing's reviews, a member's fulfilment report) would take a query per
//! seller and an actor. Counts only: no buyer, no amount, no text.

use crate::store::{review, sub_order};
use chrono::{DateTime, Utc};
use farmgate_kernel::id::OrgId;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};
use std::collections::HashMap;
use uuid::Uuid;

/// What a seller's orders and reviews since a moment add up to.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SellerRecord {
    /// Sub-orders paid since then.
    pub paid: i64,
    /// Of those, received by the buyer (or automatically).
    pub received: i64,
    /// Of those, shipped while carrying a ship-by deadline.
    pub shipped_with_deadline: i64,
    /// Of those, shipped after the deadline.
    pub shipped_late: i64,
    /// Reviews written since then and not hidden by moderation.
    pub ratings: i64,
    /// Their stars added up (1–5 each).
    pub rating_sum: i64,
    /// Of them, four or five stars.
    pub positive: i64,
}

/// Every seller's record since `since` (or one seller's), by seller.
pub async fn records<C: ConnectionTrait>(
    db: &C,
    since: DateTime<Utc>,
    seller: Option<OrgId>,
) -> Result<HashMap<OrgId, SellerRecord>, DbErr> {
    use sub_order::Column as S;
    let mut q = sub_order::Entity::find()
        .select_only()
        .column(S::SellerOrgId)
        .column_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "paid")
        .column_as(
            Expr::cust("CAST(SUM(CASE WHEN received_at IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT)"),
            "received",
        )
        .column_as(
            Expr::cust(
                "CAST(SUM(CASE WHEN shipped_at IS NOT NULL AND ship_by IS NOT NULL THEN 1 ELSE 0 END) AS BIGINT)",
            ),
            "shipped",
        )
        .column_as(
            Expr::cust(
                "CAST(SUM(CASE WHEN shipped_at IS NOT NULL AND ship_by IS NOT NULL AND shipped_late THEN 1 ELSE 0 END) AS BIGINT)",
            ),
            "late",
        )
        .filter(S::PaidAt.gte(since))
        .group_by(S::SellerOrgId);
    if let Some(org) = seller {
        q = q.filter(S::SellerOrgId.eq(org.0));
    }
    let rows: Vec<(Uuid, i64, i64, i64, i64)> = q.into_tuple().all(db).await?;
    let mut out: HashMap<OrgId, SellerRecord> = HashMap::new();
    for (org, paid, received, shipped, late) in rows {
        let r = out.entry(OrgId(org)).or_default();
        r.paid = paid;
        r.received = received;
        r.shipped_with_deadline = shipped;
        r.shipped_late = late;
    }
    use review::Column as R;
    let mut q = review::Entity::find()
        .select_only()
        .column(R::SellerOrgId)
        .column_as(Expr::cust("CAST(COUNT(*) AS BIGINT)"), "n")
        .column_as(Expr::cust("CAST(SUM(rating) AS BIGINT)"), "stars")
        .column_as(
            Expr::cust("CAST(SUM(CASE WHEN rating >= 4 THEN 1 ELSE 0 END) AS BIGINT)"),
            "positive",
        )
        .filter(R::CreatedAt.gte(since))
        .filter(R::HiddenAt.is_null())
        .group_by(R::SellerOrgId);
    if let Some(org) = seller {
        q = q.filter(R::SellerOrgId.eq(org.0));
    }
    let rows: Vec<(Uuid, i64, i64, i64)> = q.into_tuple().all(db).await?;
    for (org, n, stars, positive) in rows {
        let r = out.entry(OrgId(org)).or_default();
        r.ratings = n;
        r.rating_sum = stars;
        r.positive = positive;
    }
    Ok(out)
}
