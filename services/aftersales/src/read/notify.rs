//! What notifications (`farmgate-notify`) read of after-sales, and why:
//!
//! - [`claim`]: a claim was filed, answered, escalated or resolved (`aftersales.filed`,
//!   `.answered`, `.escalated`, `.resolved`), or a party's deadline is near
//!   (`aftersales.deadline_near`); who its parties are (the buyer, the seller's organisation),
//!   its number, and its status and deadlines, so a reminder goes only to whom it still waits for.
//! - [`recall`]: a batch was recalled (`aftersales.recalled`); every buyer who received goods
//!   from it (one per notice, as the recall found them) and what they bought, so each is told
//!   at once, by text message too.
//!
//! Nothing here writes; no contact detail of the claim is read.

use crate::domain::ClaimStatus;
use crate::store::{claim, notice, recall as recall_row};
use chrono::{DateTime, Utc};
use farmgate_kernel::id::{AccountId, ClaimId, OrgId, RecallId, SubOrderId};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

/// A claim as its notifications name it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotifiedClaim {
    pub id: ClaimId,
    pub number: String,
    pub sub_order: SubOrderId,
    pub buyer: AccountId,
    pub seller: OrgId,
    pub status: ClaimStatus,
    /// The seller's answer deadline.
    pub respond_by: DateTime<Utc>,
    /// The buyer's deadline to answer an offer, once the seller answered.
    pub answer_by: Option<DateTime<Utc>>,
}

/// One claim; `None` when there is no such claim.
pub async fn claim(
    conn: &impl ConnectionTrait,
    id: ClaimId,
) -> Result<Option<NotifiedClaim>, DbErr> {
    Ok(claim::Entity::find_by_id(id.0)
        .one(conn)
        .await?
        .map(|c| NotifiedClaim {
            id: ClaimId(c.id),
            number: c.number,
            sub_order: SubOrderId(c.sub_order_id),
            buyer: AccountId(c.buyer_account_id),
            seller: OrgId(c.seller_org_id),
            status: c.status,
            respond_by: c.respond_by,
            answer_by: c.answer_by,
        }))
}

/// A buyer a recall reaches, with the first product they bought from the batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecalledBuyer {
    pub buyer: AccountId,
    pub product: String,
}

/// A recall as its notifications name it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotifiedRecall {
    pub id: RecallId,
    /// The batch's lot number (批次号).
    pub lot: String,
    pub seller: OrgId,
    /// Every buyer with a notice, once each, in the order the notices were written.
    pub buyers: Vec<RecalledBuyer>,
}

/// One recall with its buyers; `None` when there is no such recall.
pub async fn recall(
    conn: &impl ConnectionTrait,
    id: RecallId,
) -> Result<Option<NotifiedRecall>, DbErr> {
    let Some(r) = recall_row::Entity::find_by_id(id.0).one(conn).await? else {
        return Ok(None);
    };
    let notices = notice::Entity::find()
        .filter(notice::Column::RecallId.eq(r.id))
        .order_by_asc(notice::Column::CreatedAt)
        .order_by_asc(notice::Column::Id)
        .all(conn)
        .await?;
    let mut buyers: Vec<RecalledBuyer> = Vec::new();
    for n in notices {
        let buyer = AccountId(n.buyer_account_id);
        if buyers.iter().any(|b| b.buyer == buyer) {
            continue;
        }
        let product = n
            .lines
            .as_array()
            .and_then(|lines| lines.first())
            .and_then(|l| l.get("title"))
            .and_then(|t| t.as_str())
            .unwrap_or_default()
            .to_owned();
        buyers.push(RecalledBuyer { buyer, product });
    }
    Ok(Some(NotifiedRecall {
        id: RecallId(r.id),
        lot: r.lot,
        seller: OrgId(r.seller_org_id),
        buyers,
    }))
}
