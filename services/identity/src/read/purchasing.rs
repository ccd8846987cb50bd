//! What orders asks at checkout and when an order is approved (issue #22): a business buyer's
//! approval limit and a member's role as the database has it now (not as a session cached a
//! minute ago, so a manager demoted a moment ago approves nothing).

use crate::domain::OrgRole;
use crate::store::queries::{buyer_profiles, members};
use farmgate_kernel::id::{AccountId, OrgId};
use sea_orm::{ConnectionTrait, DbErr};

/// The limit (fen) above which a purchaser's order waits for approval; `None`: no limit.
pub async fn approval_limit(conn: &impl ConnectionTrait, org: OrgId) -> Result<Option<i64>, DbErr> {
    Ok(buyer_profiles::get(conn, org)
        .await?
        .and_then(|p| p.approval_limit_fen))
}

/// The account's role in the organisation now; `None` when it is not a member.
pub async fn member_role(
    conn: &impl ConnectionTrait,
    org: OrgId,
    account: AccountId,
) -> Result<Option<OrgRole>, DbErr> {
    Ok(members::get(conn, org, account).await?.map(|m| m.role))
}

/// Display names of accounts, for the approvals queue (who asked, who decided).
pub async fn names(
    conn: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = uuid::Uuid>,
) -> Result<std::collections::HashMap<uuid::Uuid, String>, DbErr> {
    Ok(crate::store::queries::accounts::by_ids(conn, ids)
        .await?
        .into_iter()
        .map(|a| (a.id, a.display_name))
        .collect())
}
