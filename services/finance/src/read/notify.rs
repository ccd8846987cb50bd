//! What notifications (`farmgate-notify`) read of finance, and why: a `finance.payout.paid`
//! event names a payout; its seller's members are told how much was paid and under which bank
//! reference. Nothing here writes; no account number is read.

use crate::domain::{PayoutId, PayoutStatus};
use crate::store::queries::payouts as q;
use farmgate_kernel::Money;
use farmgate_kernel::id::OrgId;
use sea_orm::{ConnectionTrait, DbErr};

/// A paid payout as its notification names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaidPayout {
    pub id: PayoutId,
    pub seller: OrgId,
    pub amount: Money,
    pub reference: String,
    /// The batch's number (`PB…`).
    pub batch: String,
}

/// The payout when it is paid; `None` when there is no such payout or it is not (or no
/// longer) paid.
pub async fn paid_payout(
    conn: &impl ConnectionTrait,
    id: PayoutId,
) -> Result<Option<PaidPayout>, DbErr> {
    let Some(p) = q::payout(conn, id.as_uuid()).await? else {
        return Ok(None);
    };
    if p.status != PayoutStatus::Paid {
        return Ok(None);
    }
    let batch = q::batch(conn, p.batch_id)
        .await?
        .map(|b| b.number)
        .unwrap_or_default();
    Ok(Some(PaidPayout {
        id,
        seller: OrgId(p.org_id),
        amount: Money::from_fen(p.amount_fen),
        reference: p.bank_reference.unwrap_or_default(),
        batch,
    }))
}
