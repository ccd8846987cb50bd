//! What notifications (`farmgate-notify`) read of orders, and why. Orders own the orders,
//! sub-orders and shipments; notify only reads them through these:
//!
//! - [`paid_order`]: an order was paid (`orders.paid`); each seller's part and its number, so
//!   every seller's members hear of their own sub-order.
//! - [`sub_order`]: a sub-order shipped or was received (`orders.shipped`, `orders.received`),
//!   or a paid-order reminder is due: who bought it, who sells it, its waybill, and whether the
//!   seller has acknowledged (or already shipped) it, which stops the reminder.
//!
//! - [`review`]: the seller replied to a review or the operator hid or restored it
//!   (`orders.review_replied`, `orders.review_hidden`, `orders.review_restored`): whose review
//!   it is, what it was about, and the operator's reason for that move.
//!
//! - [`wechat_openid`]: a WeChat subscription message goes to the person's openid under the
//!   app that sends it; orders keep the openids people gave by WeChat authorisation.
//!
//! - [`credit_statement`]: a business buyer's credit statement was issued, falls due soon or
//!   is overdue: its buyer, month, what is left and the due date.
//!
//! Nothing here writes, and no address or phone is read.

use crate::domain::SubOrderStatus;
use crate::store::{
    line, order, review, review_moderation_event, shipment, sub_order, wechat_openid as openid,
};
use farmgate_kernel::id::{AccountId, OrderId, OrgId, SubOrderId};
use sea_orm::{ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder};

/// One seller's part of a paid order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaidPart {
    pub id: SubOrderId,
    pub number: String,
    pub seller: OrgId,
}

/// A paid order as its notifications name it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaidOrder {
    pub id: OrderId,
    pub number: String,
    pub buyer: AccountId,
    pub parts: Vec<PaidPart>,
}

/// The order and its sub-orders that are paid (not cancelled); `None` when there is no such
/// order.
pub async fn paid_order(
    conn: &impl ConnectionTrait,
    id: OrderId,
) -> Result<Option<PaidOrder>, DbErr> {
    let Some(o) = order::Entity::find_by_id(id.0).one(conn).await? else {
        return Ok(None);
    };
    let parts = sub_order::Entity::find()
        .filter(sub_order::Column::OrderId.eq(o.id))
        .order_by_asc(sub_order::Column::Number)
        .all(conn)
        .await?
        .into_iter()
        .filter(|s| s.paid_at.is_some() && s.status != SubOrderStatus::Cancelled)
        .map(|s| PaidPart {
            id: SubOrderId(s.id),
            number: s.number,
            seller: OrgId(s.seller_org_id),
        })
        .collect();
    Ok(Some(PaidOrder {
        id: OrderId(o.id),
        number: o.number,
        buyer: AccountId(o.buyer_account_id),
        parts,
    }))
}

/// A sub-order as its notifications name it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotifiedSubOrder {
    pub id: SubOrderId,
    pub number: String,
    pub order_id: OrderId,
    pub order_number: String,
    pub buyer: AccountId,
    pub seller: OrgId,
    /// The seller acknowledged it, shipped it, or it left the paid state otherwise
    /// (cancelled, received): nobody needs reminding of it.
    pub handled: bool,
    /// The carrier and tracking number of its latest parcel, once shipped.
    pub carrier: Option<String>,
    pub tracking_no: Option<String>,
}

/// One sub-order; `None` when there is no such sub-order.
pub async fn sub_order(
    conn: &impl ConnectionTrait,
    id: SubOrderId,
) -> Result<Option<NotifiedSubOrder>, DbErr> {
    let Some(s) = sub_order::Entity::find_by_id(id.0).one(conn).await? else {
        return Ok(None);
    };
    let Some(o) = order::Entity::find_by_id(s.order_id).one(conn).await? else {
        return Ok(None);
    };
    let parcel = shipment::Entity::find()
        .filter(shipment::Column::SubOrderId.eq(s.id))
        .order_by_desc(shipment::Column::ShippedAt)
        .one(conn)
        .await?;
    Ok(Some(NotifiedSubOrder {
        id: SubOrderId(s.id),
        number: s.number,
        order_id: OrderId(o.id),
        order_number: o.number,
        buyer: AccountId(o.buyer_account_id),
        seller: OrgId(s.seller_org_id),
        handled: s.acknowledged_at.is_some() || s.status != SubOrderStatus::Paid,
        carrier: parcel.as_ref().map(|p| p.carrier.clone()),
        tracking_no: parcel.map(|p| p.tracking_no),
    }))
}

/// The person's openid under WeChat app `app_id`, when they authorised it.
pub async fn wechat_openid(
    conn: &impl ConnectionTrait,
    account: AccountId,
    app_id: &str,
) -> Result<Option<String>, DbErr> {
    let paid = openid::Entity::find()
        .filter(openid::Column::AccountId.eq(account.0))
        .filter(openid::Column::AppId.eq(app_id))
        .one(conn)
        .await?
        .map(|o| o.openid);
    match paid {
        Some(o) => Ok(Some(o)),
        // Or the one a WeChat log-in under the same app bound.
        None => farmgate_identity::read::wechat::openid(conn, account, app_id).await,
    }
}

/// A review as the notice to its author names it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NotifiedReview {
    pub id: uuid::Uuid,
    /// The buyer who wrote it.
    pub buyer: AccountId,
    pub order_id: OrderId,
    /// The sub-order's number (what the buyer's order page shows).
    pub number: String,
    /// The product and option reviewed.
    pub product: String,
    /// The operator's reason for moderation step `moderation_id`, when asked and given.
    pub reason: Option<String>,
}

/// Review `id`, with the reason of its moderation step `moderation_id` if given; `None` when
/// there is no such review.
pub async fn review(
    conn: &impl ConnectionTrait,
    id: uuid::Uuid,
    moderation_id: Option<uuid::Uuid>,
) -> Result<Option<NotifiedReview>, DbErr> {
    let Some(r) = review::Entity::find_by_id(id).one(conn).await? else {
        return Ok(None);
    };
    let l = line::Entity::find_by_id(r.line_id).one(conn).await?;
    let number = match &l {
        Some(l) => sub_order::Entity::find_by_id(l.sub_order_id)
            .one(conn)
            .await?
            .map(|s| s.number),
        None => None,
    };
    let reason = match moderation_id {
        Some(m) => review_moderation_event::Entity::find_by_id(m)
            .one(conn)
            .await?
            .filter(|e| e.review_id == r.id)
            .and_then(|e| e.reason),
        None => None,
    };
    let product = match l {
        Some(l) => format!("{} {}", l.title, r.sku_name),
        None => r.sku_name.clone(),
    };
    Ok(Some(NotifiedReview {
        id: r.id,
        buyer: AccountId(r.buyer_account_id),
        order_id: OrderId(r.order_id),
        number: number.unwrap_or_default(),
        product,
        reason,
    }))
}

/// A business buyer's credit statement as its notices name it (`orders.credit_statement_issued`,
/// `orders.credit_due_soon`, `orders.credit_overdue`): whose it is, the month, what is left to
/// pay and by when.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StatementNotice {
    pub org: OrgId,
    /// `2026-12`.
    pub month: String,
    pub total_fen: i64,
    /// What is left unpaid now.
    pub left_fen: i64,
    pub due_date: chrono::NaiveDate,
}

pub async fn credit_statement(
    conn: &impl ConnectionTrait,
    id: uuid::Uuid,
) -> Result<Option<StatementNotice>, DbErr> {
    Ok(crate::store::queries::credit::statement(conn, id)
        .await?
        .map(|s| StatementNotice {
            org: OrgId(s.org_id),
            month: s.month,
            total_fen: s.total_fen,
            left_fen: (s.total_fen - s.paid_fen).max(0),
            due_date: s.due_date,
        }))
}
