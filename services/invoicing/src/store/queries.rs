//! Queries over `invoices` and `invoice_events`. State changes are conditional updates
//! (`… WHERE status = 'requested'`), so of two requests racing for the same move exactly one
//! changes a row and the other is told it lost.

use super::{event, invoice};
use crate::domain::{EventKind, InvoiceId, InvoiceStatus};
use chrono::{DateTime, Utc};
use farmgate_infra::db::UniqueIndex;
use farmgate_kernel::id::{AccountId, OrderId, OrgId, SubOrderId};
use farmgate_kernel::{Page, Paged};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};
use serde_json::Value;

/// One active invoice per sub-order.
pub const ACTIVE_PER_SUB_ORDER: UniqueIndex = UniqueIndex {
    name: "ux_invoices_active_sub_order",
    table: "invoices",
    columns: &["active_sub_order_id"],
};

/// Invoice numbers are unique.
pub const NUMBER: UniqueIndex = UniqueIndex {
    name: "ux_invoices_number",
    table: "invoices",
    columns: &["number"],
};

pub async fn by_id(
    conn: &impl ConnectionTrait,
    id: InvoiceId,
) -> Result<Option<invoice::Model>, DbErr> {
    invoice::Entity::find_by_id(id.0).one(conn).await
}

/// Every invoice of an order (rejected ones too), oldest first.
pub async fn of_order(
    conn: &impl ConnectionTrait,
    order: OrderId,
) -> Result<Vec<invoice::Model>, DbErr> {
    invoice::Entity::find()
        .filter(invoice::Column::OrderId.eq(order.0))
        .order_by_asc(invoice::Column::CreatedAt)
        .order_by_asc(invoice::Column::Id)
        .all(conn)
        .await
}

/// A seller's invoices, newest first, optionally in one status.
pub async fn of_seller(
    conn: &impl ConnectionTrait,
    seller: OrgId,
    status: Option<InvoiceStatus>,
    page: Page,
) -> Result<Paged<invoice::Model>, DbErr> {
    listed(conn, Some(seller), status, page).await
}

/// One page of invoices, newest first: one seller's, or every seller's.
pub async fn listed(
    conn: &impl ConnectionTrait,
    seller: Option<OrgId>,
    status: Option<InvoiceStatus>,
    page: Page,
) -> Result<Paged<invoice::Model>, DbErr> {
    let mut q = invoice::Entity::find();
    if let Some(seller) = seller {
        q = q.filter(invoice::Column::SellerOrgId.eq(seller.0));
    }
    if let Some(s) = status {
        q = q.filter(invoice::Column::Status.eq(s));
    }
    let total = q.clone().count(conn).await?;
    let items = q
        .order_by_desc(invoice::Column::CreatedAt)
        .order_by_desc(invoice::Column::Id)
        .limit(page.limit())
        .offset(page.offset())
        .all(conn)
        .await?;
    Ok(Paged::new(items, total, page))
}

pub async fn insert(
    conn: &impl ConnectionTrait,
    model: invoice::Model,
) -> Result<invoice::Model, DbErr> {
    model.into_active_model().reset_all().insert(conn).await
}

/// Appends to an invoice's history.
pub async fn add_event(
    conn: &impl ConnectionTrait,
    invoice: InvoiceId,
    kind: EventKind,
    actor: Option<AccountId>,
    data: Value,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    event::ActiveModel {
        id: Set(uuid::Uuid::now_v7()),
        invoice_id: Set(invoice.0),
        kind: Set(kind),
        actor_id: Set(actor.map(|a| a.0)),
        data: Set(data),
        at: Set(at),
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// An invoice's history, oldest first.
pub async fn events(
    conn: &impl ConnectionTrait,
    invoice: InvoiceId,
) -> Result<Vec<event::Model>, DbErr> {
    event::Entity::find()
        .filter(event::Column::InvoiceId.eq(invoice.0))
        .order_by_asc(event::Column::At)
        .order_by_asc(event::Column::Id)
        .all(conn)
        .await
}

/// What the issuing request records when it claims the invoice.
pub struct Claim {
    pub number: String,
    pub amount_fen: i64,
    pub refunded_at_issue_fen: i64,
    pub issuer: &'static str,
    pub issued_by: AccountId,
    pub at: DateTime<Utc>,
}

/// `requested` → `issuing` with the number, amount and issuer; `false` when the invoice was
/// not `requested` any more (another request claimed it first, or it was rejected).
pub async fn claim_for_issue(
    conn: &impl ConnectionTrait,
    id: InvoiceId,
    c: &Claim,
) -> Result<bool, DbErr> {
    let r = invoice::Entity::update_many()
        .col_expr(invoice::Column::Status, Expr::value(InvoiceStatus::Issuing))
        .col_expr(invoice::Column::Number, Expr::value(c.number.clone()))
        .col_expr(invoice::Column::AmountFen, Expr::value(c.amount_fen))
        .col_expr(
            invoice::Column::RefundedAtIssueFen,
            Expr::value(c.refunded_at_issue_fen),
        )
        .col_expr(invoice::Column::Issuer, Expr::value(c.issuer))
        .col_expr(invoice::Column::IssuedBy, Expr::value(c.issued_by.0))
        .col_expr(invoice::Column::IssuedAt, Expr::value(c.at))
        .col_expr(invoice::Column::UpdatedAt, Expr::value(c.at))
        .filter(invoice::Column::Id.eq(id.0))
        .filter(invoice::Column::Status.eq(InvoiceStatus::Requested))
        .exec(conn)
        .await?;
    Ok(r.rows_affected == 1)
}

/// `issuing` → `requested` again (the issuer failed; the seller may try again).
pub async fn release_claim(
    conn: &impl ConnectionTrait,
    id: InvoiceId,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    invoice::Entity::update_many()
        .col_expr(
            invoice::Column::Status,
            Expr::value(InvoiceStatus::Requested),
        )
        .col_expr(invoice::Column::Number, Expr::value(Option::<String>::None))
        .col_expr(invoice::Column::AmountFen, Expr::value(Option::<i64>::None))
        .col_expr(
            invoice::Column::RefundedAtIssueFen,
            Expr::value(Option::<i64>::None),
        )
        .col_expr(invoice::Column::Issuer, Expr::value(Option::<String>::None))
        .col_expr(
            invoice::Column::IssuedBy,
            Expr::value(Option::<uuid::Uuid>::None),
        )
        .col_expr(
            invoice::Column::IssuedAt,
            Expr::value(Option::<DateTime<Utc>>::None),
        )
        .col_expr(invoice::Column::UpdatedAt, Expr::value(at))
        .filter(invoice::Column::Id.eq(id.0))
        .filter(invoice::Column::Status.eq(InvoiceStatus::Issuing))
        .exec(conn)
        .await?;
    Ok(())
}

/// What is recorded when the file is stored.
pub struct Issued {
    /// The number the issuer issued it under (ours, or the provincial service's).
    pub number: String,
    pub external_ref: String,
    pub pdf_key: String,
    pub pdf_sha256: String,
    pub pdf_size: i64,
    pub at: DateTime<Utc>,
}

/// `issuing` → `issued` with the stored file; `false` when it was not `issuing`.
pub async fn finish_issue(
    conn: &impl ConnectionTrait,
    id: InvoiceId,
    i: &Issued,
) -> Result<bool, DbErr> {
    let r = invoice::Entity::update_many()
        .col_expr(invoice::Column::Status, Expr::value(InvoiceStatus::Issued))
        .col_expr(invoice::Column::Number, Expr::value(i.number.clone()))
        .col_expr(
            invoice::Column::ExternalRef,
            Expr::value(i.external_ref.clone()),
        )
        .col_expr(invoice::Column::PdfKey, Expr::value(i.pdf_key.clone()))
        .col_expr(
            invoice::Column::PdfSha256,
            Expr::value(i.pdf_sha256.clone()),
        )
        .col_expr(invoice::Column::PdfSize, Expr::value(i.pdf_size))
        .col_expr(invoice::Column::UpdatedAt, Expr::value(i.at))
        .filter(invoice::Column::Id.eq(id.0))
        .filter(invoice::Column::Status.eq(InvoiceStatus::Issuing))
        .exec(conn)
        .await?;
    Ok(r.rows_affected == 1)
}

/// `requested` → `rejected`, freeing the sub-order for a new request; `false` when it was not
/// `requested`.
pub async fn reject(
    conn: &impl ConnectionTrait,
    id: InvoiceId,
    reason: &str,
    at: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let r = invoice::Entity::update_many()
        .col_expr(
            invoice::Column::Status,
            Expr::value(InvoiceStatus::Rejected),
        )
        .col_expr(
            invoice::Column::ActiveSubOrderId,
            Expr::value(Option::<uuid::Uuid>::None),
        )
        .col_expr(
            invoice::Column::RejectReason,
            Expr::value(reason.to_owned()),
        )
        .col_expr(invoice::Column::UpdatedAt, Expr::value(at))
        .filter(invoice::Column::Id.eq(id.0))
        .filter(invoice::Column::Status.eq(InvoiceStatus::Requested))
        .exec(conn)
        .await?;
    Ok(r.rows_affected == 1)
}

/// Records that an issued invoice needs a red reversal: `refunded_after` fen were refunded
/// since it was issued. The first time sets `red_needed_at`; later refunds raise the amount.
/// `true` when the recorded amount changed.
pub async fn mark_red_needed(
    conn: &impl ConnectionTrait,
    id: InvoiceId,
    refunded_after: i64,
    at: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let Some(inv) = by_id(conn, id).await? else {
        return Ok(false);
    };
    if inv.refunded_after_issue_fen.unwrap_or(0) >= refunded_after {
        return Ok(false);
    }
    let r = invoice::Entity::update_many()
        .col_expr(
            invoice::Column::RedNeededAt,
            Expr::value(inv.red_needed_at.unwrap_or(at)),
        )
        .col_expr(
            invoice::Column::RefundedAfterIssueFen,
            Expr::value(refunded_after),
        )
        .col_expr(invoice::Column::UpdatedAt, Expr::value(at))
        .filter(invoice::Column::Id.eq(id.0))
        .filter(invoice::Column::Status.eq(InvoiceStatus::Issued))
        .exec(conn)
        .await?;
    Ok(r.rows_affected == 1)
}

/// The sub-order ids of these invoices' (for reading what orders refunded since).
pub fn sub_orders_of(invoices: &[invoice::Model]) -> Vec<SubOrderId> {
    let mut ids: Vec<SubOrderId> = invoices
        .iter()
        .map(|i| SubOrderId(i.sub_order_id))
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// Every invoice a person requested, newest first (their part of "download my data").
pub async fn requested_by(
    conn: &impl ConnectionTrait,
    account: uuid::Uuid,
) -> Result<Vec<invoice::Model>, DbErr> {
    invoice::Entity::find()
        .filter(invoice::Column::RequestedBy.eq(account))
        .order_by_desc(invoice::Column::CreatedAt)
        .order_by_desc(invoice::Column::Id)
        .all(conn)
        .await
}
