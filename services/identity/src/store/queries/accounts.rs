//! Accounts.

use crate::store::account;
use farmgate_kernel::id::AccountId;
use farmgate_kernel::{LoginId, Page};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter,
    QueryOrder, QuerySelect,
};
use uuid::Uuid;

pub async fn by_login(
    conn: &impl ConnectionTrait,
    login: &LoginId,
) -> Result<Option<account::Model>, DbErr> {
    let filter = match login {
        LoginId::Phone(p) => account::Column::Phone.eq(p.as_str()),
        LoginId::Email(e) => account::Column::Email.eq(e.as_str()),
    };
    account::Entity::find().filter(filter).one(conn).await
}

pub async fn by_id(
    conn: &impl ConnectionTrait,
    id: AccountId,
) -> Result<Option<account::Model>, DbErr> {
    account::Entity::find_by_id(id.as_uuid()).one(conn).await
}

/// The accounts with these ids (any order; unknown ids are skipped). For putting names on
/// lists of members, inviters, reviewers and audit entries in one query.
pub async fn by_ids(
    conn: &impl ConnectionTrait,
    ids: impl IntoIterator<Item = Uuid>,
) -> Result<Vec<account::Model>, DbErr> {
    account::Entity::find()
        .filter(account::Column::Id.is_in(ids))
        .all(conn)
        .await
}

/// A unique-constraint failure (phone, e-mail) comes back as the error; the use case names the
/// field.
pub async fn insert(conn: &impl ConnectionTrait, model: &account::Model) -> Result<(), DbErr> {
    account::Entity::insert(account::ActiveModel::from(model.clone()))
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// Accounts whose phone, e-mail or name contains `q`, newest first, and how many match.
pub async fn search(
    conn: &impl ConnectionTrait,
    q: Option<&str>,
    page: Page,
) -> Result<(Vec<account::Model>, u64), DbErr> {
    let mut query = account::Entity::find();
    if let Some(text) = super::search_text(q) {
        query = query.filter(
            Condition::any()
                .add(account::Column::Phone.contains(text.clone()))
                .add(account::Column::Email.contains(text.to_lowercase()))
                .add(account::Column::DisplayName.contains(text)),
        );
    }
    let total = query.clone().count(conn).await?;
    let items = query
        .order_by_desc(account::Column::CreatedAt)
        .order_by_asc(account::Column::Id)
        .offset(page.offset())
        .limit(page.limit())
        .all(conn)
        .await?;
    Ok((items, total))
}

/// The account with this phone, if any.
pub async fn by_phone(
    conn: &impl ConnectionTrait,
    phone: &farmgate_kernel::Phone,
) -> Result<Option<account::Model>, DbErr> {
    account::Entity::find()
        .filter(account::Column::Phone.eq(phone.as_str()))
        .one(conn)
        .await
}

/// Makes every cached session of the account stale (see `sessions::unrevoked_by_token_hash`).
pub async fn bump_revocation(conn: &impl ConnectionTrait, id: AccountId) -> Result<(), DbErr> {
    account::Entity::update_many()
        .col_expr(
            account::Column::RevocationSeq,
            Expr::col(account::Column::RevocationSeq).add(1),
        )
        .filter(account::Column::Id.eq(id.as_uuid()))
        .exec(conn)
        .await?;
    Ok(())
}

/// Whether any account is marked as having the demo password.
pub async fn any_demo_password(conn: &impl ConnectionTrait) -> Result<bool, DbErr> {
    Ok(account::Entity::find()
        .filter(account::Column::DemoPassword.eq(true))
        .filter(account::Column::ErasedAt.is_null())
        .count(conn)
        .await?
        > 0)
}

/// Password hashes of accounts with a platform role (a few dozen at most), for checking them
/// against the demo password at start-up.
pub async fn staff_password_hashes(conn: &impl ConnectionTrait) -> Result<Vec<String>, DbErr> {
    Ok(account::Entity::find()
        .filter(account::Column::PlatformRole.is_not_null())
        .limit(500)
        .all(conn)
        .await?
        .into_iter()
        .map(|a| a.password_hash)
        .collect())
}
