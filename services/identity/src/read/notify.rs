//! What notifications (`farmgate-notify`) need to know about people and organisations.
//!
//! Who: the notification centre's outbox handlers. Why: an event names an organisation (the
//! seller of a paid order, an organisation that was verified) and every member hears of it;
//! an unacknowledged paid order is escalated to the platform's operators, an overdue credit
//! statement to platform finance; a text message goes
//! to the person's phone. Only what delivery needs: the account's phone (never logged in full)
//! and whether the account still exists to be told anything.

use crate::domain::{AccountStatus, PlatformRole};
use crate::store::{account, membership};
use farmgate_kernel::Phone;
use farmgate_kernel::id::{AccountId, OrgId};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

/// The accounts that are members of `org` (any role), oldest membership first.
pub async fn org_members(conn: &impl ConnectionTrait, org: OrgId) -> Result<Vec<AccountId>, DbErr> {
    Ok(membership::Entity::find()
        .filter(membership::Column::OrgId.eq(org.0))
        .order_by_asc(membership::Column::CreatedAt)
        .order_by_asc(membership::Column::AccountId)
        .all(conn)
        .await?
        .into_iter()
        .map(|m| AccountId(m.account_id))
        .collect())
}

/// The active accounts of the platform's operators (平台运营).
pub async fn operators(conn: &impl ConnectionTrait) -> Result<Vec<AccountId>, DbErr> {
    platform_staff(conn, PlatformRole::Operator).await
}

/// The active accounts of platform finance (平台财务): an overdue credit statement is theirs
/// to chase.
pub async fn finance(conn: &impl ConnectionTrait) -> Result<Vec<AccountId>, DbErr> {
    platform_staff(conn, PlatformRole::Finance).await
}

async fn platform_staff(
    conn: &impl ConnectionTrait,
    role: PlatformRole,
) -> Result<Vec<AccountId>, DbErr> {
    Ok(account::Entity::find()
        .filter(account::Column::PlatformRole.eq(role))
        .filter(account::Column::Status.eq(AccountStatus::Active))
        .order_by_asc(account::Column::CreatedAt)
        .all(conn)
        .await?
        .into_iter()
        .map(|a| AccountId(a.id))
        .collect())
}

/// How a person is reached outside the site.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reach {
    pub id: AccountId,
    /// Active: disabled and erased accounts are told nothing outside the site.
    pub active: bool,
    /// The account's phone, when it has one.
    pub phone: Option<Phone>,
}

/// One account's reach; `None` when there is no such account.
pub async fn reach(conn: &impl ConnectionTrait, id: AccountId) -> Result<Option<Reach>, DbErr> {
    Ok(account::Entity::find_by_id(id.0)
        .one(conn)
        .await?
        .map(|a| Reach {
            id: AccountId(a.id),
            active: a.status == AccountStatus::Active,
            phone: a.phone.as_deref().and_then(|p| Phone::parse(p).ok()),
        }))
}

/// An invitation as its notification names it: the account it is addressed to and the
/// organisation that sent it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InvitationNotice {
    pub id: crate::domain::InvitationId,
    /// The active account holding the invited phone.
    pub invitee: AccountId,
    pub org: OrgId,
    pub org_name: String,
}

/// The pending invitation and the account it reaches; `None` when there is no such
/// invitation, it was answered or withdrawn meanwhile, or no active account holds the phone (a
/// person without an account sees it in "my invitations" once they register with that phone:
/// nothing is sent to a number that has no account — an owner cannot make the platform text
/// strangers).
pub async fn invitation(
    conn: &impl ConnectionTrait,
    id: crate::domain::InvitationId,
) -> Result<Option<InvitationNotice>, DbErr> {
    use crate::domain::InvitationStatus;
    use crate::store::{invitation, organisation};
    let Some(inv) = invitation::Entity::find_by_id(id.as_uuid())
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    if inv.status != InvitationStatus::Pending {
        return Ok(None);
    }
    let Some(invitee) = account::Entity::find()
        .filter(account::Column::Phone.eq(inv.login.as_str()))
        .filter(account::Column::Status.eq(AccountStatus::Active))
        .one(conn)
        .await?
    else {
        return Ok(None);
    };
    let org_name = organisation::Entity::find_by_id(inv.org_id)
        .one(conn)
        .await?
        .map(|o| o.name)
        .unwrap_or_default();
    Ok(Some(InvitationNotice {
        id,
        invitee: AccountId(invitee.id),
        org: OrgId(inv.org_id),
        org_name,
    }))
}
