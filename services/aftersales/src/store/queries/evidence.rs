//! Claim photos: the uploader's until a claim or a message uses them.

use crate::domain::EvidenceId;
use crate::store::evidence;
use farmgate_kernel::id::{AccountId, ClaimId};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
};

pub async fn by_id(
    conn: &impl ConnectionTrait,
    id: EvidenceId,
) -> Result<Option<evidence::Model>, DbErr> {
    evidence::Entity::find_by_id(id.0).one(conn).await
}

/// A claim's photos, in upload order.
pub async fn of_claim(
    conn: &impl ConnectionTrait,
    id: ClaimId,
) -> Result<Vec<evidence::Model>, DbErr> {
    evidence::Entity::find()
        .filter(evidence::Column::ClaimId.eq(id.0))
        .order_by_asc(evidence::Column::UploadedAt)
        .all(conn)
        .await
}

/// How many photos the account holds that no claim uses yet.
pub async fn unused_count(conn: &impl ConnectionTrait, account: AccountId) -> Result<u64, DbErr> {
    evidence::Entity::find()
        .filter(evidence::Column::AccountId.eq(account.0))
        .filter(evidence::Column::ClaimId.is_null())
        .count(conn)
        .await
}

/// How many of `ids` the account uploaded and are free for use: unused, or already on
/// `claim` when given (a message on the same claim may show them again).
pub async fn usable_count(
    conn: &impl ConnectionTrait,
    ids: &[EvidenceId],
    account: AccountId,
    claim: Option<ClaimId>,
) -> Result<u64, DbErr> {
    let q = evidence::Entity::find()
        .filter(evidence::Column::Id.is_in(ids.iter().map(|e| e.0)))
        .filter(evidence::Column::AccountId.eq(account.0));
    let q = match claim {
        Some(c) => q.filter(
            evidence::Column::ClaimId
                .is_null()
                .or(evidence::Column::ClaimId.eq(c.0)),
        ),
        None => q.filter(evidence::Column::ClaimId.is_null()),
    };
    q.count(conn).await
}

pub async fn insert(conn: &impl ConnectionTrait, e: evidence::Model) -> Result<(), DbErr> {
    evidence::Entity::insert(evidence::ActiveModel::from(e))
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// Ties photos to the claim that uses them, if no other claim uses them; how many are
/// now on it (fewer than `ids`: another claim took one a moment ago).
pub async fn attach(
    conn: &impl ConnectionTrait,
    ids: &[EvidenceId],
    claim: ClaimId,
) -> Result<u64, DbErr> {
    let done = evidence::Entity::update_many()
        .col_expr(evidence::Column::ClaimId, Expr::value(claim.0))
        .filter(evidence::Column::Id.is_in(ids.iter().map(|e| e.0)))
        .filter(
            evidence::Column::ClaimId
                .is_null()
                .or(evidence::Column::ClaimId.eq(claim.0)),
        )
        .exec(conn)
        .await?;
    Ok(done.rows_affected)
}
