//! Settlement accounts and their history.

use crate::domain::AccountStatus;
use crate::store::{account_change, bank_account};
use chrono::{DateTime, Utc};
use farmgate_infra::db::UniqueIndex;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use std::collections::HashMap;
use uuid::Uuid;

/// One account per organisation: two first submissions at the same moment run into it.
pub const ACCOUNT_ORG: UniqueIndex = UniqueIndex {
    name: "ux_seller_bank_accounts_org",
    table: "seller_bank_accounts",
    columns: &["org_id"],
};

pub async fn by_org(
    conn: &impl ConnectionTrait,
    org: Uuid,
) -> Result<Option<bank_account::Model>, DbErr> {
    bank_account::Entity::find()
        .filter(bank_account::Column::OrgId.eq(org))
        .one(conn)
        .await
}

pub async fn by_id(
    conn: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<bank_account::Model>, DbErr> {
    bank_account::Entity::find_by_id(id).one(conn).await
}

/// The accounts of these organisations (whatever their status), by organisation.
pub async fn of_orgs(
    conn: &impl ConnectionTrait,
    orgs: &[Uuid],
) -> Result<HashMap<Uuid, bank_account::Model>, DbErr> {
    let mut out = HashMap::new();
    for chunk in orgs.chunks(super::CHUNK) {
        for a in bank_account::Entity::find()
            .filter(bank_account::Column::OrgId.is_in(chunk.iter().copied()))
            .all(conn)
            .await?
        {
            out.insert(a.org_id, a);
        }
    }
    Ok(out)
}

pub async fn insert(conn: &impl ConnectionTrait, m: bank_account::Model) -> Result<(), DbErr> {
    m.into_active_model().insert(conn).await?;
    Ok(())
}

/// Replaces the details of account `id` if it is still at `version`: the new version, pending.
/// `false`: another change got there first.
pub async fn replace(
    conn: &impl ConnectionTrait,
    m: &bank_account::Model,
    expected_version: i32,
) -> Result<bool, DbErr> {
    let r = bank_account::Entity::update_many()
        .col_expr(
            bank_account::Column::AccountName,
            Expr::value(m.account_name.clone()),
        )
        .col_expr(
            bank_account::Column::AccountNo,
            Expr::value(m.account_no.clone()),
        )
        .col_expr(
            bank_account::Column::BankName,
            Expr::value(m.bank_name.clone()),
        )
        .col_expr(bank_account::Column::Branch, Expr::value(m.branch.clone()))
        .col_expr(bank_account::Column::Cnaps, Expr::value(m.cnaps.clone()))
        .col_expr(bank_account::Column::Status, Expr::value(m.status))
        .col_expr(
            bank_account::Column::RejectReason,
            Expr::value(Option::<String>::None),
        )
        .col_expr(bank_account::Column::Version, Expr::value(m.version))
        .col_expr(
            bank_account::Column::SubmittedBy,
            Expr::value(m.submitted_by),
        )
        .col_expr(
            bank_account::Column::SubmittedAt,
            Expr::value(m.submitted_at),
        )
        .col_expr(
            bank_account::Column::ReviewedBy,
            Expr::value(Option::<Uuid>::None),
        )
        .col_expr(
            bank_account::Column::ReviewedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .filter(bank_account::Column::Id.eq(m.id))
        .filter(bank_account::Column::Version.eq(expected_version))
        .exec(conn)
        .await?;
    Ok(r.rows_affected == 1)
}

/// Moves a pending account at `version` to `to`. `false`: it is not pending at that version
/// any more.
pub async fn review(
    conn: &impl ConnectionTrait,
    id: Uuid,
    version: i32,
    to: AccountStatus,
    reason: Option<String>,
    by: Uuid,
    at: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let r = bank_account::Entity::update_many()
        .col_expr(bank_account::Column::Status, Expr::value(to))
        .col_expr(bank_account::Column::RejectReason, Expr::value(reason))
        .col_expr(bank_account::Column::ReviewedBy, Expr::value(Some(by)))
        .col_expr(bank_account::Column::ReviewedAt, Expr::value(Some(at)))
        .filter(bank_account::Column::Id.eq(id))
        .filter(bank_account::Column::Version.eq(version))
        .filter(bank_account::Column::Status.eq(AccountStatus::Pending))
        .exec(conn)
        .await?;
    Ok(r.rows_affected == 1)
}

/// One page of accounts in `status` (all when `None`), oldest submission first, and the total.
pub async fn list(
    conn: &impl ConnectionTrait,
    status: Option<AccountStatus>,
    limit: u64,
    offset: u64,
) -> Result<(Vec<bank_account::Model>, u64), DbErr> {
    let mut q = bank_account::Entity::find();
    if let Some(s) = status {
        q = q.filter(bank_account::Column::Status.eq(s));
    }
    let total = q.clone().count(conn).await?;
    let rows = q
        .order_by_asc(bank_account::Column::SubmittedAt)
        .order_by_asc(bank_account::Column::Id)
        .limit(limit)
        .offset(offset)
        .all(conn)
        .await?;
    Ok((rows, total))
}

pub async fn add_change(
    conn: &impl ConnectionTrait,
    m: account_change::Model,
) -> Result<(), DbErr> {
    m.into_active_model().insert(conn).await?;
    Ok(())
}

/// An organisation's account history, newest first (at most `limit`).
pub async fn changes(
    conn: &impl ConnectionTrait,
    org: Uuid,
    limit: u64,
) -> Result<Vec<account_change::Model>, DbErr> {
    account_change::Entity::find()
        .filter(account_change::Column::OrgId.eq(org))
        .order_by_desc(account_change::Column::CreatedAt)
        .order_by_desc(account_change::Column::Id)
        .limit(limit)
        .all(conn)
        .await
}
