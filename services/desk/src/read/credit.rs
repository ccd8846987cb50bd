//! Sellers' first responses to buyers as shop credit (信用, issue #20) reads them.
//!
//! Who: `farmgate-stats` (a seller's credit figures, the operator's seller list, the search
//! ranking's credit signal). Why: credit is recomputed from the records for every seller at
//! once; the conversation figures use case answers one seller to its members or staff. Only
//! the two instants of each conversation are read: no buyer, no message.

use crate::domain::conversation::ResponseClock;
use crate::store::conversation;
use chrono::{DateTime, Utc};
use farmgate_kernel::id::OrgId;
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QuerySelect};
use std::collections::HashMap;
use uuid::Uuid;

/// How a seller answered the conversations buyers opened since a moment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Responses {
    /// Conversations whose buyer first wrote since then.
    pub conversations: i64,
    /// Of those, answered by the seller.
    pub answered: i64,
    /// Seconds from the buyer's first message to the seller's first reply, added up over the
    /// answered ones.
    pub response_seconds: i64,
}

/// A conversation's seller and its two instants: the buyer's first message, the first reply.
type Clock = (Uuid, Option<DateTime<Utc>>, Option<DateTime<Utc>>);

/// Every seller's responses since `since` (or one seller's), by seller.
pub async fn responses<C: ConnectionTrait>(
    db: &C,
    since: DateTime<Utc>,
    seller: Option<OrgId>,
) -> Result<HashMap<OrgId, Responses>, DbErr> {
    use conversation::Column as C;
    let mut q = conversation::Entity::find()
        .select_only()
        .column(C::SellerOrgId)
        .column(C::FirstBuyerMessageAt)
        .column(C::FirstSellerReplyAt)
        .filter(C::FirstBuyerMessageAt.gte(since));
    if let Some(org) = seller {
        q = q.filter(C::SellerOrgId.eq(org.0));
    }
    let rows: Vec<Clock> = q.into_tuple().all(db).await?;
    let mut out: HashMap<OrgId, Responses> = HashMap::new();
    for (org, first, reply) in rows {
        let r = out.entry(OrgId(org)).or_default();
        r.conversations += 1;
        let clock = ResponseClock {
            first_buyer_message_at: first,
            first_seller_reply_at: reply,
        };
        if let Some(s) = clock.response_seconds() {
            r.answered += 1;
            r.response_seconds += s;
        }
    }
    Ok(out)
}
