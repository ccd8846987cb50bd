//! Recalls and the notices their buyers get.

use crate::domain::{NoticeStatus, RecallNoticeId};
use crate::store::{notice, recall};
use chrono::{DateTime, Utc};
use farmgate_kernel::Page;
use farmgate_kernel::id::{AccountId, BatchId, OrgId, RecallId, RefundId};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};

pub async fn by_id(
    conn: &impl ConnectionTrait,
    id: RecallId,
) -> Result<Option<recall::Model>, DbErr> {
    recall::Entity::find_by_id(id.0).one(conn).await
}

/// The recall of a batch, if it was recalled (a batch is recalled once).
pub async fn of_batch(
    conn: &impl ConnectionTrait,
    batch: BatchId,
) -> Result<Option<recall::Model>, DbErr> {
    recall::Entity::find()
        .filter(recall::Column::BatchId.eq(batch.0))
        .one(conn)
        .await
}

/// Recall reports newest first, all of them or those of some sellers; one page and the total.
pub async fn page(
    conn: &impl ConnectionTrait,
    sellers: Option<&[OrgId]>,
    page: Page,
) -> Result<(Vec<recall::Model>, u64), DbErr> {
    let mut q = recall::Entity::find().order_by_desc(recall::Column::CreatedAt);
    if let Some(orgs) = sellers {
        q = q.filter(recall::Column::SellerOrgId.is_in(orgs.iter().map(|o| o.0)));
    }
    let total = q.clone().count(conn).await?;
    let rows = q
        .offset(page.offset())
        .limit(page.limit())
        .all(conn)
        .await?;
    Ok((rows, total))
}

pub async fn by_ids(
    conn: &impl ConnectionTrait,
    ids: &[RecallId],
) -> Result<Vec<recall::Model>, DbErr> {
    recall::Entity::find()
        .filter(recall::Column::Id.is_in(ids.iter().map(|r| r.0)))
        .all(conn)
        .await
}

/// The insert of a recall may meet a concurrent one: the unique index on the batch refuses it.
pub async fn insert(conn: &impl ConnectionTrait, r: recall::Model) -> Result<(), DbErr> {
    recall::Entity::insert(recall::ActiveModel::from(r))
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

pub async fn notice_by_id(
    conn: &impl ConnectionTrait,
    id: RecallNoticeId,
) -> Result<Option<notice::Model>, DbErr> {
    notice::Entity::find_by_id(id.0).one(conn).await
}

pub async fn notices_of(
    conn: &impl ConnectionTrait,
    recall: RecallId,
) -> Result<Vec<notice::Model>, DbErr> {
    notice::Entity::find()
        .filter(notice::Column::RecallId.eq(recall.0))
        .all(conn)
        .await
}

/// A buyer's most recent notices, newest first.
pub async fn notices_to(
    conn: &impl ConnectionTrait,
    buyer: AccountId,
    limit: u64,
) -> Result<Vec<notice::Model>, DbErr> {
    notice::Entity::find()
        .filter(notice::Column::BuyerAccountId.eq(buyer.0))
        .order_by_desc(notice::Column::CreatedAt)
        .limit(limit)
        .all(conn)
        .await
}

pub async fn insert_notice(conn: &impl ConnectionTrait, n: notice::Model) -> Result<(), DbErr> {
    notice::Entity::insert(notice::ActiveModel::from(n))
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// Marks an offered notice refunded, once (a concurrent take changes nothing more).
pub async fn mark_refunded(
    conn: &impl ConnectionTrait,
    id: RecallNoticeId,
    refund: Option<RefundId>,
    amount_fen: i64,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    notice::Entity::update_many()
        .col_expr(notice::Column::Status, Expr::value(NoticeStatus::Refunded))
        .col_expr(notice::Column::RefundId, Expr::value(refund.map(|r| r.0)))
        .col_expr(notice::Column::OfferedFen, Expr::value(amount_fen))
        .col_expr(notice::Column::RefundedAt, Expr::value(at))
        .filter(notice::Column::Id.eq(id.0))
        .filter(notice::Column::Status.eq(NoticeStatus::Offered))
        .exec(conn)
        .await?;
    Ok(())
}

/// Recalls made in `[from, to]`, newest first (the public quality bulletin).
pub async fn between(
    conn: &impl ConnectionTrait,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    limit: u64,
) -> Result<Vec<recall::Model>, DbErr> {
    recall::Entity::find()
        .filter(recall::Column::CreatedAt.gte(from))
        .filter(recall::Column::CreatedAt.lte(to))
        .order_by_desc(recall::Column::CreatedAt)
        .order_by_desc(recall::Column::Id)
        .limit(limit)
        .all(conn)
        .await
}
