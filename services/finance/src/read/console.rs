//! What the operator's console home (served by the server's `console` module) reads of
//! finance, and why: money work waiting for the platform — payouts sent to the bank but not
//! yet marked paid or failed, and sellers' settlement accounts waiting for verification (a
//! seller without one is held back from payouts).
//!
//! Nothing here writes; no account number is read.

use crate::domain::{AccountStatus, PayoutStatus};
use crate::store::{bank_account, payout};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect,
};

/// Finance's queue.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MoneyQueue {
    /// Payouts pending at the bank.
    pub pending_payouts: u64,
    /// What they add up to, in fen.
    pub pending_payout_fen: i64,
    /// Settlement accounts waiting for verification.
    pub bank_accounts_to_verify: u64,
}

/// Finance's queue now.
pub async fn money_queue(conn: &impl ConnectionTrait) -> Result<MoneyQueue, DbErr> {
    let amounts: Vec<i64> = payout::Entity::find()
        .filter(payout::Column::Status.eq(PayoutStatus::Pending))
        .select_only()
        .column(payout::Column::AmountFen)
        .into_tuple()
        .all(conn)
        .await?;
    let bank_accounts_to_verify = bank_account::Entity::find()
        .filter(bank_account::Column::Status.eq(AccountStatus::Pending))
        .count(conn)
        .await?;
    Ok(MoneyQueue {
        pending_payouts: amounts.len() as u64,
        pending_payout_fen: amounts.iter().sum(),
        bank_accounts_to_verify,
    })
}
