//! Accounts.

use crate::store::account;
use farmgate_kernel::id::AccountId;
use farmgate_kernel::{LoginId, Page};
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
