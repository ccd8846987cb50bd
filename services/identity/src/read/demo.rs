//! What the demo crate (`farmgate-demo`) reads of identity's tables: whether a demo person is
//! there yet (the county seed is idempotent by phone), and the bulk facts the order-history
//! generator needs (the verified organisations and their owners, the business buyers an earlier
//! run made, the next free phone numbers, a password hash to copy). The generator writes its
//! new buyers with raw multi-row INSERTs for speed (see `farmgate_demo::history`); these are its
//! reads. Nothing else should use them.

use crate::domain::{OrgKind, OrgStatus, PlatformRole};
use crate::store::queries;
use crate::store::{account, membership, organisation};
use farmgate_kernel::LoginId;
use farmgate_kernel::id::{AccountId, OrgId};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

/// An organisation as the history generator sees it: who it is, where, and who made it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Organisation {
    pub id: OrgId,
    pub kind: OrgKind,
    pub status: OrgStatus,
    pub licence_no: String,
    pub province: String,
    pub city: String,
    pub county: String,
    pub address: Option<String>,
    pub contact_name: String,
    pub contact_phone: String,
    pub created_by: AccountId,
}

fn organisation_of(o: organisation::Model) -> Result<Organisation, DbErr> {
    Ok(Organisation {
        id: OrgId(o.id),
        kind: o.kind,
        status: o.status,
        licence_no: o.licence_no,
        province: o.province,
        city: o.city,
        county: o.county,
        address: o.address,
        contact_name: o.contact_name,
        contact_phone: o.contact_phone,
        created_by: AccountId(o.created_by),
    })
}

/// The account a phone or e-mail logs in as, if any (the seed creates each demo person once).
pub async fn account_by_login(
    conn: &impl ConnectionTrait,
    login: &LoginId,
) -> Result<Option<AccountId>, DbErr> {
    Ok(queries::accounts::by_login(conn, login)
        .await?
        .map(|a| AccountId(a.id)))
}

/// Every verified organisation (the sellers the history buys from).
pub async fn verified_organisations(
    conn: &impl ConnectionTrait,
) -> Result<Vec<Organisation>, DbErr> {
    organisation::Entity::find()
        .filter(organisation::Column::Status.eq(OrgStatus::Verified.as_str()))
        .all(conn)
        .await?
        .into_iter()
        .map(organisation_of)
        .collect()
}

/// The organisations registered under these licence numbers (business buyers an earlier run
/// made, reused by the next).
pub async fn organisations_by_licence(
    conn: &impl ConnectionTrait,
    licences: &[String],
) -> Result<Vec<Organisation>, DbErr> {
    if licences.is_empty() {
        return Ok(Vec::new());
    }
    organisation::Entity::find()
        .filter(organisation::Column::LicenceNo.is_in(licences.iter().cloned()))
        .all(conn)
        .await?
        .into_iter()
        .map(organisation_of)
        .collect()
}

/// Owner memberships, as (organisation, owner) pairs in the database's order: of the given
/// organisations, or of every organisation when `orgs` is `None`. The history generator lets
/// the owner ship and acknowledge, and buy for a business buyer.
pub async fn owners(
    conn: &impl ConnectionTrait,
    orgs: Option<&[OrgId]>,
) -> Result<Vec<(OrgId, AccountId)>, DbErr> {
    let mut q = membership::Entity::find()
        .filter(membership::Column::Role.eq(crate::domain::OrgRole::Owner.as_str()));
    if let Some(orgs) = orgs {
        if orgs.is_empty() {
            return Ok(Vec::new());
        }
        q = q.filter(membership::Column::OrgId.is_in(orgs.iter().map(OrgId::as_uuid)));
    }
    Ok(q.all(conn)
        .await?
        .into_iter()
        .map(|m| (OrgId(m.org_id), AccountId(m.account_id)))
        .collect())
}

/// The highest phone number starting with `prefix` (the generator numbers its buyers after the
/// last one an earlier run made).
pub async fn highest_phone_with_prefix(
    conn: &impl ConnectionTrait,
    prefix: &str,
) -> Result<Option<String>, DbErr> {
    Ok(account::Entity::find()
        .filter(account::Column::Phone.starts_with(prefix))
        .order_by_desc(account::Column::Phone)
        .one(conn)
        .await?
        .and_then(|a| a.phone))
}

/// The password hash of the oldest account without a platform role (a demo account). The
/// generator's buyers copy it, so they log in with the demo password and no hashing slows the
/// run down.
pub async fn password_hash_to_copy(conn: &impl ConnectionTrait) -> Result<Option<String>, DbErr> {
    Ok(account::Entity::find()
        .filter(account::Column::PlatformRole.is_null())
        .order_by_asc(account::Column::CreatedAt)
        .one(conn)
        .await?
        .map(|a| a.password_hash))
}

/// The oldest operator's account (who confirms offline payments and refunds in the history).
pub async fn first_operator(conn: &impl ConnectionTrait) -> Result<Option<AccountId>, DbErr> {
    Ok(account::Entity::find()
        .filter(account::Column::PlatformRole.eq(PlatformRole::Operator.as_str()))
        .order_by_asc(account::Column::CreatedAt)
        .one(conn)
        .await?
        .map(|a| AccountId(a.id)))
}
