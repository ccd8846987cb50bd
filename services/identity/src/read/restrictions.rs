//! Whether an account is restricted (劣质客户备案), for the rooms that enforce it: after-sales
//! asks `ClaimNeedsWaybillPhoto` when a claim is filed, orders asks `NoOfflinePayment` at
//! checkout. Only the yes/no: the reasons stay with the operator and the desk.

pub use crate::domain::RestrictionKind;
use crate::store::queries::restrictions;
use farmgate_kernel::id::AccountId;
use sea_orm::{ConnectionTrait, DbErr};

/// Whether `account` has an active restriction of `kind`.
pub async fn is_restricted(
    conn: &impl ConnectionTrait,
    account: AccountId,
    kind: RestrictionKind,
) -> Result<bool, DbErr> {
    Ok(restrictions::active(conn, account, kind).await?.is_some())
}
