//! Queries over `news_articles`, `news_revisions` and `news_images`. Review moves are
//! conditional updates (`… WHERE status = 'submitted' AND working_revision_id = …`), so of two
//! requests racing for the same move exactly one changes a row and the other is told it lost.
//! What is public is decided here, in the query, against the clock's now: approved once,
//! `public_from` passed, not withdrawn.

use super::{article, image, revision};
use crate::domain::{ArticleId, NewsCategory, ReviewStatus};
use chrono::{DateTime, Utc};
use farmgate_kernel::{Page, Paged};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};
use uuid::Uuid;

pub async fn article(
    conn: &impl ConnectionTrait,
    id: ArticleId,
) -> Result<Option<article::Model>, DbErr> {
    article::Entity::find_by_id(id.0).one(conn).await
}

pub async fn revision(
    conn: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<revision::Model>, DbErr> {
    revision::Entity::find_by_id(id).one(conn).await
}

/// Revisions by id (any order).
pub async fn revisions(
    conn: &impl ConnectionTrait,
    ids: Vec<Uuid>,
) -> Result<Vec<revision::Model>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    revision::Entity::find()
        .filter(revision::Column::Id.is_in(ids))
        .all(conn)
        .await
}

/// Every revision of an article, newest first.
pub async fn revisions_of(
    conn: &impl ConnectionTrait,
    id: ArticleId,
) -> Result<Vec<revision::Model>, DbErr> {
    revision::Entity::find()
        .filter(revision::Column::ArticleId.eq(id.0))
        .order_by_desc(revision::Column::Number)
        .all(conn)
        .await
}

pub async fn last_revision_number(
    conn: &impl ConnectionTrait,
    id: ArticleId,
) -> Result<i32, DbErr> {
    Ok(revision::Entity::find()
        .filter(revision::Column::ArticleId.eq(id.0))
        .order_by_desc(revision::Column::Number)
        .one(conn)
        .await?
        .map_or(0, |r| r.number))
}

pub async fn insert_article(
    conn: &impl ConnectionTrait,
    m: article::Model,
) -> Result<article::Model, DbErr> {
    m.into_active_model().reset_all().insert(conn).await
}

pub async fn insert_revision(
    conn: &impl ConnectionTrait,
    m: revision::Model,
) -> Result<revision::Model, DbErr> {
    m.into_active_model().reset_all().insert(conn).await
}

fn one_row(r: sea_orm::UpdateResult) -> bool {
    r.rows_affected == 1
}

/// A new revision becomes the working one (a draft); `false` when the article was not in one
/// of `from` any more.
pub async fn start_revision(
    conn: &impl ConnectionTrait,
    id: ArticleId,
    revision: Uuid,
    from: &[ReviewStatus],
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    article::Entity::update_many()
        .col_expr(article::Column::Status, Expr::value(ReviewStatus::Draft))
        .col_expr(article::Column::WorkingRevisionId, Expr::value(revision))
        .col_expr(article::Column::UpdatedAt, Expr::value(now))
        .filter(article::Column::Id.eq(id.0))
        .filter(article::Column::Status.is_in(from.iter().copied()))
        .exec(conn)
        .await
        .map(one_row)
}

/// `draft` → `submitted`.
pub async fn submit(
    conn: &impl ConnectionTrait,
    id: ArticleId,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    article::Entity::update_many()
        .col_expr(
            article::Column::Status,
            Expr::value(ReviewStatus::Submitted),
        )
        .col_expr(article::Column::SubmittedAt, Expr::value(now))
        .col_expr(article::Column::UpdatedAt, Expr::value(now))
        .filter(article::Column::Id.eq(id.0))
        .filter(article::Column::Status.eq(ReviewStatus::Draft))
        .exec(conn)
        .await
        .map(one_row)
}

/// What an approval records.
pub struct Approval {
    pub revision: Uuid,
    pub category: NewsCategory,
    pub public_from: DateTime<Utc>,
    pub reviewer: Uuid,
    pub at: DateTime<Utc>,
}

/// `submitted` → `approved`: the working revision becomes the public one (and a withdrawn
/// article is public again).
pub async fn approve(
    conn: &impl ConnectionTrait,
    id: ArticleId,
    a: &Approval,
) -> Result<bool, DbErr> {
    article::Entity::update_many()
        .col_expr(article::Column::Status, Expr::value(ReviewStatus::Approved))
        .col_expr(
            article::Column::PublishedRevisionId,
            Expr::value(a.revision),
        )
        .col_expr(article::Column::Category, Expr::value(a.category))
        .col_expr(article::Column::PublicFrom, Expr::value(a.public_from))
        .col_expr(article::Column::ReviewedBy, Expr::value(a.reviewer))
        .col_expr(article::Column::ReviewedAt, Expr::value(a.at))
        .col_expr(
            article::Column::RejectReason,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            article::Column::WithdrawnAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(
            article::Column::WithdrawnBy,
            Expr::value(Option::<Uuid>::None),
        )
        .col_expr(
            article::Column::WithdrawReason,
            Expr::value(Option::<String>::None),
        )
        .col_expr(article::Column::UpdatedAt, Expr::value(a.at))
        .filter(article::Column::Id.eq(id.0))
        .filter(article::Column::Status.eq(ReviewStatus::Submitted))
        .filter(article::Column::WorkingRevisionId.eq(a.revision))
        .exec(conn)
        .await
        .map(one_row)
}

/// `submitted` → `rejected` with the reason.
pub async fn reject(
    conn: &impl ConnectionTrait,
    id: ArticleId,
    revision: Uuid,
    reviewer: Uuid,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    article::Entity::update_many()
        .col_expr(article::Column::Status, Expr::value(ReviewStatus::Rejected))
        .col_expr(article::Column::ReviewedBy, Expr::value(reviewer))
        .col_expr(article::Column::ReviewedAt, Expr::value(now))
        .col_expr(
            article::Column::RejectReason,
            Expr::value(reason.to_owned()),
        )
        .col_expr(article::Column::UpdatedAt, Expr::value(now))
        .filter(article::Column::Id.eq(id.0))
        .filter(article::Column::Status.eq(ReviewStatus::Submitted))
        .filter(article::Column::WorkingRevisionId.eq(revision))
        .exec(conn)
        .await
        .map(one_row)
}

/// Hides a published article; `false` when it was not published or is withdrawn already.
pub async fn withdraw(
    conn: &impl ConnectionTrait,
    id: ArticleId,
    by: Uuid,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    article::Entity::update_many()
        .col_expr(article::Column::WithdrawnAt, Expr::value(now))
        .col_expr(article::Column::WithdrawnBy, Expr::value(by))
        .col_expr(
            article::Column::WithdrawReason,
            Expr::value(reason.to_owned()),
        )
        .col_expr(article::Column::Pinned, Expr::value(false))
        .col_expr(article::Column::UpdatedAt, Expr::value(now))
        .filter(article::Column::Id.eq(id.0))
        .filter(article::Column::PublishedRevisionId.is_not_null())
        .filter(article::Column::WithdrawnAt.is_null())
        .exec(conn)
        .await
        .map(one_row)
}

pub async fn set_pinned(
    conn: &impl ConnectionTrait,
    id: ArticleId,
    pinned: bool,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    article::Entity::update_many()
        .col_expr(article::Column::Pinned, Expr::value(pinned))
        .col_expr(article::Column::UpdatedAt, Expr::value(now))
        .filter(article::Column::Id.eq(id.0))
        .exec(conn)
        .await
        .map(one_row)
}

/// Public now: approved once, its time come, not withdrawn.
fn public(now: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(article::Column::PublishedRevisionId.is_not_null())
        .add(article::Column::PublicFrom.lte(now))
        .add(article::Column::WithdrawnAt.is_null())
}

/// One public article, or `None` (never approved, scheduled for later, withdrawn, unknown).
pub async fn public_article(
    conn: &impl ConnectionTrait,
    id: ArticleId,
    now: DateTime<Utc>,
) -> Result<Option<article::Model>, DbErr> {
    article::Entity::find_by_id(id.0)
        .filter(public(now))
        .one(conn)
        .await
}

async fn paged(
    conn: &impl ConnectionTrait,
    q: Select<article::Entity>,
    page: Page,
) -> Result<Paged<article::Model>, DbErr> {
    let total = q.clone().count(conn).await?;
    let items = q
        .limit(page.limit())
        .offset(page.offset())
        .all(conn)
        .await?;
    Ok(Paged::new(items, total, page))
}

/// Public articles, newest first, optionally of one category.
pub async fn public_list(
    conn: &impl ConnectionTrait,
    category: Option<NewsCategory>,
    now: DateTime<Utc>,
    page: Page,
) -> Result<Paged<article::Model>, DbErr> {
    let mut q = article::Entity::find().filter(public(now));
    if let Some(c) = category {
        q = q.filter(article::Column::Category.eq(c));
    }
    let q = q
        .order_by_desc(article::Column::PublicFrom)
        .order_by_desc(article::Column::Id);
    paged(conn, q, page).await
}

/// Pinned public articles, newest first, at most `limit`.
pub async fn pinned(
    conn: &impl ConnectionTrait,
    now: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<article::Model>, DbErr> {
    article::Entity::find()
        .filter(public(now))
        .filter(article::Column::Pinned.eq(true))
        .order_by_desc(article::Column::PublicFrom)
        .order_by_desc(article::Column::Id)
        .limit(limit)
        .all(conn)
        .await
}

/// Submitted articles, longest waiting (so overdue) first.
pub async fn queue(
    conn: &impl ConnectionTrait,
    page: Page,
) -> Result<Paged<article::Model>, DbErr> {
    let q = article::Entity::find()
        .filter(article::Column::Status.eq(ReviewStatus::Submitted))
        .order_by_asc(article::Column::SubmittedAt)
        .order_by_asc(article::Column::Id);
    paged(conn, q, page).await
}

/// The back office's list: one author's articles (or everyone's), last changed first.
pub async fn listed(
    conn: &impl ConnectionTrait,
    author: Option<Uuid>,
    status: Option<ReviewStatus>,
    page: Page,
) -> Result<Paged<article::Model>, DbErr> {
    let mut q = article::Entity::find();
    if let Some(a) = author {
        q = q.filter(article::Column::AuthorId.eq(a));
    }
    if let Some(s) = status {
        q = q.filter(article::Column::Status.eq(s));
    }
    let q = q
        .order_by_desc(article::Column::UpdatedAt)
        .order_by_desc(article::Column::Id);
    paged(conn, q, page).await
}

pub async fn insert_image(
    conn: &impl ConnectionTrait,
    m: image::Model,
) -> Result<image::Model, DbErr> {
    m.into_active_model().reset_all().insert(conn).await
}

pub async fn image(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<image::Model>, DbErr> {
    image::Entity::find_by_id(id).one(conn).await
}

/// How many of `ids` the caller may show in an article: their own uploads, or pictures that are
/// public already.
pub async fn usable_images(
    conn: &impl ConnectionTrait,
    ids: &[Uuid],
    uploader: Uuid,
) -> Result<u64, DbErr> {
    if ids.is_empty() {
        return Ok(0);
    }
    image::Entity::find()
        .filter(image::Column::Id.is_in(ids.iter().copied()))
        .filter(
            Condition::any()
                .add(image::Column::UploadedBy.eq(uploader))
                .add(image::Column::PublicAt.is_not_null()),
        )
        .count(conn)
        .await
}

/// Pictures an approved revision shows are served to anyone from now.
pub async fn make_images_public(
    conn: &impl ConnectionTrait,
    ids: &[Uuid],
    now: DateTime<Utc>,
) -> Result<(), DbErr> {
    if ids.is_empty() {
        return Ok(());
    }
    image::Entity::update_many()
        .col_expr(image::Column::PublicAt, Expr::value(now))
        .filter(image::Column::Id.is_in(ids.iter().copied()))
        .filter(image::Column::PublicAt.is_null())
        .exec(conn)
        .await?;
    Ok(())
}

/// Pictures one account uploaded in the last day (a bound on what one writer stores).
pub async fn images_uploaded_since(
    conn: &impl ConnectionTrait,
    uploader: Uuid,
    since: DateTime<Utc>,
) -> Result<u64, DbErr> {
    image::Entity::find()
        .filter(image::Column::UploadedBy.eq(uploader))
        .filter(image::Column::UploadedAt.gte(since))
        .count(conn)
        .await
}
