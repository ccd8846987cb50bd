//! Requests for quotation and their quotes (issue #22). A quote moves only by conditional
//! updates on its status and version, so an acceptance, a revision and a withdrawal sent at
//! the same moment never both succeed.

use crate::domain::rfq::{QuoteStatus, RfqStatus};
use crate::store::{rfq, rfq_invitation, rfq_quote};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

pub async fn rfq(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<rfq::Model>, DbErr> {
    rfq::Entity::find_by_id(id).one(conn).await
}

/// Whether `seller` was sent the RFQ.
pub async fn invited(conn: &impl ConnectionTrait, id: Uuid, seller: Uuid) -> Result<bool, DbErr> {
    Ok(rfq_invitation::Entity::find_by_id((id, seller))
        .one(conn)
        .await?
        .is_some())
}

/// The sellers an RFQ was sent to.
pub async fn invitations(conn: &impl ConnectionTrait, id: Uuid) -> Result<Vec<Uuid>, DbErr> {
    Ok(rfq_invitation::Entity::find()
        .filter(rfq_invitation::Column::RfqId.eq(id))
        .order_by_asc(rfq_invitation::Column::SellerOrgId)
        .all(conn)
        .await?
        .into_iter()
        .map(|i| i.seller_org_id)
        .collect())
}

/// A page of a buyer's RFQs, newest first, and how many there are.
pub async fn of_buyer(
    conn: &impl ConnectionTrait,
    org: Uuid,
    limit: u64,
    offset: u64,
) -> Result<(Vec<rfq::Model>, u64), DbErr> {
    let q = rfq::Entity::find().filter(rfq::Column::BuyerOrgId.eq(org));
    let total = q.clone().count(conn).await?;
    let rows = q
        .order_by_desc(rfq::Column::CreatedAt)
        .order_by_desc(rfq::Column::Id)
        .limit(limit)
        .offset(offset)
        .all(conn)
        .await?;
    Ok((rows, total))
}

/// A page of the RFQs sent to a seller, newest first, and how many there are.
pub async fn sent_to(
    conn: &impl ConnectionTrait,
    seller: Uuid,
    limit: u64,
    offset: u64,
) -> Result<(Vec<rfq::Model>, u64), DbErr> {
    let q = rfq_invitation::Entity::find().filter(rfq_invitation::Column::SellerOrgId.eq(seller));
    let total = q.clone().count(conn).await?;
    let ids: Vec<Uuid> = q
        .order_by_desc(rfq_invitation::Column::CreatedAt)
        .order_by_desc(rfq_invitation::Column::RfqId)
        .limit(limit)
        .offset(offset)
        .all(conn)
        .await?
        .into_iter()
        .map(|i| i.rfq_id)
        .collect();
    let mut rows = rfq::Entity::find()
        .filter(rfq::Column::Id.is_in(ids.clone()))
        .all(conn)
        .await?;
    rows.sort_by_key(|r| ids.iter().position(|i| *i == r.id));
    Ok((rows, total))
}

/// An RFQ's quotes, oldest first; only `seller`'s when given.
pub async fn quotes_of(
    conn: &impl ConnectionTrait,
    id: Uuid,
    seller: Option<Uuid>,
) -> Result<Vec<rfq_quote::Model>, DbErr> {
    let mut q = rfq_quote::Entity::find().filter(rfq_quote::Column::RfqId.eq(id));
    if let Some(s) = seller {
        q = q.filter(rfq_quote::Column::SellerOrgId.eq(s));
    }
    q.order_by_asc(rfq_quote::Column::CreatedAt)
        .order_by_asc(rfq_quote::Column::Id)
        .all(conn)
        .await
}

pub async fn quote(
    conn: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<rfq_quote::Model>, DbErr> {
    rfq_quote::Entity::find_by_id(id).one(conn).await
}

/// The revision of an open, unexpired quote at `version`: `false` when it moved meanwhile.
pub async fn revise(
    conn: &impl ConnectionTrait,
    q: &rfq_quote::Model,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let done = rfq_quote::Entity::update_many()
        .col_expr(rfq_quote::Column::SkuId, Expr::value(q.sku_id))
        .col_expr(rfq_quote::Column::Title, Expr::value(q.title.clone()))
        .col_expr(rfq_quote::Column::Unit, Expr::value(q.unit.clone()))
        .col_expr(
            rfq_quote::Column::UnitPriceFen,
            Expr::value(q.unit_price_fen),
        )
        .col_expr(rfq_quote::Column::Quantity, Expr::value(q.quantity))
        .col_expr(rfq_quote::Column::ExpiresAt, Expr::value(q.expires_at))
        .col_expr(rfq_quote::Column::Note, Expr::value(q.note.clone()))
        .col_expr(rfq_quote::Column::UpdatedAt, Expr::value(now))
        .col_expr(
            rfq_quote::Column::Version,
            Expr::col(rfq_quote::Column::Version).add(1),
        )
        .filter(rfq_quote::Column::Id.eq(q.id))
        .filter(rfq_quote::Column::Status.eq(QuoteStatus::Open))
        .filter(rfq_quote::Column::Version.eq(q.version))
        .filter(rfq_quote::Column::ExpiresAt.gt(now))
        .exec(conn)
        .await?;
    Ok(done.rows_affected == 1)
}

/// An open quote withdrawn: `false` when it is not open any more.
pub async fn withdraw(
    conn: &impl ConnectionTrait,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let done = rfq_quote::Entity::update_many()
        .col_expr(
            rfq_quote::Column::Status,
            Expr::value(QuoteStatus::Withdrawn),
        )
        .col_expr(rfq_quote::Column::UpdatedAt, Expr::value(now))
        .filter(rfq_quote::Column::Id.eq(id))
        .filter(rfq_quote::Column::Status.eq(QuoteStatus::Open))
        .exec(conn)
        .await?;
    Ok(done.rows_affected == 1)
}

/// The quote at `version`, still open and unexpired, accepted with its order: `false` when it
/// was accepted, revised, withdrawn or lapsed meanwhile (then the caller's order must not
/// stand).
pub async fn accept(
    conn: &impl ConnectionTrait,
    id: Uuid,
    version: i32,
    (order, by): (Uuid, Uuid),
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let done = rfq_quote::Entity::update_many()
        .col_expr(
            rfq_quote::Column::Status,
            Expr::value(QuoteStatus::Accepted),
        )
        .col_expr(rfq_quote::Column::OrderId, Expr::value(order))
        .col_expr(rfq_quote::Column::AcceptedBy, Expr::value(by))
        .col_expr(rfq_quote::Column::AcceptedAt, Expr::value(now))
        .col_expr(rfq_quote::Column::UpdatedAt, Expr::value(now))
        .filter(rfq_quote::Column::Id.eq(id))
        .filter(rfq_quote::Column::Status.eq(QuoteStatus::Open))
        .filter(rfq_quote::Column::Version.eq(version))
        .filter(rfq_quote::Column::ExpiresAt.gt(now))
        .exec(conn)
        .await?;
    Ok(done.rows_affected == 1)
}

/// An open RFQ closed: `false` when it was closed already.
pub async fn close(
    conn: &impl ConnectionTrait,
    id: Uuid,
    now: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let done = rfq::Entity::update_many()
        .col_expr(rfq::Column::Status, Expr::value(RfqStatus::Closed))
        .col_expr(rfq::Column::ClosedAt, Expr::value(now))
        .filter(rfq::Column::Id.eq(id))
        .filter(rfq::Column::Status.eq(RfqStatus::Open))
        .exec(conn)
        .await?;
    Ok(done.rows_affected == 1)
}
