//! The openid a WeChat log-in bound to an account (orders: paying inside WeChat needs the
//! payer's openid under the same official account; notify: WeChat messages go to it). A
//! buyer who logged in with WeChat pays at once, without another authorisation round trip.

use crate::store::queries;
use farmgate_kernel::id::AccountId;
use sea_orm::{ConnectionTrait, DbErr};

/// The account's openid under `app_id`, when a WeChat log-in bound one.
pub async fn openid(
    conn: &impl ConnectionTrait,
    account: AccountId,
    app_id: &str,
) -> Result<Option<String>, DbErr> {
    Ok(queries::wechat::of_account(conn, account.as_uuid(), app_id)
        .await?
        .map(|b| b.openid))
}
