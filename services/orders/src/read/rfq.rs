//! What notifications (`farmgate-notify`) read of requests for quotation (issue #22): an
//! RFQ's number and title, for the texts of `orders.rfq_posted`, `orders.rfq_quoted` and
//! `orders.rfq_accepted`. Nothing here writes; no address is read.

use crate::store::queries::rfqs;
use sea_orm::{ConnectionTrait, DbErr};
use uuid::Uuid;

/// An RFQ as its notifications name it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RfqNotice {
    pub number: String,
    pub title: String,
}

pub async fn rfq(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<RfqNotice>, DbErr> {
    Ok(rfqs::rfq(conn, id).await?.map(|r| RfqNotice {
        number: r.number,
        title: r.title,
    }))
}
