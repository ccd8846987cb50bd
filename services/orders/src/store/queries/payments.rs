//! Payment intents, payments received, gateway notification receipts and the refund ledger.

use crate::domain::{IntentStatus, RefundStatus};
use crate::store::{intent, payment, refund, webhook_receipt, wechat_openid};
use chrono::{DateTime, Utc};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder, Select,
};
use uuid::Uuid;

// ---- Intents

pub async fn intent(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<intent::Model>, DbErr> {
    intent::Entity::find_by_id(id).one(conn).await
}

/// The newest intent of an order with `provider` still waiting for the buyer at `now`.
pub async fn pending_intent(
    conn: &impl ConnectionTrait,
    order_id: Uuid,
    provider: &str,
    now: DateTime<Utc>,
) -> Result<Option<intent::Model>, DbErr> {
    newest_pending(
        Condition::all()
            .add(intent::Column::OrderId.eq(order_id))
            .add(intent::Column::ExtraChargeId.is_null()),
        provider,
        now,
    )
    .one(conn)
    .await
}

/// The newest intent under `scope` with `provider` still waiting for the buyer at `now`.
fn newest_pending(scope: Condition, provider: &str, now: DateTime<Utc>) -> Select<intent::Entity> {
    intent::Entity::find()
        .filter(scope)
        .filter(intent::Column::Provider.eq(provider))
        .filter(intent::Column::Status.eq(IntentStatus::Pending))
        .filter(intent::Column::ExpiresAt.gt(now))
        .order_by_desc(intent::Column::CreatedAt)
}

/// The newest intent of an extra charge with `provider` still waiting for the buyer at `now`.
pub async fn pending_extra_intent(
    conn: &impl ConnectionTrait,
    extra_charge_id: Uuid,
    provider: &str,
    now: DateTime<Utc>,
) -> Result<Option<intent::Model>, DbErr> {
    newest_pending(
        Condition::all().add(intent::Column::ExtraChargeId.eq(extra_charge_id)),
        provider,
        now,
    )
    .one(conn)
    .await
}

/// An extra charge's intents still pending (closed at the provider when it lapses).
pub async fn pending_intents_of_extra(
    conn: &impl ConnectionTrait,
    extra_charge_id: Uuid,
) -> Result<Vec<intent::Model>, DbErr> {
    intent::Entity::find()
        .filter(intent::Column::ExtraChargeId.eq(extra_charge_id))
        .filter(intent::Column::Status.eq(IntentStatus::Pending))
        .order_by_asc(intent::Column::CreatedAt)
        .all(conn)
        .await
}

/// The order's pending intents with this provider succeed (its payment settled them).
pub async fn settle_pending_intents(
    conn: &impl ConnectionTrait,
    order_id: Uuid,
    provider: &str,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    intent::Entity::update_many()
        .col_expr(intent::Column::Status, Expr::value(IntentStatus::Succeeded))
        .col_expr(intent::Column::CompletedAt, Expr::value(at))
        .filter(intent::Column::OrderId.eq(order_id))
        .filter(intent::Column::ExtraChargeId.is_null())
        .filter(intent::Column::Provider.eq(provider))
        .filter(intent::Column::Status.eq(IntentStatus::Pending))
        .exec(conn)
        .await?;
    Ok(())
}

/// A pending intent failed; `false` when it was no longer pending.
pub async fn fail_intent(
    conn: &impl ConnectionTrait,
    id: Uuid,
    at: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let done = intent::Entity::update_many()
        .col_expr(intent::Column::Status, Expr::value(IntentStatus::Failed))
        .col_expr(intent::Column::CompletedAt, Expr::value(at))
        .filter(intent::Column::Id.eq(id))
        .filter(intent::Column::Status.eq(IntentStatus::Pending))
        .exec(conn)
        .await?;
    Ok(done.rows_affected == 1)
}

/// An intent succeeded with the gateway's transaction (a failed attempt may still succeed).
pub async fn succeed_intent(
    conn: &impl ConnectionTrait,
    id: Uuid,
    transaction_id: &str,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    intent::Entity::update_many()
        .col_expr(intent::Column::Status, Expr::value(IntentStatus::Succeeded))
        .col_expr(
            intent::Column::TransactionId,
            Expr::value(transaction_id.to_owned()),
        )
        .col_expr(intent::Column::CompletedAt, Expr::value(at))
        .filter(intent::Column::Id.eq(id))
        .filter(intent::Column::Status.is_in([IntentStatus::Pending, IntentStatus::Failed]))
        .exec(conn)
        .await?;
    Ok(())
}

// ---- Payments and notifications

pub async fn payments_of_order(
    conn: &impl ConnectionTrait,
    order_id: Uuid,
) -> Result<Vec<payment::Model>, DbErr> {
    payment::Entity::find()
        .filter(payment::Column::OrderId.eq(order_id))
        .all(conn)
        .await
}

pub async fn payment(
    conn: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<payment::Model>, DbErr> {
    payment::Entity::find_by_id(id).one(conn).await
}

/// The order's payment with this reference (a gateway's transaction number), if any.
pub async fn payment_by_reference(
    conn: &impl ConnectionTrait,
    order_id: Uuid,
    reference: &str,
) -> Result<Option<payment::Model>, DbErr> {
    payment::Entity::find()
        .filter(payment::Column::OrderId.eq(order_id))
        .filter(payment::Column::Reference.eq(reference))
        .one(conn)
        .await
}

/// The payment of the order's total (the one its refunds are paid back against; an extra
/// charge's payment is found by its transaction).
pub async fn a_payment_of_order(
    conn: &impl ConnectionTrait,
    order_id: Uuid,
) -> Result<Option<payment::Model>, DbErr> {
    payment::Entity::find()
        .filter(payment::Column::OrderId.eq(order_id))
        .filter(payment::Column::ExtraChargeId.is_null())
        .one(conn)
        .await
}

/// The receipt of a notification seen before, by provider and event id.
pub async fn webhook_receipt(
    conn: &impl ConnectionTrait,
    provider: &str,
    event_id: &str,
) -> Result<Option<webhook_receipt::Model>, DbErr> {
    webhook_receipt::Entity::find_by_id((provider.to_owned(), event_id.to_owned()))
        .one(conn)
        .await
}

// ---- Refunds

pub async fn refund(conn: &impl ConnectionTrait, id: Uuid) -> Result<Option<refund::Model>, DbErr> {
    refund::Entity::find_by_id(id).one(conn).await
}

/// One refund per order and key: what two requests with the same key at once run into when
/// they refund different sub-orders of one order (the same sub-order's take turns).
pub const REFUND_IDEMPOTENCY: farmgate_infra::db::UniqueIndex = farmgate_infra::db::UniqueIndex {
    name: "ux_refunds_idempotency",
    table: "refunds",
    columns: &["order_id", "idempotency_key"],
};

/// The refund of an order made with this idempotency key, if any.
pub async fn refund_by_key(
    conn: &impl ConnectionTrait,
    order_id: Uuid,
    key: &str,
) -> Result<Option<refund::Model>, DbErr> {
    refund::Entity::find()
        .filter(refund::Column::OrderId.eq(order_id))
        .filter(refund::Column::IdempotencyKey.eq(key))
        .one(conn)
        .await
}

/// An order's refunds, oldest first.
pub async fn refunds_of_order(
    conn: &impl ConnectionTrait,
    order_id: Uuid,
) -> Result<Vec<refund::Model>, DbErr> {
    refund::Entity::find()
        .filter(refund::Column::OrderId.eq(order_id))
        .order_by_asc(refund::Column::CreatedAt)
        .all(conn)
        .await
}

/// The provider confirmed paying a pending refund back, with its reference.
pub async fn settle_refund(
    conn: &impl ConnectionTrait,
    id: Uuid,
    provider_ref: &str,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    refund::Entity::update_many()
        .col_expr(refund::Column::Status, Expr::value(RefundStatus::Succeeded))
        .col_expr(
            refund::Column::ProviderRef,
            Expr::value(provider_ref.to_owned()),
        )
        .col_expr(refund::Column::SettledAt, Expr::value(at))
        .filter(refund::Column::Id.eq(id))
        .filter(refund::Column::Status.eq(RefundStatus::Pending))
        .exec(conn)
        .await?;
    Ok(())
}

/// Every intent of an order still pending, whatever its deadline (before the order closes,
/// each is asked about at its provider and closed there).
pub async fn pending_intents_of_order(
    conn: &impl ConnectionTrait,
    order_id: Uuid,
) -> Result<Vec<intent::Model>, DbErr> {
    intent::Entity::find()
        .filter(intent::Column::OrderId.eq(order_id))
        .filter(intent::Column::ExtraChargeId.is_null())
        .filter(intent::Column::Status.eq(IntentStatus::Pending))
        .order_by_asc(intent::Column::CreatedAt)
        .all(conn)
        .await
}

/// The gateway an order was paid through: the provider of its succeeded intent.
pub async fn paid_intent(
    conn: &impl ConnectionTrait,
    order_id: Uuid,
) -> Result<Option<intent::Model>, DbErr> {
    intent::Entity::find()
        .filter(intent::Column::OrderId.eq(order_id))
        .filter(intent::Column::ExtraChargeId.is_null())
        .filter(intent::Column::Status.eq(IntentStatus::Succeeded))
        .order_by_asc(intent::Column::CompletedAt)
        .one(conn)
        .await
}

/// The provider could not pay a pending refund back: `failed`, with its word, for finance.
/// `false` when it was no longer pending.
pub async fn fail_refund(
    conn: &impl ConnectionTrait,
    id: Uuid,
    why: &str,
    at: DateTime<Utc>,
) -> Result<bool, DbErr> {
    let done = refund::Entity::update_many()
        .col_expr(refund::Column::Status, Expr::value(RefundStatus::Failed))
        .col_expr(
            refund::Column::Failure,
            Expr::value(why.chars().take(200).collect::<String>()),
        )
        .col_expr(refund::Column::SettledAt, Expr::value(at))
        .filter(refund::Column::Id.eq(id))
        .filter(refund::Column::Status.eq(RefundStatus::Pending))
        .exec(conn)
        .await?;
    Ok(done.rows_affected == 1)
}

// ---- WeChat openids

/// The buyer's openid under `app_id`, if WeChat told us.
pub async fn wechat_openid(
    conn: &impl ConnectionTrait,
    account_id: Uuid,
    app_id: &str,
) -> Result<Option<String>, DbErr> {
    Ok(
        wechat_openid::Entity::find_by_id((account_id, app_id.to_owned()))
            .one(conn)
            .await?
            .map(|m| m.openid),
    )
}

/// Keeps (or replaces) the buyer's openid under `app_id`.
pub async fn save_wechat_openid(
    conn: &impl ConnectionTrait,
    account_id: Uuid,
    app_id: &str,
    openid: &str,
    at: DateTime<Utc>,
) -> Result<(), DbErr> {
    use sea_orm::sea_query::OnConflict;
    wechat_openid::Entity::insert(wechat_openid::ActiveModel {
        account_id: sea_orm::Set(account_id),
        app_id: sea_orm::Set(app_id.to_owned()),
        openid: sea_orm::Set(openid.to_owned()),
        created_at: sea_orm::Set(at),
    })
    .on_conflict(
        OnConflict::columns([
            wechat_openid::Column::AccountId,
            wechat_openid::Column::AppId,
        ])
        .update_columns([
            wechat_openid::Column::Openid,
            wechat_openid::Column::CreatedAt,
        ])
        .to_owned(),
    )
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// Forgets an erased buyer's openids.
pub async fn delete_wechat_openids(
    conn: &impl ConnectionTrait,
    account_id: Uuid,
) -> Result<u64, DbErr> {
    Ok(wechat_openid::Entity::delete_many()
        .filter(wechat_openid::Column::AccountId.eq(account_id))
        .exec(conn)
        .await?
        .rows_affected)
}
